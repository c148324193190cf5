//! One OpenAPI 3.0 Schema Object rewritten as a JSON Schema (draft 2020-12)
//! schema whose component references point into `$defs`.

use serde_json::{Map, Value, json};

use crate::pointer;

/// Where OpenAPI 3.0 keeps named schemas; the only `$ref` target allowed in one.
pub(crate) const COMPONENTS: &str = "#/components/schemas/";

/// Schema Object fields that JSON Schema lacks or reads differently. `nullable`
/// is turned into a type union, the others are documentation only.
const OPENAPI_ONLY: &[&str] = &[
    "nullable",
    "example",
    "discriminator",
    "xml",
    "externalDocs",
];

/// A schema that could not be read as JSON Schema faithfully.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct ConvertError {
    /// Where the offending node is in the spec, as a `#/...` JSON Pointer.
    pub pointer: String,
    /// What is wrong and what to do about it.
    pub message: String,
}

/// `node` (found at `at` in `spec`) as JSON Schema. `$ref`s to component
/// schemas become `$defs` references; anything that cannot be read faithfully
/// is pushed to `errors` rather than guessed.
pub(crate) fn convert(
    spec: &Value,
    node: &Value,
    at: &str,
    errors: &mut Vec<ConvertError>,
) -> Value {
    let Some(object) = node.as_object() else {
        return node.clone();
    };
    if let Some(reference) = object.get("$ref") {
        // OpenAPI 3.0 ignores the siblings of `$ref` (even `nullable`), so this does too.
        return convert_ref(spec, reference, at, errors);
    }
    let mut out = Map::new();
    for (key, value) in object {
        if OPENAPI_ONLY.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let child = pointer::push(at, key);
        let converted = match key.as_str() {
            // `patternProperties` is not OpenAPI 3.0, but converting it keeps
            // the references inside it resolvable.
            "properties" | "patternProperties" => match value.as_object() {
                Some(named) => Value::Object(
                    named
                        .iter()
                        .map(|(name, schema)| {
                            let at = pointer::push(&child, name);
                            (name.clone(), convert(spec, schema, &at, errors))
                        })
                        .collect(),
                ),
                None => value.clone(),
            },
            "items" | "not" | "additionalProperties" => convert(spec, value, &child, errors),
            "allOf" | "anyOf" | "oneOf" => match value.as_array() {
                Some(all) => Value::Array(
                    all.iter()
                        .enumerate()
                        .map(|(i, schema)| {
                            let at = pointer::push(&child, &i.to_string());
                            convert(spec, schema, &at, errors)
                        })
                        .collect(),
                ),
                None => value.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    exclusive_bounds(&mut out);
    format_bounds(&mut out);
    if object.get("nullable") == Some(&Value::Bool(true)) {
        match out.get_mut("type") {
            // OpenAPI 3.0.3 (the "Clarify nullable" proposal) reads `nullable`
            // as widening `type` only: an `enum` without `null` still refuses
            // null, so `enum` is left as written.
            Some(Value::String(single)) => {
                let single = std::mem::take(single);
                out.insert("type".into(), json!([single, "null"]));
            }
            // OpenAPI 3.0.3 gives `nullable` no effect without `type`, and the
            // linters report that (Redocly's nullable-type-sibling). Read it
            // here as the code generator does, as "or null", so that the same
            // mistake is not reported twice as a broken example too.
            _ => return json!({ "anyOf": [Value::Object(out), { "type": "null" }] }),
        }
    }
    Value::Object(out)
}

fn convert_ref(spec: &Value, reference: &Value, at: &str, errors: &mut Vec<ConvertError>) -> Value {
    let target = reference.as_str().unwrap_or_default();
    let at = pointer::push(at, "$ref");
    match target.strip_prefix(COMPONENTS) {
        // `$defs` mirrors `#/components/schemas`, so the rest of the pointer carries over.
        Some(name) if pointer::resolve_local(spec, target).is_some() => {
            json!({ "$ref": format!("#/$defs/{name}") })
        }
        Some(_) => {
            errors.push(ConvertError {
                pointer: at,
                message: format!(
                    "`$ref: {target}` names no schema of #/components/schemas; fix the name"
                ),
            });
            json!({})
        }
        None => {
            errors.push(ConvertError {
                pointer: at,
                message: format!(
                    "`$ref: {reference}` is not supported in a schema; refer to `{COMPONENTS}<Name>` instead"
                ),
            });
            json!({})
        }
    }
}

/// OpenAPI 3.0 (like JSON Schema draft 4) writes exclusive bounds as booleans
/// beside `minimum`/`maximum`; draft 2020-12 wants the bound itself.
fn exclusive_bounds(schema: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match schema.get(flag) {
            Some(Value::Bool(true)) => {
                if let Some(value) = schema.remove(bound) {
                    schema.insert(flag.into(), value);
                } else {
                    schema.remove(flag);
                }
            }
            Some(Value::Bool(false)) => {
                schema.remove(flag);
            }
            _ => {}
        }
    }
}

/// The range of each integer format OpenAPI 3.0 defines. JSON Schema leaves
/// `format` on numbers unasserted, so a value out of the format's range would
/// pass (2147483648 as an `int32`); the range is written as bounds instead.
const INTEGER_FORMATS: &[(&str, i64, i64)] = &[
    ("int32", i32::MIN as i64, i32::MAX as i64),
    ("int64", i64::MIN, i64::MAX),
];

/// Adds the range of the schema's integer `format` as `minimum`/`maximum`,
/// keeping a bound the schema writes when it is narrower. `exclusiveMinimum`
/// and `exclusiveMaximum` are separate keywords in 2020-12 and keep applying.
fn format_bounds(schema: &mut Map<String, Value>) {
    let Some(format) = schema.get("format").and_then(Value::as_str) else {
        return;
    };
    let Some(&(_, low, high)) = INTEGER_FORMATS.iter().find(|(f, _, _)| *f == format) else {
        return;
    };
    let narrower = |bound: Option<&Value>, keep: &dyn Fn(f64) -> bool| {
        bound.and_then(Value::as_f64).is_some_and(keep)
    };
    if !narrower(schema.get("minimum"), &|m| m >= low as f64) {
        schema.insert("minimum".into(), json!(low));
    }
    if !narrower(schema.get("maximum"), &|m| m <= high as f64) {
        schema.insert("maximum".into(), json!(high));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(node: Value) -> (Value, Vec<ConvertError>) {
        let spec = json!({ "components": { "schemas": { "T": { "type": "string" } } } });
        let mut errors = Vec::new();
        let out = convert(&spec, &node, "#/s", &mut errors);
        (out, errors)
    }

    #[test]
    fn openapi_keywords_become_json_schema_ones() {
        let (out, errors) = converted(json!({
            "type": "object",
            "x-internal": true,
            "properties": {
                "nullable": { "type": "string", "nullable": true, "enum": ["a"] },
                "n": { "type": "number", "minimum": 1, "exclusiveMinimum": true,
                       "maximum": 9, "exclusiveMaximum": false, "example": 3 },
                "flag_only": { "type": "number", "exclusiveMaximum": true },
                "ref": { "allOf": [{ "$ref": "#/components/schemas/T" }], "nullable": true },
                "ref_siblings": { "$ref": "#/components/schemas/T", "nullable": true },
            },
            "patternProperties": { "^x": { "$ref": "#/components/schemas/T" } },
            "additionalProperties": { "type": "array", "items": { "$ref": "#/components/schemas/T" } },
        }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            out,
            json!({
                "type": "object",
                "properties": {
                    "nullable": { "type": ["string", "null"], "enum": ["a"] },
                    "n": { "type": "number", "exclusiveMinimum": 1, "maximum": 9 },
                    "flag_only": { "type": "number" },
                    "ref": { "anyOf": [{ "allOf": [{ "$ref": "#/$defs/T" }] }, { "type": "null" }] },
                    "ref_siblings": { "$ref": "#/$defs/T" },
                },
                "patternProperties": { "^x": { "$ref": "#/$defs/T" } },
                "additionalProperties": { "type": "array", "items": { "$ref": "#/$defs/T" } },
            })
        );
    }

    #[test]
    fn every_unconvertible_ref_is_reported_at_its_own_pointer() {
        let (out, errors) = converted(json!({
            "oneOf": [
                { "$ref": "#/components/schemas/Nope" },
                { "not": { "$ref": "other.yaml#/T" } },
                { "properties": { "a/b": { "$ref": 7 } } },
            ]
        }));
        assert_eq!(
            out,
            json!({ "oneOf": [{}, { "not": {} }, { "properties": { "a/b": {} } }] })
        );
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/s/oneOf/0/$ref",
                "#/s/oneOf/1/not/$ref",
                "#/s/oneOf/2/properties/a~1b/$ref",
            ]
        );
        assert!(errors[0].message.contains("fix the name"), "{}", errors[0]);
        assert!(errors[1].message.contains("not supported"), "{}", errors[1]);
        assert!(
            errors[2].to_string().starts_with("#/s/oneOf/2/"),
            "{}",
            errors[2]
        );
    }
}
