//! The mock server's answers over real HTTP on 127.0.0.1, compared with the
//! examples read from the spec by the test itself.

use std::time::Duration;

use etna_mock::{Error, MockServer};
use serde_json::{Value, json};

const PATH: &str = "/v1.0/users/identifiers/reset/code";
const OPERATION: &str = "/paths/~1users~1identifiers~1reset~1code/post";

pub(crate) fn http() -> reqwest::Client {
    // reqwest is built without a default TLS provider; plain HTTP still wants one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// The example `name` of the `status` response, as the spec writes it.
fn spec_example(spec: &str, status: &str, name: &str) -> Value {
    example_at(spec, OPERATION, status, name)
}

/// The example `name` of the `status` response of the operation at
/// `operation` (a JSON pointer), its response `$ref` followed.
fn example_at(spec: &str, operation: &str, status: &str, name: &str) -> Value {
    let doc: Value = serde_yaml_ng::from_str(spec).unwrap();
    let response = doc
        .pointer(&format!("{operation}/responses/{status}"))
        .unwrap();
    etna_spec::follow(&doc, response)
        .unwrap()
        .pointer(&format!("/content/application~1json/examples/{name}/value"))
        .unwrap()
        .clone()
}

struct Answer {
    status: u16,
    allow: Option<String>,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    fn errors(&self) -> (Vec<String>, Vec<String>) {
        let body = self.json();
        let strings =
            |field: &str| -> Vec<String> { serde_json::from_value(body[field].clone()).unwrap() };
        (strings("Errors"), strings("ErrorsCode"))
    }
}

async fn send(
    method: reqwest::Method,
    url: &str,
    key: Option<(&str, &str)>,
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut request = http()
        .request(method, url)
        .header("Content-Type", "application/json")
        .body(body);
    if let Some((header, value)) = key {
        request = request.header(header, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_owned());
    Answer {
        status,
        allow,
        text: response.text().await.unwrap(),
    }
}

async fn post(server: &MockServer, key: Option<&str>, body: impl Into<reqwest::Body>) -> Answer {
    let url = format!("{}{PATH}", server.base_url());
    send(
        reqwest::Method::POST,
        &url,
        key.map(|k| ("Et-App-Key", k)),
        body,
    )
    .await
}

async fn post_json(server: &MockServer, body: Value) -> Answer {
    post(server, Some(MockServer::APP_KEY), body.to_string()).await
}

#[tokio::test]
async fn the_mailed_code_gets_a_fresh_token_once() {
    let server = MockServer::start().await.unwrap();
    // The embedded accounts file mails the spec's example code to robert.zak.
    assert_eq!(
        server.last_code_for("robert.zak").as_deref(),
        Some("231408")
    );
    let body = json!({ "Code": "231408", "Identifier": "ResetPassword" });
    let answer = post_json(&server, body.clone()).await;
    assert_eq!(answer.status, 200);
    let mut got = answer.json();
    let token = got["Model"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 36, "{token}");
    got["Model"] = Value::Null;
    let mut expected = spec_example(etna_mock::SPEC, "200", "success");
    assert_ne!(expected["Model"], token.as_str(), "the token is fresh");
    expected["Model"] = Value::Null;
    assert_eq!(
        got, expected,
        "the success example's shape, with a fresh token"
    );

    let again = post_json(&server, body).await;
    assert_eq!(
        again.json(),
        spec_example(etna_mock::SPEC, "200", "refused")
    );
}

#[tokio::test]
async fn stateless_serves_the_documented_success_example() {
    let server = MockServer::builder().stateless().start().await.unwrap();
    for identifier in ["ResetPassword", "ResetPinCode"] {
        for code in ["231408", "000000"] {
            let answer =
                post_json(&server, json!({ "Code": code, "Identifier": identifier })).await;
            assert_eq!(answer.status, 200);
            assert_eq!(
                answer.json(),
                spec_example(etna_mock::SPEC, "200", "success")
            );
        }
    }
    assert!(server.outbox().is_empty());
}

#[tokio::test]
async fn another_code_gets_the_refused_example() {
    let server = MockServer::start().await.unwrap();
    let answer = post_json(
        &server,
        json!({ "Code": "000000", "Identifier": "ResetPassword" }),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        spec_example(etna_mock::SPEC, "200", "refused")
    );
}

#[tokio::test]
async fn a_missing_or_wrong_app_key_gets_the_403_example() {
    let server = MockServer::start().await.unwrap();
    let expected = spec_example(etna_mock::SPEC, "403", "app_key_missing_or_wrong");
    let body = json!({ "Code": "231408", "Identifier": "ResetPassword" }).to_string();
    let url = format!("{}{PATH}", server.base_url());
    let keys = [
        None,
        Some(("Et-App-Key", "wrong-key")),
        Some(("Et-App-Key", "")),
        Some(("X-Other-Header", MockServer::APP_KEY)),
    ];
    for key in keys {
        let answer = send(reqwest::Method::POST, &url, key, body.clone()).await;
        assert_eq!(answer.status, 403, "{key:?}");
        assert_eq!(answer.json(), expected, "{key:?}");
    }
    // Header names are case-insensitive.
    let answer = send(
        reqwest::Method::POST,
        &url,
        Some(("et-app-key", MockServer::APP_KEY)),
        body,
    )
    .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_a_400_envelope() {
    let server = MockServer::start().await.unwrap();
    let template = spec_example(etna_mock::SPEC, "400", "refused");
    // An empty body is a missing one: see the schema cases below.
    for body in [&b"{\"Code\": "[..], b"Code=231408", b"\xff\xfe\x00"] {
        let answer = post(&server, Some(MockServer::APP_KEY), body.to_vec()).await;
        assert_eq!(answer.status, 400);
        let json = answer.json();
        assert_eq!(json["IsSucceed"], false);
        assert_eq!(json["StatusCode"], template["StatusCode"]);
        assert_eq!(json["Model"], template["Model"]);
        let (errors, codes) = answer.errors();
        assert_eq!(codes, ["InvalidJson"]);
        assert!(errors[0].contains("not JSON"), "{errors:?}");
    }
}

#[tokio::test]
async fn bodies_against_the_request_schema_get_readable_400_envelopes() {
    let server = MockServer::start().await.unwrap();
    let cases = [
        (json!({ "Code": "231408" }), "required", "Identifier"),
        (json!({ "Identifier": "ResetPassword" }), "required", "Code"),
        (json!({}), "required", "Code"),
        (
            json!({ "Code": "231408", "Identifier": "ResetEmail" }),
            "enum",
            "/Identifier",
        ),
        (
            json!({ "Code": "231 408", "Identifier": "ResetPassword" }),
            "pattern",
            "/Code",
        ),
        (
            json!({ "Code": "", "Identifier": "ResetPassword" }),
            "minLength",
            "/Code",
        ),
        (
            json!({ "Code": 231408, "Identifier": "ResetPassword" }),
            "type",
            "/Code",
        ),
        (json!(["231408", "ResetPassword"]), "type", "the body"),
        (json!(null), "type", "the body"),
    ];
    for (body, keyword, mention) in cases {
        let answer = post_json(&server, body.clone()).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json()["IsSucceed"], false, "{body}");
        let (errors, codes) = answer.errors();
        assert_eq!(errors.len(), codes.len());
        assert!(codes.iter().any(|c| c == keyword), "{body}: {codes:?}");
        assert!(
            errors.iter().any(|e| e.contains(mention)),
            "{body}: {errors:?}"
        );
    }
    // Every problem is reported, not only the first.
    let (errors, mut codes) = post_json(&server, json!({ "Code": "" })).await.errors();
    assert_eq!(errors.len(), 3, "{errors:?}");
    codes.sort();
    assert_eq!(codes, ["minLength", "pattern", "required"]);
}

#[tokio::test]
async fn any_version_is_served_and_other_paths_get_404() {
    let server = MockServer::start().await.unwrap();
    let base = server.base_url();
    let body = json!({ "Code": "231408", "Identifier": "ResetPassword" }).to_string();
    let key = Some(("Et-App-Key", MockServer::APP_KEY));
    for version in ["1.0", "2", "2.5-beta"] {
        let url = format!("{base}/v{version}/users/identifiers/reset/code");
        let answer = send(reqwest::Method::POST, &url, key, body.clone()).await;
        assert_eq!(answer.status, 200, "{version}");
    }
    for path in [
        "/",
        "/v1.0/users/identifiers/reset",
        "/v1.0/users/identifiers/reset/code/extra",
        "/1.0/users/identifiers/reset/code",
        "/api/v1.0/users/identifiers/reset/code",
    ] {
        let answer = send(
            reqwest::Method::POST,
            &format!("{base}{path}"),
            key,
            body.clone(),
        )
        .await;
        assert_eq!(answer.status, 404, "{path}");
    }
}

#[tokio::test]
async fn other_methods_get_405_naming_post() {
    let server = MockServer::start().await.unwrap();
    let url = format!("{}{PATH}", server.base_url());
    let key = Some(("Et-App-Key", MockServer::APP_KEY));
    for method in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let answer = send(method.clone(), &url, key, "").await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.allow.as_deref(), Some("POST"), "{method}");
    }
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let server = MockServer::start().await.unwrap();
    let limit = MockServer::DEFAULT_MAX_BODY_BYTES;
    let padded = |size: usize| {
        let base = json!({ "Code": "231408", "Identifier": "ResetPassword" }).to_string();
        format!("{base}{}", " ".repeat(size - base.len()))
    };
    assert_eq!(
        post(&server, Some(MockServer::APP_KEY), padded(limit))
            .await
            .status,
        200
    );
    assert_eq!(
        post(&server, Some(MockServer::APP_KEY), padded(limit + 1))
            .await
            .status,
        413
    );

    let small = MockServer::builder()
        .max_body_bytes(16)
        .start()
        .await
        .unwrap();
    let answer = post_json(
        &small,
        json!({ "Code": "231408", "Identifier": "ResetPassword" }),
    )
    .await;
    assert_eq!(answer.status, 413);
}

