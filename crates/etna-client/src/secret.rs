//! Values that must never reach logs: every `format: password` field of the
//! spec, and the app key.

use std::fmt;

#[cfg(feature = "json-schema")]
use schemars::JsonSchema;
#[cfg(feature = "json-schema")]
use schemars::r#gen::SchemaGenerator;
#[cfg(feature = "json-schema")]
use schemars::schema::{InstanceType, Schema, SchemaObject};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// A credential: the type of every field the spec marks `format: password`
/// (confirmation codes, secret answers, reset tokens, passwords).
///
/// `Debug` and `Display` print `<redacted>`, the memory is wiped on drop
/// (`zeroize`, which rustls already brings: no crate more for consumers), and
/// the value is read only through [`Secret::expose`], so a search for
/// `expose` finds every read. Serialising writes the real value: that is how
/// a request carries it.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value, e.g. a password read from a prompt.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value itself.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(feature = "json-schema")]
impl JsonSchema for Secret {
    fn schema_name() -> String {
        "Secret".to_owned()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            format: Some("password".to_owned()),
            ..Default::default()
        }
        .into()
    }
}

/// A numeric credential: the type of every integer the spec marks
/// `format: password` (the PIN that `change_pin_code` takes as a number).
/// It keeps [`Secret`]'s promises: a redacted `Debug` and `Display`, the
/// memory wiped on drop, the value read only through
/// [`SecretInteger::expose`], and serialised as the real number.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretInteger(Zeroizing<i64>);

impl SecretInteger {
    /// Wraps a value, e.g. a PIN read from a prompt.
    pub fn new(value: i64) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The value itself.
    pub fn expose(&self) -> i64 {
        *self.0
    }
}

impl From<i64> for SecretInteger {
    fn from(value: i64) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for SecretInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretInteger(<redacted>)")
    }
}

impl fmt::Display for SecretInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for SecretInteger {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.expose())
    }
}

impl<'de> Deserialize<'de> for SecretInteger {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(feature = "json-schema")]
impl JsonSchema for SecretInteger {
    fn schema_name() -> String {
        "SecretInteger".to_owned()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::Integer.into()),
            format: Some("password".to_owned()),
            ..Default::default()
        }
        .into()
    }
}

/// Replaces the app key and the string or number value of every secret
/// property (by its JSON name) in `text`, a body about to be quoted in an
/// error message.
pub(crate) fn scrub(text: &str, app_key: &str, secret_properties: &[&str]) -> String {
    let mut out = if app_key.is_empty() {
        text.to_owned()
    } else {
        text.replace(app_key, "<redacted>")
    };
    for property in secret_properties {
        out = scrub_property(&out, &format!("\"{property}\""));
    }
    out
}

fn scrub_property(text: &str, key: &str) -> String {
    let mut out = text.to_owned();
    let mut from = 0;
    while let Some(found) = out[from..].find(key) {
        let key_end = from + found + key.len();
        let rest = &out[key_end..];
        let after_colon = rest.trim_start().strip_prefix(':').map(str::trim_start);
        if let Some(value) = after_colon.and_then(|v| v.strip_prefix('"')) {
            let value_start = out.len() - value.len();
            let value_end = string_end(value).map_or(out.len(), |n| value_start + n);
            out.replace_range(value_start..value_end, "<redacted>");
            from = value_start + "<redacted>".len();
        } else if let Some(value) = after_colon.filter(|v| v.starts_with(is_number_char)) {
            let value_start = out.len() - value.len();
            let value_end = value_start + value.find(|c| !is_number_char(c)).unwrap_or(value.len());
            out.replace_range(value_start..value_end, "\"<redacted>\"");
            from = value_start + "\"<redacted>\"".len();
        } else {
            from = key_end;
        }
    }
    out
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')
}

/// Byte offset of the closing quote of a JSON string whose opening quote has
/// been consumed.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_display_and_errors_never_show_the_value() {
        let secret = Secret::new("hunter2-value");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"hunter2-value\"");
        let back: Secret = serde_json::from_str("\"hunter2-value\"").unwrap();
        assert_eq!(back, secret);
        let pin = SecretInteger::new(4817);
        assert_eq!(format!("{pin:?}"), "SecretInteger(<redacted>)");
        assert_eq!(format!("{pin}"), "<redacted>");
        assert_eq!(serde_json::to_string(&pin).unwrap(), "4817");
        assert_eq!(serde_json::from_str::<SecretInteger>("4817").unwrap(), pin);
    }

    #[test]
    fn scrub_removes_the_key_and_secret_properties() {
        let text = r#"{"Token": "t-1\"x", "Other": "keep", "Password":"p w", "key": "K3Y", "Pin": -1234.5e1}"#;
        let out = scrub(text, "K3Y", &["Token", "Password", "Pin"]);
        assert_eq!(
            out,
            r#"{"Token": "<redacted>", "Other": "keep", "Password":"<redacted>", "key": "<redacted>", "Pin": "<redacted>"}"#
        );
    }
}
