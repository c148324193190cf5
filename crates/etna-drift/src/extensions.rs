//! The document's own extensions that change what the client does with an
//! answer while no type need change: `x-etna-page` on a component schema
//! (the page envelope a pager follows) and `x-etna-no-date` at the root (the
//! date-time that reads as "no date"). Also which operations reach a
//! component, for the extensions' messages and for leftovers.rs.

use std::collections::BTreeSet;

use etna_spec::pointer::{self, push};
use serde_json::Value;

use crate::Ctx;
use crate::change::Change;
use crate::class::Class;
use crate::rules::Rule;

/// The page envelope's roles, on a component schema.
pub(crate) const PAGE: &str = "x-etna-page";
/// The date-time that means "no date", at the document's root.
pub(crate) const NO_DATE: &str = "x-etna-no-date";
/// The caller's key for finding a result again, on a request property.
pub(crate) const CLIENT_ID: &str = "x-etna-client-id";

pub(crate) fn compare(ctx: &mut Ctx) {
    let (Ok(old), Ok(new)) = (serde_json::to_value(ctx.old), serde_json::to_value(ctx.new)) else {
        return;
    };
    no_date(ctx, &old, &new);
    pages(ctx, &old, &new);
    client_ids(ctx, &old, &new);
}

/// Every `x-etna-client-id` of a component schema's property, by the
/// pointer of the property.
fn marked_keys(spec: &Value) -> std::collections::BTreeMap<String, Value> {
    let mut out = std::collections::BTreeMap::new();
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for (property, value) in properties.into_iter().flatten() {
            if let Some(mark) = value.get(CLIENT_ID) {
                let at = push(
                    &push(&push("#/components/schemas", name), "properties"),
                    property,
                );
                out.insert(at, mark.clone());
            }
        }
    }
    out
}

fn client_ids(ctx: &mut Ctx, old: &Value, new: &Value) {
    let (a, b) = (marked_keys(old), marked_keys(new));
    let places: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for at in places {
        let (before, after) = (a.get(at), b.get(at));
        let (class, detail) = match (before, after) {
            (None, Some(mark)) => (
                Class::Compatible,
                format!(
                    "`{at}` becomes the caller's key ({mark}): the operations sending it fill it when it is empty and can look their result up"
                ),
            ),
            (Some(mark), None) => (
                Class::Breaking,
                format!(
                    "`{at}` is no longer the caller's key ({mark}): it is no longer filled, and code using its lookup stops compiling"
                ),
            ),
            (Some(x), Some(y)) if x != y => (
                Class::Breaking,
                format!(
                    "the caller's key `{at}` changes from {x} to {y}: its lookup reads another operation or other parameters"
                ),
            ),
            _ => continue,
        };
        ctx.push(Change::new(
            Rule::ClientIdChanged.with(class),
            None,
            push(at, CLIENT_ID),
            detail,
        ));
    }
}

fn no_date(ctx: &mut Ctx, old: &Value, new: &Value) {
    let (a, b) = (old.get(NO_DATE), new.get(NO_DATE));
    if a == b {
        return;
    }
    let detail = match (a, b) {
        (None, Some(b)) => format!(
            "the document now names {b} \"no date\": a date-time equal to it decodes as `None` where it decoded as that date"
        ),
        (Some(a), None) => format!(
            "the document no longer names {a} \"no date\": a date-time equal to it decodes as that date where it decoded as `None`"
        ),
        (Some(a), Some(b)) => format!(
            "the date-time that reads as \"no date\" changes from {a} to {b}: an answer holding {a} decodes as a date where it decoded as `None`, and one holding {b} the reverse"
        ),
        (None, None) => return,
    };
    // Only a date-time that both versions have can decode differently for
    // a client built before: the marker that comes with the first date-time
    // of the document changes nothing that was.
    let (class, detail) = if has_date_time(old) && has_date_time(new) {
        (
            Class::Breaking,
            format!("{detail}; check every caller that tests a date for none"),
        )
    } else {
        (
            Class::Compatible,
            format!(
                "{detail}; one of the two versions has no `format: date-time`, so nothing a client decoded before decodes differently"
            ),
        )
    };
    ctx.push(Change::new(
        Rule::NoDateChanged.with(class),
        None,
        push("#", NO_DATE),
        detail,
    ));
}