#[tokio::test]
async fn the_app_key_and_port_can_be_chosen() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let server = MockServer::builder()
        .port(port)
        .app_key("team-key-1")
        .start()
        .await
        .unwrap();
    assert_eq!(server.base_url(), format!("http://127.0.0.1:{port}"));
    let body = json!({ "Code": "231408", "Identifier": "ResetPassword" }).to_string();
    assert_eq!(
        post(&server, Some("team-key-1"), body.clone()).await.status,
        200
    );
    assert_eq!(
        post(&server, Some(MockServer::APP_KEY), body).await.status,
        403
    );

    // The port is taken now.
    let error = MockServer::builder().port(port).start().await.unwrap_err();
    assert!(matches!(error, Error::Bind { .. }), "{error}");
    assert!(error.to_string().contains("choose another port"), "{error}");
}

#[tokio::test]
async fn unusable_app_keys_are_refused_without_echoing_them() {
    for key in ["", " padded ", "line\nbreak"] {
        let error = MockServer::builder()
            .app_key(key)
            .start()
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidAppKey(_)), "{error}");
        if !key.trim().is_empty() {
            assert!(!error.to_string().contains(key.trim()), "{error}");
        }
    }
    let builder = MockServer::builder().app_key("hidden-key");
    assert!(!format!("{builder:?}").contains("hidden-key"));
}

