//! The document's component schemas, converted once, and validators built on
//! them.

use serde_json::{Map, Value, json};

use crate::convert::{ConvertError, convert};
use crate::pointer;

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Every component schema of a spec, converted once and placed under `$defs`
/// of each validator built from it.
#[derive(Debug)]
pub struct Schemas<'a> {
    spec: &'a Value,
    defs: Map<String, Value>,
}

impl<'a> Schemas<'a> {
    /// Converts `#/components/schemas` of `spec` (the whole OpenAPI document
    /// as JSON). The problems come back with their location rather than as a
    /// failure, so that a caller may report them and still validate: a `$ref`
    /// that could not be converted stands for `{}` (anything).
    #[must_use]
    pub fn new(spec: &'a Value) -> (Self, Vec<ConvertError>) {
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

    /// A validator for the Schema Object `schema`, found at `at` (a `#/...`
    /// pointer, used only to locate problems) in the spec. Fails with every
    /// `$ref` inside `schema` that cannot be converted, or when the result is
    /// not a valid JSON Schema. Formats that the validator knows (`date-time`,
    /// `email`...) are asserted; `int32` and `int64` bound the value (as
    /// `minimum`/`maximum`); other ones, such as `decimal`, are ignored.
    pub fn validator(&self, schema: &Value, at: &str) -> Result<Validator, Vec<ConvertError>> {
        let mut errors = Vec::new();
        let converted = convert(self.spec, schema, at, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        // Wrapped rather than merged, so that the schema's own keywords never
        // clash with `$schema` and `$defs`, and a boolean schema keeps its meaning.
        let root = json!({
            "$schema": DIALECT,
            "$defs": self.defs,
            "allOf": [converted],
        });
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .map(Validator)
            .map_err(|e| {
                vec![ConvertError {
                    pointer: at.to_owned(),
                    message: format!("the schema is not valid once read as JSON Schema: {e}"),
                }]
            })
    }
}

/// Checks instances against one converted schema. Cheap to share between
/// threads; build it once and reuse it.
#[derive(Debug)]
pub struct Validator(jsonschema::Validator);

impl Validator {
    /// Whether `instance` is valid.
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.0.is_valid(instance)
    }

    /// Every problem with `instance`, not only the first; empty when valid.
    pub fn problems(&self, instance: &Value) -> Vec<ValidationProblem> {
        self.0
            .iter_errors(instance)
            .map(|e| ValidationProblem {
                instance_path: e.instance_path().as_str().to_owned(),
                keyword: e.kind().keyword().to_owned(),
                message: e.to_string(),
            })
            .collect()
    }
}

/// One way in which an instance does not fit its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationProblem {
    /// Where in the instance, as a JSON Pointer; empty for the instance itself.
    pub instance_path: String,
    /// What is wrong, in English, naming the offending value.
    pub message: String,
    /// The JSON Schema keyword that failed (`required`, `enum`, `pattern`...).
    pub keyword: String,
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
                        "kind": { "type": "string", "enum": ["a", "b"], "example": "c" },
                        "when": { "type": "string", "format": "date-time" },
                        "size": { "type": "integer", "format": "int32" }
                    }
                }
            }}
        })
    }

    fn check(schema: Value, instance: Value) -> Vec<ValidationProblem> {
        let spec = spec();
        let (schemas, errors) = Schemas::new(&spec);
        assert!(errors.is_empty(), "{errors:?}");
        schemas
            .validator(&schema, "#/test")
            .expect("converts")
            .problems(&instance)
    }

    fn keywords(schema: Value, instance: Value) -> Vec<String> {
        check(schema, instance)
            .into_iter()
            .map(|p| p.keyword)
            .collect()
    }

    #[test]
    fn refs_nullable_and_exclusive_bounds_are_read_as_openapi_means_them() {
        let envelope = json!({ "$ref": "#/components/schemas/Envelope" });
        let valid = |instance: Value| check(envelope.clone(), instance).is_empty();
        assert!(valid(json!({ "ok": true, "token": null, "count": null })));
        assert!(valid(
            json!({ "ok": true, "token": "t", "count": 1, "size": 5 })
        ));
        assert!(valid(json!({ "ok": true, "when": "2024-05-01T10:00:00Z" })));
        // The referenced Token's minLength applies through allOf (inside the
        // "or null" that nullable without type becomes).
        assert_eq!(
            keywords(envelope.clone(), json!({ "ok": true, "token": "" })),
            ["anyOf"]
        );
        // exclusiveMinimum: true excludes the minimum itself.
        assert_eq!(
            keywords(envelope.clone(), json!({ "ok": true, "count": 0 })),
            ["exclusiveMinimum"]
        );
        // `example` is documentation, not a constraint; `enum` is.
        assert_eq!(
            keywords(envelope.clone(), json!({ "ok": true, "kind": "c" })),
            ["enum"]
        );
        // Known formats are asserted.
        assert_eq!(
            keywords(envelope.clone(), json!({ "ok": true, "when": "yesterday" })),
            ["format"]
        );
        let missing = check(envelope, json!({ "token": "t" }));
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(missing[0].keyword, "required");
        assert_eq!(missing[0].instance_path, "");
        assert!(missing[0].message.contains("ok"), "{missing:?}");
    }

    #[test]
    fn problems_say_where_in_the_instance_and_every_one_is_reported() {
        let envelope = json!({ "$ref": "#/components/schemas/Envelope" });
        let mut problems = check(envelope, json!({ "ok": 1, "kind": "z" }));
        problems.sort_by(|a, b| a.instance_path.cmp(&b.instance_path));
        let found: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.instance_path.as_str(), p.keyword.as_str()))
            .collect();
        assert_eq!(found, [("/kind", "enum"), ("/ok", "type")]);
        assert!(problems[1].message.contains('1'), "{problems:?}");
    }

    #[test]
    fn nullable_with_type_is_a_type_union_and_enum_still_applies() {
        let schema = json!({ "type": "string", "nullable": true, "enum": ["a"] });
        assert!(check(schema.clone(), json!("a")).is_empty());
        // OpenAPI 3.0.3: other constraints keep their meaning, so an enum without null rejects null.
        assert_eq!(keywords(schema, json!(null)), ["enum"]);
        let with_null = json!({ "type": "string", "nullable": true, "enum": ["a", null] });
        assert!(check(with_null, json!(null)).is_empty());
        assert!(check(json!({ "type": "string", "nullable": true }), json!(null)).is_empty());
        assert_eq!(keywords(json!({ "type": "string" }), json!(null)), ["type"]);
        // Without `type`, nullable still means "or null" (as the code generator reads it).
        let untyped =
            json!({ "allOf": [{ "$ref": "#/components/schemas/Token" }], "nullable": true });
        assert!(check(untyped.clone(), json!(null)).is_empty());
        assert!(!check(untyped, json!("")).is_empty());
    }

    #[test]
    fn integer_formats_bound_their_values() {
        let int32 = json!({ "type": "integer", "format": "int32" });
        assert!(check(int32.clone(), json!(2_147_483_647)).is_empty());
        assert!(check(int32.clone(), json!(-2_147_483_648_i64)).is_empty());
        assert_eq!(
            keywords(int32.clone(), json!(2_147_483_648_i64)),
            ["maximum"]
        );
        assert_eq!(keywords(int32, json!(-2_147_483_649_i64)), ["minimum"]);
        let int64 = json!({ "type": "integer", "format": "int64" });
        assert!(check(int64.clone(), json!(i64::MAX)).is_empty());
        assert_eq!(
            keywords(int64, json!(9_223_372_036_854_775_808_u64)),
            ["maximum"]
        );
        // A narrower bound of the schema stays; a wider one gives way to the format's.
        let narrow = json!({ "type": "integer", "format": "int32", "minimum": 1, "maximum": 1e12 });
        assert_eq!(keywords(narrow.clone(), json!(0)), ["minimum"]);
        assert_eq!(keywords(narrow, json!(2_147_483_648_i64)), ["maximum"]);
        // An exclusive bound still applies beside the format's.
        let exclusive =
            json!({ "type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": true });
        assert_eq!(keywords(exclusive, json!(0)), ["exclusiveMinimum"]);
        // Other formats set no bound.
        assert!(
            check(
                json!({ "type": "number", "format": "decimal" }),
                json!(1e300)
            )
            .is_empty()
        );
        // Through a component too (Envelope's `size` is an int32).
        let envelope = json!({ "$ref": "#/components/schemas/Envelope" });
        assert_eq!(
            keywords(envelope, json!({ "ok": true, "size": 4_294_967_296_i64 })),
            ["maximum"]
        );
    }

    #[test]
    fn boolean_schemas_keep_their_meaning() {
        assert!(check(json!(true), json!(1)).is_empty());
        assert_eq!(check(json!(false), json!(1)).len(), 1);
        assert!(check(json!({}), json!([])).is_empty());
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
            let errors = schemas.validator(&schema, "#/here").expect_err(reference);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].pointer, "#/here/properties/p/$ref");
            assert!(
                errors[0].message.contains(reference),
                "{}",
                errors[0].message
            );
        }
    }

    #[test]
    fn component_problems_are_reported_once_and_the_rest_still_validates() {
        let mut spec = spec();
        spec["components"]["schemas"]["Broken"] = json!({ "type": "object", "properties": { "x": { "$ref": "#/components/schemas/Gone" } } });
        let (schemas, errors) = Schemas::new(&spec);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].pointer,
            "#/components/schemas/Broken/properties/x/$ref"
        );
        // Referring to the broken schema is not a new error; the broken part accepts anything.
        let broken = schemas
            .validator(&json!({ "$ref": "#/components/schemas/Broken" }), "#/b")
            .expect("the reference itself resolves");
        assert!(broken.is_valid(&json!({ "x": 1 })));
        assert!(!broken.is_valid(&json!(1)));
    }

    #[test]
    fn a_schema_that_is_not_json_schema_is_an_error_at_its_location() {
        let spec = spec();
        let (schemas, _) = Schemas::new(&spec);
        let errors = schemas
            .validator(&json!({ "type": "strnig" }), "#/bad")
            .expect_err("not a type");
        assert_eq!(errors[0].pointer, "#/bad");
        assert!(
            errors[0].message.contains("not valid"),
            "{}",
            errors[0].message
        );
    }
}
