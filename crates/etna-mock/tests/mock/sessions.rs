//! Sessions over HTTP: the Bearer checks (missing, unknown, expired by the
//! moved clock), the lifetime, the cap; one state per server (a reset or a
//! password change is what sign-in accepts next), many accounts at once;
//! faults on the new operations.

use std::sync::Arc;
use std::time::Duration;

use etna_mock::{Fault, MockServer};
use reqwest::Method;
use serde_json::{Value, json};

use crate::sign_in::{IMAGES, ROBERT, Reply, call, session, token, with_bearer};

const CHANGE: &str = "/v1.0/users/@me/password/change";

/// The spec's example of the 401 a refused session gets.
fn session_rejected() -> Value {
    let spec: Value = serde_yaml_ng::from_str(etna_mock::SPEC).unwrap();
    spec["components"]["responses"]["SessionRejected"]["content"]["application/json"]["examples"]
        ["session_missing_or_expired"]["value"]
        .clone()
}

fn assert_rejected(reply: &Reply, why: &str) {
    assert_eq!(reply.status, 401, "{why}: {}", reply.text);
    assert_eq!(reply.body, session_rejected(), "{why}");
    assert_eq!(reply.www_authenticate.as_deref(), Some("Bearer"), "{why}");
}

async fn change_password(server: &MockServer, session: &str, path: &str, body: Value) -> Reply {
    let bearer = format!("Bearer {session}");
    call(
        server,
        Method::PUT,
        path,
        &[("Authorization", &bearer)],
        Some(body),
    )
    .await
}

#[tokio::test]
async fn missing_unknown_and_expired_tokens_are_refused_as_documented() {
    let server = MockServer::start().await.unwrap();
    let missing = call(&server, Method::GET, IMAGES, &[], None).await;
    assert_rejected(&missing, "missing");
    assert_rejected(
        &with_bearer(&server, IMAGES, "not-a-session").await,
        "unknown",
    );
    let live = session(&server, ROBERT).await;
    // The documented 24 hours, by the spec's x-etna-lifetime-seconds.
    server.advance_clock(Duration::from_secs(86_399));
    assert_eq!(with_bearer(&server, IMAGES, &live).await.status, 200);
    server.advance_clock(Duration::from_secs(1));
    assert_rejected(&with_bearer(&server, IMAGES, &live).await, "expired");
    let body = json!({"OldPassword": ROBERT.1, "Password": "x", "PasswordConfirm": "x"});
    assert_rejected(
        &change_password(&server, &live, CHANGE, body).await,
        "expired",
    );
    // A stateless server checks only that a token is there, as Prism does.
    let prism = MockServer::builder().stateless().start().await.unwrap();
    assert_eq!(with_bearer(&prism, IMAGES, "anything").await.status, 200);
    assert_rejected(
        &call(&prism, Method::GET, IMAGES, &[], None).await,
        "stateless",
    );
}

#[tokio::test]
async fn the_builder_sets_the_lifetime_and_the_table_is_purged_and_capped() {
    let server = MockServer::builder()
        .token_lifetime(Duration::from_secs(60))
        .max_sessions(3)
        .start()
        .await
        .unwrap();
    let first = session(&server, ROBERT).await;
    server.advance_clock(Duration::from_secs(59));
    assert_eq!(with_bearer(&server, IMAGES, &first).await.status, 200);
    server.advance_clock(Duration::from_secs(1));
    assert_rejected(&with_bearer(&server, IMAGES, &first).await, "past 60 s");

    let tokens = [
        session(&server, ROBERT).await,
        session(&server, ROBERT).await,
        session(&server, ROBERT).await,
    ];
    assert_eq!(server.session_count(), 3);
    let fourth = session(&server, ROBERT).await;
    assert_eq!(server.session_count(), 3, "the cap holds");
    assert_rejected(
        &with_bearer(&server, IMAGES, &tokens[0]).await,
        "shed at the cap",
    );
    assert_eq!(with_bearer(&server, IMAGES, &fourth).await.status, 200);
    server.advance_clock(Duration::from_secs(60));
    session(&server, ROBERT).await;
    assert_eq!(server.session_count(), 1, "expired sessions were purged");
}

