//! The AsyncAPI document (`openapi/etna-streaming.yaml`): what a change means
//! for the generated message types and the streaming runtime. It is compared
//! as JSON (no typed model of AsyncAPI in the tree): component schemas and
//! messages property by property, the channels, operations and servers as a
//! whole beyond the messages they list, the rest as documentation where
//! only documentation differs.

use std::collections::{BTreeMap, BTreeSet};

use etna_spec::pointer::escape;
use serde_json::Value;

use crate::change::Change;
use crate::rules::Rule;

/// Keys that only document: their changes change doc comments at most.
const DOCS: &[&str] = &[
    "description",
    "summary",
    "title",
    "examples",
    "example",
    "externalDocs",
    "tags",
    "name",
    "info",
];

/// The role extensions on a schema.
const SCHEMA_ROLES: &[&str] = &["x-etna-command", "x-etna-session-reply"];

/// `value` without its documentation keys, at any depth (a property
/// that happens to be called `name` is kept: the keys of `properties` are
/// names, not keywords).
fn stripped(value: &Value) -> Value {
    stripped_in(value, false)
}

fn stripped_in(value: &Value, names: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| names || !DOCS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), stripped_in(v, !names && k == "properties")))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(stripped).collect()),
        other => other.clone(),
    }
}

fn object(value: &Value) -> BTreeMap<String, Value> {
    value
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// Where a change of the AsyncAPI document is, in place of an operation:
/// its pointers would otherwise read as the OpenAPI spec's.
pub const STREAMING_LOCATION: &str = "(streaming)";

fn push(changes: &mut Vec<Change>, rule: Rule, pointer: String, message: String) {
    changes.push(Change::new(
        rule,
        Some(STREAMING_LOCATION),
        pointer,
        message,
    ));
}

/// Every change from `old` to `new`, most severe first.
pub fn diff_streaming(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut docs = Vec::new();
    // No document before (a base older than the streaming one): what it
    // holds is new, and nothing a caller used can change.
    let new_document = old.get("asyncapi").is_none() && new.get("asyncapi").is_some();
    for section in ["schemas", "messages"] {
        let at = format!("#/components/{section}");
        let (olds, news) = (
            object(&old["components"][section]),
            object(&new["components"][section]),
        );
        for (name, before) in &olds {
            let here = format!("{at}/{}", escape(name));
            match news.get(name) {
                None => push(
                    &mut changes,
                    Rule::StreamMessageRemoved,
                    here,
                    format!(
                        "`{name}` is gone: its generated type (and `Event` variant) disappears"
                    ),
                ),
                Some(after) if before == after => {}
                Some(after) if stripped(before) == stripped(after) => docs.push(here),
                Some(after) => {
                    if stripped(before) != stripped(after) && section == "schemas" {
                        schema(&mut changes, before, after, &here);
                    } else {
                        message(&mut changes, before, after, &here);
                    }
                    if docs_differ(before, after) {
                        docs.push(here);
                    }
                }
            }
        }
        for name in news.keys().filter(|n| !olds.contains_key(*n)) {
            push(
                &mut changes,
                Rule::StreamMessageAdded,
                format!("{at}/{}", escape(name)),
                format!("`{name}` is new: a new generated type"),
            );
        }
    }
    for section in ["channels", "operations", "servers"] {
        protocol(&mut changes, &mut docs, old, new, section);
    }
    if new_document {
        push(
            &mut changes,
            Rule::StreamProtocolAdded,
            "#".to_owned(),
            "the AsyncAPI document is new: `etna_client::stream` can connect".to_owned(),
        );
    } else if old.get("x-etna-no-date") != new.get("x-etna-no-date") {
        push(
            &mut changes,
            Rule::StreamRoleChanged,
            "#/x-etna-no-date".to_owned(),
            "`x-etna-no-date` changes: another text reads as \"no date\"".to_owned(),
        );
    }
    // Whatever else is at the root (the version of AsyncAPI, the
    // components' other sections: channel bindings).
    let rest = |v: &Value| {
        let mut map = object(v);
        for key in ["channels", "operations", "servers", "x-etna-no-date"] {
            map.remove(key);
        }
        if let Some(Value::Object(components)) = map.get_mut("components") {
            components.remove("schemas");
            components.remove("messages");
        }
        map
    };
    let (old_rest, new_rest) = (rest(old), rest(new));
    if old_rest != new_rest && !new_document {
        if stripped(&serde_json::to_value(&old_rest).unwrap_or_default())
            == stripped(&serde_json::to_value(&new_rest).unwrap_or_default())
        {
            docs.push("#".to_owned());
        } else {
            push(
                &mut changes,
                Rule::StreamProtocolChanged,
                "#".to_owned(),
                "the document's version or the handshake's bindings change: the client connects \
                 otherwise"
                    .to_owned(),
            );
        }
    }
    for pointer in docs {
        push(
            &mut changes,
            Rule::Docs,
            pointer,
            "the AsyncAPI document's documentation changes: doc comments at most".to_owned(),
        );
    }
    changes
        .sort_by(|a, b| (a.class, &a.pointer, &a.message).cmp(&(b.class, &b.pointer, &b.message)));
    changes
}

/// Whether `old` and `new` differ in a documentation key of a place both
/// have (what was added or removed is reported by its own rule).
fn docs_differ(old: &Value, new: &Value) -> bool {
    docs_differ_in(old, new, false)
}

fn docs_differ_in(old: &Value, new: &Value, names: bool) -> bool {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => a.iter().any(|(key, before)| {
            b.get(key).is_some_and(|after| {
                if !names && DOCS.contains(&key.as_str()) {
                    before != after
                } else {
                    docs_differ_in(before, after, !names && key == "properties")
                }
            })
        }),
        (Value::Array(a), Value::Array(b)) => a
            .iter()
            .zip(b)
            .any(|(before, after)| docs_differ_in(before, after, false)),
        _ => false,
    }
}