/// Whether any schema of `spec` is a `format: date-time`.
fn has_date_time(spec: &Value) -> bool {
    match spec {
        Value::Object(map) => {
            map.get("format").and_then(Value::as_str) == Some("date-time")
                || map.values().any(has_date_time)
        }
        Value::Array(items) => items.iter().any(has_date_time),
        _ => false,
    }
}

fn pages(ctx: &mut Ctx, old: &Value, new: &Value) {
    let schemas = |spec: &Value| {
        spec.pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|s| s.keys().cloned().collect::<BTreeSet<_>>())
            .unwrap_or_default()
    };
    let names: BTreeSet<String> = schemas(old).union(&schemas(new)).cloned().collect();
    for name in names {
        let at = push("#/components/schemas", &name);
        let marker = |spec: &Value| {
            pointer::resolve_local(spec, &at)
                .and_then(|s| s.get(PAGE))
                .cloned()
        };
        let (a, b) = (marker(old), marker(new));
        if a == b {
            continue;
        }
        // The operations that answer with the envelope, in the spec that has it.
        let holder = if b.is_some() { new } else { old };
        let answering = answering(holder, &at);
        let answering = if answering.is_empty() {
            "no operation answers with it".to_owned()
        } else {
            format!("answered by {}", answering.join(", "))
        };
        let (class, detail) = match (&a, &b) {
            (None, Some(_)) => (
                Class::Compatible,
                format!(
                    "schema `{name}` becomes a page envelope ({answering}): those operations gain a pager that follows its next-page link"
                ),
            ),
            (Some(_), None) => (
                Class::Breaking,
                format!(
                    "schema `{name}` is no longer a page envelope ({answering}): their pager disappears, so code streaming their pages stops compiling"
                ),
            ),
            (Some(a), Some(b)) => (
                Class::Breaking,
                format!(
                    "the roles of page envelope `{name}` change from {a} to {b} ({answering}): the pager reads its items and links from other fields, and clients built before follow the old ones"
                ),
            ),
            (None, None) => continue,
        };
        ctx.push(Change::new(
            Rule::PageEnvelopeChanged.with(class),
            None,
            push(&at, PAGE),
            detail,
        ));
    }
}

/// The ids of the operations whose success answers reach the component at
/// `target` (`#/components/...`).
fn answering(spec: &Value, target: &str) -> Vec<String> {
    etna_spec::operations(spec)
        .into_iter()
        .filter(|op| {
            op.operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(status, _)| status.starts_with('2'))
                .any(|(_, response)| reached(spec, response).contains(target))
        })
        .map(|op| format!("`{}`", op.id))
        .collect()
}

/// The labels (`GET /path`, as drift names operations) of the operations
/// that reach the component at `target`: through their own object or their
/// path item's parameters.
pub(crate) fn users(spec: &Value, target: &str) -> BTreeSet<String> {
    etna_spec::operations(spec)
        .into_iter()
        .filter(|op| {
            reached(spec, op.operation).contains(target)
                || op
                    .shared_parameters
                    .iter()
                    .any(|p| reached(spec, p).contains(target))
        })
        .map(|op| format!("{} {}", op.method, op.path))
        .collect()
}

/// Every local `$ref` that `value` reaches, following each one once.
fn reached(spec: &Value, value: &Value) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref")
                    && seen.insert(target.clone())
                    && let Some(next) = pointer::resolve_local(spec, target)
                {
                    stack.push(next);
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_are_followed_through_components_and_cycles_end() {
        let spec = json!({
            "paths": {
                "/a": {
                    "parameters": [{ "$ref": "#/components/parameters/Shared" }],
                    "get": { "operationId": "get_a",
                             "responses": { "200": { "$ref": "#/components/responses/Ok" } } },
                },
                "/b": { "get": { "responses": { "204": { "description": "none" } } } },
            },
            "components": {
                "parameters": { "Shared": { "name": "x", "in": "query" } },
                "responses": { "Ok": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Loop" } } } } },
                "schemas": { "Loop": { "items": { "$ref": "#/components/schemas/Loop" } } },
            },
        });
        let users = |target: &str| users(&spec, target).into_iter().collect::<Vec<_>>();
        assert_eq!(users("#/components/schemas/Loop"), ["GET /a"]);
        assert_eq!(users("#/components/parameters/Shared"), ["GET /a"]);
        assert!(users("#/components/responses/Nope").is_empty());
        assert_eq!(answering(&spec, "#/components/schemas/Loop"), ["`get_a`"]);
    }
}
