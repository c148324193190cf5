//! What kind of body an answer has, and the envelope's roles.

use serde_json::Value;

use super::*;

/// A `format: password` schema: a credential.
pub fn is_secret(schema: &Value) -> bool {
    matches!(
        schema.get("type").and_then(Value::as_str),
        Some("string" | "integer")
    ) && schema.get("format").and_then(Value::as_str) == Some("password")
}

pub(super) fn body_kind(spec: &Value, response: &Value, roles: Option<&EnvelopeRoles>) -> BodyKind {
    let Some(media) = response.pointer("/content/application~1json") else {
        return BodyKind::Empty;
    };
    let schema = media.get("schema").unwrap_or(&Value::Null);
    match roles {
        Some(roles) if is_envelope(spec, schema, &roles.schema, 0) => BodyKind::Envelope,
        _ => BodyKind::Plain,
    }
}

/// Whether `schema` is the envelope schema or composes it with `allOf`.
fn is_envelope(spec: &Value, schema: &Value, envelope: &str, depth: usize) -> bool {
    if depth > crate::MAX_HOPS {
        return false;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
        && crate::component(reference).is_some_and(|(_, name)| name == envelope)
    {
        return true;
    }
    let schema = follow(spec, schema).unwrap_or(&Value::Null);
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|part| is_envelope(spec, part, envelope, depth + 1))
}

pub(super) fn envelope_roles(
    spec: &Value,
    problems: &mut Vec<ModelError>,
) -> Option<EnvelopeRoles> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)?;
    let marked: Vec<(&String, &Value)> = schemas
        .iter()
        .filter_map(|(name, schema)| schema.get("x-etna-envelope").map(|roles| (name, roles)))
        .collect();
    let (name, roles) = marked.first().copied()?;
    if let Some((other, _)) = marked.iter().find(|(_, r)| *r != roles) {
        problem(
            problems,
            &pointer::join(&["components", "schemas", other.as_str(), "x-etna-envelope"]),
            &format!(
                "it names other roles than the one on `{name}`; declare the envelope's roles once"
            ),
        );
        return None;
    }
    let at = pointer::join(&["components", "schemas", name.as_str(), "x-etna-envelope"]);
    let mut missing = false;
    let mut role = |key: &str| match roles.get(key).and_then(Value::as_str) {
        Some(value) => value.to_owned(),
        None => {
            missing = true;
            problem(
                problems,
                &at,
                &format!(
                    "`{key}` is missing; name the property that plays this role, e.g. `{key}: Name`"
                ),
            );
            String::new()
        }
    };
    let roles = EnvelopeRoles {
        schema: name.clone(),
        success: role("success"),
        errors: role("errors"),
        error_codes: role("errorCodes"),
        status_code: role("statusCode"),
        model: role("model"),
    };
    (!missing).then_some(roles)
}