fn message(changes: &mut Vec<Change>, old: &Value, new: &Value, at: &str) {
    if old.get("payload") != new.get("payload") {
        push(
            changes,
            Rule::StreamTypeChanged,
            format!("{at}/payload"),
            "the message's payload changes: it decodes into another type".to_owned(),
        );
    }
    for (role, effect) in [
        (
            "x-etna-latest-by",
            "which of these messages a slow consumer may skip",
        ),
        (
            "x-etna-identity",
            "what identifies the thing a message describes (`Event::identity`)",
        ),
    ] {
        if old.get(role) != new.get(role) {
            push(
                changes,
                Rule::StreamRoleChanged,
                format!("{at}/{role}"),
                format!("`{role}` changes: {effect}"),
            );
        }
    }
    let rest = |v: &Value| {
        let mut map = object(&stripped(v));
        map.remove("payload");
        map.remove("x-etna-latest-by");
        map.remove("x-etna-identity");
        map
    };
    if rest(old) != rest(new) {
        push(
            changes,
            Rule::StreamProtocolChanged,
            at.to_owned(),
            "the message changes (headers, bindings or traits)".to_owned(),
        );
    }
}

/// Keys of a schema whose change changes its Rust type.
const TYPE_KEYS: &[&str] = &["type", "format", "$ref", "contentMediaType"];

fn schema(changes: &mut Vec<Change>, old: &Value, new: &Value, at: &str) {
    for key in TYPE_KEYS {
        if old.get(key) != new.get(key) {
            push(
                changes,
                Rule::StreamTypeChanged,
                format!("{at}/{key}"),
                format!(
                    "`{key}` changes from {} to {}: the field's type or reading changes",
                    old.get(key).unwrap_or(&Value::Null),
                    new.get(key).unwrap_or(&Value::Null)
                ),
            );
        }
    }
    for key in ["x-etna-json-text", "items", "additionalProperties"] {
        match (old.get(key), new.get(key)) {
            (Some(before), Some(after)) if stripped(before) != stripped(after) => {
                schema(changes, before, after, &format!("{at}/{key}"))
            }
            (None, None) | (Some(_), Some(_)) => {}
            _ => push(
                changes,
                Rule::StreamTypeChanged,
                format!("{at}/{key}"),
                format!("`{key}` is added or removed: the type changes"),
            ),
        }
    }
    if old.get("const") != new.get("const") {
        push(
            changes,
            Rule::StreamConstChanged,
            format!("{at}/const"),
            format!(
                "`const` changes from {} to {}",
                old.get("const").unwrap_or(&Value::Null),
                new.get("const").unwrap_or(&Value::Null)
            ),
        );
    }
    let values = |v: &Value| -> Vec<Value> {
        v.get("enum")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (old_values, new_values) = (values(old), values(new));
    for value in old_values.iter().filter(|v| !new_values.contains(v)) {
        push(
            changes,
            Rule::StreamEnumValueRemoved,
            format!("{at}/enum"),
            format!("{value} is no longer listed: its variant disappears"),
        );
    }
    for value in new_values.iter().filter(|v| !old_values.contains(v)) {
        push(
            changes,
            Rule::StreamEnumValueAdded,
            format!("{at}/enum"),
            format!("{value} is listed: a new variant"),
        );
    }
    for role in SCHEMA_ROLES {
        if old.get(role) != new.get(role) {
            push(
                changes,
                Rule::StreamRoleChanged,
                format!("{at}/{role}"),
                format!(
                    "`{role}` changes: the streaming runtime reads or writes this schema otherwise"
                ),
            );
        }
    }
    let required = |v: &Value| -> BTreeSet<String> {
        v.get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let (old_required, new_required) = (required(old), required(new));
    let (olds, news) = (object(&old["properties"]), object(&new["properties"]));
    for (name, before) in &olds {
        let here = format!("{at}/properties/{}", escape(name));
        match news.get(name) {
            None => push(
                changes,
                Rule::StreamPropertyRemoved,
                here,
                format!("`{name}` is gone: its field disappears"),
            ),
            Some(after) => {
                if stripped(before) != stripped(after) {
                    schema(changes, before, after, &here);
                }
                if old_required.contains(name) != new_required.contains(name) {
                    let now = if new_required.contains(name) {
                        "required: its field loses `Option`"
                    } else {
                        "optional: its field becomes an `Option`"
                    };
                    push(
                        changes,
                        Rule::StreamRequiredChanged,
                        here,
                        format!("`{name}` becomes {now}"),
                    );
                }
            }
        }
    }
    for name in news.keys().filter(|n| !olds.contains_key(*n)) {
        push(
            changes,
            Rule::StreamPropertyAdded,
            format!("{at}/properties/{}", escape(name)),
            format!("`{name}` is new: a new field"),
        );
    }
    // Whatever else changed in this schema node (a constraint, another
    // keyword): no rule above explains it, so it counts as a type change.
    let handled: BTreeSet<&str> = TYPE_KEYS
        .iter()
        .chain(SCHEMA_ROLES)
        .copied()
        .chain([
            "x-etna-json-text",
            "items",
            "additionalProperties",
            "const",
            "enum",
            "required",
            "properties",
        ])
        .collect();
    let rest = |v: &Value| {
        let mut map = object(&stripped(v));
        map.retain(|k, _| !handled.contains(k.as_str()));
        map
    };
    if rest(old) != rest(new) {
        push(
            changes,
            Rule::StreamTypeChanged,
            at.to_owned(),
            "a keyword of the schema changes: the generated type may change".to_owned(),
        );
    }
}

/// The messages a channel (a map) or an operation (a list of `$ref`s)
/// lists, as comparable texts.
fn listed(node: &Value) -> BTreeSet<String> {
    match node.get("messages") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(key, item)| {
                let target = item.get("$ref").and_then(Value::as_str).unwrap_or_default();
                format!("{key} ({target})")
            })
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.get("$ref")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect(),
        _ => BTreeSet::new(),
    }
}

