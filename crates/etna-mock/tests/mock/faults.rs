//! Faults on demand, seen as a consumer of etna-client sees them, and the
//! `Prefer` header over plain HTTP.

use std::time::{Duration, Instant};

use etna_client::{Error, Operation};
use etna_mock::{Fault, Latency, MockServer};
use serde_json::{Value, json};

use crate::answers::http;

fn client(server: &MockServer, timeout: Duration) -> etna_client::Client {
    etna_client::Client::builder()
        .base_url(server.base_url())
        .app_key(MockServer::APP_KEY)
        .timeout(timeout)
        .build()
        .unwrap()
}

async fn reset_token(client: &etna_client::Client) -> Result<etna_client::Secret, Error> {
    client
        .generate_reset_token()
        .body(etna_client::types::ResetCodeRequest {
            code: "231408".into(),
            identifier: etna_client::types::ResetIdentifier::ResetPassword,
        })
        .call()
        .await
}

const URL_PATH: &str = "/v1.0/users/identifiers/reset/code";

async fn post(server: &MockServer, prefer: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let response = http()
        .post(format!("{}{URL_PATH}", server.base_url()))
        .header("Et-App-Key", MockServer::APP_KEY)
        .header("Prefer", prefer)
        .json(&json!({"Code": "231408", "Identifier": "ResetPassword"}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, text, started.elapsed())
}

#[tokio::test]
async fn a_latency_longer_than_the_clients_timeout_leaves_a_post_outcome_unknown() {
    let server = MockServer::builder()
        .latency(Latency::Fixed(Duration::from_millis(400)))
        .start()
        .await
        .unwrap();
    let result = reset_token(&client(&server, Duration::from_millis(100))).await;
    // A POST that timed out may have been acted on: its outcome is unknown.
    assert!(
        matches!(
            result,
            Err(Error::OutcomeUnknown {
                timeout: Some(_),
                ..
            })
        ),
        "{result:?}"
    );
    // Within the timeout, the same server answers.
    let token = reset_token(&client(&server, Duration::from_secs(5))).await;
    assert!(token.is_ok(), "{token:?}");
}

#[tokio::test]
async fn a_status_fault_answers_with_the_documented_example() {
    let server = MockServer::builder()
        .fault(Fault::Status(403))
        .start()
        .await
        .unwrap();
    match reset_token(&client(&server, Duration::from_secs(5))).await {
        Err(Error::AppKeyRejected { message, .. }) => {
            assert_eq!(message, "Application key is not defined or does not exist")
        }
        other => panic!("expected the documented 403, got {other:?}"),
    }
}

#[tokio::test]
async fn dropped_truncated_and_hung_up_posts_leave_the_outcome_unknown() {
    for fault in [Fault::Drop, Fault::Truncate, Fault::Hangup] {
        let server = MockServer::builder()
            .fault(fault.clone())
            .start()
            .await
            .unwrap();
        let result = reset_token(&client(&server, Duration::from_secs(5))).await;
        assert!(
            matches!(result, Err(Error::OutcomeUnknown { timeout: None, .. })),
            "{fault:?}: {result:?}"
        );
    }
}

#[tokio::test]
async fn a_fault_for_another_operation_leaves_this_one_alone() {
    let server = MockServer::builder()
        .fault_for("reset_password", Fault::Drop)
        .latency_for("reset_password", Latency::Fixed(Duration::from_secs(30)))
        .start()
        .await
        .unwrap();
    assert!(
        reset_token(&client(&server, Duration::from_secs(5)))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn prefer_picks_a_documented_status_and_example() {
    let server = MockServer::start().await.unwrap();
    let (status, body, _) = post(&server, "code=403").await;
    assert_eq!(status, 403);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["error"],
        "Application key is not defined or does not exist"
    );

    let (status, body, _) = post(&server, "code=200, example=refused").await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["IsSucceed"], false);

    // A status the spec does not document: that status, no body.
    let (status, body, _) = post(&server, "code=502").await;
    assert_eq!((status, body.as_str()), (502, ""));
}

#[tokio::test]
async fn prefer_delays_and_faults_a_single_request() {
    let server = MockServer::start().await.unwrap();
    let (status, _, took) = post(&server, "delay=300").await;
    assert_eq!(status, 200);
    assert!(
        took >= Duration::from_millis(300),
        "answered after {took:?}"
    );
    let dropped = http()
        .post(format!("{}{URL_PATH}", server.base_url()))
        .header("Et-App-Key", MockServer::APP_KEY)
        .header("Prefer", "fault=truncate")
        .json(&json!({"Code": "231408", "Identifier": "ResetPassword"}))
        .send()
        .await
        .unwrap()
        .text()
        .await;
    assert!(
        dropped.is_err(),
        "a truncated body must not read whole: {dropped:?}"
    );
}

#[tokio::test]
async fn an_unreadable_prefer_header_is_a_plain_400() {
    let server = MockServer::start().await.unwrap();
    for bad in ["code=abc", "fault=fire", "delay=9999999"] {
        let (status, body, _) = post(&server, bad).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body.starts_with("etna-mock: "), "{bad}: {body}");
    }
}

/// `fault=hangup`: the request is handled (step 1 mails its code), then the
/// connection closes before a single byte of the answer, which etna-client
/// reports as `OutcomeUnknown`.
#[tokio::test]
async fn a_hangup_acts_on_the_request_and_answers_nothing() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = MockServer::start().await.unwrap();
    server.take_outbox();
    let body = r#"{"User":"robert.zak"}"#;
    let request = format!(
        "POST /v1.0/users/password/reset HTTP/1.1\r\nhost: 127.0.0.1\r\net-app-key: {}\r\nprefer: fault=hangup\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        MockServer::APP_KEY,
        body.len()
    );
    let mut socket = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // The end of the stream, or a reset: either way no byte of an answer.
    let _ = socket.read_to_end(&mut answer).await;
    assert_eq!(String::from_utf8_lossy(&answer), "", "the hang-up answered");
    assert_eq!(
        server.take_outbox().len(),
        1,
        "the request was not acted on"
    );

    // The same fault set on the builder, seen through etna-client.
    let server = MockServer::builder()
        .fault_for("request_password_reset", Fault::Hangup)
        .start()
        .await
        .unwrap();
    server.take_outbox();
    let result = client(&server, Duration::from_secs(5))
        .request_password_reset()
        .body(etna_client::types::PasswordResetRequest {
            user: "robert.zak".parse().unwrap(),
            secret_question_answer: None,
        })
        .call()
        .await;
    match &result {
        Err(e @ Error::OutcomeUnknown { operation, .. }) => {
            assert_eq!(*operation, "request_password_reset");
            assert!(
                e.to_string().contains("may or may not have taken effect"),
                "{e}"
            );
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    assert_eq!(server.take_outbox().len(), 1);
}
