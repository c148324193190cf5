//! `GeneratedClient::REQUEST_SPEC_JSON`: the part of the spec that checks a
//! request before it is sent, so that a tool (the `etna` CLI) checks a body
//! against the spec of the client that sends it, not a copy of another.

use serde_json::{Map, Value, json};

/// Each operation's id and request body, and the component schemas and
/// request bodies they can refer to. Only these, so that documenting an
/// answer, a server or a security scheme does not change the generated file.
pub(super) fn request_spec(spec: &Value) -> Value {
    let mut paths = Map::new();
    for op in etna_spec::operations(spec) {
        let mut kept = Map::new();
        for field in ["operationId", "requestBody"] {
            if let Some(value) = op.operation.get(field) {
                kept.insert(field.to_owned(), value.clone());
            }
        }
        let item = paths
            .entry(op.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = item.as_object_mut() {
            item.insert(op.method.to_ascii_lowercase(), Value::Object(kept));
        }
    }
    let component = |name: &str| {
        spec.pointer(&format!("/components/{name}"))
            .cloned()
            .unwrap_or_else(|| json!({}))
    };
    json!({
        "paths": paths,
        "components": {
            "schemas": component("schemas"),
            "requestBodies": component("requestBodies"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_checks_a_request_and_nothing_of_the_answers() {
        let spec = json!({
            "info": {"title": "t"},
            "servers": [{"url": "{root}"}],
            "paths": {"/things": {
                "parameters": [],
                "post": {
                    "operationId": "add_thing",
                    "description": "d",
                    "requestBody": {"$ref": "#/components/requestBodies/Thing"},
                    "responses": {"200": {"description": "ok"}}
                },
                "get": {"operationId": "list_things", "responses": {}}
            }},
            "components": {
                "schemas": {"Thing": {"type": "object"}},
                "requestBodies": {"Thing": {"content": {}}},
                "responses": {"Refused": {"description": "no"}},
                "securitySchemes": {"Key": {"type": "apiKey"}}
            }
        });
        assert_eq!(
            request_spec(&spec),
            json!({
                "paths": {"/things": {
                    "post": {
                        "operationId": "add_thing",
                        "requestBody": {"$ref": "#/components/requestBodies/Thing"}
                    },
                    "get": {"operationId": "list_things"}
                }},
                "components": {
                    "schemas": {"Thing": {"type": "object"}},
                    "requestBodies": {"Thing": {"content": {}}}
                }
            })
        );
    }
}
