//! Every operation of the spec is served from the spec alone: routed,
//! checked (app key, parameters, body) and answered with its documented
//! examples; an operation added to the spec is served with no Rust change.

use etna_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::answers::http;

struct Call {
    method: Method,
    path: &'static str,
    body: Option<Value>,
}

/// A valid request for each operation of the spec, from the spec's own
/// request examples.
fn valid_calls() -> Vec<Call> {
    vec![
        Call {
            method: Method::POST,
            path: "/v1.0/users/password/reset",
            body: Some(json!({"User": "robert.zak", "SecretQuestionAnswer": "Peterson"})),
        },
        Call {
            method: Method::GET,
            path: "/v1.0/users/password/secret-question?username=hello%40etnatrader.com",
            body: None,
        },
        Call {
            method: Method::POST,
            path: "/v1.0/users/identifiers/reset/code",
            body: Some(json!({"Code": "231408", "Identifier": "ResetPassword"})),
        },
        Call {
            method: Method::PUT,
            path: "/v1.0/users/passwords/reset/",
            body: Some(json!({"Token": "t", "Password": "p", "PasswordConfirmation": "p"})),
        },
    ]
}

async fn send(server: &MockServer, call: &Call, key: Option<&str>) -> (u16, Value, Option<String>) {
    let mut request = http().request(
        call.method.clone(),
        format!("{}{}", server.base_url(), call.path),
    );
    if let Some(key) = key {
        request = request.header("Et-App-Key", key);
    }
    if let Some(body) = &call.body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        allow,
    )
}

fn spec() -> Value {
    serde_yaml_ng::from_str(etna_mock::SPEC).unwrap()
}

/// The first example (as the spec writes them) of the `status` response of
/// the operation at `path` that gives no reasons: the one a valid request
/// gets.
fn documented(spec: &Value, path: &str, method: &str, status: &str) -> Value {
    let at = etna_spec::pointer::join(&["paths", path, method, "responses", status]);
    let response = etna_spec::pointer::resolve_local(spec, &at).unwrap();
    let (response, at) = etna_spec::follow_at(spec, response, at).unwrap();
    let examples = &response["content"]["application/json"]["examples"];
    let order = etna_spec::KeyOrder::parse(etna_mock::SPEC).unwrap();
    let written = order.keys(&format!("{at}/content/application~1json/examples"));
    let no_reasons = |v: &Value| {
        ["Errors", "ErrorsCode"]
            .iter()
            .all(|k| v[k].as_array().is_none_or(Vec::is_empty))
    };
    written
        .iter()
        .map(|name| examples[name]["value"].clone())
        .find(no_reasons)
        .unwrap()
}

#[tokio::test]
async fn every_operation_answers_its_documented_success_and_key_error() {
    let server = MockServer::builder().stateless().start().await.unwrap();
    let spec = spec();
    for call in valid_calls() {
        let (path, method) = {
            let bare = call.path.trim_start_matches("/v1.0");
            let bare = bare.split('?').next().unwrap();
            (bare, call.method.as_str().to_lowercase())
        };
        let (status, body, _) = send(&server, &call, Some(MockServer::APP_KEY)).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body, documented(&spec, path, &method, "200"), "{path}");

        let (status, body, _) = send(&server, &call, None).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(body, documented(&spec, path, &method, "403"), "{path}");
        let (status, _, _) = send(&server, &call, Some("wrong-key")).await;
        assert_eq!(status, 403, "{path}");
    }
}

#[tokio::test]
async fn parameters_and_bodies_are_checked_against_their_schemas() {
    let server = MockServer::builder().stateless().start().await.unwrap();
    let key = Some(MockServer::APP_KEY);
    let no_username = Call {
        method: Method::GET,
        path: "/v1.0/users/password/secret-question",
        body: None,
    };
    let (status, body, _) = send(&server, &no_username, key).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["IsSucceed"], false);
    assert_eq!(body["ErrorsCode"], json!(["required"]));
    assert!(
        body["Errors"][0].as_str().unwrap().contains("`username`"),
        "{body}"
    );

    let empty_username = Call {
        method: Method::GET,
        path: "/v1.0/users/password/secret-question?username=",
        body: None,
    };
    let (status, body, _) = send(&server, &empty_username, key).await;
    assert_eq!(
        (status, body["ErrorsCode"].clone()),
        (400, json!(["minLength"]))
    );

    let no_password = Call {
        method: Method::PUT,
        path: "/v1.0/users/passwords/reset/",
        body: Some(json!({"Token": "secret-token-value", "PasswordConfirmation": "p"})),
    };
    let (status, body, _) = send(&server, &no_password, key).await;
    assert_eq!(status, 400);
    assert_eq!(body["ErrorsCode"], json!(["required"]));
    assert!(
        !body.to_string().contains("secret-token-value"),
        "reasons never quote values: {body}"
    );
}

#[tokio::test]
async fn wrong_methods_get_405_with_allow_and_prefer_works_on_every_operation() {
    let server = MockServer::builder().stateless().start().await.unwrap();
    let wrong = Call {
        method: Method::DELETE,
        path: "/v1.0/users/passwords/reset/",
        body: None,
    };
    let (status, _, allow) = send(&server, &wrong, Some(MockServer::APP_KEY)).await;
    assert_eq!(status, 405);
    assert_eq!(allow.as_deref(), Some("PUT"));

    let response = http()
        .get(format!(
            "{}/v1.0/users/password/secret-question?username=x",
            server.base_url()
        ))
        .header("Et-App-Key", MockServer::APP_KEY)
        .header("Prefer", "code=200, example=no_question")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Model"], "");
}

#[tokio::test]
async fn an_operation_added_to_the_spec_is_served_with_its_example() {
    let added = r##"paths:
  /assets/security-images:
    get:
      operationId: get_security_images
      summary: Security images (fixture)
      responses:
        "200":
          description: The images.
          content:
            application/json:
              examples:
                images:
                  value: {Model: [{FileName: cat.png, Content: aGVsbG8=}], IsSucceed: true}
        "403":
          $ref: "#/components/responses/AppKeyRejected"
"##;
    let spec = etna_mock::SPEC.replacen("paths:\n", added, 1);
    let server = MockServer::from_spec_str(&spec).await.unwrap();
    let call = Call {
        method: Method::GET,
        path: "/v1.0/assets/security-images",
        body: None,
    };
    let (status, body, _) = send(&server, &call, Some(MockServer::APP_KEY)).await;
    assert_eq!(status, 200);
    assert_eq!(body["Model"][0]["FileName"], "cat.png");
    let (status, _, _) = send(&server, &call, None).await;
    assert_eq!(status, 403);
}
