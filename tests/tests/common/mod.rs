//! Shared by the test files: the spec's examples and a client for a local server.
#![allow(dead_code)] // each test file uses a different part

use std::time::Duration;

use etna_client::Client;
use serde_json::Value;

/// The app key the tests send; no output may contain it.
pub const APP_KEY: &str = "test-app-key-5f2c9e";
/// A token the tests' servers return; no `Debug`/`Display` may contain it.
pub const TOKEN: &str = "tok-9b7d1e3a-secret";

/// The spec, as JSON, read at test time so that a spec change shows up.
pub fn spec() -> Value {
    let path = etna_codegen::workspace_root().join(etna_codegen::SPEC_PATH);
    let text = std::fs::read_to_string(path).expect("spec is readable");
    serde_yaml_ng::from_str(&text).expect("spec is YAML")
}

/// The reset-code operation of the spec.
pub fn operation(spec: &Value) -> &Value {
    &spec["paths"]["/v{version}/users/identifiers/reset/code"]["post"]
}

/// Follows a local `$ref` such as `#/components/requestBodies/X`.
pub fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {reference}")),
        None => value,
    }
}

/// The request body example: `(Code, Identifier)`.
pub fn request_example(spec: &Value) -> (String, String) {
    let body = resolve(spec, &operation(spec)["requestBody"]);
    let example = &body["content"]["application/json"]["example"];
    (
        example["Code"].as_str().expect("Code").to_owned(),
        example["Identifier"]
            .as_str()
            .expect("Identifier")
            .to_owned(),
    )
}

/// Every documented response example: `(status, name, body)`.
pub fn response_examples(spec: &Value) -> Vec<(u16, String, Value)> {
    let mut out = Vec::new();
    let responses = operation(spec)["responses"].as_object().expect("responses");
    for (status, response) in responses {
        let response = resolve(spec, response);
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

/// A client for a local server, with a short timeout so no test can hang.
pub fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .app_key(APP_KEY)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("valid test settings")
}

/// Fails if `text` contains the app key or the token.
pub fn assert_no_secrets(what: &str, text: &str) {
    assert!(!text.contains(APP_KEY), "{what} leaks the app key: {text}");
    assert!(!text.contains(TOKEN), "{what} leaks the token: {text}");
}
