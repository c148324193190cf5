//! Values the streamers send as JSON text (`"9626"`, `"True"`, a JSON
//! document inside a string): the AsyncAPI document's `format` on a
//! `type: string` says what the text holds, and the generated message types
//! name these wrappers for it.

use std::fmt;
use std::ops::Deref;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A scalar a streamer may send as text: what [`Text`] can hold.
pub trait TextValue: Sized + Copy {
    /// What the text holds, for an error about a text that does not parse.
    const KIND: &'static str;
    /// The AsyncAPI document's `format` for it.
    const FORMAT: &'static str;
    /// Reads the text; `None` when it is not such a value.
    fn parse_text(text: &str) -> Option<Self>;
}

impl TextValue for i32 {
    const KIND: &'static str = "a 32-bit integer";
    const FORMAT: &'static str = "int32";
    fn parse_text(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl TextValue for i64 {
    const KIND: &'static str = "a 64-bit integer";
    const FORMAT: &'static str = "int64";
    fn parse_text(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl TextValue for bool {
    const KIND: &'static str = "a boolean (`True` or `False`)";
    const FORMAT: &'static str = "boolean";
    /// The streamers write .NET's `True`/`False`; JSON's spelling is read
    /// too, since both mean the same and a server may switch.
    fn parse_text(text: &str) -> Option<Self> {
        match text {
            "True" | "true" => Some(true),
            "False" | "false" => Some(false),
            _ => None,
        }
    }
}

/// A number or a boolean a streamer sends as a JSON string (`"9626"`,
/// `"True"`): `format: int32`, `int64` or `boolean` on a `type: string` of
/// the AsyncAPI document.
///
/// It reads the JSON value itself too (`9626`, `true`), which is how it is
/// written back: a decoded message re-encodes as plain JSON.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<T>(T);

impl<T: Copy> Text<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value.
    pub fn get(self) -> T {
        self.0
    }
}

impl<T> From<T> for Text<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> Deref for Text<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for Text<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: fmt::Display> fmt::Display for Text<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Serialize> Serialize for Text<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: TextValue> Deserialize<'de> for Text<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(TextVisitor(std::marker::PhantomData))
            .map(Self)
    }
}

struct TextVisitor<T>(std::marker::PhantomData<T>);

impl<T: TextValue> TextVisitor<T> {
    /// The error names what was expected, never the value: a message's
    /// errors may be logged.
    fn refused<E: de::Error>(&self) -> E {
        E::custom(format_args!("expected {} as text", T::KIND))
    }
}

impl<T: TextValue> Visitor<'_> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} as text", T::KIND)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        T::parse_text(text).ok_or_else(|| self.refused())
    }

    // The plain JSON value, as `Serialize` writes it: read through its
    // decimal text, so that the type's own range check applies.
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        self.visit_str(if v { "true" } else { "false" })
    }
}

/// A JSON document sent inside a JSON string
/// (`contentMediaType: application/json` with `x-etna-json-text` in the
/// AsyncAPI document): the string's content is read as `T`. A decimal inside
/// keeps every digit, read from its own text as in any answer.
///
/// It reads `T`'s JSON given directly too, which is how it is written back:
/// a decoded message re-encodes as plain JSON, the document nested.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct JsonText<T>(T);

impl<T> JsonText<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for JsonText<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> Deref for JsonText<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize> Serialize for JsonText<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonText<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde_json lends a value's text through `RawValue`: the string's
        // content, or the nested document as written. Through a buffer
        // (another deserializer) only the string form is readable exactly.
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        let inner = if text.starts_with('"') {
            let content: String = serde_json::from_str(text).map_err(de::Error::custom)?;
            serde_json::from_str(&content)
        } else {
            serde_json::from_str(text)
        };
        // serde_json's message says where and what was expected; it quotes
        // no value of a number or string it read.
        inner
            .map(Self)
            .map_err(|e| de::Error::custom(format_args!("JSON text: {e}")))
    }
}

#[cfg(feature = "json-schema")]
impl<T: TextValue> schemars::JsonSchema for Text<T> {
    fn schema_name() -> String {
        format!("Text_{}", T::FORMAT)
    }

