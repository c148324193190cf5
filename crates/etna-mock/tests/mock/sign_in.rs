//! Sign-in over HTTP as the reference documents it: one factor, two factors
//! (email and SMS), wrong credentials, an expired password, a PIN not set;
//! each answer compared with the spec's own example of it.

use std::time::Duration;

use etna_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::answers::http;

pub(crate) const ROBERT: (&str, &str) = ("robert.zak", "Passw0rd!");
pub(crate) const HELLO: (&str, &str) = ("hello", "Hell0-passw0rd!");
pub(crate) const IMAGES: &str = "/v1.0/assets/security-images";

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) text: String,
    pub(crate) www_authenticate: Option<String>,
}

impl Reply {
    pub(crate) fn token(&self) -> String {
        self.body["Token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {}", self.text))
            .to_owned()
    }
}

/// A request with the app key, these headers and `body` as JSON.
pub(crate) async fn call(
    server: &MockServer,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut request = http()
        .request(method, format!("{}{path}", server.base_url()))
        .header("Et-App-Key", MockServer::APP_KEY);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let www_authenticate = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    Reply {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        www_authenticate,
    }
}

/// `POST /token` with these credentials and extra headers.
pub(crate) async fn token(
    server: &MockServer,
    login: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> Reply {
    let mut headers = vec![("Username", login), ("Password", password)];
    headers.extend_from_slice(extra);
    call(server, Method::POST, "/token", &headers, None).await
}

/// Signs in with one factor and returns the session token.
pub(crate) async fn session(server: &MockServer, (login, password): (&str, &str)) -> String {
    let reply = token(server, login, password, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.token()
}

pub(crate) async fn with_bearer(server: &MockServer, path: &str, token: &str) -> Reply {
    let bearer = format!("Bearer {token}");
    call(
        server,
        Method::GET,
        path,
        &[("Authorization", &bearer)],
        None,
    )
    .await
}

/// The spec's example `name` of sign-in's `status` answer.
pub(crate) fn sign_in_example(status: u16, name: &str) -> Value {
    let spec: Value = serde_yaml_ng::from_str(etna_mock::SPEC).unwrap();
    spec["paths"]["/token"]["post"]["responses"][status.to_string()]["content"]["application/json"]
        ["examples"][name]["value"]
        .clone()
}

/// `body` without its token, which is fresh on every answer.
fn tokenless(body: &Value) -> Value {
    let mut body = body.clone();
    body.as_object_mut().unwrap().remove("Token");
    body
}

#[tokio::test]
async fn one_factor_gives_a_fresh_random_token_that_opens_bearer_operations() {
    let server = MockServer::start().await.unwrap();
    let first = token(&server, ROBERT.0, ROBERT.1, &[]).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        tokenless(&first.body),
        tokenless(&sign_in_example(200, "signed_in"))
    );
    let second = session(&server, ROBERT).await;
    assert_ne!(first.token(), second, "each sign-in gets its own token");
    assert_ne!(first.token(), sign_in_example(200, "signed_in")["Token"]);
    assert_eq!(second.len(), 64);
    for token in [first.token(), second] {
        let images = with_bearer(&server, IMAGES, &token).await;
        assert_eq!(images.status, 200, "{}", images.text);
        assert_eq!(images.body["IsSucceed"], true);
    }
}

#[tokio::test]
async fn a_wrong_password_or_an_unknown_login_is_invalid_credentials() {
    let server = MockServer::start().await.unwrap();
    for (login, password) in [
        (ROBERT.0, "wrong"),
        ("nobody", ROBERT.1),
        (HELLO.0, ROBERT.1),
    ] {
        let reply = token(&server, login, password, &[]).await;
        assert_eq!(reply.status, 401, "{login}");
        assert_eq!(
            reply.body,
            sign_in_example(401, "invalid_credentials"),
            "{login}"
        );
    }
    // A two-factor account with a wrong password gets no code.
    assert!(server.last_code_for(HELLO.0).is_none());
}

#[tokio::test]
async fn two_factors_by_email_interim_token_then_code() {
    let server = MockServer::start().await.unwrap();
    let first = token(&server, HELLO.0, HELLO.1, &[]).await;
    assert_eq!(first.status, 202, "{}", first.text);
    assert_eq!(
        tokenless(&first.body),
        tokenless(&sign_in_example(202, "verification_code"))
    );
    let interim = first.token();
    // The code went by email, and the outbox over HTTP says so.
    let outbox: Vec<Value> = http()
        .get(format!("{}{}", server.base_url(), etna_mock::OUTBOX_PATH))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mail = outbox.iter().rev().find(|m| m["login"] == HELLO.0).unwrap();
    assert_eq!(mail["channel"], "email");
    assert_eq!(mail["to"], "hello@etnatrader.com");
    let code = mail["code"].as_str().unwrap().to_owned();

    // The interim token is no session.
    let images = with_bearer(&server, IMAGES, &interim).await;
    assert_eq!(images.status, 401);
    // The code without the interim token.
    let no_ticket = token(&server, HELLO.0, HELLO.1, &[("VerificationCode", &code)]).await;
    assert_eq!(no_ticket.status, 401);
    assert_eq!(no_ticket.body, sign_in_example(401, "corrupted_ticket"));
    // A wrong code is refused and the interim token stays usable.
    let bearer = format!("Bearer {interim}");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = token(
        &server,
        HELLO.0,
        HELLO.1,
        &[("Authorization", &bearer), ("VerificationCode", wrong)],
    )
    .await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["State"], "Failed");
    assert_eq!(refused.body["Step"], "VerificationCode");
    assert!(refused.body.get("Token").is_none());
    let second_factor = [
        ("Authorization", bearer.as_str()),
        ("VerificationCode", &code),
    ];
    let signed_in = token(&server, HELLO.0, HELLO.1, &second_factor).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.body["State"], "Succeeded");
    let session = signed_in.token();
    assert_ne!(session, interim);
    assert_eq!(with_bearer(&server, IMAGES, &session).await.status, 200);
    // The final token replaced the interim one.
    let again = token(&server, HELLO.0, HELLO.1, &second_factor).await;
    assert_eq!(again.body, sign_in_example(401, "corrupted_ticket"));
}