#[tokio::test]
async fn a_reset_by_the_outbox_code_is_the_password_sign_in_accepts() {
    let server = MockServer::start().await.unwrap();
    let step = |path: &'static str, body: Value| {
        let server = &server;
        async move { call(server, Method::POST, path, &[], Some(body)).await }
    };
    let step1 = step("/v1.0/users/password/reset", json!({"User": ROBERT.0})).await;
    assert_eq!(step1.body["Errors"], json!([]), "{}", step1.text);
    let code = server.last_code_for(ROBERT.0).unwrap();
    let step3 = step(
        "/v1.0/users/identifiers/reset/code",
        json!({"Code": code, "Identifier": "ResetPassword"}),
    )
    .await;
    let reset_token = step3.body["Model"].as_str().unwrap().to_owned();
    let body =
        json!({"Token": reset_token, "Password": "R3set!", "PasswordConfirmation": "R3set!"});
    let step4 = call(
        &server,
        Method::PUT,
        "/v1.0/users/passwords/reset/",
        &[],
        Some(body),
    )
    .await;
    assert_eq!(step4.body["IsSucceed"], true, "{}", step4.text);
    assert_eq!(token(&server, ROBERT.0, "R3set!", &[]).await.status, 200);
    assert_eq!(token(&server, ROBERT.0, ROBERT.1, &[]).await.status, 401);
    assert!(server.password_is(ROBERT.0, "R3set!"));
}

#[tokio::test]
async fn change_password_checks_the_old_one_and_acts_on_the_sessions_account() {
    let server = MockServer::start().await.unwrap();
    let live = session(&server, ROBERT).await;
    let documented_400 = {
        let spec: Value = serde_yaml_ng::from_str(etna_mock::SPEC).unwrap();
        spec["components"]["responses"]["ValidationRefused"]["content"]["application/json"]
            ["examples"]["old_password_missing"]["value"]
            .clone()
    };
    let body = |old: &str, new: &str, again: &str| json!({"OldPassword": old, "Password": new, "PasswordConfirm": again});
    for (why, refused) in [
        ("wrong old password", body("wrong", "N3w!", "N3w!")),
        ("mismatch", body(ROBERT.1, "N3w!", "other")),
    ] {
        let reply = change_password(&server, &live, CHANGE, refused).await;
        assert_eq!(reply.status, 400, "{why}");
        assert_eq!(reply.body, documented_400, "{why}");
    }
    // Another trader's account.
    let other = "/v1.0/users/hello/password/change";
    let reply = change_password(&server, &live, other, body(ROBERT.1, "N3w!", "N3w!")).await;
    assert_rejected(&reply, "another account");
    assert!(server.password_is(ROBERT.0, ROBERT.1));

    let changed = change_password(&server, &live, CHANGE, body(ROBERT.1, "N3w!", "N3w!")).await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.text, "");
    assert_eq!(token(&server, ROBERT.0, ROBERT.1, &[]).await.status, 401);
    // By its login as the user id, on the session it already had.
    let own = "/v1.0/users/robert.zak/password/change";
    let back = change_password(&server, &live, own, body("N3w!", "Back!", "Back!")).await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(token(&server, ROBERT.0, "Back!", &[]).await.status, 200);
}

