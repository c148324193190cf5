//! The order in which the spec's text writes an object's keys. The JSON
//! model keeps none (its objects are sorted), yet "the first example" of a
//! response means the first one written.

use crate::{LoadError, pointer};

/// The spec text's mappings, kept in the order written.
pub struct KeyOrder(serde_yaml_ng::Value);

impl KeyOrder {
    /// The text's mappings; an error when it is not YAML (JSON is YAML too).
    pub fn parse(text: &str) -> Result<Self, LoadError> {
        serde_yaml_ng::from_str(text)
            .map(Self)
            .map_err(|e| LoadError::Syntax(e.to_string()))
    }

    /// The document as the JSON model the rest of the workspace reads.
    pub(crate) fn to_json(&self) -> Result<serde_json::Value, LoadError> {
        serde_json::to_value(&self.0).map_err(|e| LoadError::Syntax(e.to_string()))
    }

    /// The keys of the object at `pointer` (`#/...`), as written; empty when
    /// nothing is there or it is not an object.
    pub fn keys(&self, pointer: &str) -> Vec<String> {
        let mut node = &self.0;
        for token in pointer::tokens(pointer) {
            let next = match node {
                serde_yaml_ng::Value::Mapping(map) => map.get(token.as_str()),
                serde_yaml_ng::Value::Sequence(items) => {
                    token.parse::<usize>().ok().and_then(|i| items.get(i))
                }
                _ => None,
            };
            match next {
                Some(next) => node = next,
                None => return Vec::new(),
            }
        }
        match node {
            serde_yaml_ng::Value::Mapping(map) => map
                .keys()
                .filter_map(|key| key.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_in_the_order_written() {
        let order = KeyOrder::parse("a:\n  z: 1\n  b: 2\n  'x/y': {m: 1, c: 2}\nl: [{q: 1, p: 2}]")
            .unwrap();
        assert_eq!(order.keys("#/a"), ["z", "b", "x/y"]);
        assert_eq!(order.keys("#/a/x~1y"), ["m", "c"]);
        assert_eq!(order.keys("#/l/0"), ["q", "p"]);
        assert!(order.keys("#/a/z").is_empty());
        assert!(order.keys("#/nope").is_empty());
    }
}
