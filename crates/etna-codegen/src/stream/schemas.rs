//! The AsyncAPI document's schemas as typify reads them: every value the
//! streamers send is a JSON string whose `format` says what it holds, so
//! each gets the client type that reads that text (typify's `x-rust-type`),
//! as `formats.rs` and `secrets.rs` do for the REST document:
//!
//! | schema | type |
//! |---|---|
//! | `type: string, format: decimal` (or `type: number, format: decimal`) | `etna_client::Decimal` |
//! | `type: string, format: unix-time-ms` | `etna_client::Timestamp` |
//! | `type: string, format: int32` / `int64` | `etna_client::Text<i32>` / `Text<i64>` |
//! | `type: string, format: boolean` | `etna_client::Text<bool>` |
//! | `type: string, format: password` | `etna_client::Secret` |
//! | `type: string, contentMediaType: application/json, x-etna-json-text: {$ref}` | `etna_client::JsonText<T>` |
//! | `$ref` to a string enum of the REST document | `etna_client::Open<etna_client::types::E>` |
//! | `$ref` to a string enum of this document | `etna_client::Open<E>` (closed `E` in what is only sent) |
//!
//! Anything else with a `format`, a number or integer or boolean that is
//! not text, a `oneOf`/`anyOf`/`allOf` (serde would buffer it, and a
//! decimal number there through `f64`), an inline enum (an open enum needs
//! a name) and a cross-document reference to anything but a REST string
//! enum fail generation at their pointers.

use std::collections::BTreeSet;

use etna_spec::pointer::escape;
use serde_json::{Map, Value, json};

use super::document::{Doc, schema_name};
use crate::preflight::Problem;

/// The extension holding the schema of a JSON text's content.
pub(super) const JSON_TEXT: &str = "x-etna-json-text";

fn rust_type(path: &str, parameters: Vec<Value>) -> Value {
    let mut extension = json!({"crate": "etna-client", "version": "*", "path": path});
    if !parameters.is_empty() {
        extension["parameters"] = Value::Array(parameters);
    }
    json!({"x-rust-type": extension})
}

/// A string enum's listed values, when `schema` is one.
pub(super) fn string_enum(schema: &Value) -> Option<Vec<String>> {
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    Some(
        schema
            .get("enum")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// The component schemas received messages reach (their payloads, and
/// what those refer to, the content of a JSON text included).
pub(super) fn received(value: &Value, doc: &Doc) -> BTreeSet<String> {
    let mut reached = BTreeSet::new();
    let mut pending: Vec<String> = doc.received_payloads().map(str::to_owned).collect();
    while let Some(name) = pending.pop() {
        if reached.insert(name.clone())
            && let Some(schema) = value.pointer(&format!("/components/schemas/{}", escape(&name)))
        {
            refs_in(schema, &mut pending);
        }
    }
    reached
}

fn refs_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_name)
            {
                out.push(name);
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "examples" | "example") {
                    refs_in(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs_in(item, out)),
        _ => {}
    }
}

/// Every component schema, marked for typify, and what cannot be marked.
pub(super) fn for_typify(
    value: &Value,
    doc: &Doc,
    documents: &mut etna_spec::Documents,
) -> (Vec<(String, Value)>, Vec<Problem>) {
    let received = received(value, doc);
    let mut walk = Walk {
        spec: value,
        documents,
        problems: Vec::new(),
        first_date: None,
    };
    let mut out = Vec::new();
    let Some(Value::Object(schemas)) = value.pointer("/components/schemas") else {
        return (out, walk.problems);
    };
    for (name, schema) in schemas {
        let at = format!("#/components/schemas/{}", escape(name));
        let open = received.contains(name);
        // A component enum itself stays an enum: it is its references that
        // become open.
        let marked = if string_enum(schema).is_some() {
            schema.clone()
        } else {
            walk.schema(schema, &at, open, true)
        };
        out.push((name.clone(), marked));
    }
    if let Some(at) = walk.first_date.take() {
        no_date_problem(value, &at, &mut walk.problems);
    }
    (out, walk.problems)
}

