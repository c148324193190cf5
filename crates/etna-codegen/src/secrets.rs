//! Secrets are declared in the spec: every string schema with
//! `format: password` becomes `etna_client::Secret` in the generated code,
//! and every integer one `etna_client::SecretInteger`.
//!
//! The mark is typify's own `x-rust-type` extension, added to a copy of the
//! spec just before generation, so no list of secret schemas is kept in Rust
//! and a new secret field needs nothing but its `format`.

use etna_spec::model::is_secret;
use serde_json::{Value, json};

/// The JSON names of every property whose schema is a secret, `$ref`s
/// followed, for scrubbing quoted bodies; sorted, without duplicates.
pub(crate) fn secret_properties(spec: &Value) -> Vec<String> {
    etna_spec::model::secret_properties(spec, spec)
}

/// Marks every secret string schema of `spec` for typify. Examples are left
/// alone: they are values, not schemas.
pub(crate) fn mark_secrets(spec: &mut Value) {
    match spec {
        Value::Object(map) => {
            if let Some(path) = secret_type(&Value::Object(map.clone())) {
                map.insert(
                    "x-rust-type".to_owned(),
                    json!({"crate": "etna-client", "version": "*", "path": path}),
                );
            }
            for (key, child) in map.iter_mut() {
                if !matches!(key.as_str(), "example" | "examples") {
                    mark_secrets(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mark_secrets),
        _ => {}
    }
}

/// The Rust type of a secret schema, `None` for any other schema.
fn secret_type(schema: &Value) -> Option<&'static str> {
    if !is_secret(schema) {
        return None;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => Some("etna_client::SecretInteger"),
        _ => Some("etna_client::Secret"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_password_strings_and_integers_and_nothing_else() {
        let mut spec = json!({
            "components": {"schemas": {"Body": {"type": "object", "properties": {
                "Pin": {"type": "string", "format": "password"},
                "Name": {"type": "string"},
                "Count": {"type": "integer", "format": "password"},
                "Size": {"type": "integer"}
            }, "example": {"Pin": {"type": "string", "format": "password"}}}}}
        });
        mark_secrets(&mut spec);
        let props = &spec["components"]["schemas"]["Body"]["properties"];
        assert_eq!(props["Pin"]["x-rust-type"]["path"], "etna_client::Secret");
        assert!(props["Name"].get("x-rust-type").is_none());
        assert_eq!(
            props["Count"]["x-rust-type"]["path"],
            "etna_client::SecretInteger"
        );
        assert!(props["Size"].get("x-rust-type").is_none());
        let example = &spec["components"]["schemas"]["Body"]["example"]["Pin"];
        assert!(example.get("x-rust-type").is_none());
        assert_eq!(secret_properties(&spec), ["Count", "Pin"]);
    }

    #[test]
    fn a_property_that_refers_to_a_password_schema_is_a_secret_property() {
        let spec = json!({
            "components": {"schemas": {
                "Password": {"type": "string", "format": "password"},
                "Body": {"type": "object", "properties": {
                    "Ticket": {"$ref": "#/components/schemas/Password"},
                    "Name": {"type": "string"}
                }}
            }}
        });
        assert_eq!(secret_properties(&spec), ["Ticket"]);
    }
}
