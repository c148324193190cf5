//! Every operation by its id, with JSON arguments: what `etna api` and the
//! spec-wide tests use to reach any operation without naming it in Rust.
//! Generation implements [`Dispatch`] for the generated client.

use std::future::Future;
use std::pin::Pin;

use std::collections::BTreeMap;

use futures_util::stream::{Stream, TryStreamExt};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::{Error, Operation, Page, Paged};

/// Arguments of an operation as JSON: parameters by their spec name, and the
/// body. Its `Debug` names the parameters and never shows a value: any of
/// them, and the body, may hold a secret.
#[derive(Clone, Default)]
pub struct JsonArgs {
    parameters: serde_json::Map<String, serde_json::Value>,
    body: Option<serde_json::Value>,
    /// The body's own text, when the caller has it: decoded from it, a
    /// decimal keeps every digit (a `Value` holds an `f64`).
    body_text: Option<String>,
}

impl std::fmt::Debug for JsonArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonArgs")
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field("body", &self.body.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl JsonArgs {
    /// Arguments from a parameter map and an optional body.
    pub fn new(
        parameters: serde_json::Map<String, serde_json::Value>,
        body: Option<serde_json::Value>,
    ) -> Self {
        Self {
            parameters,
            body,
            body_text: None,
        }
    }

    /// The same arguments, with `text`, the JSON text the body was read
    /// from: the body is decoded from it ([`decode_body`](Self::decode_body)),
    /// so that its numbers keep every digit the caller wrote.
    pub fn with_body_text(mut self, text: String) -> Self {
        self.body_text = Some(text);
        self
    }

    /// The value given for a parameter.
    pub fn parameter(&self, name: &str) -> Option<&serde_json::Value> {
        self.parameters.get(name)
    }

    /// The body, when one was given.
    pub fn body(&self) -> Option<&serde_json::Value> {
        self.body.as_ref()
    }

    /// The body as the type the generated builder takes: from its text when
    /// given ([`with_body_text`](Self::with_body_text)), else from its
    /// value; a mismatch is an [`Error::InvalidInput`] that quotes nothing.
    pub fn decode_body<T: DeserializeOwned>(&self, operation: &'static str) -> Result<T, Error> {
        match (&self.body_text, &self.body) {
            (Some(text), _) => serde_json::from_str(text).map_err(|e| Error::InvalidInput {
                operation,
                reason: format!("the body: {}", crate::error::describe_serde(&e)),
            }),
            (None, Some(value)) => self.decode(operation, "the body", value),
            (None, None) => Err(Error::InvalidInput {
                operation,
                reason: "the body is missing".to_owned(),
            }),
        }
    }

    /// `value` as the type the generated builder takes; a mismatch is an
    /// [`Error::InvalidInput`] that names `what`, never its value.
    pub fn decode<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        what: &str,
        value: &serde_json::Value,
    ) -> Result<T, Error> {
        // serde's message quotes the offending value, which may be a secret.
        serde_json::from_value(value.clone())
            .or_else(|e| match value {
                // A parameter from a command line is text: `6303` for an
                // integer, `false` for a boolean. Read as the JSON it spells
                // (from its text, so a decimal keeps its digits); a string
                // parameter took the text as it is above.
                serde_json::Value::String(text) => serde_json::from_str(text).map_err(|_| e),
                _ => Err(e),
            })
            .map_err(|e| Error::InvalidInput {
                operation,
                reason: format!("{what}: {}", crate::error::describe_serde(&e)),
            })
    }
}

/// What an operation called through [`Dispatch`] answered. Its `Debug`
/// shows the body through [`body_debug`](Self::body_debug), secrets
/// redacted, never [`body`](Self::body).
pub struct JsonReply {
    /// The operation.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// Whether the call succeeded ([`outcome`](Self::outcome) is `Ok`).
    pub accepted: bool,
    /// The body as the API sent it (a success, or a documented refusal),
    /// secrets included (for scripts that pass a token on; never log it;
    /// [`AnswerSecrets::redact`](crate::AnswerSecrets::redact) hides them);
    /// `null` for an answer without a body.
    pub body: serde_json::Value,
    /// The same body as JSON text with every digit the server sent (in
    /// [`body`](Self::body) a decimal is an `f64`): see
    /// [`answer_json`](crate::answer_json). `null` without a body; secrets
    /// included, as in `body`.
    pub body_json: String,
    /// The typed body's `Debug`, secrets redacted.
    pub body_debug: String,
    /// The caller's key the request carried (the spec's `x-etna-client-id`,
    /// e.g. the order's `ClientId`), filled by the client when the body
    /// left it empty; `None` for an operation without one.
    pub client_id: Option<crate::ClientKey>,
    /// What [`Operation::call`] makes of it: the result's `Debug` (secrets
    /// redacted), or the error.
    pub outcome: Result<String, Error>,
}