    /// The wire form: a string with the document's `format`.
    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some(T::FORMAT.to_owned()),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(feature = "json-schema")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for JsonText<T> {
    fn schema_name() -> String {
        format!("JsonText_{}", T::schema_name())
    }

    /// The wire form: a string of JSON, with the content's schema beside.
    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            ..Default::default()
        };
        schema
            .extensions
            .insert("contentMediaType".to_owned(), "application/json".into());
        let content = serde_json::to_value(generator.subschema_for::<T>()).unwrap_or_default();
        schema
            .extensions
            .insert("x-etna-json-text".to_owned(), content);
        schema.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Decimal;

    #[test]
    fn integers_and_booleans_are_read_from_their_text() {
        let id: Text<i32> = serde_json::from_str(r#""9626""#).unwrap();
        assert_eq!(*id, 9626);
        assert_eq!(id.get(), 9626);
        let none: Text<i32> = serde_json::from_str(r#""-1""#).unwrap();
        assert_eq!(none.get(), -1);
        let long: Text<i64> = serde_json::from_str(r#""10800000000""#).unwrap();
        assert_eq!(*long, 10_800_000_000);
        for (text, value) in [
            (r#""True""#, true),
            (r#""False""#, false),
            (r#""true""#, true),
            (r#""false""#, false),
        ] {
            let decoded: Text<bool> = serde_json::from_str(text).unwrap();
            assert_eq!(*decoded, value, "{text}");
        }
    }

    #[test]
    fn they_are_written_as_json_values_and_read_back() {
        let id = Text::new(9626_i32);
        assert_eq!(serde_json::to_string(&id).unwrap(), "9626");
        assert_eq!(serde_json::from_str::<Text<i32>>("9626").unwrap(), id);
        let yes = Text::new(true);
        assert_eq!(serde_json::to_string(&yes).unwrap(), "true");
        assert_eq!(serde_json::from_str::<Text<bool>>("true").unwrap(), yes);
        assert_eq!(format!("{id} {id:?} {yes}"), "9626 9626 true");
    }

    #[test]
    fn a_text_that_does_not_parse_names_its_kind_not_its_value() {
        for (err, kind) in [
            serde_json::from_str::<Text<i32>>(r#""12x45""#).map(|_| ()),
            serde_json::from_str::<Text<i32>>(r#""3000000000""#).map(|_| ()),
            serde_json::from_str::<Text<bool>>(r#""Yes12x45""#).map(|_| ()),
            serde_json::from_str::<Text<i64>>("1.5").map(|_| ()),
        ]
        .into_iter()
        .zip(["32-bit", "32-bit", "boolean", "64-bit"])
        {
            let err = err.unwrap_err().to_string();
            assert!(err.contains(kind), "{err}");
            assert!(
                !err.contains("12x45") && !err.contains("3000000000"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_json_text_is_read_as_its_content_with_every_digit() {
        #[derive(Deserialize, Serialize, Debug, PartialEq)]
        struct Item {
            #[serde(rename = "Name")]
            name: String,
            #[serde(rename = "Value")]
            value: Decimal,
        }
        // The documentation's AccountBalance `Items`, shortened.
        let text = r#""[{\"Name\":\"cash\",\"Value\":1084543.57000000},{\"Name\":\"changePercent\",\"Value\":-0.1031318408562315568923557400}]""#;
        let items: JsonText<Vec<Item>> = serde_json::from_str(text).unwrap();
        assert_eq!(items[0].value.to_string(), "1084543.57000000");
        assert_eq!(items[1].name, "changePercent");
        assert_eq!(
            items[1].value.to_string(),
            "-0.1031318408562315568923557400"
        );
        // Written back nested, every digit kept, and read back the same.
        let json = serde_json::to_string(&items).unwrap();
        assert_eq!(
            json,
            r#"[{"Name":"cash","Value":1084543.57000000},{"Name":"changePercent","Value":-0.1031318408562315568923557400}]"#
        );
        assert_eq!(
            serde_json::from_str::<JsonText<Vec<Item>>>(&json).unwrap(),
            items
        );
    }

    #[test]
    fn a_json_text_that_is_not_the_document_is_an_error() {
        for text in [r#""[{\"Name\":1}]""#, r#""not json""#, "true"] {
            let decoded = serde_json::from_str::<JsonText<Vec<(String, Decimal)>>>(text);
            assert!(decoded.is_err(), "{text}");
        }
    }
}