#[tokio::test]
async fn editing_the_specs_examples_changes_the_answers() {
    // The success example's own values, so that the edit follows the spec.
    let success = spec_example(etna_mock::SPEC, "200", "success");
    let field = |name: &str| format!("{name}: {}", success[name].as_str().unwrap());
    let edited = etna_mock::SPEC
        .replace(&field("Model"), "Model: edited-token")
        .replace(&field("StatusCode"), "StatusCode: Accepted")
        .replace(
            "The confirmation code is invalid or has expired.",
            "Edited refusal.",
        )
        .replace(
            "Application key is not defined or does not exist",
            "Edited key message",
        )
        .replace("name: Et-App-Key", "name: X-Edited-Key")
        .replace("/users/identifiers/reset/code:", "/edited/path:");
    assert_ne!(edited, etna_mock::SPEC);
    let edited_example =
        |status: &str, name: &str| example_at(&edited, "/paths/~1edited~1path/post", status, name);
    let body = |code: &str| json!({ "Code": code, "Identifier": "ResetPassword" }).to_string();
    let key = Some(("X-Edited-Key", MockServer::APP_KEY));

    // Without state, the edited success example as it is.
    let stateless = MockServer::builder()
        .spec(&edited)
        .stateless()
        .start()
        .await
        .unwrap();
    let url = format!("{}/v1.0/edited/path", stateless.base_url());
    let answer = send(reqwest::Method::POST, &url, key, body("1")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), edited_example("200", "success"));
    assert_eq!(answer.json()["Model"], "edited-token");

    // With the flow, the edited shapes: a fresh token in the edited success,
    // the edited refusal for a code nobody mailed.
    let server = MockServer::from_spec_str(&edited).await.unwrap();
    let base = server.base_url();
    let url = format!("{base}/v1.0/edited/path");
    let success = send(reqwest::Method::POST, &url, key, body("231408")).await;
    assert_eq!(success.json()["StatusCode"], "Accepted");
    assert_ne!(success.json()["Model"], "edited-token");
    let refused = send(reqwest::Method::POST, &url, key, body("999999")).await;
    assert_eq!(refused.json(), edited_example("200", "refused"));
    assert_eq!(refused.json()["Errors"], json!(["Edited refusal."]));

    let no_key = send(
        reqwest::Method::POST,
        &url,
        Some(("Et-App-Key", MockServer::APP_KEY)),
        body("1"),
    )
    .await;
    assert_eq!(no_key.status, 403);
    assert_eq!(no_key.json(), json!({ "error": "Edited key message" }));

    let old_path = format!("{base}{PATH}");
    let gone = send(reqwest::Method::POST, &old_path, key, body("1")).await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn a_spec_or_accounts_file_the_mock_cannot_follow_is_an_error() {
    let broken_ref = etna_mock::SPEC.replace(
        "$ref: \"#/components/requestBodies/ResetCodeRequestBody\"",
        "$ref: \"#/components/requestBodies/Nope\"",
    );
    let error = MockServer::from_spec_str(&broken_ref).await.unwrap_err();
    assert!(matches!(error, Error::Spec(_)), "{error}");
    assert!(error.to_string().contains("Nope"), "{error}");
    for text in ["not: [an openapi", "", "[1, 2]"] {
        let error = MockServer::from_spec_str(text).await.unwrap_err();
        assert!(matches!(error, Error::Spec(_)), "{text:?}: {error}");
    }
    let error = MockServer::builder()
        .accounts("accounts: [{login: a}, {login: a}]")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Accounts(_)), "{error}");
    assert!(error.to_string().contains("etna_mock::ACCOUNTS"), "{error}");
}

