//! The generated operation table: one row per operation of the spec, with
//! everything the generic layer, `etna api` and the tests read about it
//! (method, server, path, credentials, documented statuses and which of them
//! refuse a credential, inputs).

/// One operation of the spec. `cargo xtask codegen` writes one per
/// operation into [`GeneratedClient::OPERATIONS`](crate::GeneratedClient::OPERATIONS).
#[derive(Clone, Copy, Debug)]
pub struct OperationSpec {
    /// `operationId`.
    pub id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Index of the operation's server in
    /// [`GeneratedClient::SERVERS`](crate::GeneratedClient::SERVERS).
    pub server: usize,
    /// The path template as the spec writes it, after the server.
    pub path: &'static str,
    /// The path template with the server's base path, e.g.
    /// `/v{version}/users/password/reset` or `/token`.
    pub full_path: &'static str,
    /// The credentials its security requirement names.
    pub security: Security,
    /// Whether its success answer is a page (it composes the schema the
    /// spec marks `x-etna-page`): [`Dispatch::dispatch_items`] reads every
    /// page of it.
    ///
    /// [`Dispatch::dispatch_items`]: crate::Dispatch::dispatch_items
    pub paged: bool,
    /// The HTTP statuses the spec documents.
    pub statuses: &'static [u16],
    /// The documented statuses that say a credential was refused, and which
    /// (the spec's `x-etna-refuses`): what [`Error::AppKeyRejected`] and
    /// [`Error::SessionRejected`] are made of.
    ///
    /// [`Error::AppKeyRejected`]: crate::Error::AppKeyRejected
    /// [`Error::SessionRejected`]: crate::Error::SessionRejected
    pub refusals: &'static [(u16, Credential)],
    /// `summary`.
    pub summary: &'static str,
    /// Path, query and header parameters.
    pub parameters: &'static [ParameterDoc],
    /// The request body, when the operation takes one.
    pub body: Option<BodyDoc>,
    /// What of its documented answers is a secret.
    pub answer_secrets: AnswerSecrets,
    /// When its success answer is a list (a bare array, or a page the spec
    /// marks `x-etna-page`): the items' columns, for a tool that prints it
    /// as a table.
    pub answer_table: Option<AnswerTable>,
}

/// How an answer that is a list is shown as a table, read from the spec by
/// `cargo xtask codegen` (etna-codegen's `answer_table.rs`): which property
/// holds the items, and the item schema's scalar properties in the order
/// the spec writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerTable {
    /// The page's property that holds the items (the `items` role of
    /// `x-etna-page`); `None` when the answer is a bare array. A bare array
    /// where a page was documented is read as its items.
    pub items: Option<&'static str>,
    /// The page's property that counts the items of all pages (the `total`
    /// role), when the spec names one.
    pub total: Option<&'static str>,
    /// The item schema's scalar properties (no object or array), in the
    /// spec's order.
    pub columns: &'static [Column],
}

/// A column of an [`AnswerTable`]: a property of the items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The property's JSON name.
    pub name: &'static str,
    /// What its values are.
    pub kind: ColumnKind,
}

/// What a column's values are, as the spec types them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// A string, an enum's name, or alternatives of scalars.
    Text,
    /// `type: number, format: decimal`: every digit matters.
    Decimal,
    /// Another number.
    Number,
    /// `format: date-time`, where [`NO_DATE`](crate::NO_DATE) means none.
    Date,
    /// `type: boolean`.
    Boolean,
}

/// A server of the spec after the caller's API root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerSpec {
    /// What follows the root, e.g. `/v{version}`, or `` for the root itself.
    pub base_path: &'static str,
    /// The variables of `base_path` with their defaults.
    pub variables: &'static [(&'static str, &'static str)],
}

/// What an operation's security requirement asks of each credential the
/// client knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Security {
    /// The application key (the spec's `apiKey` header scheme).
    pub app_key: Need,
    /// The session token (the spec's `http` `bearer` scheme).
    pub bearer: Need,
}

impl OperationSpec {
    /// The credential a documented answer with this status says was
    /// refused, if the spec marks it so.
    pub fn refused(&self, status: u16) -> Option<Credential> {
        self.refusals
            .iter()
            .find(|(documented, _)| *documented == status)
            .map(|(_, credential)| *credential)
    }
}

/// A credential the client sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// The application key (the spec's `apiKey` header scheme).
    AppKey,
    /// The session token (the spec's `http` `bearer` scheme).
    Session,
}