/// The text `Timestamp` reads as "no date" among milliseconds: the REST
/// side's `0001-01-01T00:00:00Z` (`etna_client::NO_DATE`).
const CLIENT_NO_DATE_MS: &str = "-62135596800000";

/// A `unix-time-ms` property needs the root `x-etna-no-date` to say what
/// the client reads as "no date", as a REST `date-time` does.
fn no_date_problem(spec: &Value, first_date: &str, problems: &mut Vec<Problem>) {
    let problem = match spec.get("x-etna-no-date") {
        Some(Value::String(text)) if text == CLIENT_NO_DATE_MS => return,
        Some(other) => Problem {
            pointer: "#/x-etna-no-date".to_owned(),
            message: format!(
                "`x-etna-no-date: {other}`: the client reads only `{CLIENT_NO_DATE_MS}` as \"no \
                 date\" among milliseconds (etna_client::NO_DATE); change etna_client::Timestamp \
                 with it"
            ),
        },
        None => Problem {
            pointer: first_date.to_owned(),
            message: format!(
                "a `format: unix-time-ms` needs the root `x-etna-no-date` (the client reads \
                 `{CLIENT_NO_DATE_MS}` as \"no date\"); add `x-etna-no-date: \
                 \"{CLIENT_NO_DATE_MS}\"` if the API means that"
            ),
        },
    };
    problems.push(problem);
}

struct Walk<'a> {
    spec: &'a Value,
    documents: &'a mut etna_spec::Documents,
    problems: Vec<Problem>,
    /// Where the first `unix-time-ms` property is, for the no-date check.
    first_date: Option<String>,
}

