//! The documented examples' numbers as the spec's text writes them. The spec
//! is read into `serde_json::Value`, whose numbers are `f64` (the workspace
//! leaves serde_json's `arbitrary_precision` off), so a number with more
//! digits than a double holds (the balance's 26-digit `changePercent`) would
//! be served rounded. Read a second time with the first reading as the
//! guide, each number is asked of the YAML deserializer as text, which
//! serde_yaml_ng gives as written; the mock serves an example from that text,
//! and the workspace snapshots render it.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A node of the spec, with its numbers as written.
pub enum Node {
    /// A number as the text writes it (valid JSON).
    Number(String),
    /// Anything else that is not a container, as the JSON model has it (and
    /// a number whose text is not JSON, e.g. `.5`).
    Leaf(Value),
    /// An array, its items read the same way.
    Array(Vec<Node>),
    /// An object, its entries in the order written.
    Object(Vec<(String, Node)>),
}

/// `text` read again with `doc` (its JSON reading) as the guide; `None` when
/// that fails, and then every example is served from the JSON model.
pub fn read(text: &str, doc: &Value) -> Option<Node> {
    Guide(doc)
        .deserialize(serde_yaml_ng::Deserializer::from_str(text))
        .ok()
}

impl Node {
    /// The node at `pointer` (`#/...`).
    pub fn at(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for token in crate::pointer::tokens(pointer) {
            node = match node {
                Node::Object(entries) => {
                    entries.iter().find(|(k, _)| *k == token).map(|(_, v)| v)?
                }
                Node::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// As JSON text, the numbers as written.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Node::Number(text) => out.push_str(text),
            Node::Leaf(value) => out.push_str(&value.to_string()),
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Node::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Reads the node that `0` is the JSON reading of.
struct Guide<'a>(&'a Value);

impl<'de> DeserializeSeed<'de> for Guide<'_> {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        match self.0 {
            Value::Object(map) => deserializer.deserialize_map(Entries(map)),
            Value::Array(items) => deserializer.deserialize_seq(Items(items)),
            Value::Number(number) => {
                // A plain scalar asked for as a string comes as written.
                let text = String::deserialize(deserializer)?;
                let is_json = serde_json::from_str::<Value>(&text).is_ok_and(|v| v.is_number());
                Ok(if is_json {
                    Node::Number(text)
                } else {
                    Node::Leaf(Value::Number(number.clone()))
                })
            }
            other => {
                IgnoredAny::deserialize(deserializer)?;
                Ok(Node::Leaf(other.clone()))
            }
        }
    }
}

struct Entries<'a>(&'a Map<String, Value>);

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match self.0.get(&key) {
                Some(value) => {
                    let node = map.next_value_seed(Guide(value))?;
                    entries.push((key, node));
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Node::Object(entries))
    }
}

struct Items<'a>(&'a [Value]);

impl<'de> Visitor<'de> for Items<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        for value in self.0 {
            match seq.next_element_seed(Guide(value))? {
                Some(node) => items.push(node),
                None => break,
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Node::Array(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_the_digits_written_and_the_rest_is_as_read() {
        let text = "a: {n: -0.05700775140829844330933239, i: 7, f: 1.0e-8, half: .5, s: '0.1', t: true}\nl: [1.10, null, {k: 2}]\n";
        let doc: Value = serde_yaml_ng::from_str(text).unwrap();
        let node = read(text, &doc).unwrap();
        assert_eq!(
            node.at("#/a").unwrap().to_json(),
            r#"{"n":-0.05700775140829844330933239,"i":7,"f":1.0e-8,"half":0.5,"s":"0.1","t":true}"#
        );
        assert_eq!(node.at("#/l").unwrap().to_json(), r#"[1.10,null,{"k":2}]"#);
        assert!(node.at("#/nope").is_none());
        // Read as JSON, the text is the same value.
        let json: Value = serde_json::from_str(&node.to_json()).unwrap();
        assert_eq!(json, doc);
    }
}