/// How much an operation needs a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Every alternative of the requirement names it.
    Required,
    /// Some alternatives name it: it is sent when the client has it.
    Optional,
    /// No alternative names it: it is never sent.
    None,
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

impl Location {
    /// The spec's word: `path`, `query` or `header`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
        }
    }
}

/// One parameter of an operation.
#[derive(Clone, Copy, Debug)]
pub struct ParameterDoc {
    /// The name as sent.
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether the spec requires it.
    pub required: bool,
    /// Whether its schema is `format: password`: it must come from a prompt
    /// or stdin, never the command line.
    pub secret: bool,
    /// `description`.
    pub description: &'static str,
}

/// The request body of an operation.
#[derive(Clone, Copy, Debug)]
pub struct BodyDoc {
    /// Whether the spec requires it.
    pub required: bool,
    /// JSON names of its `format: password` properties.
    pub secret_properties: &'static [&'static str],
    /// The request example as JSON text, or empty.
    pub example: &'static str,
}

/// What of an operation's documented answers (any status) the spec marks
/// `format: password`, `$ref`s followed: what a tool that shows an answer
/// must not show by accident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerSecrets {
    /// Whether a whole answer body is a secret.
    pub body: bool,
    /// JSON names of the secret properties of its answers.
    pub properties: &'static [&'static str],
}

impl AnswerSecrets {
    /// What replaces a secret value.
    pub const SHOWN_AS: &'static str = "<secret>";

    /// `body`, an answer of the operation as JSON, with the string or number
    /// value of every secret property (at any depth) replaced by
    /// [`SHOWN_AS`](Self::SHOWN_AS); the whole body when it is a secret.
    /// Other values, `null` included, are kept, so the shape still shows.
    pub fn redact(&self, body: &serde_json::Value) -> serde_json::Value {
        let mut body = body.clone();
        match self.body && is_value(&body) {
            true => body = hidden(),
            false => self.redact_in(&mut body),
        }
        body
    }

    fn redact_in(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (name, inner) in map.iter_mut() {
                    if is_value(inner) && self.properties.contains(&name.as_str()) {
                        *inner = hidden();
                    } else {
                        self.redact_in(inner);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| self.redact_in(i)),
            _ => {}
        }
    }
}

fn is_value(value: &serde_json::Value) -> bool {
    value.is_string() || value.is_number()
}

fn hidden() -> serde_json::Value {
    serde_json::Value::String(AnswerSecrets::SHOWN_AS.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GeneratedClient;
    use serde_json::json;

    /// The ETNA spec marks its 403 as the app key's refusal and its 401 as
    /// the session's, on every operation that sends them: what the README
    /// tells callers to expect.
    #[test]
    fn every_credential_an_etna_operation_sends_has_its_documented_refusal() {
        let operations = <crate::generated::Client as GeneratedClient>::OPERATIONS;
        let mut bearer = 0;
        for op in operations {
            assert_eq!(op.security.app_key, Need::Required, "{}", op.id);
            assert_eq!(op.refused(403), Some(Credential::AppKey), "{}", op.id);
            // Sign-in's optional Bearer (the interim token) is refused in its
            // own answer, `State: Failed`, not as a session.
            let expected = match op.security.bearer {
                Need::Required => Some(Credential::Session),
                _ => None,
            };
            bearer += usize::from(expected.is_some());
            assert_eq!(op.refused(401), expected, "{}", op.id);
            assert_eq!(op.refusals.len(), 1 + usize::from(expected.is_some()));
        }
        assert!(bearer >= 1, "the spec has Bearer operations");
    }

    #[test]
    fn redact_hides_secret_values_at_any_depth_and_keeps_the_rest() {
        let secrets = AnswerSecrets {
            body: false,
            properties: &["Token", "Pin"],
        };
        let answer = json!({
            "Token": "t-1", "State": "Success", "Pin": 1234,
            "Model": {"Token": null, "List": [{"Token": "t-2", "Name": "n"}]},
            "Nested": {"Pin": {"Inner": "kept: not a value"}}
        });
        assert_eq!(
            secrets.redact(&answer),
            json!({
                "Token": "<secret>", "State": "Success", "Pin": "<secret>",
                "Model": {"Token": null, "List": [{"Token": "<secret>", "Name": "n"}]},
                "Nested": {"Pin": {"Inner": "kept: not a value"}}
            })
        );
        let whole = AnswerSecrets {
            body: true,
            properties: &[],
        };
        assert_eq!(whole.redact(&json!("t-3")), json!("<secret>"));
        assert_eq!(whole.redact(&json!({"A": 1})), json!({"A": 1}));
    }
}