impl std::fmt::Debug for JsonReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonReply")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("accepted", &self.accepted)
            .field("body", &format_args!("{}", self.body_debug))
            .field("outcome", &self.outcome)
            .field("client_id", &self.client_id)
            .finish()
    }
}

impl JsonReply {
    /// Calls `operation` and describes the answer: a documented body
    /// (success or refusal) is a reply; anything else is the error.
    pub async fn from_call<O: Operation>(operation: O) -> Result<Self, Error>
    where
        O::Success: Serialize + std::fmt::Debug,
        O::ErrorBody: Serialize + std::fmt::Debug,
        O::Output: std::fmt::Debug,
    {
        let mut operation = operation;
        let client_id = operation.fill_client_key();
        let limits = operation.state().clone();
        crate::operation::check_session::<O>(&limits)?;
        let result = operation.send_request().await;
        match crate::operation::finish::<O>(&limits, result).await {
            Ok((status, success)) => Ok(Self {
                operation: O::SPEC.id,
                status,
                accepted: true,
                body: crate::open_enum::answer_value(&success),
                body_json: crate::open_enum::answer_json(&success),
                body_debug: format!("{success:#?}"),
                client_id: client_id.clone(),
                outcome: O::output(status, success).map(|output| format!("{output:?}")),
            })
            .map(|mut reply| {
                reply.accepted = reply.outcome.is_ok();
                reply
            }),
            Err(crate::operation::Failure {
                error: error @ (Error::Refused { .. } | Error::Rejected { .. }),
                refusal: Some((status, body)),
            }) => Ok(Self {
                operation: O::SPEC.id,
                status,
                accepted: false,
                body: crate::open_enum::answer_value(&body),
                body_json: crate::open_enum::answer_json(&body),
                body_debug: format!("{body:#?}"),
                client_id,
                outcome: Err(error),
            }),
            Err(failure) => Err(failure.error.with_client_key(client_id)),
        }
    }
}

/// One item of a paged answer, as JSON (see [`Dispatch::dispatch_items`]).
/// Its `Debug` never shows it: an item may hold a secret field.
pub struct JsonItem {
    /// The item; numbers are `f64`s, as in [`JsonReply::body`].
    pub value: Value,
    /// The item as JSON text, every digit kept (see
    /// [`answer_json`](crate::answer_json)).
    pub json: String,
}

impl std::fmt::Debug for JsonItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonItem(<not shown>)")
    }
}

/// The items of every page of the paged operation `builder` makes, as JSON
/// (what generated [`Dispatch::dispatch_items`] returns).
#[doc(hidden)]
pub fn json_items<'a, O>(
    builder: impl Future<Output = Result<O, Error>> + Send + 'a,
) -> Pin<Box<dyn Stream<Item = Result<JsonItem, Error>> + Send + 'a>>
where
    O: Paged + 'a,
    <O::Page as Page>::Item: Serialize,
{
    Box::pin(
        futures_util::stream::once(builder)
            .map_ok(Paged::items)
            .try_flatten()
            .map_ok(|item| JsonItem {
                value: crate::open_enum::answer_value(&item),
                json: crate::open_enum::answer_json(&item),
            }),
    )
}

/// `shown` as JSON text (pretty or on one line), each of its numbers written
/// as `exact` writes the number at the same place, when both are the same
/// `f64`: so a value made from an answer (secret fields redacted, say) is
/// printed with the digits the answer had. `exact` is the text the client
/// re-encoded ([`JsonReply::body_json`], [`JsonItem::json`]).
pub fn exact_json(shown: &Value, exact: &str, pretty: bool) -> String {
    let node = serde_json::from_str::<Box<RawValue>>(exact)
        .ok()
        .map(|raw| Node::read(&raw));
    let value = Exact {
        shown,
        exact: node.as_ref(),
    };
    let text = match pretty {
        true => serde_json::to_string_pretty(&value),
        false => serde_json::to_string(&value),
    };
    text.unwrap_or_else(|_| shown.to_string())
}

/// The numbers of a JSON text by their place, as written.
enum Node {
    Number(Box<RawValue>),
    Array(Vec<Node>),
    Object(BTreeMap<String, Node>),
    Other,
}

