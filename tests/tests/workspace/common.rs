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
/// parameter's example, and the body's.
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
    let body = operation
        .get("requestBody")
        .map(|body| resolve(spec, body)["content"]["application/json"]["example"].clone());
    etna_client::dispatch::JsonArgs::new(parameters, body)
}

/// Every documented response example of an operation: `(status, name, body)`.
pub fn response_examples(spec: &Value, operation: &Value) -> Vec<(u16, String, Value)> {
    let mut out = Vec::new();
    let responses = operation["responses"].as_object().expect("responses");
    for (status, response) in responses {
        let response = resolve(spec, response);
        if response.get("content").is_none() {
            // An answer without a body: its one "example" is no body.
            out.push((
                status.parse().expect("numeric status"),
                "no body".to_owned(),
                Value::Null,
            ));
            continue;
        }
        let examples = response["content"]["application/json"]["examples"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (name, example) in examples {
            let example = resolve(spec, &example);
            out.push((
                status.parse().expect("numeric status"),
                name,
                example["value"].clone(),
            ));
        }
    }
    out
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
