//! The streamers' messages, written from the AsyncAPI document: for every
//! property of a message's payload schema, the same-named property of the
//! REST JSON the exchange already writes for that order, position, balance
//! or quote, as the text the property's `format` says. Nothing here names a
//! message or a property: a property added to the document is sent as soon
//! as the REST side has it.

use std::collections::{BTreeMap, HashMap};

use chrono::DateTime;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{Error, spec};

/// How a property's text is written.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// `const`: always this text.
    Const(String),
    /// No `format` (plain text, enumerations): a REST string as it is, a
    /// number or boolean as its text.
    Text,
    /// `format: decimal`: the REST number's own text, every digit.
    Decimal,
    /// `format: int32`/`int64`.
    Integer,
    /// `format: boolean`: `True`/`False`.
    Boolean,
    /// `format: unix-time-ms`: a REST date-time as epoch milliseconds.
    UnixMs,
    /// JSON text inside a string (`contentMediaType: application/json`):
    /// nothing REST has; only what the caller gives.
    JsonText,
}

/// Every message's payload, by message name (`components/messages`).
pub(crate) struct Messages {
    by_name: HashMap<String, Vec<(String, Shape)>>,
}

impl Messages {
    /// Reads the payload schemas of the document's messages.
    pub(crate) fn read(doc: &Value, order: &etna_spec::KeyOrder) -> Result<Self, Error> {
        let messages = doc
            .pointer("/components/messages")
            .and_then(Value::as_object)
            .ok_or_else(|| spec("the streaming document has no #/components/messages"))?;
        let mut by_name = HashMap::new();
        for (key, message) in messages {
            let at = format!("#/components/messages/{}", etna_spec::pointer::escape(key));
            let Some((payload, payload_at)) = message
                .get("payload")
                .and_then(|p| resolve(doc, p, &format!("{at}/payload")))
            else {
                continue;
            };
            let Some(properties) = payload.get("properties").and_then(Value::as_object) else {
                continue;
            };
            let mut shapes = Vec::new();
            let written = order.keys(&format!("{}/properties", &payload_at[1..]));
            let names = written
                .iter()
                .filter(|name| properties.contains_key(name.as_str()))
                .chain(properties.keys().filter(|name| !written.contains(name)));
            for name in names {
                let schema = &properties[name.as_str()];
                let shape = match resolve(doc, schema, "") {
                    Some((schema, _)) => shape(schema),
                    // An enumeration of the REST document (`etna-trader.yaml#...`).
                    None => Shape::Text,
                };
                shapes.push((name.clone(), shape));
            }
            let name = message
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(key)
                .to_owned();
            by_name.insert(name, shapes);
        }
        Ok(Self { by_name })
    }

    /// The message `name` written from the REST JSON text `rest`, with
    /// `given` (already text) in place of or beside its properties; `None`
    /// when the document has no such message or `rest` is not an object.
    pub(crate) fn write(&self, name: &str, rest: &str, given: &[(&str, String)]) -> Option<String> {
        let shapes = self.by_name.get(name)?;
        let rest: HashMap<String, &RawValue> = serde_json::from_str(rest).ok()?;
        let mut written: BTreeMap<usize, (String, String)> = BTreeMap::new();
        for (at, (property, shape)) in shapes.iter().enumerate() {
            let text = match given.iter().find(|(n, _)| n == property) {
                Some((_, text)) => Some(text.clone()),
                None => match shape {
                    Shape::Const(text) => Some(text.clone()),
                    _ => rest
                        .get(property.as_str())
                        .and_then(|raw| text_of(raw.get(), shape)),
                },
            };
            if let Some(text) = text {
                written.insert(at, (property.clone(), text));
            }
        }
        // In the document's order; serde_json's map would sort the keys.
        let mut json = String::from("{");
        for (n, (property, text)) in written.into_values().enumerate() {
            if n > 0 {
                json.push(',');
            }
            json.push_str(&Value::from(property.as_str()).to_string());
            json.push(':');
            json.push_str(&Value::from(text.as_str()).to_string());
        }
        json.push('}');
        Some(json)
    }
}