impl Node {
    fn read(raw: &RawValue) -> Self {
        let text = raw.get();
        match text.trim_start().as_bytes().first() {
            Some(b'{') => serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text)
                .map_or(Self::Other, |map| {
                    Self::Object(map.into_iter().map(|(k, v)| (k, Self::read(&v))).collect())
                }),
            Some(b'[') => serde_json::from_str::<Vec<Box<RawValue>>>(text)
                .map_or(Self::Other, |items| {
                    Self::Array(items.iter().map(|v| Self::read(v)).collect())
                }),
            Some(b'-' | b'0'..=b'9') => Self::Number(raw.to_owned()),
            _ => Self::Other,
        }
    }
}

struct Exact<'a> {
    shown: &'a Value,
    exact: Option<&'a Node>,
}

impl Serialize for Exact<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.shown, self.exact) {
            (Value::Number(number), Some(Node::Number(raw)))
                if raw.get().trim().parse::<f64>().ok() == number.as_f64() =>
            {
                raw.serialize(serializer)
            }
            (Value::Array(items), node) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for (i, item) in items.iter().enumerate() {
                    let exact = match node {
                        Some(Node::Array(nodes)) => nodes.get(i),
                        _ => None,
                    };
                    seq.serialize_element(&Exact { shown: item, exact })?;
                }
                seq.end()
            }
            (Value::Object(entries), node) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    let exact = match node {
                        Some(Node::Object(nodes)) => nodes.get(key),
                        _ => None,
                    };
                    map.serialize_entry(
                        key,
                        &Exact {
                            shown: value,
                            exact,
                        },
                    )?;
                }
                map.end()
            }
            (other, _) => other.serialize(serializer),
        }
    }
}

/// Every operation of a generated client, by id (the table is
/// [`GeneratedClient::OPERATIONS`](crate::GeneratedClient::OPERATIONS)).
/// Implemented by `cargo xtask codegen`.
pub trait Dispatch {
    /// Calls the operation `id` with `args`; `None` when the client has no
    /// such operation.
    #[allow(clippy::type_complexity)]
    fn dispatch<'a>(
        &'a self,
        id: &'a str,
        args: &'a JsonArgs,
    ) -> Pin<Box<dyn Future<Output = Option<Result<JsonReply, Error>>> + Send + 'a>>;

    /// The items of every page of the paged operation `id` (its row's
    /// [`paged`](crate::OperationSpec::paged)) called with `args`, one
    /// page held at a time, links checked as [`Paged`] checks them; `None`
    /// when the client has no such paged operation.
    #[allow(clippy::type_complexity)]
    fn dispatch_items<'a>(
        &'a self,
        id: &'a str,
        args: &'a JsonArgs,
    ) -> Option<Pin<Box<dyn Stream<Item = Result<JsonItem, Error>> + Send + 'a>>>;

    /// Maps a status and body the way the operation `id`'s
    /// [`call`](Operation::call) does, without a socket (see
    /// `__private::fuzz_decode`): the model's `Debug`
    /// (secrets redacted), or the error. `None` for an unknown id.
    fn decode_answer(
        id: &str,
        status: u16,
        body: &[u8],
        app_key: &str,
    ) -> Option<Result<String, Error>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_json_writes_each_number_as_the_answer_had_it() {
        let exact = r#"{"a":-0.05700775140829844330933239,"b":[100.00000,{"c":1}],"s":"x"}"#;
        let mut shown: Value = serde_json::from_str(exact).unwrap();
        assert_eq!(
            exact_json(&shown, exact, false),
            r#"{"a":-0.05700775140829844330933239,"b":[100.00000,{"c":1}],"s":"x"}"#
        );
        // A redacted field keeps what replaced it; the rest keep their digits.
        shown["a"] = Value::String("<secret>".to_owned());
        assert_eq!(
            exact_json(&shown, exact, false),
            r#"{"a":"<secret>","b":[100.00000,{"c":1}],"s":"x"}"#
        );
        // Text that is not the value's: the value as it is.
        assert_eq!(exact_json(&json(r#"[1.5]"#), "[2.5]", false), "[1.5]");
        assert_eq!(exact_json(&json(r#"[1.5]"#), "not json", false), "[1.5]");
    }

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn a_parameter_given_as_text_reads_as_the_json_it_spells() {
        let args = JsonArgs::default();
        let text = |t: &str| Value::String(t.to_owned());
        assert_eq!(args.decode::<i32>("op", "n", &text("6303")).unwrap(), 6303);
        assert!(!args.decode::<bool>("op", "b", &text("false")).unwrap());
        assert_eq!(
            args.decode::<String>("op", "s", &text("6303")).unwrap(),
            "6303"
        );
        let error = args.decode::<i32>("op", "n", &text("six")).unwrap_err();
        assert!(!error.to_string().contains("six"), "{error}");
    }
}