/// One account's whole story, as one task: sign in (with the code from the
/// outbox when it has two factors), then change the password; or reset it
/// (steps 1, 3, 4 with the mailed code) and sign in with the new one.
async fn story(server: Arc<MockServer>, i: usize) -> (String, String, String) {
    let (login, password) = (format!("t{i}"), format!("pw{i}"));
    let new = format!("new-{i}");
    let two_factors = i.is_multiple_of(2);
    let sign_in = |password: String| {
        let (server, login) = (server.clone(), login.clone());
        async move {
            let first = token(&server, &login, &password, &[]).await;
            if !two_factors {
                return first;
            }
            assert_eq!(first.status, 202, "{login}: {}", first.text);
            let code = server.last_code_for(&login).unwrap();
            let bearer = format!("Bearer {}", first.token());
            let extra = [
                ("Authorization", bearer.as_str()),
                ("VerificationCode", &code),
            ];
            token(&server, &login, &password, &extra).await
        }
    };
    if i % 4 < 2 {
        let live = sign_in(password.clone()).await;
        assert_eq!(live.status, 200, "{login}: {}", live.text);
        let body = json!({"OldPassword": password, "Password": new, "PasswordConfirm": new});
        let changed = change_password(&server, &live.token(), CHANGE, body).await;
        assert_eq!(changed.status, 200, "{login}: {}", changed.text);
    } else {
        let post = |path: &'static str, body: Value| {
            let server = server.clone();
            async move { call(&server, Method::POST, path, &[], Some(body)).await }
        };
        post("/v1.0/users/password/reset", json!({"User": login})).await;
        let code = server.last_code_for(&login).unwrap();
        let body = json!({"Code": code, "Identifier": "ResetPassword"});
        let step3 = post("/v1.0/users/identifiers/reset/code", body).await;
        let reset = step3.body["Model"].as_str().unwrap().to_owned();
        let body = json!({"Token": reset, "Password": new, "PasswordConfirmation": new});
        let step4 = call(
            &server,
            Method::PUT,
            "/v1.0/users/passwords/reset/",
            &[],
            Some(body),
        )
        .await;
        assert_eq!(step4.body["IsSucceed"], true, "{login}: {}", step4.text);
        let live = sign_in(new.clone()).await;
        assert_eq!(live.status, 200, "{login}: {}", live.text);
    }
    (login, password, new)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_flows_on_different_accounts_do_not_interfere() {
    const N: usize = 32;
    let accounts: String = (0..N)
        .map(|i| {
            let factor = if i.is_multiple_of(2) { "email" } else { "none" };
            format!("  - {{login: t{i}, email: t{i}@example.com, password: pw{i}, second_factor: {factor}}}\n")
        })
        .collect();
    let server = MockServer::builder()
        .accounts(format!("accounts:\n{accounts}"))
        .start()
        .await
        .unwrap();
    let server = Arc::new(server);
    let tasks = (0..N).map(|i| tokio::spawn(story(server.clone(), i)));
    for task in tasks.collect::<Vec<_>>() {
        let (login, old, new) = task.await.unwrap();
        assert!(server.password_is(&login, &new), "{login}");
        assert!(!server.password_is(&login, &old), "{login}");
    }
}

#[tokio::test]
async fn faults_work_on_sign_in_and_the_session_operations() {
    let server = MockServer::builder()
        .fault_for("change_password", Fault::Status(403))
        .start()
        .await
        .unwrap();
    let prefer = token(
        &server,
        ROBERT.0,
        ROBERT.1,
        &[("Prefer", "code=401, example=invalid_pin")],
    )
    .await;
    assert_eq!(prefer.status, 401);
    assert_eq!(prefer.body["Step"], "SecutityPin");
    let live = session(&server, ROBERT).await;
    let body = json!({"OldPassword": ROBERT.1, "Password": "x", "PasswordConfirm": "x"});
    let faulted = change_password(&server, &live, CHANGE, body).await;
    assert_eq!(faulted.status, 403);
    assert!(
        server.password_is(ROBERT.0, ROBERT.1),
        "a fault changes nothing"
    );
    let bearer = format!("Bearer {live}");
    let dropped = crate::answers::http()
        .get(format!("{}{IMAGES}", server.base_url()))
        .header("Et-App-Key", MockServer::APP_KEY)
        .header("Authorization", bearer)
        .header("Prefer", "fault=drop")
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(failed, "a dropped answer is a connection error");
}