impl Walk<'_> {
    fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// `schema` at `at` for typify; `open`: an answer can hold it (enums
    /// open); `top`: a component itself (a named enum is allowed).
    fn schema(&mut self, schema: &Value, at: &str, open: bool, top: bool) -> Value {
        let mut marked = self.mark(schema, at, open, top);
        // A replaced schema keeps its description: the field's doc comment.
        if let (Some(description), Value::Object(out)) = (schema.get("description"), &mut marked)
            && out.contains_key("x-rust-type")
        {
            out.insert("description".to_owned(), description.clone());
        }
        marked
    }

    fn mark(&mut self, schema: &Value, at: &str, open: bool, top: bool) -> Value {
        let Value::Object(map) = schema else {
            return schema.clone();
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            return self.reference(reference, at, open);
        }
        for alternative in ["oneOf", "anyOf", "allOf", "not"] {
            if map.contains_key(alternative) {
                self.problem(
                    &format!("{at}/{alternative}"),
                    format!(
                        "`{alternative}` in a streaming message: serde would read it from a \
                         buffer (a decimal through an `f64`); describe one object with optional \
                         properties instead"
                    ),
                );
                return schema.clone();
            }
        }
        if map.contains_key("enum") && !top {
            self.problem(
                at,
                "an inline enum in a streaming message: move it to `#/components/schemas` and \
                 refer to it (an open enum needs a name)",
            );
            return schema.clone();
        }
        let kind = map.get("type").and_then(Value::as_str);
        let format = map.get("format").and_then(Value::as_str);
        match (kind, format) {
            (Some("object"), None) => {
                let mut out = map.clone();
                if let Some(Value::Object(properties)) = map.get("properties") {
                    let mut marked = Map::new();
                    for (name, property) in properties {
                        let here = format!("{at}/properties/{}", escape(name));
                        marked.insert(name.clone(), self.schema(property, &here, open, false));
                    }
                    out.insert("properties".to_owned(), Value::Object(marked));
                }
                if let Some(extra) = map.get("additionalProperties")
                    && extra.is_object()
                {
                    let here = format!("{at}/additionalProperties");
                    out.insert(
                        "additionalProperties".to_owned(),
                        self.schema(extra, &here, open, false),
                    );
                }
                Value::Object(out)
            }
            (Some("array"), None) => {
                let mut out = map.clone();
                if let Some(items) = map.get("items") {
                    let here = format!("{at}/items");
                    out.insert("items".to_owned(), self.schema(items, &here, open, false));
                }
                Value::Object(out)
            }
            (Some("string"), _) if map.contains_key("contentMediaType") => {
                self.json_text(map, at, open)
            }
            (Some("string"), None) => schema.clone(),
            (Some("string"), Some(format)) => match format {
                "decimal" => rust_type("etna_client::Decimal", vec![]),
                "unix-time-ms" => {
                    self.first_date.get_or_insert_with(|| at.to_owned());
                    rust_type("etna_client::Timestamp", vec![])
                }
                "int32" | "int64" => rust_type(
                    "etna_client::Text",
                    vec![json!({"type": "integer", "format": format})],
                ),
                "boolean" => rust_type("etna_client::Text", vec![json!({"type": "boolean"})]),
                "password" => rust_type("etna_client::Secret", vec![]),
                other => {
                    self.problem(
                        &format!("{at}/format"),
                        format!(
                            "`format: {other}` on a string: the client reads `decimal`, \
                             `unix-time-ms`, `int32`, `int64`, `boolean` and `password` \
                             (etna-codegen's stream/schemas.rs); add the reading there"
                        ),
                    );
                    schema.clone()
                }
            },
            (Some("number"), Some("decimal")) => rust_type("etna_client::Decimal", vec![]),
            (Some(kind @ ("number" | "integer" | "boolean")), format) => {
                self.problem(
                    at,
                    format!(
                        "`type: {kind}`{}: the streamers send values as text, and a number \
                         must be exact; write `type: string` with a `format` (`decimal`, \
                         `int32`, `int64`, `boolean`), or `type: number, format: decimal` \
                         inside a JSON text",
                        format
                            .map(|f| format!(", `format: {f}`"))
                            .unwrap_or_default()
                    ),
                );
                schema.clone()
            }
            (kind, format) => {
                self.problem(
                    at,
                    format!(
                        "a schema of `type: {}`{}: the generator reads objects, arrays, \
                         strings and decimal numbers",
                        kind.unwrap_or("(none)"),
                        format
                            .map(|f| format!(", `format: {f}`"))
                            .unwrap_or_default()
                    ),
                );
                schema.clone()
            }
        }
    }

    fn reference(&mut self, reference: &str, at: &str, open: bool) -> Value {
        let here = format!("{at}/$ref");
        if let Some(name) = schema_name(reference) {
            let Some(target) = self
                .spec
                .pointer(&format!("/components/schemas/{}", escape(&name)))
            else {
                self.problem(&here, format!("`{reference}` refers to nothing"));
                return json!({});
            };
            return if open && string_enum(target).is_some() {
                json!({"type": "string", "x-rust-type": {
                    "crate": "etna-client", "version": "*", "path": "etna_client::Open",
                    "parameters": [{"$ref": reference}]
                }})
            } else {
                json!({"$ref": reference})
            };
        }
        let Some(external) = etna_spec::external(reference) else {
            self.problem(
                &here,
                format!(
                    "`{reference}`: only `#/components/schemas/<name>` and a REST enum are read"
                ),
            );
            return json!({});
        };
        let rest_name = match etna_spec::component(external.fragment) {
            Some((section, name)) if section == "schemas" => name,
            _ => {
                self.problem(
                    &here,
                    format!(
                        "`{reference}`: a reference to another document must name one of its \
                         `#/components/schemas`"
                    ),
                );
                return json!({});
            }
        };
        let target = match self.documents.resolve(reference) {
            Ok(target) => target.clone(),
            Err(e) => {
                self.problem(&here, e.to_string());
                return json!({});
            }
        };
        if string_enum(&target).is_none() {
            self.problem(
                &here,
                format!(
                    "`{reference}` is no string enum: the streaming types reuse only the REST \
                     document's enums (as `etna_client::types::{rest_name}`)"
                ),
            );
            return json!({});
        }
        let path = format!(
            "etna_client::types::{}",
            heck::ToUpperCamelCase::to_upper_camel_case(rest_name.as_str())
        );
        if open {
            json!({"type": "string", "x-rust-type": {
                "crate": "etna-client", "version": "*", "path": "etna_client::Open",
                "parameters": [rust_type(&path, vec![])]
            }})
        } else {
            rust_type(&path, vec![])
        }
    }

    fn json_text(&mut self, map: &Map<String, Value>, at: &str, open: bool) -> Value {
        let media = map.get("contentMediaType").and_then(Value::as_str);
        if media != Some("application/json") {
            self.problem(
                &format!("{at}/contentMediaType"),
                "only `application/json` text is read inside a string",
            );
            return Value::Object(map.clone());
        }
        let Some(content) = map.get(JSON_TEXT) else {
            self.problem(
                at,
                format!(
                    "JSON text inside a string needs `{JSON_TEXT}`: the schema of its content \
                     (a `$ref`), which the client reads it as"
                ),
            );
            return Value::Object(map.clone());
        };
        let here = format!("{at}/{JSON_TEXT}");
        let inner = self.schema(content, &here, open, false);
        rust_type("etna_client::JsonText", vec![inner])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(property: Value) -> (Value, Vec<Problem>) {
        let spec = json!({"x-etna-no-date": CLIENT_NO_DATE_MS, "components": {"schemas": {
            "M": {"type": "object", "properties": {"P": property}},
            "E": {"type": "string", "enum": ["A"]}
        }}});
        let doc = Doc::default();
        let mut documents = etna_spec::Documents::new(std::path::Path::new("."));
        let (schemas, problems) = for_typify(&spec, &doc, &mut documents);
        let m = schemas.into_iter().find(|(n, _)| n == "M").unwrap().1;
        (m["properties"]["P"].clone(), problems)
    }

    #[test]
    fn each_format_names_the_client_type_that_reads_its_text() {
        for (format, path) in [
            ("decimal", "etna_client::Decimal"),
            ("unix-time-ms", "etna_client::Timestamp"),
            ("int32", "etna_client::Text"),
            ("boolean", "etna_client::Text"),
            ("password", "etna_client::Secret"),
        ] {
            let (marked, problems) = mark(json!({"type": "string", "format": format}));
            assert!(problems.is_empty(), "{format}");
            assert_eq!(marked["x-rust-type"]["path"], path, "{format}");
        }
        let (plain, _) = mark(json!({"type": "string", "description": "d"}));
        assert_eq!(plain, json!({"type": "string", "description": "d"}));
    }

    #[test]
    fn what_the_client_cannot_read_exactly_is_a_problem_at_its_pointer() {
        for (property, pointer) in [
            (
                json!({"type": "string", "format": "uuid"}),
                "#/components/schemas/M/properties/P/format",
            ),
            (
                json!({"type": "number"}),
                "#/components/schemas/M/properties/P",
            ),
            (
                json!({"oneOf": [{"type": "number", "format": "decimal"}]}),
                "#/components/schemas/M/properties/P/oneOf",
            ),
            (
                json!({"type": "string", "enum": ["x"]}),
                "#/components/schemas/M/properties/P",
            ),
            (
                json!({"type": "string", "contentMediaType": "application/json"}),
                "#/components/schemas/M/properties/P",
            ),
            (
                json!({"$ref": "other.yaml#/paths"}),
                "#/components/schemas/M/properties/P/$ref",
            ),
        ] {
            let (_, problems) = mark(property.clone());
            assert_eq!(problems.len(), 1, "{property}");
            assert_eq!(problems[0].pointer, pointer, "{property}");
        }
    }
}
