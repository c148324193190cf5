//! Everything the rules did not explain: documentation, a few spec-level
//! fields, and a warning for whatever no rule covers, so that a change is
//! never silently left out.

use etna_spec::METHODS;
use etna_spec::pointer::{self, push};
use serde_json::Value;

use crate::Ctx;
use crate::change::{Change, operation_of};
use crate::extensions::users;
use crate::rules::Rule;

/// The component sections whose entries generate nothing by themselves: an
/// entry matters through the operations that refer to it, which the
/// operation rules compare with every `$ref` followed. (Schemas become types
/// and security schemes have rules of their own.)
const REFERRED: &[&str] = &[
    "parameters",
    "requestBodies",
    "responses",
    "headers",
    "links",
    "callbacks",
];

/// Keys whose values document and never change the generated code's behaviour.
const DOCS: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "externalDocs",
    "title",
    "tags",
];

/// Keys whose object values map user-chosen names (which may be `description`
/// or `title`) to definitions.
const NAMED_MAPS: &[&str] = &[
    "paths",
    "properties",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "content",
    "variables",
    "links",
    "callbacks",
    "encoding",
    "mapping",
];

pub(crate) fn compare(ctx: &mut Ctx) {
    let (Ok(old), Ok(new)) = (serde_json::to_value(ctx.old), serde_json::to_value(ctx.new)) else {
        return;
    };
    let mut found = Vec::new();
    walk(Some(&old), Some(&new), "#".to_owned(), false, &mut found);
    for (pointer, docs) in found
        .into_iter()
        .flat_map(|(pointer, docs)| by_entry(&old, &new, pointer, docs))
    {
        if let Some(change) = classify(ctx, &pointer, docs, &old, &new) {
            ctx.push(change);
        }
    }
}

/// Collects the places where the two values differ: `(pointer, is_docs)`.
fn walk(
    old: Option<&Value>,
    new: Option<&Value>,
    at: String,
    names: bool,
    out: &mut Vec<(String, bool)>,
) {
    if old == new {
        return;
    }
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = push(&at, key);
                if !names && DOCS.contains(&key.as_str()) {
                    if a.get(key) != b.get(key) {
                        out.push((child, true));
                    }
                } else {
                    let child_names = !names && NAMED_MAPS.contains(&key.as_str());
                    walk(a.get(key), b.get(key), child, child_names, out);
                }
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(Some(x), Some(y), push(&at, &i.to_string()), false, out);
            }
        }
        _ => out.push((at, false)),
    }
}

/// A whole section of `REFERRED` that one side lacks, as one place per
/// entry that differs, so that each entry is judged by its own users.
fn by_entry(old: &Value, new: &Value, at: String, docs: bool) -> Vec<(String, bool)> {
    match pointer::tokens(&at).as_slice() {
        [components, section]
            if components == "components" && REFERRED.contains(&section.as_str()) =>
        {
            let entries = |spec: &Value| {
                pointer::resolve_local(spec, &at)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default()
            };
            let (a, b) = (entries(old), entries(new));
            let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
            names.sort();
            names.dedup();
            names
                .into_iter()
                .filter(|name| a.get(*name) != b.get(*name))
                .map(|name| (push(&at, name), docs))
                .collect()
        }
        _ => vec![(at, docs)],
    }
}

/// For a place inside an entry of a `REFERRED` section: nothing when only
/// added or removed operations refer to it (their `operation-added` or
/// `operation-removed` says it), `unused-component` when none does; `None`
/// when the entry is used, so that the place is judged as any other.
fn through_users(pointer: &str, old: &Value, new: &Value) -> Option<Option<Change>> {
    let tokens = pointer::tokens(pointer);
    let [components, section, name, ..] = tokens.as_slice() else {
        return None;
    };
    if components != "components" || !REFERRED.contains(&section.as_str()) {
        return None;
    }
    let entry = pointer::join(&[components, section, name]);
    let (was, is) = (users(old, &entry), users(new, &entry));
    if was.is_empty() && is.is_empty() {
        let detail = format!(
            "`{name}` of `components/{section}` changes, and no operation refers to it: no generated code changes"
        );
        return Some(Some(Change::new(
            Rule::UnusedComponent,
            None,
            pointer,
            detail,
        )));
    }
    let kept = |label: &String| {
        let exists = |spec: &Value| {
            etna_spec::operations(spec)
                .iter()
                .any(|op| &format!("{} {}", op.method, op.path) == label)
        };
        exists(old) && exists(new)
    };
    if !was.iter().chain(&is).any(kept) {
        return Some(None);
    }
    None
}

fn covered(ctx: &Ctx, pointer: &str) -> bool {
    let related = |p: &str| {
        p == pointer
            || pointer
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
            || p.strip_prefix(pointer)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    ctx.changes
        .iter()
        .any(|c| related(&c.pointer) || c.covers.iter().any(|p| related(p)))
}

fn classify(ctx: &Ctx, pointer: &str, docs: bool, old: &Value, new: &Value) -> Option<Change> {
    let operation = operation_of(pointer);
    let operation = operation.as_deref();
    let key = pointer.rsplit('/').next().unwrap_or_default();
    if pointer == "#/info/version" {
        let show = |v: &Value| {
            v.pointer("/info/version")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let detail = format!(
            "the document's version changes from `{}` to `{}`: the generated `Client::api_version()` returns it; etna-client does not send it (the `{{version}}` path segment is separate)",
            show(old),
            show(new)
        );
        return Some(Change::new(Rule::InfoVersionChanged, None, pointer, detail));
    }
    if docs || pointer.starts_with("#/info/") || pointer.starts_with("#/components/examples/") {
        let what = match key {
            "example" | "examples" => {
                "an example changes: documentation only (the workspace's example snapshots show the new values)"
            }
            "tags" => {
                "tags change: documentation only (the client merges all tags into one `Client`)"
            }
            _ => "documentation changes: the generated doc comments change, the code does not",
        };
        return Some(Change::new(
            Rule::Docs,
            operation,
            pointer,
            format!("`{key}`: {what}"),
        ));
    }
    if covered(ctx, pointer) {
        return None;
    }
    if let Some(verdict) = through_users(pointer, old, new) {
        return verdict;
    }
    let in_servers = match pointer::tokens(pointer).as_slice() {
        [top, ..] if top == "servers" => true,
        [paths, _, key, ..] if paths == "paths" && key == "servers" => true,
        [paths, _, method, key, ..] => {
            paths == "paths" && METHODS.contains(&method.as_str()) && key == "servers"
        }
        _ => false,
    };
    if in_servers {
        // What the server rules did not explain: the root variable, its
        // default, servers after the first.
        let detail = "a part of `servers` the client does not read changes (the API root's variable or its default, or a server after the first): callers pass the API root to `Client::new`, so nothing in the crate changes; check the URL your services configure";
        return Some(Change::new(
            Rule::ServersChanged,
            operation,
            pointer,
            detail,
        ));
    }
    let detail = format!(
        "`{key}` changed in a way `cargo xtask drift` has no rule for: review it by hand (and add a rule and a corpus case under tests/drift/)"
    );
    Some(Change::new(Rule::Unclassified, operation, pointer, detail))
}
