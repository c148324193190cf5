//! OpenAPI 3.0 Schema Objects read as JSON Schema (draft 2020-12), so that a
//! real validator checks the examples.

use serde_json::{Map, Value, json};

use crate::pointer;

/// Where OpenAPI 3.0 keeps named schemas; the only `$ref` target allowed in one.
const COMPONENTS: &str = "#/components/schemas/";

/// Schema Object fields that JSON Schema lacks or reads differently. `nullable`
/// is turned into a type union, the others are documentation only.
const OPENAPI_ONLY: &[&str] = &[
    "nullable",
    "example",
    "discriminator",
    "xml",
    "externalDocs",
];

/// A schema that could not be converted: `pointer` locates it in the spec.
#[derive(Debug)]
pub(crate) struct ConvertError {
    pub(crate) pointer: String,
    pub(crate) message: String,
}

/// Every component schema, converted once and placed under `$defs` of each
/// root that an example is validated against.
pub(crate) struct Schemas<'a> {
    spec: &'a Value,
    defs: Map<String, Value>,
}

impl<'a> Schemas<'a> {
    /// Converts `#/components/schemas`; problems come back with their location.
    pub(crate) fn new(spec: &'a Value) -> (Self, Vec<ConvertError>) {
        let mut errors = Vec::new();
        let mut defs = Map::new();
        if let Some(components) = spec
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in components {
                let at = pointer::push("#/components/schemas", name);
                defs.insert(name.clone(), convert(spec, schema, &at, &mut errors));
            }
        }
        (Self { spec, defs }, errors)
    }

    /// Validates `instance` against the Schema Object `schema` (found at
    /// `at`). Returns one line per problem: where in the instance, and what.
    pub(crate) fn validate(
        &self,
        schema: &Value,
        at: &str,
        instance: &Value,
    ) -> Result<Vec<String>, Vec<ConvertError>> {
        let mut errors = Vec::new();
        let mut root = match convert(self.spec, schema, at, &mut errors) {
            Value::Object(map) => map,
            // `{}` or a bare `true`: every instance is valid.
            _ => return Ok(Vec::new()),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        root.insert("$defs".into(), Value::Object(self.defs.clone()));
        let root = Value::Object(root);
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .map_err(|e| {
                vec![ConvertError {
                    pointer: at.to_owned(),
                    message: format!("the schema is not valid once read as JSON Schema: {e}"),
                }]
            })?;
        Ok(validator
            .iter_errors(instance)
            .map(|e| {
                let path = e.instance_path().as_str();
                let path = if path.is_empty() {
                    "the example itself"
                } else {
                    path
                };
                format!("{path}: {e}")
            })
            .collect())
    }
}

/// One Schema Object as JSON Schema. `$ref`s to component schemas become
/// `$defs` references; anything the converter cannot read faithfully is
/// reported rather than guessed.
fn convert(spec: &Value, node: &Value, at: &str, errors: &mut Vec<ConvertError>) -> Value {
    let Some(object) = node.as_object() else {
        return node.clone();
    };
    if let Some(reference) = object.get("$ref") {
        // OpenAPI 3.0 ignores the siblings of `$ref`, so this does too.
        return convert_ref(spec, reference, at, errors);
    }
    let mut out = Map::new();
    for (key, value) in object {
        if OPENAPI_ONLY.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let child = pointer::push(at, key);
        let converted = match key.as_str() {
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, schema)| {
                        let at = pointer::push(&child, name);
                        (name.clone(), convert(spec, schema, &at, errors))
                    })
                    .collect(),
            ),
            "items" | "not" | "additionalProperties" => convert(spec, value, &child, errors),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, schema)| {
                        convert(spec, schema, &pointer::push(&child, &i.to_string()), errors)
                    })
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    exclusive_bounds(&mut out);
    if object.get("nullable") == Some(&Value::Bool(true)) {
        match out.get_mut("type") {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        json!({
            "components": { "schemas": {
                "Token": { "type": "string", "minLength": 1 },
                "Envelope": {
                    "type": "object",
                    "required": ["ok"],
                    "properties": {
                        "ok": { "type": "boolean" },
                        "token": { "allOf": [{ "$ref": "#/components/schemas/Token" }], "nullable": true },
                        "count": { "type": "integer", "minimum": 0, "exclusiveMinimum": true, "nullable": true },
                        "kind": { "type": "string", "enum": ["a", "b"], "example": "c" }
                    }
                }
            }}
        })
    }

    fn check(schema: Value, instance: Value) -> Vec<String> {
        let spec = spec();
        let (schemas, errors) = Schemas::new(&spec);
        assert!(errors.is_empty(), "{errors:?}");
        schemas
            .validate(&schema, "#/test", &instance)
            .expect("converts")
    }

    #[test]
    fn refs_nullable_and_exclusive_bounds_are_read_as_openapi_means_them() {
        let envelope = json!({ "$ref": "#/components/schemas/Envelope" });
        assert!(
            check(
                envelope.clone(),
                json!({ "ok": true, "token": null, "count": null })
            )
            .is_empty()
        );
        assert!(
            check(
                envelope.clone(),
                json!({ "ok": true, "token": "t", "count": 1 })
            )
            .is_empty()
        );
        // The referenced Token's minLength applies through allOf.
        assert_eq!(
            check(envelope.clone(), json!({ "ok": true, "token": "" })).len(),
            1
        );
        // exclusiveMinimum: true excludes the minimum itself.
        assert_eq!(
            check(envelope.clone(), json!({ "ok": true, "count": 0 })).len(),
            1
        );
        // `example` is documentation, not a constraint; `enum` is.
        assert_eq!(
            check(envelope.clone(), json!({ "ok": true, "kind": "c" })).len(),
            1
        );
        let missing = check(envelope, json!({ "token": "t" }));
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].contains("ok"), "{missing:?}");
    }

    #[test]
    fn nullable_with_type_is_a_type_union_and_enum_still_applies() {
        let schema = json!({ "type": "string", "nullable": true, "enum": ["a"] });
        assert!(check(schema.clone(), json!("a")).is_empty());
        // OpenAPI 3.0.3: other constraints keep their meaning, so an enum without null rejects null.
        assert_eq!(check(schema, json!(null)).len(), 1);
        assert!(check(json!({ "type": "string", "nullable": true }), json!(null)).is_empty());
        assert_eq!(check(json!({ "type": "string" }), json!(null)).len(), 1);
    }

    #[test]
    fn unsupported_or_dangling_refs_are_reported_with_their_location() {
        let spec = spec();
        let (schemas, _) = Schemas::new(&spec);
        for reference in [
            "#/components/schemas/Nope",
            "other.yaml#/Token",
            "#/components/responses/X",
        ] {
            let schema = json!({ "type": "object", "properties": { "p": { "$ref": reference } } });
            let errors = schemas
                .validate(&schema, "#/here", &json!({}))
                .expect_err(reference);
            assert_eq!(errors[0].pointer, "#/here/properties/p/$ref");
            assert!(
                errors[0].message.contains(reference),
                "{}",
                errors[0].message
            );
        }
    }
}
