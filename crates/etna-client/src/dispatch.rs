//! Every operation by its id, with JSON arguments: what `etna api` and the
//! spec-wide tests use to reach any operation without naming it in Rust.
//! Generation implements [`Dispatch`] for the generated client.

use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{Stream, TryStreamExt};
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

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
        // A value given as text (a command line's `--accountId 6303`) is
        // also read as the JSON it spells, for a parameter typed as a number
        // or a boolean; a string parameter takes the text as it is first.
        let as_text = || match value {
            serde_json::Value::String(text) => serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|spelled| serde_json::from_value(spelled).ok()),
            _ => None,
        };
        // serde's message quotes the offending value, which may be a secret.
        serde_json::from_value(value.clone()).or_else(|e| {
            as_text().ok_or_else(|| Error::InvalidInput {
                operation,
                reason: format!("{what}: {}", crate::error::describe_serde(&e)),
            })
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
    /// What [`Operation::call`] makes of it: the result's `Debug` (secrets
    /// redacted), or the error.
    pub outcome: Result<String, Error>,
    /// The caller's key the request carried (the spec's `x-etna-client-id`,
    /// e.g. the order's `ClientId`), filled by the client when the body
    /// left it empty; `None` for an operation without one.
    pub client_id: Option<crate::ClientKey>,
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
                outcome: O::output(status, success).map(|output| format!("{output:?}")),
                client_id: client_id.clone(),
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
                outcome: Err(error),
                client_id,
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
    use serde_json::json;

    use super::*;

    /// A command line gives every parameter as text: a number or a boolean
    /// parameter reads the JSON it spells, a string parameter the text.
    #[test]
    fn a_parameter_given_as_text_is_read_as_the_type_the_builder_takes() {
        let args = JsonArgs::default();
        let decode = |value: serde_json::Value| args.decode::<i32>("op", "accountId", &value);
        assert_eq!(decode(json!("6303")).unwrap(), 6303);
        assert_eq!(decode(json!(6303)).unwrap(), 6303);
        assert!(matches!(
            decode(json!("63x")),
            Err(Error::InvalidInput { .. })
        ));
        assert!(args.decode::<bool>("op", "desc", &json!("true")).unwrap());
        assert_eq!(
            args.decode::<String>("op", "ClientId", &json!("0123"))
                .unwrap(),
            "0123"
        );
    }
}
