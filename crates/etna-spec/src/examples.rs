//! The examples of a body, in every form OpenAPI 3.0 allows, so that every
//! reader (the mock's answers, the spec-wide tests, the rendered page's
//! test) takes the same ones.

use serde_json::Value;

use crate::refs::{RefError, follow};

/// The name given to a Media Type Object's single `example`.
pub const MEDIA_EXAMPLE: &str = "example";

/// The name given to the example of a body's schema, read when the media
/// type has none of its own.
pub const SCHEMA_EXAMPLE: &str = "schema example";

/// Every example of the Media Type Object `media` (a request or response
/// body's `content/<type>`), as `(name, value)`: its `example`
/// ([`MEDIA_EXAMPLE`]), then its named `examples` (each `$ref` followed, in
/// the map's order; one with only an `externalValue` has no value here and
/// is left out), and only when it has neither, the `example` of its schema
/// ([`SCHEMA_EXAMPLE`], the schema's `$ref` chain followed), since OpenAPI
/// lets a media type's examples override the schema's.
///
/// ```
/// let spec = etna_spec::parse(r##"
/// components:
///   schemas: {Code: {type: string, example: "1234"}}
///   examples: {Other: {value: "5678"}}
/// "##).unwrap();
/// let media = serde_json::json!({
///     "schema": {"$ref": "#/components/schemas/Code"},
///     "examples": {"mine": {"value": "0000"}, "other": {"$ref": "#/components/examples/Other"}},
/// });
/// let found = etna_spec::media_examples(&spec, &media).unwrap();
/// assert_eq!(found, [("mine".into(), "0000".into()), ("other".into(), "5678".into())]);
/// let bare = serde_json::json!({"schema": {"$ref": "#/components/schemas/Code"}});
/// let found = etna_spec::media_examples(&spec, &bare).unwrap();
/// assert_eq!(found, [(etna_spec::SCHEMA_EXAMPLE.into(), "1234".into())]);
/// ```
pub fn media_examples(spec: &Value, media: &Value) -> Result<Vec<(String, Value)>, RefError> {
    let mut out = Vec::new();
    if let Some(example) = media.get("example") {
        out.push((MEDIA_EXAMPLE.to_owned(), example.clone()));
    }
    if let Some(named) = media.get("examples").and_then(Value::as_object) {
        for (name, example) in named {
            if let Some(value) = follow(spec, example)?.get("value") {
                out.push((name.clone(), value.clone()));
            }
        }
    }
    if out.is_empty()
        && let Some(schema) = media.get("schema")
        && let Some(example) = follow(spec, schema)?.get("example")
    {
        out.push((SCHEMA_EXAMPLE.to_owned(), example.clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_form_is_read_and_the_media_type_wins_over_the_schema() {
        let spec = json!({ "components": {
            "schemas": { "S": { "type": "object", "example": { "from": "schema" } } },
            "examples": { "E": { "value": { "from": "component" } } },
        }});
        let schema = json!({ "$ref": "#/components/schemas/S" });
        let both = json!({
            "schema": schema,
            "example": { "from": "media" },
            "examples": {
                "b": { "$ref": "#/components/examples/E" },
                "a": { "value": null },
                "external": { "externalValue": "https://x.example/e.json" },
            },
        });
        let names: Vec<(String, Value)> = media_examples(&spec, &both).unwrap();
        assert_eq!(
            names,
            [
                ("example".to_owned(), json!({ "from": "media" })),
                ("a".to_owned(), Value::Null),
                ("b".to_owned(), json!({ "from": "component" })),
            ]
        );
        let only_schema = json!({ "schema": schema });
        assert_eq!(
            media_examples(&spec, &only_schema).unwrap(),
            [("schema example".to_owned(), json!({ "from": "schema" }))]
        );
        // No example anywhere: none (a body without example, or no body).
        assert!(
            media_examples(&spec, &json!({ "schema": { "type": "object" } }))
                .unwrap()
                .is_empty()
        );
        assert!(media_examples(&spec, &json!({})).unwrap().is_empty());
        // A dangling reference is an error, not a missing example.
        let dangling = json!({ "examples": { "x": { "$ref": "#/components/examples/Nope" } } });
        assert!(media_examples(&spec, &dangling).is_err());
    }
}
