//! What generated code decodes an object with declared properties and
//! `additionalProperties` with (etna-codegen's `exact_flatten.rs` pass).
//!
//! typify gives such an object `#[serde(flatten)] extra: HashMap<..>`, and
//! serde reads a flattened field from a buffer where every number has
//! already become an `f64`: the balance's unlisted figures would lose their
//! digits. Here every value is kept as its JSON text first (serde_json's
//! `RawValue`), so each is read by its own type from the text the server
//! sent.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Reads an object: the keys of `declared` (their JSON names) into `S`,
/// every other key into `M` with values of `V`. Only from serde_json's own
/// deserializer (as every generated `send` decodes): anything else is an
/// error, never a silent loss of digits.
#[doc(hidden)]
pub fn split_flattened<'de, D, S, V, M>(
    deserializer: D,
    declared: &[&str],
) -> Result<(S, M), D::Error>
where
    D: Deserializer<'de>,
    S: DeserializeOwned,
    V: DeserializeOwned,
    M: FromIterator<(String, V)>,
{
    let entries = deserializer.deserialize_map(Entries(PhantomData))?;
    let mut known = String::from("{");
    let mut extra = Vec::new();
    for (key, raw) in entries {
        if declared.contains(&key.as_str()) {
            if known.len() > 1 {
                known.push(',');
            }
            known.push_str(&serde_json::to_string(&key).map_err(de::Error::custom)?);
            known.push(':');
            known.push_str(raw.get());
        } else {
            let value: V = serde_json::from_str(raw.get()).map_err(|e| {
                de::Error::custom(format_args!("at `{key}`: {}", without_position(&e)))
            })?;
            extra.push((key, value));
        }
    }
    known.push('}');
    let known: S =
        serde_json::from_str(&known).map_err(|e| de::Error::custom(without_position(&e)))?;
    Ok((known, extra.into_iter().collect()))
}

/// serde_json's message without "at line 1 column N" of the rebuilt text,
/// which would point into nothing the caller has.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

struct Entries(PhantomData<()>);

impl<'de> Visitor<'de> for Entries {
    type Value = Vec<(String, Box<RawValue>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
            entries.push(entry);
        }
        Ok(entries)
    }
}
