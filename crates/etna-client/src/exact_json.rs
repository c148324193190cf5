//! A JSON value printed with the digits of the answer it was made from:
//! what `etna api` prints (a `serde_json::Value`'s numbers are `f64`s, and
//! the workspace leaves serde_json's `arbitrary_precision` off).

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// `shown` as JSON text (pretty or on one line), each of its numbers written
/// as `exact` writes the number at the same place, when both are the same
/// `f64`: so a value made from an answer (secret fields redacted, say) is
/// printed with the digits the answer had. `exact` is the text the client
/// re-encoded ([`JsonReply::body_json`], [`JsonItem::json`]).
///
/// [`JsonReply::body_json`]: crate::dispatch::JsonReply::body_json
/// [`JsonItem::json`]: crate::dispatch::JsonItem::json
pub fn exact_json(shown: &Value, exact: &str, pretty: bool) -> String {
    let node = serde_json::from_str::<Box<RawValue>>(exact)
        .ok()
        .map(|raw| Node::read(&raw));
    let value = Exact {
        shown,
        exact: node.as_ref(),
    };
    let text = match pretty {
        true => serde_json::to_string_pretty(&value),
        false => serde_json::to_string(&value),
    };
    text.unwrap_or_else(|_| shown.to_string())
}

/// The numbers of a JSON text by their place, as written.
enum Node {
    Number(Box<RawValue>),
    Array(Vec<Node>),
    Object(BTreeMap<String, Node>),
    Other,
}

impl Node {
    fn read(raw: &RawValue) -> Self {
        let text = raw.get();
        match text.trim_start().as_bytes().first() {
            Some(b'{') => serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text)
                .map_or(Self::Other, |map| {
                    Self::Object(map.into_iter().map(|(k, v)| (k, Self::read(&v))).collect())
                }),
            Some(b'[') => serde_json::from_str::<Vec<Box<RawValue>>>(text)
                .map_or(Self::Other, |items| {
                    Self::Array(items.iter().map(|v| Self::read(v)).collect())
                }),
            Some(b'-' | b'0'..=b'9') => Self::Number(raw.to_owned()),
            _ => Self::Other,
        }
    }
}

struct Exact<'a> {
    shown: &'a Value,
    exact: Option<&'a Node>,
}

impl Serialize for Exact<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.shown, self.exact) {
            (Value::Number(number), Some(Node::Number(raw)))
                if raw.get().trim().parse::<f64>().ok() == number.as_f64() =>
            {
                raw.serialize(serializer)
            }
            (Value::Array(items), node) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for (i, item) in items.iter().enumerate() {
                    let exact = match node {
                        Some(Node::Array(nodes)) => nodes.get(i),
                        _ => None,
                    };
                    seq.serialize_element(&Exact { shown: item, exact })?;
                }
                seq.end()
            }
            (Value::Object(entries), node) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    let exact = match node {
                        Some(Node::Object(nodes)) => nodes.get(key),
                        _ => None,
                    };
                    map.serialize_entry(
                        key,
                        &Exact {
                            shown: value,
                            exact,
                        },
                    )?;
                }
                map.end()
            }
            (other, _) => other.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_json_writes_each_number_as_the_answer_had_it() {
        let exact = r#"{"a":-0.05700775140829844330933239,"b":[100.00000,{"c":1}],"s":"x"}"#;
        let mut shown: Value = serde_json::from_str(exact).unwrap();
        assert_eq!(
            exact_json(&shown, exact, false),
            r#"{"a":-0.05700775140829844330933239,"b":[100.00000,{"c":1}],"s":"x"}"#
        );
        // A redacted field keeps what replaced it; the rest keep their digits.
        shown["a"] = Value::String("<secret>".to_owned());
        assert_eq!(
            exact_json(&shown, exact, false),
            r#"{"a":"<secret>","b":[100.00000,{"c":1}],"s":"x"}"#
        );
        // Text that is not the value's: the value as it is.
        assert_eq!(exact_json(&json(r#"[1.5]"#), "[2.5]", false), "[1.5]");
        assert_eq!(exact_json(&json(r#"[1.5]"#), "not json", false), "[1.5]");
    }

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }
}
