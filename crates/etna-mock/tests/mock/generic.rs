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
  /fixture/images:
    get:
      operationId: fixture_images
      summary: Images (fixture)
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
  /fixture-root:
    post:
      operationId: fixture_at_root
      summary: At the API root (fixture)
      servers:
        - url: "{apiURL}"
          variables: {apiURL: {default: "https://x.example/api"}}
      responses:
        "200":
          description: A plain answer.
          content:
            application/json:
              example: {Plain: true}
        "403":
          $ref: "#/components/responses/AppKeyRejected"
  /fixture/schema-example:
    get:
      operationId: fixture_schema_example
      summary: Only the schema has an example (fixture)
      responses:
        "200":
          description: An answer whose example is its schema's.
          content:
            application/json:
              schema: {type: object, example: {FromSchema: true}}
        "403":
          $ref: "#/components/responses/AppKeyRejected"
  /fixture/session/{id}:
    delete:
      operationId: fixture_bearer_empty
      summary: Bearer, no body (fixture)
      security:
        - EtAppKey: []
          Bearer: []
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "204":
          description: Done, no body.
        "401":
          $ref: "#/components/responses/SessionRejected"
        "403":
          $ref: "#/components/responses/AppKeyRejected"
"##;
    let spec = etna_mock::SPEC.replacen("paths:\n", added, 1);
    let server = MockServer::from_spec_str(&spec).await.unwrap();
    let call = Call {
        method: Method::GET,
        path: "/v1.0/fixture/images",
        body: None,
    };
    let (status, body, _) = send(&server, &call, Some(MockServer::APP_KEY)).await;
    assert_eq!(status, 200);
    assert_eq!(body["Model"][0]["FileName"], "cat.png");
    let (status, _, _) = send(&server, &call, None).await;
    assert_eq!(status, 403);

    // Its own server: at the root, not under the version.
    let key = [("Et-App-Key", MockServer::APP_KEY)];
    let at_root = raw(&server, Method::POST, "/fixture-root", &key).await;
    assert_eq!(
        (at_root.status, at_root.body),
        (200, json!({"Plain": true}))
    );
    let versioned = raw(&server, Method::POST, "/v1.0/fixture-root", &key).await;
    assert_eq!(versioned.status, 404);

    // The three forms of an example: named `examples` (above), a media
    // type's `example` (at the root), and a schema's `example`.
    let from_schema = raw(&server, Method::GET, "/v1.0/fixture/schema-example", &key).await;
    assert_eq!(
        (from_schema.status, from_schema.body),
        (200, json!({"FromSchema": true}))
    );

    // Bearer and an empty answer.
    let path = "/v1.0/fixture/session/7";
    let refused = raw(&server, Method::DELETE, path, &key).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.www_authenticate.as_deref(), Some("Bearer"));
    let unknown = [
        ("Et-App-Key", MockServer::APP_KEY),
        ("Authorization", "Bearer any-token"),
    ];
    let refused = raw(&server, Method::DELETE, path, &unknown).await;
    assert_eq!(refused.status, 401, "the token is checked, not only sent");
    // A real session opens it: the Bearer check comes from the spec alone.
    let session = crate::sign_in::session(&server, crate::sign_in::ROBERT).await;
    let bearer = format!("Bearer {session}");
    let with = [
        ("Et-App-Key", MockServer::APP_KEY),
        ("Authorization", bearer.as_str()),
    ];
    let done = raw(&server, Method::DELETE, path, &with).await;
    assert_eq!(done.status, 204);
    assert_eq!(done.text, "");
    assert_eq!(done.content_type, None);
}

/// The app key's refusal is the answer the spec marks (`x-etna-refuses`),
/// here a 401, while the 403 of the same operation refuses something else.
#[tokio::test]
async fn a_refused_app_key_gets_the_answer_the_spec_marks() {
    let added = r##"paths:
  /fixture/locked:
    get:
      operationId: fixture_locked
      summary: A key refused with 401 (fixture)
      responses:
        "200":
          description: Open.
          content:
            application/json:
              example: {Open: true}
        "401":
          $ref: "#/components/responses/AppKeyRejected"
        "403":
          description: Locked; not about the key.
          content:
            application/json:
              example: {Message: locked}
"##;
    let spec = etna_mock::SPEC.replacen("paths:\n", added, 1);
    let server = MockServer::from_spec_str(&spec).await.unwrap();
    let path = "/v1.0/fixture/locked";
    let open = raw(
        &server,
        Method::GET,
        path,
        &[("Et-App-Key", MockServer::APP_KEY)],
    )
    .await;
    assert_eq!((open.status, open.body), (200, json!({"Open": true})));
    for key in [&[("Et-App-Key", "wrong")][..], &[]] {
        let refused = raw(&server, Method::GET, path, key).await;
        assert_eq!(refused.status, 401);
        assert_eq!(refused.www_authenticate, None, "not a Bearer refusal");
        assert_eq!(
            refused.body["error"],
            "Application key is not defined or does not exist"
        );
    }
}

