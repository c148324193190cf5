//! The envelope's `StatusCode`, as an open enum.

use std::fmt;

#[cfg(feature = "json-schema")]
use schemars::JsonSchema;
#[cfg(feature = "json-schema")]
use schemars::r#gen::SchemaGenerator;
#[cfg(feature = "json-schema")]
use schemars::schema::{InstanceType, Schema, SchemaObject, SubschemaValidation};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::HttpStatusCodeName;

/// The outcome the API reports in `StatusCode`: the name of a .NET
/// `HttpStatusCode` value.
///
/// The spec lists the names known when it was written ([`HttpStatusCodeName`]),
/// but the server may add names, and a .NET server whose enums are not
/// configured as strings sends numbers. Both still decode, so that an otherwise
/// valid response is never lost over this informational field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HttpStatusCode {
    /// A name the spec lists.
    Known(HttpStatusCodeName),
    /// A name the spec does not list yet, kept as sent.
    Unlisted(String),
    /// A number, as a .NET server sends when it serialises enums as integers.
    Numeric(i64),
}

impl HttpStatusCode {
    /// The name as sent, or `None` for a number.
    pub fn name(&self) -> Option<String> {
        match self {
            Self::Known(known) => Some(known.to_string()),
            Self::Unlisted(name) => Some(name.clone()),
            Self::Numeric(_) => None,
        }
    }
}

impl fmt::Display for HttpStatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(known) => known.fmt(f),
            Self::Unlisted(name) => f.write_str(name),
            Self::Numeric(n) => n.fmt(f),
        }
    }
}

impl From<&str> for HttpStatusCode {
    fn from(name: &str) -> Self {
        name.parse()
            .map(Self::Known)
            .unwrap_or_else(|_| Self::Unlisted(name.to_owned()))
    }
}

impl From<HttpStatusCodeName> for HttpStatusCode {
    fn from(known: HttpStatusCodeName) -> Self {
        Self::Known(known)
    }
}

impl Serialize for HttpStatusCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Known(known) => known.serialize(serializer),
            Self::Unlisted(name) => serializer.serialize_str(name),
            Self::Numeric(n) => serializer.serialize_i64(*n),
        }
    }
}

impl<'de> Deserialize<'de> for HttpStatusCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StatusVisitor;
        impl Visitor<'_> for StatusVisitor {
            type Value = HttpStatusCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a status name or number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(HttpStatusCode::from(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(HttpStatusCode::Numeric(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map(HttpStatusCode::Numeric)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
        }
        deserializer.deserialize_any(StatusVisitor)
    }
}

#[cfg(feature = "json-schema")]
impl JsonSchema for HttpStatusCode {
    fn schema_name() -> String {
        "HttpStatusCode".to_owned()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let unlisted = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            ..Default::default()
        };
        let numeric = SchemaObject {
            instance_type: Some(InstanceType::Integer.into()),
            format: Some("int64".to_owned()),
            ..Default::default()
        };
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![
                    generator.subschema_for::<HttpStatusCodeName>(),
                    unlisted.into(),
                    numeric.into(),
                ]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
