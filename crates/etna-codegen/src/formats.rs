//! The spec's value formats, marked for typify before generation as
//! `secrets.rs` marks `format: password`: every `type: number, format:
//! decimal` schema becomes `etna_client::Decimal` (every digit kept), every
//! `type: string, format: date-time` schema `etna_client::Timestamp` (the
//! spec's "no date" reads as `None`). No list of fields is kept in Rust: a
//! new money field needs nothing but its `format`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::preflight::Problem;

/// The root extension that names the date-time meaning "no date".
const NO_DATE_EXTENSION: &str = "x-etna-no-date";
/// The one "no date" `etna_client::Timestamp` knows (its `NO_DATE`, .NET's
/// `DateTime.MinValue`); a spec naming another fails generation.
const CLIENT_NO_DATE: &str = "0001-01-01T00:00:00Z";

/// Where the walk found each format.
#[derive(Default)]
struct Found {
    dates: Vec<String>,
    decimals: Vec<String>,
}

/// Marks decimals and date-times. Problems, at their pointers: a date-time
/// in a spec whose `x-etna-no-date` is missing or another value, and a
/// decimal inside a `oneOf`/`anyOf` (serde reads those from a buffer where
/// the number is already an `f64`).
pub(crate) fn mark_formats(spec: &mut Value) -> Vec<Problem> {
    let mut found = Found::default();
    mark(spec, &mut String::new(), &mut found);
    let mut problems = buffered_decimals(spec, &found.decimals);
    problems.extend(no_date_problems(spec, &found.dates));
    problems
}

/// The decimals serde would read through `f64`: under a `oneOf` or `anyOf`,
/// directly or in a component one refers to (transitively).
fn buffered_decimals(spec: &Value, decimals: &[String]) -> Vec<Problem> {
    let mut pending = Vec::new();
    under_alternatives(spec, false, &mut pending);
    let mut buffered = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if buffered.insert(name.clone()) {
            let at = format!("/components/schemas/{}", etna_spec::pointer::escape(&name));
            if let Some(schema) = spec.pointer(&at) {
                refs_in(schema, &mut pending);
            }
        }
    }
    decimals
        .iter()
        .filter(|pointer| {
            pointer.contains("/oneOf/")
                || pointer.contains("/anyOf/")
                || pointer
                    .strip_prefix("/components/schemas/")
                    .and_then(|rest| rest.split('/').next())
                    .is_some_and(|name| buffered.contains(&etna_spec::pointer::unescape(name)))
        })
        .map(|pointer| Problem {
            pointer: format!("#{pointer}"),
            message: "a `format: decimal` under a `oneOf`/`anyOf` (here or in a schema one \
                      refers to) would be read through an `f64` and lose digits: the client \
                      cannot keep them there"
                .to_owned(),
        })
        .collect()
}

/// The components referred to from inside any `oneOf`/`anyOf`.
fn under_alternatives(value: &Value, inside: bool, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if inside
                && let Some(Value::String(target)) = map.get("$ref")
                && let Some(name) = target.strip_prefix("#/components/schemas/")
            {
                out.push(etna_spec::pointer::unescape(name));
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "example" | "examples") {
                    let inside = inside || matches!(key.as_str(), "oneOf" | "anyOf");
                    under_alternatives(child, inside, out);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| under_alternatives(item, inside, out)),
        _ => {}
    }
}

fn refs_in(value: &Value, out: &mut Vec<String>) {
    under_alternatives(value, true, out);
}

fn no_date_problems(spec: &Value, dates: &[String]) -> Vec<Problem> {
    let Some(first) = dates.first() else {
        return Vec::new();
    };
    match spec.get(NO_DATE_EXTENSION) {
        Some(Value::String(text)) if text == CLIENT_NO_DATE => Vec::new(),
        Some(other) => vec![Problem {
            pointer: format!("#/{NO_DATE_EXTENSION}"),
            message: format!(
                "`{NO_DATE_EXTENSION}: {other}`: the client reads only `{CLIENT_NO_DATE}` as \"no date\" \
                 (etna_client::NO_DATE); change etna_client::Timestamp with it"
            ),
        }],
        None => vec![Problem {
            pointer: format!("#{first}"),
            message: format!(
                "a `format: date-time` needs the root `{NO_DATE_EXTENSION}` (the client reads \
                 `{CLIENT_NO_DATE}` as \"no date\"); add `{NO_DATE_EXTENSION}: \"{CLIENT_NO_DATE}\"` \
                 if the API means that"
            ),
        }],
    }
}