/// A schema with its local `$ref`s followed (a few levels), and its pointer;
/// `None` for a reference into another document.
fn resolve<'a>(doc: &'a Value, schema: &'a Value, at: &str) -> Option<(&'a Value, String)> {
    let mut schema = schema;
    let mut at = at.to_owned();
    for _ in 0..8 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(target) => {
                let pointer = target.strip_prefix('#')?;
                schema = doc.pointer(pointer)?;
                at = target.to_owned();
            }
            None => return Some((schema, at)),
        }
    }
    None
}

fn shape(schema: &Value) -> Shape {
    if let Some(value) = schema.get("const") {
        return Shape::Const(match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        });
    }
    if schema.get("contentMediaType").and_then(Value::as_str) == Some("application/json") {
        return Shape::JsonText;
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("decimal") => Shape::Decimal,
        Some("int32" | "int64") => Shape::Integer,
        Some("boolean") => Shape::Boolean,
        Some("unix-time-ms") => Shape::UnixMs,
        _ => Shape::Text,
    }
}

/// The text of the REST value `raw` (JSON text) as `shape` writes it;
/// `None` when it cannot say it (a null, an object, a date that is not
/// one), so that the property is left out rather than sent wrong.
fn text_of(raw: &str, shape: &Shape) -> Option<String> {
    let raw = raw.trim();
    let string = || serde_json::from_str::<String>(raw).ok();
    match shape {
        Shape::Const(text) => Some(text.clone()),
        Shape::JsonText => None,
        Shape::Text => match raw.as_bytes().first()? {
            b'"' => string(),
            b't' | b'f' => Some(bool_text(raw == "true").to_owned()),
            b'n' | b'{' | b'[' => None,
            _ => Some(raw.to_owned()),
        },
        Shape::Decimal => {
            let text = if raw.starts_with('"') {
                string()?
            } else {
                raw.to_owned()
            };
            text.parse::<rust_decimal::Decimal>().ok().map(|_| text)
        }
        Shape::Integer => {
            let text = if raw.starts_with('"') {
                string()?
            } else {
                raw.to_owned()
            };
            text.parse::<i64>().ok().map(|_| text)
        }
        Shape::Boolean => match raw {
            "true" => Some(bool_text(true).to_owned()),
            "false" => Some(bool_text(false).to_owned()),
            _ => string().filter(|s| s == bool_text(true) || s == bool_text(false)),
        },
        Shape::UnixMs => {
            let date = DateTime::parse_from_rfc3339(&string()?).ok()?;
            // 0001-01-01T00:00:00Z, REST's "no date", is -62135596800000:
            // the document's `x-etna-no-date`.
            Some(date.timestamp_millis().to_string())
        }
    }
}

/// A boolean as the streamers write it.
fn bool_text(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages() -> Messages {
        let (doc, order) = etna_spec::parse_with_order(crate::STREAMING_SPEC).unwrap();
        Messages::read(&doc, &order).unwrap()
    }

    #[test]
    fn values_are_written_as_their_format_says() {
        let rest = r#"{"Id":80001,"Quantity":100.00000000000000000001,"Side":"Buy",
            "CreateDate":"2026-12-07T11:00:00.123000Z","TransactionDate":"0001-01-01T00:00:00Z",
            "ExpireDate":"not a date","Status":"SomethingNew","EntityType":"Nope",
            "Legs":[],"Comment":null,"Unknown":"x"}"#;
        let text = messages().write("Order", rest, &[]).unwrap();
        assert_eq!(
            text,
            r#"{"EntityType":"Order","Id":"80001","Quantity":"100.00000000000000000001","Side":"Buy","CreateDate":"1796641200123","TransactionDate":"-62135596800000","Status":"SomethingNew"}"#
        );
    }

    #[test]
    fn booleans_are_true_or_false_and_given_values_win() {
        let text = messages()
            .write(
                "Quote",
                r#"{"AskUpdate":true,"BidUpdate":false,"Ask":1.5,"Key":"ignored"}"#,
                &[("Key", "42".into())],
            )
            .unwrap();
        assert_eq!(
            text,
            r#"{"EntityType":"Quote","Ask":"1.5","AskUpdate":"True","BidUpdate":"False","Key":"42"}"#
        );
        assert!(messages().write("Nope", "{}", &[]).is_none());
        assert!(messages().write("Quote", "[1]", &[]).is_none());
    }
}
