//! Every operation by its id, with JSON arguments: what `etna api` and the
//! spec-wide tests use to reach any operation without naming it in Rust.
//! Generation implements [`Dispatch`] for the generated client.

use std::future::Future;
use std::pin::Pin;

use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::envelope::Envelope;
use crate::{Error, Operation};

/// One operation as the spec describes its inputs.
#[derive(Clone, Copy, Debug)]
pub struct OperationDoc {
    /// `operationId`.
    pub id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template with the server's base path.
    pub path: &'static str,
    /// `summary`.
    pub summary: &'static str,
    /// Path, query and header parameters.
    pub parameters: &'static [ParameterDoc],
    /// The request body, when the operation takes one.
    pub body: Option<BodyDoc>,
}

/// One parameter of an operation.
#[derive(Clone, Copy, Debug)]
pub struct ParameterDoc {
    /// The name in the spec (also the key in [`JsonArgs`]).
    pub name: &'static str,
    /// `path`, `query` or `header`.
    pub location: &'static str,
    /// Whether the spec requires it.
    pub required: bool,
    /// Whether its schema is `format: password`.
    pub secret: bool,
    /// `description`.
    pub description: &'static str,
}

/// The request body of an operation.
#[derive(Clone, Copy, Debug)]
pub struct BodyDoc {
    /// Whether the spec requires it.
    pub required: bool,
    /// The JSON names of its `format: password` properties.
    pub secret_properties: &'static [&'static str],
    /// The spec's request example as JSON text, or empty.
    pub example: &'static str,
}

/// Arguments of an operation as JSON: parameters by their spec name, and the
/// body.
#[derive(Clone, Debug, Default)]
pub struct JsonArgs {
    parameters: serde_json::Map<String, serde_json::Value>,
    body: Option<serde_json::Value>,
}

impl JsonArgs {
    /// Arguments from a parameter map and an optional body.
    pub fn new(
        parameters: serde_json::Map<String, serde_json::Value>,
        body: Option<serde_json::Value>,
    ) -> Self {
        Self { parameters, body }
    }

    /// The value given for a parameter.
    pub fn parameter(&self, name: &str) -> Option<&serde_json::Value> {
        self.parameters.get(name)
    }

    /// The body, when one was given.
    pub fn body(&self) -> Option<&serde_json::Value> {
        self.body.as_ref()
    }

    /// `value` as the type the generated builder takes; a mismatch is an
    /// [`Error::InvalidInput`] that names `what`, never its value.
    pub fn decode<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        what: &str,
        value: &serde_json::Value,
    ) -> Result<T, Error> {
        serde_json::from_value(value.clone()).map_err(|e| Error::InvalidInput {
            operation,
            reason: format!("{what}: {e}"),
        })
    }
}

/// What an operation called through [`Dispatch`] answered.
#[derive(Debug)]
pub struct JsonReply {
    /// The operation.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// Whether the answer reports success under the operation's rule.
    pub accepted: bool,
    /// The envelope as the API sent it, secrets included (for scripts that
    /// pass a token on; never log it).
    pub envelope: serde_json::Value,
    /// The typed envelope's `Debug`, secrets redacted.
    pub envelope_debug: String,
    /// What [`Operation::call`] makes of it: the model's `Debug` (secrets
    /// redacted), or the error.
    pub outcome: Result<String, Error>,
}

impl JsonReply {
    /// Calls `operation` with [`Operation::call_envelope`] and describes the answer.
    pub async fn from_call<O: Operation>(operation: O) -> Result<Self, Error>
    where
        O::Envelope: Serialize + std::fmt::Debug,
        <O::Envelope as Envelope>::Model: std::fmt::Debug,
    {
        let reply = operation.call_envelope().await?;
        let envelope = serde_json::to_value(&reply.envelope).unwrap_or_default();
        let envelope_debug = format!("{:#?}", reply.envelope);
        let (status, accepted) = (reply.status, reply.accepted());
        Ok(Self {
            operation: O::ID,
            status,
            accepted,
            envelope,
            envelope_debug,
            outcome: reply.into_model().map(|model| format!("{model:?}")),
        })
    }
}

/// Every enveloped operation of a generated client, by id. Implemented by
/// `cargo xtask codegen`.
pub trait Dispatch {
    /// The operations, in the spec's path order.
    const OPERATION_DOCS: &'static [OperationDoc];

    /// Calls the operation `id` with `args`; `None` when the client has no
    /// such operation.
    #[allow(clippy::type_complexity)]
    fn dispatch<'a>(
        &'a self,
        id: &'a str,
        args: &'a JsonArgs,
    ) -> Pin<Box<dyn Future<Output = Option<Result<JsonReply, Error>>> + Send + 'a>>;

    /// Maps a status and body the way the operation `id`'s
    /// [`call`](Operation::call) does, without a socket (see
    /// [`fuzzing::decode`](crate::fuzzing::decode)): the model's `Debug`
    /// (secrets redacted), or the error. `None` for an unknown id.
    fn decode_answer(
        id: &str,
        status: u16,
        body: &[u8],
        app_key: &str,
    ) -> Option<Result<String, Error>>;
}