fn mark(value: &mut Value, pointer: &mut String, found: &mut Found) {
    match value {
        Value::Object(map) => {
            let kind = map.get("type").and_then(Value::as_str);
            let format = map.get("format").and_then(Value::as_str);
            let path = match (kind, format) {
                (Some("number"), Some("decimal")) => {
                    found.decimals.push(pointer.clone());
                    Some("etna_client::Decimal")
                }
                (Some("string"), Some("date-time")) => {
                    found.dates.push(pointer.clone());
                    Some("etna_client::Timestamp")
                }
                _ => None,
            };
            if let Some(path) = path {
                map.insert(
                    "x-rust-type".to_owned(),
                    json!({"crate": "etna-client", "version": "*", "path": path}),
                );
            }
            for (key, child) in map.iter_mut() {
                // Examples are values, not schemas.
                if matches!(key.as_str(), "example" | "examples") {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&etna_spec::pointer::escape(key));
                mark(child, pointer, found);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{index}"));
                mark(item, pointer, found);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(no_date: Option<&str>) -> Value {
        let mut spec = json!({
            "components": {"schemas": {"Order": {"type": "object", "properties": {
                "Price": {"type": "number", "format": "decimal"},
                "Ratio": {"type": "number"},
                "SettDate": {"type": "string", "format": "date-time"},
                "Name": {"type": "string"}
            }, "example": {"Price": {"type": "number", "format": "decimal"}}}}}
        });
        if let Some(no_date) = no_date {
            spec["x-etna-no-date"] = json!(no_date);
        }
        spec
    }

    #[test]
    fn marks_decimals_and_dates_and_nothing_else() {
        let mut spec = spec(Some(CLIENT_NO_DATE));
        assert!(mark_formats(&mut spec).is_empty());
        let props = &spec["components"]["schemas"]["Order"]["properties"];
        assert_eq!(
            props["Price"]["x-rust-type"]["path"],
            "etna_client::Decimal"
        );
        assert_eq!(
            props["SettDate"]["x-rust-type"]["path"],
            "etna_client::Timestamp"
        );
        assert!(props["Ratio"].get("x-rust-type").is_none());
        assert!(props["Name"].get("x-rust-type").is_none());
        let example = &spec["components"]["schemas"]["Order"]["example"]["Price"];
        assert!(example.get("x-rust-type").is_none());
    }

    #[test]
    fn a_decimal_under_a_one_of_is_refused_here_or_behind_a_reference() {
        let mut spec = json!({"components": {"schemas": {
            "Either": {"oneOf": [
                {"$ref": "#/components/schemas/Priced"},
                {"type": "number", "format": "decimal"}
            ]},
            "Priced": {"type": "object", "properties": {
                "Price": {"type": "number", "format": "decimal"}
            }},
            "Alone": {"type": "object", "properties": {
                "Price": {"type": "number", "format": "decimal"}
            }}
        }}});
        let pointers: Vec<String> = mark_formats(&mut spec)
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "#/components/schemas/Either/oneOf/1",
                "#/components/schemas/Priced/properties/Price"
            ]
        );
    }

    #[test]
    fn a_date_needs_the_no_date_the_client_knows() {
        let problems = mark_formats(&mut spec(None));
        assert_eq!(
            problems[0].pointer,
            "#/components/schemas/Order/properties/SettDate"
        );
        let problems = mark_formats(&mut spec(Some("1970-01-01T00:00:00Z")));
        assert_eq!(problems[0].pointer, "#/x-etna-no-date");
        assert!(
            problems[0].message.contains("1970"),
            "{}",
            problems[0].message
        );
    }
}
