//! The answer shapes and credentials sign-in brought into the spec, over
//! HTTP against a local server: an operation at the API root, secret header
//! parameters sent with their real value, a plain body with two success
//! statuses, a typed refusal, the Bearer session (missing, expired,
//! refused), an answer without a body, and a path parameter.

use std::time::{Duration, SystemTime};

use etna_client::types::{PasswordChange, SignInErrorBody};
use etna_client::{Error, Operation, Secret, Session, SignIn};
use serde_json::json;
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{APP_KEY, TOKEN, client};

const PASSWORD: &str = "Passw0rd-x!";
const CODE: &str = "code-774411";

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn sign_in_goes_to_the_api_root_with_its_secret_headers_and_the_session_follows() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .and(header("Username", "robert.zak"))
        .and(header("Password", PASSWORD))
        .and(header("Et-App-Key", APP_KEY))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"State": "Succeeded", "Token": TOKEN})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1.0/assets/security-images"))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "Model": [{"FileName": "apple.png", "Content": "iVBORw0KGgo="}],
            "Errors": [], "IsSucceed": true
        })))
        .mount(&server)
        .await;
    let client = client(&format!("{}/api", server.uri()));
    let outcome = client
        .sign_in("robert.zak", &Secret::from(PASSWORD))
        .await
        .unwrap();
    let SignIn::SignedIn(session) = outcome else {
        panic!("expected SignedIn, got {outcome:?}");
    };
    assert_eq!(session.token().expose(), TOKEN);
    assert_eq!(session.lifetime(), Some(Duration::from_secs(24 * 3600)));
    assert!(!format!("{session:?}").contains(TOKEN));
    let images = client.list_security_images().call().await.unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].file_name, "apple.png");
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn two_factors_carry_the_interim_token_and_the_code() {
    let server = MockServer::start().await;
    // The second call: the interim token and the code.
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .and(header("Authorization", "Bearer interim-1"))
        .and(header("VerificationCode", CODE))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"State": "Succeeded", "Token": TOKEN})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({
            "State": "Expecting", "Step": "VerificationCode",
            "Reason": "Expecting confirmation code", "Token": "interim-1"
        })))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&format!("{}/api", server.uri()));
    let password = Secret::from(PASSWORD);
    // The typed result says which success status came.
    let first = client
        .api()
        .sign_in()
        .username("hello")
        .password(password.clone())
        .call()
        .await
        .unwrap();
    assert_eq!(first.status.as_u16(), 202);
    assert!(matches!(
        client.sign_in("hello", &password).await.unwrap(),
        SignIn::CodeNeeded
    ));
    let done = client
        .sign_in_with_code("hello", &password, &Secret::from(CODE))
        .await
        .unwrap();
    assert!(matches!(done, SignIn::SignedIn(_)), "{done:?}");
    assert_eq!(client.session().unwrap().token().expose(), TOKEN);
    // The first call of `sign_in` never sends a token it held before.
    let requests = received(&server).await;
    assert!(requests[1].headers.get("authorization").is_none());
}

#[tokio::test]
async fn sign_in_refusals_are_typed_and_not_app_key_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "State": "Failed", "Step": "BaseAuthentication", "Reason": "Invalid credentials"
        })))
        .mount(&server)
        .await;
    let client = client(&format!("{}/api", server.uri()));
    let error = client
        .api()
        .sign_in()
        .username("robert.zak")
        .password(Secret::from(PASSWORD))
        .call()
        .await
        .unwrap_err();
    let Error::Rejected { body, status, .. } = &error else {
        panic!("expected Rejected, got {error:?}");
    };
    assert_eq!(status.as_u16(), 401);
    let Some(SignInErrorBody::SignInAnswer(answer)) = body.downcast_ref::<SignInErrorBody>() else {
        panic!("expected the sign-in answer, got {body:?}");
    };
    assert_eq!(answer.reason.as_deref(), Some("Invalid credentials"));
    assert!(error.to_string().contains("sign_in"), "{error}");
    let outcome = client
        .sign_in("robert.zak", &Secret::from(PASSWORD))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, SignIn::Refused { step: Some(step), .. } if step == "BaseAuthentication"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_bearer_operation_without_a_live_session_fails_before_any_io() {
    let server = MockServer::start().await;
    let client = client(&format!("{}/api", server.uri()));
    let error = client.list_security_images().call().await.unwrap_err();
    assert!(matches!(error, Error::SessionMissing { .. }), "{error:?}");
    assert!(error.to_string().contains("sign in"), "{error}");
    let issued = SystemTime::now() - Duration::from_secs(25 * 3600);
    client.set_session(Session::new(TOKEN, issued, Some(Duration::from_secs(24 * 3600))).unwrap());
    let error = client.list_security_images().call().await.unwrap_err();
    assert!(matches!(error, Error::SessionExpired { .. }), "{error:?}");
    assert!(
        error.to_string().contains("session expired, sign in again"),
        "{error}"
    );
    assert!(!error.to_string().contains(TOKEN));
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_refused_session_is_its_own_error() {
    let server = MockServer::start().await;
    Mock::given(header_exists("Authorization"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", "Bearer")
                .set_body_json(
                    json!({"Message": "Authorization has been denied for this request."}),
                ),
        )
        .mount(&server)
        .await;
    let client = client(&format!("{}/api", server.uri()));
    client.set_session_token(TOKEN).unwrap();
    let error = client.list_security_images().call().await.unwrap_err();
    assert!(matches!(error, Error::SessionRejected { .. }), "{error:?}");
    assert!(!format!("{error:?} {error}").contains(TOKEN));
}

#[tokio::test]
async fn an_answer_without_a_body_and_a_path_parameter() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/v1.0/users/@me/password/change"))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = client(&format!("{}/api", server.uri()));
    client.set_session_token(TOKEN).unwrap();
    let body = PasswordChange {
        old_password: Secret::from(PASSWORD),
        password: Secret::from("N3w-passw0rd-x!"),
        password_confirm: Secret::from("N3w-passw0rd-x!"),
    };
    let change = client.change_password().user_id("@me").body(body.clone());
    assert!(!format!("{change:?}").contains(PASSWORD));
    let () = change.call().await.unwrap();
    // The documented validation error is the operation's typed refusal.
    server.reset().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "Message": "Validation error occured while processing entity",
            "ModelState": {"userPassword.OldPassword": ["Password is required"]}
        })))
        .mount(&server)
        .await;
    let error = client
        .change_password()
        .user_id("@me")
        .body(body)
        .call()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Rejected { .. }), "{error:?}");
    assert!(error.to_string().contains("Validation error"), "{error}");
}

#[test]
fn a_builder_with_a_secret_header_never_shows_it() {
    let client = client("http://127.0.0.1:9");
    let builder = client
        .api()
        .sign_in()
        .username("robert.zak")
        .password(Secret::from(PASSWORD))
        .verification_code(Secret::from(CODE));
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains(PASSWORD) && !shown.contains(CODE),
        "{shown}"
    );
    assert_eq!(
        <etna_client::generated::builder::SignIn<'_> as Operation>::SPEC.full_path,
        "/token"
    );
}

#[test]
fn json_arguments_never_show_a_value() {
    let mut parameters = serde_json::Map::new();
    parameters.insert("Password".into(), PASSWORD.into());
    let args = etna_client::dispatch::JsonArgs::new(
        parameters,
        Some(serde_json::json!({ "Token": CODE })),
    );
    let shown = format!("{args:?}");
    assert_eq!(
        shown,
        r#"JsonArgs { parameters: ["Password"], body: Some("<redacted>") }"#
    );
}