#[tokio::test]
async fn two_factors_by_sms_and_the_interim_token_expires() {
    let accounts = "accounts:\n  - {login: sam, password: s4m, second_factor: sms, phone: '+15550100', email: sam@example.com}\n";
    let server = MockServer::builder()
        .accounts(accounts)
        .start()
        .await
        .unwrap();
    let interim = token(&server, "sam", "s4m", &[]).await.token();
    let mail = server.outbox().pop().unwrap();
    assert_eq!(mail.channel, etna_mock::Channel::Sms);
    assert_eq!(mail.to, "+15550100");
    // Five minutes later the interim token is gone; a first call starts over.
    server.advance_clock(Duration::from_secs(5 * 60));
    let bearer = format!("Bearer {interim}");
    let late = token(
        &server,
        "sam",
        "s4m",
        &[("Authorization", &bearer), ("VerificationCode", &mail.code)],
    )
    .await;
    assert_eq!(late.body, sign_in_example(401, "corrupted_ticket"));
    let fresh = token(&server, "sam", "s4m", &[]).await;
    assert_eq!(fresh.status, 202);
    let bearer = format!("Bearer {}", fresh.token());
    let code = server.last_code_for("sam").unwrap();
    let done = token(
        &server,
        "sam",
        "s4m",
        &[("Authorization", &bearer), ("VerificationCode", &code)],
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.text);
}