fn protocol(
    changes: &mut Vec<Change>,
    docs: &mut Vec<String>,
    old: &Value,
    new: &Value,
    section: &str,
) {
    let (olds, news) = (object(&old[section]), object(&new[section]));
    for name in olds.keys().chain(news.keys()).collect::<BTreeSet<_>>() {
        let here = format!("#/{section}/{}", escape(name));
        let (before, after) = (
            olds.get(name).unwrap_or(&Value::Null),
            news.get(name).unwrap_or(&Value::Null),
        );
        if before == after {
            continue;
        }
        let without_messages = |v: &Value| {
            let mut map = object(&stripped(v));
            map.remove("messages");
            map
        };
        if before.is_null() {
            push(
                changes,
                Rule::StreamProtocolAdded,
                here.clone(),
                format!("`{name}` of `{section}` is new: the client can reach more"),
            );
        } else if after.is_null() || without_messages(before) != without_messages(after) {
            push(
                changes,
                Rule::StreamProtocolChanged,
                here.clone(),
                format!("`{name}` of `{section}` changes: the client connects or routes otherwise"),
            );
        }
        let (old_listed, new_listed) = (listed(before), listed(after));
        for message in old_listed.difference(&new_listed) {
            push(
                changes,
                Rule::StreamMessageRemoved,
                format!("{here}/messages"),
                format!("no longer lists `{message}`"),
            );
        }
        for message in new_listed.difference(&old_listed) {
            push(
                changes,
                Rule::StreamMessageAdded,
                format!("{here}/messages"),
                format!("lists `{message}`"),
            );
        }
        if !before.is_null() && !after.is_null() && docs_differ(before, after) {
            docs.push(here);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::Class;

    /// A base older than the streaming document (`cargo xtask drift --base`
    /// from before it existed) compares nothing with the whole document:
    /// everything in it is new, nothing a caller used can break.
    #[test]
    fn a_document_where_there_was_none_is_only_new() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../openapi/etna-streaming.yaml"
        ))
        .expect("the streaming document");
        let new: Value = serde_yaml_ng::from_str(&text).expect("it parses");
        let changes = diff_streaming(&Value::Null, &new);
        assert!(
            changes
                .iter()
                .any(|c| c.rule == Rule::StreamProtocolAdded && c.pointer == "#"),
            "{changes:#?}"
        );
        let not_new: Vec<_> = changes
            .iter()
            .filter(|c| c.class != Class::Compatible)
            .collect();
        assert!(not_new.is_empty(), "{not_new:#?}");
    }
}