pub(crate) struct Raw {
    pub(crate) status: u16,
    pub(crate) text: String,
    pub(crate) body: Value,
    pub(crate) content_type: Option<String>,
    pub(crate) www_authenticate: Option<String>,
}

/// A request with exactly these headers (and `body` as JSON when given).
async fn raw_with(
    server: &MockServer,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Raw {
    let mut request = http().request(method, format!("{}{path}", server.base_url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type");
    let www_authenticate = header("www-authenticate");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Raw {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        content_type,
        www_authenticate,
    }
}

async fn raw(server: &MockServer, method: Method, path: &str, headers: &[(&str, &str)]) -> Raw {
    raw_with(server, method, path, headers, None).await
}

/// The first example of the `status` response of the operation `id`.
fn first_example(id: &str, status: u16) -> Value {
    let spec = spec();
    let api = etna_spec::model::Api::read(&spec).unwrap();
    let op = api.operation(id).unwrap();
    let response = etna_spec::follow(&spec, &op.raw["responses"][status.to_string()]).unwrap();
    let media = &response["content"]["application/json"];
    if let Some(example) = media.get("example") {
        return example.clone();
    }
    let order = etna_spec::KeyOrder::parse(etna_mock::SPEC).unwrap();
    let (_, at) = etna_spec::follow_at(
        &spec,
        &op.raw["responses"][status.to_string()],
        format!("{}/responses/{status}", op.at),
    )
    .unwrap();
    let first = order.keys(&format!("{at}/content/application~1json/examples"))[0].clone();
    media["examples"][&first]["value"].clone()
}

#[tokio::test]
async fn sign_in_is_served_at_the_root_with_its_plain_answers() {
    for server in [
        MockServer::start().await.unwrap(),
        MockServer::builder().stateless().start().await.unwrap(),
    ] {
        let headers = [
            ("Et-App-Key", MockServer::APP_KEY),
            ("Username", "robert.zak"),
            ("Password", "Passw0rd!"),
        ];
        let signed_in = raw(&server, Method::POST, "/token", &headers).await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.text);
        // The stateful server's token is fresh; the rest is as documented.
        let mut body = signed_in.body.clone();
        body["Token"] = first_example("sign_in", 200)["Token"].clone();
        assert_eq!(body, first_example("sign_in", 200));
        // A plain answer: no envelope field is added.
        for field in ["IsSucceed", "Errors", "ErrorsCode", "Model"] {
            assert!(signed_in.body.get(field).is_none(), "{}", signed_in.text);
        }
        let versioned = raw(&server, Method::POST, "/v1.0/token", &headers).await;
        assert_eq!(versioned.status, 404);

        // sign_in documents no 400: a missing required header gets its 401 refusal.
        let no_password = raw(&server, Method::POST, "/token", &headers[..2]).await;
        assert_eq!(no_password.status, 401);
        assert_eq!(no_password.body, first_example("sign_in", 401));
        let no_key = raw(&server, Method::POST, "/token", &headers[1..]).await;
        assert_eq!(no_key.status, 403);
        assert_eq!(no_key.body, first_example("sign_in", 403));
    }
}

#[tokio::test]
async fn bearer_operations_need_a_token() {
    // Without state, as Prism: any token passes (tests/mock/sessions.rs
    // has the stateful checks).
    let server = MockServer::builder().stateless().start().await.unwrap();
    let path = "/v1.0/assets/security-images";
    let key = ("Et-App-Key", MockServer::APP_KEY);
    let without = raw(&server, Method::GET, path, &[key]).await;
    assert_eq!(without.status, 401);
    assert_eq!(without.www_authenticate.as_deref(), Some("Bearer"));
    assert_eq!(without.body, first_example("list_security_images", 401));
    for bad in ["Bearer", "Bearer  ", "Basic abc"] {
        let answer = raw(&server, Method::GET, path, &[key, ("Authorization", bad)]).await;
        assert_eq!(answer.status, 401, "{bad}");
    }
    let with = raw(
        &server,
        Method::GET,
        path,
        &[key, ("Authorization", "Bearer t0k3n")],
    )
    .await;
    assert_eq!(with.status, 200);
    assert_eq!(with.body, first_example("list_security_images", 200));
    // The app key is checked first.
    let no_key = raw(&server, Method::GET, path, &[("Authorization", "Bearer t")]).await;
    assert_eq!(no_key.status, 403);
}

#[tokio::test]
async fn change_password_answers_200_without_a_body() {
    let server = MockServer::builder().stateless().start().await.unwrap();
    let path = "/v1.0/users/@me/password/change";
    let headers = [
        ("Et-App-Key", MockServer::APP_KEY),
        ("Authorization", "Bearer t0k3n"),
    ];
    let body = json!({"OldPassword": "a", "Password": "b", "PasswordConfirm": "b"});
    let changed = raw_with(&server, Method::PUT, path, &headers, Some(body)).await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.text, "");
    assert_eq!(changed.content_type, None);
    // Its 400 is a plain MessageError, served as documented.
    let invalid = raw_with(&server, Method::PUT, path, &headers, Some(json!({}))).await;
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.body, first_example("change_password", 400));
}

