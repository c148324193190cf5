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

/// A schema that is a secret once its `$ref`s are followed (a reference that
/// leads nowhere is no secret; the spec's lint reports it).
pub fn is_secret_schema(spec: &Value, schema: &Value) -> bool {
    follow(spec, schema).is_ok_and(is_secret)
}

/// The JSON names of the properties whose schema is a secret, in `schema`
/// and every schema it reaches (`$ref`s, `allOf`, items, nested
/// properties), `$ref`s followed wherever they are; sorted, without
/// duplicates. Examples are values, not schemas, and are skipped.
pub fn secret_properties(spec: &Value, schema: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let mut followed = Vec::new();
    collect_secret_properties(spec, schema, &mut names, &mut followed);
    names.sort();
    names.dedup();
    names
}

fn collect_secret_properties<'a>(
    spec: &'a Value,
    value: &'a Value,
    names: &mut Vec<String>,
    followed: &mut Vec<&'a str>,
) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                // Each component is read once: references may form cycles.
                if !followed.contains(&reference) {
                    followed.push(reference);
                    if let Some(target) = reference.strip_prefix('#').and_then(|p| spec.pointer(p))
                    {
                        collect_secret_properties(spec, target, names, followed);
                    }
                }
            }
            if let Some(Value::Object(properties)) = map.get("properties") {
                names.extend(
                    properties
                        .iter()
                        .filter(|(_, property)| is_secret_schema(spec, property))
                        .map(|(name, _)| name.clone()),
                );
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "example" | "examples") {
                    collect_secret_properties(spec, child, names, followed);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_secret_properties(spec, item, names, followed)),
        _ => {}
    }
}

pub(super) fn body_kind(spec: &Value, response: &Value, roles: Option<&EnvelopeRoles>) -> BodyKind {
    let Some(media) = response.pointer("/content/application~1json") else {
        return BodyKind::Empty;
    };
    let schema = media.get("schema").unwrap_or(&Value::Null);
    match roles {
        Some(roles) if composes(spec, schema, &roles.schema) => BodyKind::Envelope,
        _ => BodyKind::Plain,
    }
}

/// Whether `schema` is the component schema `name` or composes it with
/// `allOf` (`$ref`s followed): how an answer is told to be an envelope
/// (`x-etna-envelope`) or a page (`x-etna-page`).
pub fn composes(spec: &Value, schema: &Value, name: &str) -> bool {
    composes_within(spec, schema, name, 0)
}

fn composes_within(spec: &Value, schema: &Value, name: &str, depth: usize) -> bool {
    if depth > crate::MAX_HOPS {
        return false;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
        && crate::component(reference).is_some_and(|(_, found)| found == name)
    {
        return true;
    }
    let schema = follow(spec, schema).unwrap_or(&Value::Null);
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|part| composes_within(spec, part, name, depth + 1))
}

/// The roles of the schema marked `x-etna-page`: one such schema, `items`
/// named, each role a property name.
pub(super) fn page_roles(spec: &Value, problems: &mut Vec<ModelError>) -> Option<PageRoles> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)?;
    let marked: Vec<(&String, &Value)> = schemas
        .iter()
        .filter_map(|(name, schema)| schema.get("x-etna-page").map(|roles| (name, roles)))
        .collect();
    let (name, roles) = marked.first().copied()?;
    if let Some((other, _)) = marked.get(1) {
        problem(
            problems,
            &pointer::join(&["components", "schemas", other.as_str(), "x-etna-page"]),
            &format!("`{name}` is the page envelope already; mark one schema with `x-etna-page`"),
        );
        return None;
    }
    let at = pointer::join(&["components", "schemas", name.as_str(), "x-etna-page"]);
    let mut missing = false;
    let mut role = |key: &str, required: bool| match roles.get(key) {
        Some(Value::String(value)) if !value.is_empty() => Some(value.clone()),
        None if !required => None,
        _ => {
            missing = true;
            problem(
                problems,
                &at,
                &format!("`{key}` must name the property that plays this role, e.g. `{key}: Name`"),
            );
            None
        }
    };
    let items = role("items", true);
    let next = role("next", false);
    let previous = role("previous", false);
    let total = role("total", false);
    if missing {
        return None;
    }
    Some(PageRoles {
        schema: name.clone(),
        items: items?,
        next,
        previous,
        total,
    })
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
