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
async fn a_latency_longer_than_the_clients_timeout_is_a_timeout() {
    let server = MockServer::builder()
        .latency(Latency::Fixed(Duration::from_millis(400)))
        .start()
        .await
        .unwrap();
    let result = reset_token(&client(&server, Duration::from_millis(100))).await;
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
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
async fn dropped_and_truncated_answers_are_connection_errors() {
    for fault in [Fault::Drop, Fault::Truncate] {
        let server = MockServer::builder()
            .fault(fault.clone())
            .start()
            .await
            .unwrap();
        let result = reset_token(&client(&server, Duration::from_secs(5))).await;
        assert!(
            matches!(result, Err(Error::Connection { .. })),
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
