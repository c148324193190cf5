//! The envelope every answer of the API comes in, seen through traits that
//! generation implements for each envelope type of the spec.

use serde::Serialize;

use crate::HttpStatusCode;

/// An answer envelope: the fields the spec's `x-etna-envelope` names, and the
/// payload (`Model`) typed per operation.
///
/// Implemented by `cargo xtask codegen` for every generated struct that has the
/// envelope's fields; never by hand.
pub trait Envelope {
    /// The payload: the token, the question text, or `()` for an envelope
    /// without one.
    type Model;
    /// The success flag as sent (see [`SuccessRule`] for how it is read).
    fn succeeded(&self) -> bool;
    /// The reasons for people; empty when none were sent.
    fn errors(&self) -> &[String];
    /// The reasons for programs; empty when none were sent.
    fn error_codes(&self) -> &[String];
    /// The informational status name, when sent.
    fn status_code(&self) -> Option<&HttpStatusCode>;
    /// The payload, or `None` when the envelope carries none.
    fn into_model(self) -> Option<Self::Model>;
}

/// How an operation's envelope says "done": declared per operation in the
/// spec with `x-etna-success`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuccessRule {
    /// `IsSucceed` is true (the default).
    IsSucceed,
    /// No entry in `Errors` or `ErrorsCode`, whatever `IsSucceed` says: for
    /// operations whose documented success has `IsSucceed: false`.
    NoErrors,
}

impl SuccessRule {
    /// Whether `envelope` reports success under this rule.
    pub fn accepts<E: Envelope + ?Sized>(self, envelope: &E) -> bool {
        match self {
            Self::IsSucceed => envelope.succeeded(),
            Self::NoErrors => envelope.errors().is_empty() && envelope.error_codes().is_empty(),
        }
    }
}

/// The part of an envelope that explains a refusal, whatever its `Model`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// `Errors`.
    pub errors: Vec<String>,
    /// `ErrorsCode`.
    pub errors_code: Vec<String>,
    /// `StatusCode`, when sent.
    pub status_code: Option<HttpStatusCode>,
}

impl Refusal {
    /// The refusal part of any envelope.
    pub fn from_envelope<E: Envelope + ?Sized>(envelope: &E) -> Self {
        Self {
            errors: envelope.errors().to_vec(),
            errors_code: envelope.error_codes().to_vec(),
            status_code: envelope.status_code().cloned(),
        }
    }
}

/// What a documented error body is.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorKind {
    /// An envelope: the API refused the request and says why.
    Envelope {
        /// Why.
        refusal: Refusal,
        /// The envelope as JSON, to be read as the operation's own envelope.
        body: serde_json::Value,
    },
    /// Another documented shape (such as the app-key error), as JSON.
    Other(serde_json::Value),
}

impl ErrorKind {
    /// A refusal envelope.
    pub fn envelope<E: Envelope + Serialize>(envelope: &E) -> Self {
        Self::Envelope {
            refusal: Refusal::from_envelope(envelope),
            body: crate::open_enum::answer_value(envelope),
        }
    }

    /// A documented non-envelope body, kept as JSON for the error message.
    pub fn other<T: Serialize + ?Sized>(body: &T) -> Self {
        Self::Other(crate::open_enum::answer_value(body))
    }
}

/// A documented error body of an operation. Implemented by `cargo xtask
/// codegen` for every error type the spec's operations use.
pub trait ErrorPayload {
    /// Whether the body is a refusal envelope or another documented shape.
    fn kind(&self) -> ErrorKind;
}

/// Operations that document no error body.
impl ErrorPayload for () {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other(serde_json::Value::Null)
    }
}
