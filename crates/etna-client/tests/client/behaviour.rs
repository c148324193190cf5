//! One operation's typed result against local servers: one exact `Error` case
//! for each way a response can go wrong, and no secret in anything returned.
//! The mapping is generic; `generate_reset_token` stands for every operation.

use std::time::Duration;

use crate::support::{APP_KEY, TOKEN, assert_no_secrets, callers_http_client, client, reset_token};
use etna_client::types::{HttpStatusCodeName, ResetCodeRequest, ResetIdentifier};
use etna_client::{BuildError, Client, EnvelopeOperation, Error, HttpStatusCode, Operation};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PATH: &str = "/v1.0/users/identifiers/reset/code";

/// A server answering every request with `response`.
async fn serve(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

async fn call(server: &MockServer) -> Result<etna_client::Secret, Error> {
    reset_token(&server.uri()).await
}

async fn call_url(base_url: &str) -> Result<etna_client::Secret, Error> {
    reset_token(base_url).await
}

fn body() -> ResetCodeRequest {
    ResetCodeRequest {
        code: "231408".into(),
        identifier: ResetIdentifier::ResetPassword,
    }
}

fn envelope(value: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(value)
}

#[tokio::test]
async fn success_returns_the_token_and_sends_key_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(header("Et-App-Key", APP_KEY))
        .and(body_json(
            json!({"Code": "231408", "Identifier": "ResetPassword"}),
        ))
        .respond_with(envelope(json!({
            "Model": TOKEN, "Errors": [], "ErrorsCode": [], "StatusCode": "OK", "IsSucceed": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    let token = call(&server).await.expect("success");
    assert_eq!(token.expose(), TOKEN);
    assert_eq!(format!("{token}"), "<redacted>");
}

#[tokio::test]
async fn no_api_version_header_is_sent() {
    let server = serve(envelope(json!({"Model": TOKEN, "IsSucceed": true}))).await;
    call(&server).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("api-version").is_none());
}

#[tokio::test]
async fn refused_on_200_keeps_errors_codes_and_status() {
    let server = serve(envelope(json!({
        "Model": null, "Errors": ["Code expired"], "ErrorsCode": ["E42"],
        "StatusCode": "BadRequest", "IsSucceed": false
    })))
    .await;
    match call(&server).await {
        Err(Error::Refused {
            operation,
            status,
            errors,
            errors_code,
            status_code,
        }) => {
            assert_eq!(operation, "generate_reset_token");
            assert_eq!(status.as_u16(), 200);
            assert_eq!(errors, ["Code expired"]);
            assert_eq!(errors_code, ["E42"]);
            assert_eq!(
                status_code,
                Some(HttpStatusCode::Known(HttpStatusCodeName::BadRequest))
            );
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn refused_on_400_keeps_errors_codes_and_status() {
    let server = serve(ResponseTemplate::new(400).set_body_json(json!({
        "Errors": ["Identifier is invalid"], "ErrorsCode": ["InvalidIdentifier"],
        "StatusCode": "BadRequest", "IsSucceed": false
    })))
    .await;
    match call(&server).await {
        Err(Error::Refused {
            status,
            errors,
            errors_code,
            ..
        }) => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(errors, ["Identifier is invalid"]);
            assert_eq!(errors_code, ["InvalidIdentifier"]);
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn app_key_error_on_403_keeps_the_message() {
    let server = serve(ResponseTemplate::new(403).set_body_json(json!({
        "error": "Application key is not defined or does not exist"
    })))
    .await;
    let err = call(&server).await.unwrap_err();
    match &err {
        Error::AppKeyRejected {
            status, message, ..
        } => {
            assert_eq!(status.as_u16(), 403);
            assert_eq!(message, "Application key is not defined or does not exist");
        }
        other => panic!("expected AppKeyRejected, got {other:?}"),
    }
    assert!(err.to_string().contains("check the Et-App-Key"));
}

#[tokio::test]
async fn a_server_echoing_the_app_key_does_not_leak_it() {
    let server = serve(ResponseTemplate::new(403).set_body_json(json!({
        "error": format!("Application key {APP_KEY} does not exist")
    })))
    .await;
    // call() asserts that neither Debug nor Display contains the key.
    let err = call(&server).await.unwrap_err();
    assert!(matches!(err, Error::AppKeyRejected { .. }), "{err:?}");
}

#[tokio::test]
async fn success_without_a_model_is_missing_model() {
    for body in [
        json!({"Model": null, "IsSucceed": true}),
        json!({"IsSucceed": true}),
    ] {
        let server = serve(envelope(body.clone())).await;
        match call(&server).await {
            Err(e @ Error::MissingModel { .. }) => {
                assert!(matches!(e, Error::MissingModel { status, .. } if status.as_u16() == 200));
                assert!(e.to_string().starts_with("generate_reset_token: "), "{e}");
            }
            other => panic!("expected MissingModel for {body}, got {other:?}"),
        }
    }
    // An empty string is a value: what it means is the operation's business.
    let server = serve(envelope(json!({"Model": "", "IsSucceed": true}))).await;
    assert!(call(&server).await.unwrap().is_empty());
}

#[tokio::test]
async fn html_500_is_unexpected_status_with_a_bounded_snippet() {
    let page = format!(
        "<html>\n<body>\n<h1>Internal Server Error</h1>\n{}\n</body></html>",
        "x".repeat(5000)
    );
    let server = serve(
        ResponseTemplate::new(500)
            .insert_header("content-type", "text/html")
            .set_body_string(page),
    )
    .await;
    match call(&server).await {
        Err(Error::UnexpectedStatus { status, body, .. }) => {
            assert_eq!(status.as_u16(), 500);
            assert!(
                body.as_str()
                    .starts_with("<html> <body> <h1>Internal Server Error</h1>"),
                "{body}"
            );
            assert!(body.is_truncated());
            assert!(body.as_str().chars().count() <= etna_client::BodySnippet::MAX_CHARS);
            assert!(!body.as_str().contains('\n'));
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_json_is_undecodable_and_does_not_quote_the_token() {
    let server = serve(
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string(format!(r#"{{"Model": "{TOKEN}", "IsSucceed": tru"#)),
    )
    .await;
    match call(&server).await {
        Err(Error::Undecodable { body, .. }) => {
            assert!(body.as_str().contains(r#""Model": "<redacted>""#), "{body}");
        }
        other => panic!("expected Undecodable, got {other:?}"),
    }
}

/// The API's JSON is decoded whatever the Content-Type says: a .NET server
/// behind a proxy may label it text/plain, and the body is what matters.
#[tokio::test]
async fn json_with_a_non_json_content_type_is_still_decoded() {
    let server = serve(
        ResponseTemplate::new(200)
            .insert_header("content-type", "text/plain")
            .set_body_string(json!({"Model": TOKEN, "IsSucceed": true}).to_string()),
    )
    .await;
    assert_eq!(call(&server).await.unwrap().expose(), TOKEN);
}

#[tokio::test]
async fn unknown_status_code_name_is_kept_as_text() {
    let server = serve(envelope(json!({
        "Model": TOKEN, "StatusCode": "TeapotAccepted", "IsSucceed": true
    })))
    .await;
    assert_eq!(call(&server).await.unwrap().expose(), TOKEN);

    let server = serve(envelope(json!({
        "Errors": ["no"], "StatusCode": "TeapotRefused", "IsSucceed": false
    })))
    .await;
    match call(&server).await {
        Err(Error::Refused { status_code, .. }) => {
            assert_eq!(
                status_code,
                Some(HttpStatusCode::Unlisted("TeapotRefused".into()))
            );
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn numeric_status_code_does_not_lose_the_token() {
    let server = serve(envelope(
        json!({"Model": TOKEN, "StatusCode": 200, "IsSucceed": true}),
    ))
    .await;
    assert_eq!(call(&server).await.unwrap().expose(), TOKEN);

    let server = serve(envelope(
        json!({"Errors": ["no"], "StatusCode": 400, "IsSucceed": false}),
    ))
    .await;
    match call(&server).await {
        Err(Error::Refused { status_code, .. }) => {
            assert_eq!(status_code, Some(HttpStatusCode::Numeric(400)));
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn null_and_absent_optional_fields_decode() {
    let server = serve(envelope(json!({
        "Model": TOKEN, "Errors": null, "ErrorsCode": null, "StatusCode": null, "IsSucceed": true
    })))
    .await;
    assert_eq!(call(&server).await.unwrap().expose(), TOKEN);

    let server = serve(envelope(
        json!({"Model": null, "Errors": null, "IsSucceed": false}),
    ))
    .await;
    match call(&server).await {
        Err(Error::Refused {
            errors,
            errors_code,
            status_code,
            ..
        }) => {
            assert!(errors.is_empty() && errors_code.is_empty() && status_code.is_none());
        }
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn extra_unknown_fields_are_ignored() {
    let server = serve(envelope(json!({
        "Model": TOKEN, "IsSucceed": true, "TraceId": "abc", "Nested": {"a": [1, 2]}
    })))
    .await;
    assert_eq!(call(&server).await.unwrap().expose(), TOKEN);
}

/// A POST is not safe to repeat: its timeout is `OutcomeUnknown` carrying the
/// timeout (a GET's is `Timeout`: tests/client/outcome.rs).
#[tokio::test]
async fn a_server_slower_than_the_timeout_leaves_a_post_outcome_unknown() {
    let server = serve(
        envelope(json!({"Model": TOKEN, "IsSucceed": true})).set_delay(Duration::from_secs(3)),
    )
    .await;
    let client = Client::builder()
        .base_url(server.uri())
        .app_key(APP_KEY)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    match client.generate_reset_token().body(body()).call().await {
        Err(e @ Error::OutcomeUnknown { .. }) => {
            assert!(
                matches!(e, Error::OutcomeUnknown { timeout, .. } if timeout == Some(Duration::from_millis(300)))
            );
            assert!(e.to_string().contains("not retried"), "{e}");
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
}

/// The timeout also holds for a caller's own reqwest::Client, which has none.
#[tokio::test]
async fn the_timeout_applies_to_a_caller_supplied_http_client() {
    let server = serve(
        envelope(json!({"Model": TOKEN, "IsSucceed": true})).set_delay(Duration::from_secs(3)),
    )
    .await;
    let client = Client::builder()
        .base_url(server.uri())
        .app_key(APP_KEY)
        .timeout(Duration::from_millis(300))
        .http_client(callers_http_client())
        .build()
        .unwrap();
    let result = client.generate_reset_token().body(body()).call().await;
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
    // The app key is still sent with a caller-supplied client.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers.get("et-app-key").unwrap(), APP_KEY);
}

/// A raw server that reads a request, then runs `answer` on the socket.
async fn raw_server<F, Fut>(answer: F) -> String
where
    F: FnOnce(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = socket.read(&mut buf).await;
            answer(socket).await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_connection_closed_without_a_response_leaves_a_post_outcome_unknown() {
    let url = raw_server(|socket| async move { drop(socket) }).await;
    match call_url(&url).await {
        Err(Error::OutcomeUnknown { timeout: None, .. }) => {}
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
}

#[tokio::test]
async fn nothing_listening_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    match call_url(&format!("http://{addr}")).await {
        Err(e @ Error::Connection { .. }) => {
            assert!(
                e.to_string()
                    .starts_with("generate_reset_token: cannot talk to the API")
            )
        }
        other => panic!("expected Connection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_body_over_the_cap_is_body_too_large() {
    let big = json!({"Model": "x".repeat(4096), "IsSucceed": true});
    let server = serve(envelope(big)).await;
    let client = Client::builder()
        .base_url(server.uri())
        .app_key(APP_KEY)
        .max_response_bytes(1024)
        .build()
        .unwrap();
    match client.generate_reset_token().body(body()).call().await {
        Err(Error::BodyTooLarge { limit, .. }) => assert_eq!(limit, 1024),
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let url = raw_server(|mut socket| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
        // Bounded so the test server stops by itself: 64 MiB at most.
        for _ in 0..1024 {
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
    })
    .await;
    match call_url(&url).await {
        Err(Error::BodyTooLarge { limit, .. }) => assert_eq!(limit, 1024 * 1024),
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

/// What the generated builders refuse (a missing or empty required value) is
/// an `InvalidInput` naming the operation, and nothing is sent.
#[tokio::test]
async fn inputs_the_builder_refuses_are_rejected_before_any_request() {
    let server = MockServer::start().await;
    let client = client(&server.uri());
    let missing = client.get_secret_question().call().await;
    let empty = client.get_secret_question().username("").call().await;
    let no_body = client.generate_reset_token().call().await;
    // A field never set says so, in progenitor's words.
    for (what, result, reason) in [
        ("missing", missing, "username was not initialized"),
        (
            "empty",
            empty,
            "conversion to `GetSecretQuestionUsername` for username failed",
        ),
    ] {
        match result {
            Err(Error::InvalidInput {
                operation,
                reason: got,
            }) => {
                assert_eq!(operation, "get_secret_question", "{what}");
                assert_eq!(got, reason, "{what}");
            }
            other => panic!("expected InvalidInput for a {what} username, got {other:?}"),
        }
    }
    match no_body {
        Err(Error::InvalidInput { operation, reason }) => {
            assert_eq!(operation, "generate_reset_token");
            assert_eq!(reason, "no value supplied for code");
        }
        other => panic!("expected InvalidInput for a missing body, got {other:?}"),
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn bad_settings_are_clear_errors_without_the_key() {
    let cases: [(&str, &str, &str); 7] = [
        ("not a url", APP_KEY, "invalid base URL"),
        ("ftp://host/api", APP_KEY, "http or https"),
        ("/api", APP_KEY, "absolute URL"),
        ("https://host/api?x=1", APP_KEY, "query"),
        ("https://host/api", "", "empty"),
        ("https://host/api", " k3y-s3cr3t", "white space"),
        ("https://host/api", "k\u{e9}y-s3cr3t", "visible ASCII"),
    ];
    for (url, key, says) in cases {
        let err = Client::new(url, key).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(says), "{url} / {key:?}: {text}");
        assert!(
            !text.contains(APP_KEY) && !text.contains("s3cr3t"),
            "{text}"
        );
    }
    assert!(matches!(
        Client::builder().app_key(APP_KEY).build(),
        Err(BuildError::MissingBaseUrl)
    ));
    assert!(matches!(
        Client::builder().base_url("https://host/api").build(),
        Err(BuildError::MissingAppKey { .. })
    ));
    assert!(matches!(
        Client::builder()
            .base_url("https://h/api")
            .app_key(APP_KEY)
            .api_version("1/../2")
            .build(),
        Err(BuildError::InvalidServerVariable { .. })
    ));
    let unknown = Client::builder()
        .base_url("https://h/api")
        .app_key(APP_KEY)
        .server_variable("region", "eu")
        .build()
        .unwrap_err();
    assert!(unknown.to_string().contains("has: version"), "{unknown}");
}

#[test]
fn debug_of_client_builder_and_request_builder_redacts_the_key() {
    let builder = Client::builder()
        .base_url("https://host/api")
        .app_key(APP_KEY);
    assert_no_secrets("builder Debug", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_no_secrets("client Debug", &format!("{client:?}"));
    assert_no_secrets("generated client Debug", &format!("{:?}", client.api()));
    let request = client.generate_reset_token().body(body());
    assert_no_secrets("request builder Debug", &format!("{request:?}"));
    assert_eq!(client.base_url(), "https://host/api");
}

/// The API version is a client setting: the spec's default goes into every
/// path, another version is set once on the builder.
#[tokio::test]
async fn the_api_version_is_set_once_for_every_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2.1/users/identifiers/reset/code"))
        .respond_with(envelope(json!({"Model": TOKEN, "IsSucceed": true})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .app_key(APP_KEY)
        .api_version("2.1")
        .build()
        .unwrap();
    assert_eq!(client.api_version(), "2.1");
    assert_eq!(
        client
            .generate_reset_token()
            .body(body())
            .call()
            .await
            .unwrap()
            .expose(),
        TOKEN
    );
    assert_eq!(crate::support::client("http://h").api_version(), "1.0");
}

#[test]
fn trailing_slash_on_the_base_url_is_dropped() {
    let client = Client::new("https://host/api/", APP_KEY).unwrap();
    assert_eq!(client.base_url(), "https://host/api");
}

#[tokio::test]
async fn display_is_one_line_even_when_the_server_sends_line_breaks() {
    let server = serve(ResponseTemplate::new(400).set_body_json(json!({
        "Errors": ["first line\nsecond line", "\r\n"], "ErrorsCode": ["A\nB"], "IsSucceed": false
    })))
    .await;
    let err = call(&server).await.unwrap_err();
    let text = err.to_string();
    assert!(!text.contains('\n') && !text.contains('\r'), "{text:?}");
    assert!(text.contains("first line second line"), "{text}");

    let server =
        serve(ResponseTemplate::new(403).set_body_json(json!({"error": "bad\nkey"}))).await;
    let text = call(&server).await.unwrap_err().to_string();
    assert!(text.contains("bad key") && !text.contains('\n'), "{text:?}");
}

#[tokio::test]
async fn the_envelope_call_returns_refusals_as_envelopes() {
    let refusal = json!({"Errors": ["no"], "ErrorsCode": ["E1"], "StatusCode": "BadRequest", "IsSucceed": false});
    let server = serve(ResponseTemplate::new(400).set_body_json(&refusal)).await;
    let answer = client(&server.uri())
        .generate_reset_token()
        .body(body())
        .call_envelope()
        .await
        .expect("a refusal is an envelope, not an error");
    assert_eq!(answer.status.as_u16(), 400);
    assert_eq!(serde_json::to_value(&answer.envelope).unwrap(), refusal);
    assert!(!answer.accepted());
    assert!(matches!(answer.into_model(), Err(Error::Refused { .. })));

    // A 4xx is never a success, whatever the envelope says.
    let server = serve(ResponseTemplate::new(400).set_body_json(json!({"IsSucceed": true}))).await;
    assert!(matches!(call(&server).await, Err(Error::Refused { .. })));

    let server = serve(ResponseTemplate::new(403).set_body_json(json!({"error": "no key"}))).await;
    let result = client(&server.uri())
        .generate_reset_token()
        .body(body())
        .call_envelope()
        .await;
    assert!(
        matches!(result, Err(Error::AppKeyRejected { .. })),
        "{result:?}"
    );
}
