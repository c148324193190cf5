//! Values that must never reach logs: the reset token and the app key.

use std::fmt;

use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject};
use serde::{Deserialize, Serialize};

/// The password-reset token (`Model` of a successful envelope).
///
/// It is a credential for step 3 of the reset flow, so `Debug` and `Display`
/// print `<redacted>`; read it with [`ResetToken::expose`]. Serialising it
/// (e.g. to hand it to the next step) writes the real value.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResetToken(String);

impl ResetToken {
    /// Wraps a token, e.g. one read from elsewhere, to pass it on safely.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself. Every read of the secret goes through this method, so
    /// that a search for `expose` finds them all.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the token is the empty string (the API sent no usable token).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(<redacted>)")
    }
}

impl fmt::Display for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl JsonSchema for ResetToken {
    fn schema_name() -> String {
        "ResetToken".to_owned()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            ..Default::default()
        }
        .into()
    }
}

/// Replaces every occurrence of the secrets we know in `text`, and the value of
/// any `"Model"` property, whose string is the token when a body is echoed into
/// an error message.
pub(crate) fn scrub(text: &str, app_key: &str) -> String {
    let mut out = if app_key.is_empty() {
        text.to_owned()
    } else {
        text.replace(app_key, "<redacted>")
    };
    let mut from = 0;
    while let Some(found) = out[from..].find("\"Model\"") {
        let key_end = from + found + "\"Model\"".len();
        let rest = &out[key_end..];
        let after_colon = rest.trim_start().strip_prefix(':').map(str::trim_start);
        match after_colon.and_then(|v| v.strip_prefix('"')) {
            Some(value) => {
                let value_start = out.len() - value.len();
                let value_end = string_end(value).map_or(out.len(), |n| value_start + n);
                out.replace_range(value_start..value_end, "<redacted>");
                from = value_start + "<redacted>".len();
            }
            None => from = key_end,
        }
    }
    out
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
