//! The request schema as JSON Schema, for the `jsonschema` validator.
//!
//! OpenAPI 3.0 schema objects are a dialect of JSON Schema: `nullable` stands
//! for a `null` type, the exclusive bounds are booleans, and `$ref`s point into
//! `components`. The conversion rewrites those keywords and carries the
//! document's schemas along under the same pointer, so references resolve
//! unchanged.

use serde_json::{Map, Value, json};

use crate::error::{Error, spec};

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

pub(crate) fn validator(doc: &Value, schema: &Value) -> Result<jsonschema::Validator, Error> {
    jsonschema::validator_for(&json_schema(doc, schema))
        .map_err(|e| spec(format!("the request schema is not valid JSON Schema: {e}")))
}

/// A JSON Schema document for `schema`, with the document's component schemas
/// at `/components/schemas`.
pub(crate) fn json_schema(doc: &Value, schema: &Value) -> Value {
    let components: Map<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|all| all.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
        .unwrap_or_default();
    json!({
        "$schema": DIALECT,
        "allOf": [convert(schema)],
        "components": { "schemas": components },
    })
}

fn convert(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            // OpenAPI-only keywords; `nullable` is applied below.
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" => continue,
            "properties" | "patternProperties" => map_object(value),
            "items" | "additionalProperties" | "not" => convert(value),
            "allOf" | "anyOf" | "oneOf" => map_array(value),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    exclusive_bounds(&mut out);
    if map.get("nullable") == Some(&Value::Bool(true)) {
        nullable(out)
    } else {
        Value::Object(out)
    }
}

fn map_object(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
        }
        other => other.clone(),
    }
}

fn map_array(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

/// `exclusiveMinimum: true` with `minimum: n` becomes `exclusiveMinimum: n`.
fn exclusive_bounds(schema: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = schema.get(flag).cloned() {
            schema.remove(flag);
            if exclusive && let Some(limit) = schema.remove(bound) {
                schema.insert(flag.to_owned(), limit);
            }
        }
    }
}

/// Adds `null` to what a schema allows.
fn nullable(mut schema: Map<String, Value>) -> Value {
    let Some(Value::String(kind)) = schema.get("type").cloned() else {
        return json!({ "anyOf": [Value::Object(schema), { "type": "null" }] });
    };
    schema.insert("type".to_owned(), json!([kind, "null"]));
    if let Some(Value::Array(allowed)) = schema.get_mut("enum")
        && !allowed.contains(&Value::Null)
    {
        allowed.push(Value::Null);
    }
    Value::Object(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        serde_yaml_ng::from_str(crate::SPEC).unwrap()
    }

    fn validator_for(name: &str) -> jsonschema::Validator {
        let doc = doc();
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        validator(&doc, &schema).unwrap()
    }

    #[test]
    fn the_specs_response_examples_are_valid_envelopes() {
        let envelope = validator_for("ResetTokenEnvelope");
        let doc = doc();
        for example in ["success", "refused"] {
            let pointer = format!(
                "/paths/~1v{{version}}~1users~1identifiers~1reset~1code/post/responses/200/content/application~1json/examples/{example}/value"
            );
            let value = doc.pointer(&pointer).unwrap();
            assert!(envelope.is_valid(value), "{example}: {value}");
        }
    }

    #[test]
    fn nullable_allows_null_and_still_checks_the_type() {
        let envelope = validator_for("ResetTokenEnvelope");
        assert!(envelope.is_valid(&json!({ "IsSucceed": false, "Model": null, "Errors": null })));
        assert!(!envelope.is_valid(&json!({ "IsSucceed": false, "Errors": "not an array" })));
        assert!(!envelope.is_valid(&json!({ "IsSucceed": true, "Model": 5 })));
        assert!(!envelope.is_valid(&json!({ "Model": "token" })));
    }

    #[test]
    fn request_rules_come_through_references() {
        let request = validator_for("ResetCodeRequest");
        assert!(request.is_valid(&json!({ "Code": "1", "Identifier": "ResetPinCode" })));
        assert!(!request.is_valid(&json!({ "Code": "1 2", "Identifier": "ResetPinCode" })));
        assert!(!request.is_valid(&json!({ "Code": "", "Identifier": "ResetPinCode" })));
        assert!(!request.is_valid(&json!({ "Code": "1", "Identifier": "Other" })));
        assert!(!request.is_valid(&json!({ "Code": "1" })));
    }

    #[test]
    fn openapi_keywords_become_json_schema_ones() {
        let converted = convert(&json!({
            "type": "object",
            "properties": {
                "nullable": { "type": "string", "nullable": true, "enum": ["a"] },
                "n": { "type": "number", "minimum": 1, "exclusiveMinimum": true,
                       "maximum": 9, "exclusiveMaximum": false, "example": 3 },
                "ref": { "allOf": [{ "$ref": "#/x" }], "nullable": true },
            },
        }));
        assert_eq!(
            converted,
            json!({
                "type": "object",
                "properties": {
                    "nullable": { "type": ["string", "null"], "enum": ["a", null] },
                    "n": { "type": "number", "exclusiveMinimum": 1, "maximum": 9 },
                    "ref": { "anyOf": [{ "allOf": [{ "$ref": "#/x" }] }, { "type": "null" }] },
                },
            })
        );
    }
}
