//! Answers as JSON with every digit: a tree read from the client's exact
//! text (`etna_client::answer_json`), whose numbers keep their text and
//! whose objects keep their keys' order (the spec's, through the generated
//! types), since a `serde_json::Value` holds a number as an `f64` (the
//! documented balance `-0.05700775140829844330933239` would print with 17
//! digits) and sorts keys.

use std::fmt::Write;

use serde::Deserialize;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON value whose numbers are their text.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number as written, every digit.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Keys in the order written.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Reads JSON text; `None` when it is not JSON.
    pub fn parse(text: &str) -> Option<Self> {
        let raw: &RawValue = serde_json::from_str(text).ok()?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: &RawValue) -> Option<Self> {
        let text = raw.get().trim();
        Some(match text.as_bytes().first()? {
            b'{' => Json::Object(
                serde_json::from_str::<Entries<'_>>(text)
                    .ok()?
                    .0
                    .into_iter()
                    .map(|(key, value)| Some((key, Self::from_raw(value)?)))
                    .collect::<Option<_>>()?,
            ),
            b'[' => Json::Array(
                serde_json::from_str::<Vec<&RawValue>>(text)
                    .ok()?
                    .into_iter()
                    .map(Self::from_raw)
                    .collect::<Option<_>>()?,
            ),
            b'"' => Json::String(serde_json::from_str(text).ok()?),
            b'n' => Json::Null,
            b't' => Json::Bool(true),
            b'f' => Json::Bool(false),
            _ => Json::Number(text.to_owned()),
        })
    }

    /// The value of `key`, in an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value as a table cell: a string without its quotes, a number as
    /// written, `null` as nothing; an object or array as compact JSON.
    pub fn cell(&self) -> String {
        match self {
            Json::Null => String::new(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => n.clone(),
            Json::String(s) => s.clone(),
            other => other.compact(),
        }
    }

    /// Every string or number value of a property named in `secrets` (at
    /// any depth) replaced by `shown_as`; the whole value when `whole` and
    /// it is a string or number. The rule of `AnswerSecrets::redact`, on
    /// this tree.
    pub fn redacted(mut self, whole: bool, secrets: &[&str], shown_as: &str) -> Json {
        fn scalar(value: &Json) -> bool {
            matches!(value, Json::String(_) | Json::Number(_))
        }
        fn walk(value: &mut Json, secrets: &[&str], shown_as: &str) {
            match value {
                Json::Object(entries) => {
                    for (key, inner) in entries {
                        if scalar(inner) && secrets.contains(&key.as_str()) {
                            *inner = Json::String(shown_as.to_owned());
                        } else {
                            walk(inner, secrets, shown_as);
                        }
                    }
                }
                Json::Array(items) => items.iter_mut().for_each(|i| walk(i, secrets, shown_as)),
                _ => {}
            }
        }
        if whole && scalar(&self) {
            return Json::String(shown_as.to_owned());
        }
        walk(&mut self, secrets, shown_as);
        self
    }

    /// One line of JSON.
    pub fn compact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None, 0);
        out
    }

    /// JSON indented by two spaces, as `serde_json::to_string_pretty`.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(2), 0);
        out
    }

    fn write(&self, out: &mut String, indent: Option<usize>, depth: usize) {
        let newline = |out: &mut String, depth: usize| {
            if let Some(step) = indent {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', step * depth));
            }
        };
        let separator = if indent.is_some() { ": " } else { ":" };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Json::Number(n) => out.push_str(n),
            Json::String(s) => out.push_str(&quoted(s)),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(entries) if entries.is_empty() => out.push_str("{}"),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write(out, indent, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    out.push_str(&quoted(key));
                    out.push_str(separator);
                    value.write(out, indent, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
        }
    }
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// An object's entries in the order written, each value's text kept.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Seen<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Seen<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Entries<'a>, M::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, _: S) -> Result<Entries<'a>, S::Error> {
                Err(serde::de::Error::custom(
                    "an array where an object was expected",
                ))
            }
        }
        deserializer.deserialize_map(Seen(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_digit_and_the_key_order_are_kept() {
        let text = r#"{"z":-0.05700775140829844330933239,"a":[100.00000,1e-8,true,null],"m":{"s":"x\"y"}}"#;
        let json = Json::parse(text).unwrap();
        assert_eq!(json.compact(), text);
        assert_eq!(
            json.pretty(),
            "{\n  \"z\": -0.05700775140829844330933239,\n  \"a\": [\n    100.00000,\n    1e-8,\n    true,\n    null\n  ],\n  \"m\": {\n    \"s\": \"x\\\"y\"\n  }\n}"
        );
        assert_eq!(Json::parse("[]").unwrap().pretty(), "[]");
        assert_eq!(Json::parse("{} x"), None);
    }

    #[test]
    fn secrets_are_hidden_at_any_depth() {
        let json =
            Json::parse(r#"[{"Token":"t","Pin":1234,"Inner":{"Token":"u"},"Keep":null}]"#).unwrap();
        assert_eq!(
            json.redacted(false, &["Token", "Pin"], "<secret>")
                .compact(),
            r#"[{"Token":"<secret>","Pin":"<secret>","Inner":{"Token":"<secret>"},"Keep":null}]"#
        );
        assert_eq!(
            Json::parse("\"tok\"")
                .unwrap()
                .redacted(true, &[], "<secret>")
                .compact(),
            "\"<secret>\""
        );
    }
}
