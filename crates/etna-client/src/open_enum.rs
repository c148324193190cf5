//! Open enumerations: a value the spec does not list decodes, and is kept.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserializer, IntoDeserializer};
use serde::{Deserialize, Serialize, Serializer};

/// A string enumeration of the spec, as generated (a closed Rust enum):
/// its name and the values the spec lists. Implemented by `cargo xtask
/// codegen` for every enum schema of the spec.
pub trait Listed: Sized {
    /// The schema's name.
    const NAME: &'static str;
    /// The values the spec lists, in its order.
    const VALUES: &'static [&'static str];
}

/// A value of an enumeration the server sends: one the spec lists, or
/// another, kept as sent.
///
/// The generator gives this type to every reference to a string enum schema
/// in a schema an answer can hold, so that one new value (an order status,
/// say) does not make a whole answer (a page of orders) undecodable.
/// Requests are still held to the listed values: serialising
/// [`Open::Unlisted`] is an error naming the type and its listed values, so
/// a request carrying one fails before anything is sent. Only the client's
/// own re-encoding of an answer (`dispatch::JsonReply::body`, the body of a
/// refusal) writes it, as the server sent it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Open<E> {
    /// A value the spec lists.
    Listed(E),
    /// A value the spec does not list, as the server sent it.
    Unlisted(String),
}

impl<E> Open<E> {
    /// The listed value, or `None` for an unlisted one.
    pub fn listed(&self) -> Option<&E> {
        match self {
            Self::Listed(value) => Some(value),
            Self::Unlisted(_) => None,
        }
    }
}

impl<E> From<E> for Open<E> {
    fn from(value: E) -> Self {
        Self::Listed(value)
    }
}

impl<E: fmt::Display> fmt::Display for Open<E> {
    /// The value as the API writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Listed(value) => value.fmt(f),
            Self::Unlisted(text) => f.write_str(text),
        }
    }
}

thread_local! {
    /// Set while an answer is re-encoded ([`answer_value`]).
    static ANSWER: Cell<bool> = const { Cell::new(false) };
}

/// An answer as a JSON value, unlisted enum values written as the server
/// sent them: what the client re-encodes (`JsonReply`, refusal bodies) is
/// the server's own, which the request check must not turn into `null`.
pub(crate) fn answer_value<T: Serialize + ?Sized>(answer: &T) -> serde_json::Value {
    as_answer(|| serde_json::to_value(answer).unwrap_or_default())
}

/// An answer (a typed body the client decoded) as JSON text, with every
/// digit of its decimals as the server sent them (a `serde_json::Value`
/// holds numbers as `f64`) and unlisted enum values as sent: for a tool that
/// prints an answer (the `etna` CLI). Its keys come in the order of the
/// generated types' fields, which is the spec's. `null` for a value that
/// does not serialise, which a decoded answer always does.
pub fn answer_json<T: Serialize + ?Sized>(answer: &T) -> String {
    as_answer(|| serde_json::to_string(answer).unwrap_or_else(|_| "null".to_owned()))
}

fn as_answer<R>(encode: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            ANSWER.with(|flag| flag.set(self.0));
        }
    }
    let _reset = Reset(ANSWER.with(|flag| flag.replace(true)));
    encode()
}

impl<E: Serialize + Listed> Serialize for Open<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Listed(value) => value.serialize(serializer),
            Self::Unlisted(text) if ANSWER.with(Cell::get) => serializer.serialize_str(text),
            // The value is the server's, not the caller's secret, but it is
            // left out all the same: error messages never quote values.
            Self::Unlisted(_) => Err(serde::ser::Error::custom(format_args!(
                "a value of `{}` that the spec does not list cannot be sent; the listed values are {}",
                E::NAME,
                E::VALUES.join(", ")
            ))),
        }
    }
}

impl<'de, E: Deserialize<'de>> Deserialize<'de> for Open<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let listed: Result<E, de::value::Error> = E::deserialize(text.as_str().into_deserializer());
        Ok(match listed {
            Ok(value) => Self::Listed(value),
            Err(_) => Self::Unlisted(text),
        })
    }
}

#[cfg(feature = "json-schema")]
impl<E: schemars::JsonSchema> schemars::JsonSchema for Open<E> {
    fn schema_name() -> String {
        format!("Open_{}", E::schema_name())
    }

    /// The listed values, or any other string.
    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, SchemaObject, SubschemaValidation};
        let unlisted = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            ..Default::default()
        };
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![generator.subschema_for::<E>(), unlisted.into()]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    enum Side {
        Buy,
        #[serde(rename = "Sell short")]
        SellShort,
    }

    impl Listed for Side {
        const NAME: &'static str = "Side";
        const VALUES: &'static [&'static str] = &["Buy", "Sell short"];
    }

    #[test]
    fn listed_values_decode_as_the_enum_and_others_are_kept() {
        let known: Open<Side> = serde_json::from_str(r#""Sell short""#).unwrap();
        assert_eq!(known, Open::Listed(Side::SellShort));
        let new: Open<Side> = serde_json::from_str(r#""SellShortExempt""#).unwrap();
        assert_eq!(new, Open::Unlisted("SellShortExempt".to_owned()));
        assert!(serde_json::from_str::<Open<Side>>("1").is_err());
    }

    #[test]
    fn only_listed_values_serialise() {
        let known = Open::from(Side::Buy);
        assert_eq!(serde_json::to_string(&known).unwrap(), r#""Buy""#);
        let err = serde_json::to_string(&Open::<Side>::Unlisted("Hold".to_owned()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`Side`") && err.contains("Buy, Sell short"),
            "{err}"
        );
        assert!(!err.contains("Hold"), "{err}");
    }

    #[test]
    fn an_answer_is_reencoded_with_its_unlisted_values_and_only_inside_the_scope() {
        let answer = vec![Open::from(Side::Buy), Open::Unlisted("Hold".to_owned())];
        assert_eq!(answer_value(&answer), serde_json::json!(["Buy", "Hold"]));
        // The scope ended: a request with the value is refused again.
        assert!(serde_json::to_value(&answer).is_err());
    }
}