#[tokio::test]
async fn the_client_gets_a_token_a_refusal_and_the_key_error() {
    let server = MockServer::start().await.unwrap();
    let client = etna_client::Client::new(&server.base_url(), MockServer::APP_KEY).unwrap();
    let token = reset_token(&client, "231408").await.unwrap();
    assert_eq!(token.expose().len(), 36);

    match reset_token(&client, "231408").await {
        Err(etna_client::Error::Refused {
            errors,
            errors_code,
            ..
        }) => {
            let refused = spec_example(etna_mock::SPEC, "200", "refused");
            assert_eq!(json!(errors), refused["Errors"]);
            assert_eq!(json!(errors_code), refused["ErrorsCode"]);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    let wrong = etna_client::Client::new(&server.base_url(), "wrong").unwrap();
    match reset_token(&wrong, "231408").await {
        Err(etna_client::Error::AppKeyRejected {
            status, message, ..
        }) => {
            assert_eq!(status.as_u16(), 403);
            let expected = spec_example(etna_mock::SPEC, "403", "app_key_missing_or_wrong");
            assert_eq!(message, expected["error"]);
        }
        other => panic!("expected a key rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn junk_requests_leave_the_server_answering() {
    let server = MockServer::start().await.unwrap();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let bodies = [
        deep,
        "{\"Code\": \"231408\", \"Identifier\": \"ResetPassword\", \"Code\": 5}".to_owned(),
        "1e999999".to_owned(),
        "\"\\ud800\"".to_owned(),
        format!(
            "{{\"Code\": \"{}\", \"Identifier\": \"ResetPassword\"}}",
            "x".repeat(60_000)
        ),
        "{\"Code\": \"231408\", \"Identifier\": \"ResetPassword\", \"Extra\": {}}".to_owned(),
    ];
    for body in bodies {
        let answer = post(&server, Some(MockServer::APP_KEY), body.clone()).await;
        assert!(
            [200, 400].contains(&answer.status),
            "{}: {}",
            answer.status,
            &body[..body.len().min(80)]
        );
    }
    let answer = post_json(
        &server,
        json!({ "Code": "231408", "Identifier": "ResetPassword" }),
    )
    .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let server = MockServer::start().await.unwrap();
    let addr = server.addr();
    tokio::net::TcpStream::connect(addr).await.unwrap();
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let server = MockServer::start().await.unwrap();
    let addr = server.addr();
    drop(server);
    // The server stops on its own task; wait for it, boundedly.
    let mut closed = false;
    for _ in 0..500 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        closed,
        "the server still accepts connections after its handle was dropped"
    );
}

async fn reset_token(
    client: &etna_client::Client,
    code: &str,
) -> Result<etna_client::Secret, etna_client::Error> {
    use etna_client::Operation;
    client
        .generate_reset_token()
        .body(etna_client::types::ResetCodeRequest {
            code: code.into(),
            identifier: etna_client::types::ResetIdentifier::ResetPassword,
        })
        .call()
        .await
}
