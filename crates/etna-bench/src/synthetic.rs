//! Synthetic specs of any size, built from the real spec's operations.
//!
//! Copy `i` of every operation in `openapi/etna-trader.yaml` gets its own path
//! (`/op{i}/...`), operationId (`<id>_op{i}`) and its own copies of the request
//! bodies and schemas that the operation refers to directly (for the reset
//! flow: the request bodies and the envelopes). What those refer to in turn
//! (enums, the status code, the shared error responses) stays shared, as in a
//! real API.

use std::collections::BTreeSet;

use etna_spec::pointer;
use serde_json::{Map, Value};

/// The real spec, the pattern every copy follows.
pub const REAL_SPEC: &str = include_str!("../../../openapi/etna-trader.yaml");

/// Why a synthetic spec could not be built.
#[derive(Debug)]
pub struct SyntheticError(pub String);

impl std::fmt::Display for SyntheticError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot build a synthetic spec from {}: {}",
            etna_codegen::SPEC_PATH,
            self.0
        )
    }
}

impl std::error::Error for SyntheticError {}

/// The spec's YAML text with `copies` copies of each of the real operations
/// (so `copies` × [`real_operations`] operations).
pub fn spec(copies: usize) -> Result<String, SyntheticError> {
    let fail = |what: &str| SyntheticError(what.to_owned());
    let mut spec: Value =
        serde_yaml_ng::from_str(REAL_SPEC).map_err(|e| SyntheticError(e.to_string()))?;
    let paths = spec
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .map(std::mem::take)
        .ok_or_else(|| fail("it has no `paths`"))?;
    let own = own_components(&paths, &spec);
    let components = spec
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| fail("it has no `components`"))?;
    let mut templates = Vec::new();
    for (kind, name) in &own {
        let section = components
            .get_mut(kind.as_str())
            .and_then(Value::as_object_mut)
            .ok_or_else(|| SyntheticError(format!("it has no `components/{kind}`")))?;
        // The original stays: shared components (the error bodies) may
        // refer to it too.
        let body = section
            .get(name)
            .cloned()
            .ok_or_else(|| SyntheticError(format!("`#/components/{kind}/{name}` is missing")))?;
        templates.push((kind.clone(), name.clone(), body));
    }
    let mut new_paths = Map::new();
    for i in 0..copies {
        let suffix = format!("Op{i}");
        let rename = |value: &mut Value| rewrite_refs(value, &own, &suffix);
        for (kind, name, body) in &templates {
            let mut copy = body.clone();
            rename(&mut copy);
            // A caller's key names its lookup by operationId, which the
            // copy renames too.
            rename_lookups(&mut copy, &format!("_op{i}"));
            if let Some(section) = components
                .get_mut(kind.as_str())
                .and_then(Value::as_object_mut)
            {
                section.insert(format!("{name}{suffix}"), copy);
            }
        }
        for (path, item) in &paths {
            let mut item = item.clone();
            rename(&mut item);
            if let Some(operations) = item.as_object_mut() {
                for operation in operations.values_mut() {
                    if let Some(Value::String(id)) = operation.get_mut("operationId") {
                        *id = format!("{id}_op{i}");
                    }
                }
            }
            new_paths.insert(format!("/op{i}{path}"), item);
        }
    }
    spec["paths"] = Value::Object(new_paths);
    serde_yaml_ng::to_string(&spec).map_err(|e| SyntheticError(e.to_string()))
}

/// Appends `suffix` to the `lookup` of every `x-etna-client-id` in `value`.
fn rename_lookups(value: &mut Value, suffix: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(lookup)) = map
                .get_mut("x-etna-client-id")
                .and_then(|mark| mark.get_mut("lookup"))
            {
                lookup.push_str(suffix);
            }
            map.values_mut().for_each(|v| rename_lookups(v, suffix));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_lookups(v, suffix)),
        _ => {}
    }
}

