//! Shared by the test modules: the spec's examples and a client for a local server.

use std::time::Duration;

use etna_client::Client;
use serde_json::Value;

/// The app key the tests send; no output may contain it.
pub const APP_KEY: &str = "test-app-key-5f2c9e";

/// The spec, as JSON, read at test time so that a spec change shows up.
pub fn spec() -> Value {
    let path = etna_codegen::workspace_root().join(etna_codegen::SPEC_PATH);
    let text = std::fs::read_to_string(path).expect("spec is readable");
    serde_yaml_ng::from_str(&text).expect("spec is YAML")
}

/// Follows local `$ref`s such as `#/components/requestBodies/X`.
pub fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    etna_spec::follow(spec, value).unwrap_or_else(|e| panic!("{e}"))
}

/// Every operation of the spec: `(operationId, operation object)`, by id.
pub fn operations(spec: &Value) -> Vec<(String, &Value)> {
    operations_at(spec)
        .into_iter()
        .map(|(id, _, op)| (id, op))
        .collect()
}

/// Every operation of the spec: `(operationId, "METHOD path", operation)`, by id.
pub fn operations_at(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut out: Vec<_> = etna_spec::operations(spec)
        .into_iter()
        .map(|op| {
            (
                op.id.to_owned(),
                format!("{} {}", op.method, op.path),
                op.operation,
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The request example of an operation as dispatch arguments: each
/// parameter's example, and the body's first example (see [`examples`]).
pub fn request_example(spec: &Value, operation: &Value) -> etna_client::dispatch::JsonArgs {
    let mut parameters = serde_json::Map::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let parameter = resolve(spec, parameter);
        let example = parameter
            .get("example")
            .or_else(|| parameter["schema"].get("example"))
            .cloned()
            .unwrap_or_else(|| panic!("parameter {} has no example", parameter["name"]));
        parameters.insert(parameter["name"].as_str().unwrap().to_owned(), example);
    }
    let body = operation.get("requestBody").map(|body| {
        let media = &resolve(spec, body)["content"]["application/json"];
        examples(spec, media)
            .into_iter()
            .next()
            .map_or(Value::Null, |(_, value)| value)
    });
    etna_client::dispatch::JsonArgs::new(parameters, body)
}

/// The examples of a body's media type, in every form OpenAPI allows
/// (`etna_spec::media_examples`: its `example`, its named `examples`, else
/// its schema's `example`): the media type's `example` first, then the named
/// ones by name, so that the order does not depend on serde_json's
/// `preserve_order` in the build.
pub fn examples(spec: &Value, media: &Value) -> Vec<(String, Value)> {
    let mut found = etna_spec::media_examples(spec, media).unwrap_or_else(|e| panic!("{e}"));
    found.sort_by(|(a, _), (b, _)| {
        (a != etna_spec::MEDIA_EXAMPLE, a).cmp(&(b != etna_spec::MEDIA_EXAMPLE, b))
    });
    found
}

/// Every documented response example of an operation: `(status, name, body)`.
/// An answer without a body has one "example", no body ([`Value::Null`]).
pub fn response_examples(spec: &Value, operation: &Value) -> Vec<(u16, String, Value)> {
    let mut out = Vec::new();
    let responses = operation["responses"].as_object().expect("responses");
    for (status, response) in responses {
        let status: u16 = status.parse().expect("numeric status");
        let response = resolve(spec, response);
        let Some(media) = response.pointer("/content/application~1json") else {
            // An answer without a body: its one "example" is no body.
            out.push((status, "no body".to_owned(), Value::Null));
            continue;
        };
        for (name, value) in examples(spec, media) {
            out.push((status, name, value));
        }
    }
    out
}

/// The JSON text to serve for a documented response example: as the
/// spec's text writes it where that differs from `body`'s (a number with
/// more digits than the JSON model's `f64` keeps: the balance's 26-digit
/// `changePercent`), else `body` as JSON. The same reading the mock serves
/// examples with (`etna_spec::written`).
pub fn response_body_text(spec: &Value, id: &str, status: u16, name: &str, body: &Value) -> String {
    static WRITTEN: std::sync::OnceLock<Option<etna_spec::written::Node>> =
        std::sync::OnceLock::new();
    let written = WRITTEN.get_or_init(|| {
        let path = etna_codegen::workspace_root().join(etna_codegen::SPEC_PATH);
        let text = std::fs::read_to_string(path).expect("spec is readable");
        etna_spec::written::read(&text, &self::spec())
    });
    use etna_spec::pointer::push;
    let exact = etna_spec::operations(spec)
        .into_iter()
        .find(|op| op.id == id)
        .and_then(|op| {
            let at = push(&push(&op.at, "responses"), &status.to_string());
            let response = &op.operation["responses"][status.to_string()];
            let (_, at) = etna_spec::follow_at(spec, response, at).ok()?;
            let media = push(&push(&at, "content"), "application/json");
            let at = if name == etna_spec::MEDIA_EXAMPLE {
                push(&media, "example")
            } else {
                push(&push(&push(&media, "examples"), name), "value")
            };
            written
                .as_ref()?
                .at(&at)
                .map(etna_spec::written::Node::to_json)
        })
        .filter(|text| serde_json::from_str::<Value>(text).ok().as_ref() == Some(body));
    exact.unwrap_or_else(|| body.to_string())
}

/// The session token the test client holds.
pub const SESSION: &str = "test-session-token-8d1e";

/// A client for a local server, with a short timeout so no test can hang,
/// signed in with [`SESSION`].
pub fn client(base_url: &str) -> Client {
    let client = Client::builder()
        .base_url(base_url)
        .app_key(APP_KEY)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("valid test settings");
    client.set_session_token(SESSION).expect("a valid token");
    client
}

/// What the client depends on in the spec: everything but documentation
/// (descriptions, summaries, examples, `info`, `servers`, `tags`).
///
/// Progenitor ignores parts of it (security, parameter defaults, numeric
/// ranges, `deprecated`, response headers, the definitions of the schemas the
/// client replaces with hand-written types), so a snapshot of it is what makes
/// `cargo test` see those changes. Documentation changes show up in the
/// generated code's doc comments instead.
pub fn contract(spec: &Value) -> Value {
    let mut contract = spec.clone();
    if let Some(top) = contract.as_object_mut() {
        for key in ["info", "servers", "tags", "externalDocs"] {
            top.remove(key);
        }
    }
    strip_docs(&mut contract, false);
    // Key order must not depend on whether some crate in the build turned on
    // serde_json's `preserve_order`.
    contract.sort_all_objects();
    contract
}

fn strip_docs(value: &mut Value, keys_are_names: bool) {
    match value {
        Value::Object(map) => {
            if !keys_are_names {
                for key in [
                    "description",
                    "summary",
                    "example",
                    "examples",
                    "externalDocs",
                ] {
                    map.remove(key);
                }
            }
            for (key, child) in map.iter_mut() {
                // Under `properties` the keys are property names, which may
                // well be "description".
                strip_docs(child, !keys_are_names && key == "properties");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| strip_docs(item, false)),
        _ => {}
    }
}

/// The snapshot tests read every form of example OpenAPI allows, and an
/// answer without a body: a new operation written with any of them is
/// snapshotted, not skipped or refused.
#[test]
fn every_form_of_example_is_read() {
    let spec: Value = serde_yaml_ng::from_str(
        r##"
components:
  schemas:
    Thing: {type: object, example: {From: schema}}
  requestBodies:
    Named:
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Thing"}
          examples: {zeta: {value: {From: zeta}}, alpha: {value: {From: alpha}}}
paths:
  /a:
    post:
      requestBody: {$ref: "#/components/requestBodies/Named"}
      responses:
        "200":
          description: media example
          content: {application/json: {example: {From: media}}}
        "201":
          description: schema example
          content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
        "204":
          description: no body
    put:
      requestBody:
        content: {application/json: {example: {From: media}, examples: {b: {value: {From: b}}}}}
      responses:
        "200":
          description: named
          content: {application/json: {examples: {b: {value: 2}, a: {value: 1}}}}
    patch:
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
      responses:
        "204": {description: no body}
"##,
    )
    .unwrap();
    let op = |method: &str| &spec["paths"]["/a"][method];
    let body = |method: &str| request_example(&spec, op(method)).body().cloned();
    use serde_json::json;
    // The first example: the media type's own, else the named ones by name,
    // else the schema's.
    assert_eq!(body("post"), Some(json!({"From": "alpha"})));
    assert_eq!(body("put"), Some(json!({"From": "media"})));
    assert_eq!(body("patch"), Some(json!({"From": "schema"})));
    assert_eq!(
        response_examples(&spec, op("post")),
        [
            (200, "example".to_owned(), json!({"From": "media"})),
            (201, "schema example".to_owned(), json!({"From": "schema"})),
            (204, "no body".to_owned(), Value::Null),
        ]
    );
    assert_eq!(
        response_examples(&spec, op("put")),
        [
            (200, "a".to_owned(), json!(1)),
            (200, "b".to_owned(), json!(2))
        ]
    );
}