#[tokio::test]
async fn an_expired_password_gives_a_token_for_step_4_then_the_new_password_works() {
    let server = MockServer::start().await.unwrap();
    let expired = token(&server, "old.timer", "0ld-passw0rd!", &[]).await;
    assert_eq!(expired.status, 401);
    assert_eq!(
        tokenless(&expired.body),
        tokenless(&sign_in_example(401, "password_expired"))
    );
    let reset =
        json!({"Token": expired.token(), "Password": "Fr3sh!", "PasswordConfirmation": "Fr3sh!"});
    let step4 = call(
        &server,
        Method::PUT,
        "/v1.0/users/passwords/reset/",
        &[],
        Some(reset),
    )
    .await;
    assert_eq!(step4.body["IsSucceed"], true, "{}", step4.text);
    assert_eq!(token(&server, "old.timer", "Fr3sh!", &[]).await.status, 200);
    let old = token(&server, "old.timer", "0ld-passw0rd!", &[]).await;
    assert_eq!(old.body, sign_in_example(401, "invalid_credentials"));
    // A wrong password never learns that it has expired.
    let accounts = "accounts:\n  - {login: x, password: p, password_expired: true}\n";
    let server = MockServer::builder()
        .accounts(accounts)
        .start()
        .await
        .unwrap();
    let wrong = token(&server, "x", "q", &[]).await;
    assert_eq!(wrong.body, sign_in_example(401, "invalid_credentials"));
}

#[tokio::test]
async fn a_pin_not_set_gets_a_token_for_setting_it_then_sign_in_succeeds() {
    let server = MockServer::start().await.unwrap();
    let login = ("new.pin", "N3w-p1n-passw0rd!");
    let expecting = token(&server, login.0, login.1, &[]).await;
    assert_eq!(expecting.status, 202, "{}", expecting.text);
    assert_eq!(
        tokenless(&expecting.body),
        tokenless(&sign_in_example(202, "pin_not_set"))
    );
    let limited = expecting.token();
    // Good for the images and the PIN, not for the password.
    assert_eq!(with_bearer(&server, IMAGES, &limited).await.status, 200);
    let bearer = format!("Bearer {limited}");
    let change = json!({"OldPassword": login.1, "Password": "x", "PasswordConfirm": "x"});
    let password = call(
        &server,
        Method::PUT,
        "/v1.0/users/@me/password/change",
        &[("Authorization", &bearer)],
        Some(change),
    )
    .await;
    assert_eq!(password.status, 401);
    assert_eq!(password.www_authenticate.as_deref(), Some("Bearer"));

    let pin =
        |image: &str| json!({"Token": "t", "Pin": 1234, "ImageName": image, "PersonalPhrase": "p"});
    let path = "/v1.0/users/pincode/change";
    let auth = [("Authorization", bearer.as_str())];
    let bad = call(&server, Method::PUT, path, &auth, Some(pin("cat.png"))).await;
    assert_eq!(bad.body["IsSucceed"], false);
    assert_eq!(bad.body["ErrorsCode"], json!(["InvalidImageName"]));
    assert_eq!(token(&server, login.0, login.1, &[]).await.status, 202);
    let set = call(&server, Method::PUT, path, &auth, Some(pin("coockies.png"))).await;
    assert_eq!(set.status, 200);
    assert_eq!(set.body, json!({"Errors": [], "IsSucceed": true}));
    let signed_in = token(&server, login.0, login.1, &[]).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.body["State"], "Succeeded");
}

/// `MockServer::TRADER`, whom `etna --mock` signs in as for a command that
/// needs a session, signs in with one factor as the README says.
#[tokio::test]
async fn the_readmes_trader_signs_in_with_one_factor() {
    let server = MockServer::start().await.unwrap();
    assert!(server.password_is(MockServer::TRADER, MockServer::TRADER_PASSWORD));
    let reply = token(
        &server,
        MockServer::TRADER,
        MockServer::TRADER_PASSWORD,
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["State"], "Succeeded");
}