#[tokio::test]
async fn path_and_query_values_are_checked_against_their_formats_and_given_once() {
    let added = r##"paths:
  /fixture/items/{n}:
    get:
      operationId: fixture_items
      summary: Items (fixture)
      parameters:
        - {name: n, in: path, required: true, schema: {type: integer, format: int32}}
        - {name: count, in: query, required: true, schema: {type: integer, format: int32, minimum: 1}}
        - {name: tag, in: query, required: false, schema: {type: array, items: {type: string}}}
        - {name: word, in: query, required: false, schema: {type: string}}
      responses:
        "200":
          description: The items.
          content:
            application/json:
              example: {Items: []}
        "400":
          $ref: "#/components/responses/Refused"
        "403":
          $ref: "#/components/responses/AppKeyRejected"
"##;
    let spec = etna_mock::SPEC.replacen("paths:\n", added, 1);
    let server = MockServer::from_spec_str(&spec).await.unwrap();
    let key = [("Et-App-Key", MockServer::APP_KEY)];
    let get = |path: &'static str| {
        let server = &server;
        async move { raw(server, Method::GET, path, &key).await }
    };
    let codes = |answer: &Raw| (answer.status, answer.body["ErrorsCode"].clone());

    let fine = get("/v1.0/fixture/items/2147483647?count=2147483647&tag=a&tag=b&word=7").await;
    assert_eq!((fine.status, fine.body), (200, json!({"Items": []})));
    // One past int32, in the path and in the query: the format's bound.
    let path = get("/v1.0/fixture/items/2147483648?count=1").await;
    assert_eq!(codes(&path), (400, json!(["maximum"])), "{}", path.text);
    assert!(
        path.body["Errors"][0]
            .as_str()
            .unwrap()
            .contains("path parameter `n`"),
        "{}",
        path.text
    );
    let below = get("/v1.0/fixture/items/-2147483649?count=1").await;
    assert_eq!(codes(&below), (400, json!(["minimum"])));
    let query = get("/v1.0/fixture/items/1?count=2147483648").await;
    assert_eq!(codes(&query), (400, json!(["maximum"])));
    let not_a_number = get("/v1.0/fixture/items/x?count=1").await;
    assert_eq!(codes(&not_a_number), (400, json!(["type"])));
    // A scalar given twice is refused, whichever value would be read; an
    // array's repetition is its form.
    let twice = get("/v1.0/fixture/items/1?count=1&count=2").await;
    assert_eq!(codes(&twice), (400, json!(["repeated"])), "{}", twice.text);
    assert!(
        twice.body["Errors"][0]
            .as_str()
            .unwrap()
            .contains("more than once"),
        "{}",
        twice.text
    );
    let twice = get("/v1.0/fixture/items/1?count=1&word=a&word=a").await;
    assert_eq!(codes(&twice), (400, json!(["repeated"])));
}

#[tokio::test]
async fn an_example_is_served_with_every_digit_the_spec_writes() {
    let added = r##"paths:
  /fixture/balance:
    get:
      operationId: fixture_balance
      summary: A balance with more digits than a double holds (fixture)
      responses:
        "200":
          description: The balance.
          content:
            application/json:
              examples:
                exact:
                  value: {changePercent: -0.05700775140829844330933239, cash: 976510.75, tiny: 1.0e-8, count: 3}
        "403":
          $ref: "#/components/responses/AppKeyRejected"
"##;
    let spec = etna_mock::SPEC.replacen("paths:\n", added, 1);
    for server in [
        MockServer::from_spec_str(&spec).await.unwrap(),
        MockServer::builder()
            .spec(&spec)
            .stateless()
            .start()
            .await
            .unwrap(),
    ] {
        let key = [("Et-App-Key", MockServer::APP_KEY)];
        let answer = raw(&server, Method::GET, "/v1.0/fixture/balance", &key).await;
        assert_eq!(answer.status, 200);
        // As written, not as a 64-bit float would print it
        // (-0.057007751408298446).
        assert_eq!(
            answer.text,
            r#"{"changePercent":-0.05700775140829844330933239,"cash":976510.75,"tiny":1.0e-8,"count":3}"#
        );
    }
}