/// How many operations the real spec has.
pub fn real_operations() -> usize {
    serde_yaml_ng::from_str::<Value>(REAL_SPEC)
        .ok()
        .and_then(|spec| {
            spec.get("paths")?.as_object().map(|paths| {
                paths
                    .values()
                    .filter_map(Value::as_object)
                    .flat_map(|item| item.values())
                    .filter(|op| op.get("operationId").is_some())
                    .count()
            })
        })
        .unwrap_or(0)
}

/// `(section, name)` of every request body and schema that an operation names
/// directly, and of the schemas that those request bodies name.
fn own_components(paths: &Map<String, Value>, spec: &Value) -> BTreeSet<(String, String)> {
    let mut own = BTreeSet::new();
    for item in paths.values() {
        collect_refs(item, &mut own);
    }
    let bodies: Vec<_> = own
        .iter()
        .filter(|(kind, _)| kind == "requestBodies")
        .map(|(_, name)| name.clone())
        .collect();
    for name in bodies {
        let reference = pointer::join(&["components", "requestBodies", name.as_str()]);
        if let Some(body) = pointer::resolve_local(spec, &reference) {
            collect_refs(body, &mut own);
        }
    }
    own.retain(|(kind, _)| kind == "requestBodies" || kind == "schemas");
    own
}

fn collect_refs(value: &Value, out: &mut BTreeSet<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref")
                && let Some(target) = etna_spec::component(reference)
            {
                out.insert(target);
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn rewrite_refs(value: &mut Value, own: &BTreeSet<(String, String)>, suffix: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some((kind, name)) =
                    etna_spec::component(reference).filter(|t| own.contains(t))
            {
                let renamed = ["components".to_owned(), kind, format!("{name}{suffix}")];
                *reference = pointer::join(&renamed);
            }
            map.values_mut().for_each(|v| rewrite_refs(v, own, suffix));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, own, suffix)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_copy_is_an_operation_with_its_own_schemas() {
        let text = spec(3).unwrap();
        let parsed = etna_codegen::parse_spec(&text, "synthetic").unwrap();
        assert_eq!(etna_codegen::preflight(&parsed), vec![]);
        let operations: Vec<_> = parsed
            .operations()
            .map(|(_, _, op)| op.operation_id.clone())
            .collect();
        assert!(real_operations() > 0);
        assert_eq!(operations.len(), 3 * real_operations());
        for i in 0..3 {
            assert!(operations.contains(&Some(format!("generate_reset_token_op{i}"))));
        }
        let schemas = &parsed.components.as_ref().unwrap().schemas;
        for name in ["ResetCodeRequest", "ResetTokenEnvelope", "Envelope"] {
            for i in 0..3 {
                assert!(
                    schemas.contains_key(&format!("{name}Op{i}")),
                    "{name}Op{i} missing"
                );
            }
        }
        // Shared: referred to only through the copied schemas or responses.
        assert!(schemas.contains_key("ResetIdentifier"));
        assert!(schemas.contains_key("AppKeyError"));
        // A copy's envelope extends its own copy of the shared fields.
        let envelope = serde_json::to_string(&schemas["ResetTokenEnvelopeOp2"]).unwrap();
        assert!(
            envelope.contains("#/components/schemas/EnvelopeOp2"),
            "{envelope}"
        );
    }

    #[test]
    fn generated_code_grows_with_the_copies() {
        let generate = |n| {
            let parsed = etna_codegen::parse_spec(&spec(n).unwrap(), "synthetic").unwrap();
            etna_codegen::generate_client(&parsed).unwrap()
        };
        let (one, four) = (generate(1), generate(4));
        let per_copy = real_operations();
        assert_eq!(one.matches("pub async fn send(").count(), per_copy);
        assert_eq!(four.matches("pub async fn send(").count(), 4 * per_copy);
        assert!(four.contains("pub struct ResetTokenEnvelopeOp3"));
    }
}
