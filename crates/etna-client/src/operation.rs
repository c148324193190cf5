//! One typed result for every enveloped operation: the generated builders
//! implement [`Operation`], and [`Operation::call`] turns whatever the server
//! answered into `Ok(model)` or one [`Error`].

use std::future::Future;

use progenitor_client::{Error as ApiError, ResponseValue};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::envelope::{Envelope, ErrorKind, ErrorPayload, SuccessRule};

use crate::Error;
use crate::error::BodySnippet;
use crate::hooks::{BodyTooLarge, Limits};

/// A generated request builder of an operation whose answers are envelopes.
///
/// Implemented by `cargo xtask codegen` for every such operation of the spec;
/// the constants come from the spec. Callers use [`call`](Self::call) or
/// [`call_envelope`](Self::call_envelope) instead of the builder's own `send`.
///
/// No method retries: a request may carry a single-use code or token, and a
/// retry after a lost response could burn it.
pub trait Operation: Sized + Send {
    /// The spec's `operationId`.
    const ID: &'static str;
    /// The HTTP method, upper case.
    const METHOD: &'static str;
    /// The path template, server base path included (`/v{version}/...`).
    const PATH: &'static str;
    /// How the envelope says "done" (`x-etna-success` in the spec).
    const SUCCESS: SuccessRule;
    /// The HTTP statuses the spec documents for the operation.
    const DOCUMENTED_STATUSES: &'static [u16];
    /// The envelope of a documented success.
    type Envelope: Envelope + DeserializeOwned + Send;
    /// The body of a documented error.
    type ErrorBody: ErrorPayload + DeserializeOwned + Send;

    /// The settings of the client the builder belongs to.
    fn limits(&self) -> &Limits;

    /// The generated `send`.
    fn send_request(
        self,
    ) -> impl Future<Output = Result<ResponseValue<Self::Envelope>, ApiError<Self::ErrorBody>>> + Send;

    /// Sends the request and returns the payload (`Model`) of a successful
    /// answer; a refusal, an answer without the payload, and every other
    /// failure is an [`Error`] naming the operation.
    fn call(
        self,
    ) -> impl Future<Output = Result<<Self::Envelope as Envelope>::Model, Error>> + Send {
        async move { self.call_envelope().await?.into_model() }
    }

    /// Sends the request and returns the envelope the API answered with,
    /// refusals included (in a 200, or in a documented error status whose body
    /// is an envelope), for callers who show or store it. Answers without an
    /// envelope (app key rejected, transport failures, undocumented statuses,
    /// undecodable bodies) are errors, as with [`call`](Self::call).
    fn call_envelope(self) -> impl Future<Output = Result<Reply<Self::Envelope>, Error>> + Send {
        async move {
            let limits = self.limits().clone();
            let result = self.send_request().await;
            finish::<Self>(&limits, result).await
        }
    }
}

/// A 2xx envelope with the HTTP status it came with.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply<E> {
    /// The operation's `operationId`.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// How the operation's envelope says "done".
    pub rule: SuccessRule,
    /// The envelope; secret fields redact in `Debug`.
    pub envelope: E,
}

impl<E: Envelope> Reply<E> {
    /// Whether the answer reports success: a 2xx status, and the envelope
    /// says so under the operation's rule.
    pub fn accepted(&self) -> bool {
        self.status.is_success() && self.rule.accepts(&self.envelope)
    }

    /// The payload, or the error the envelope reports ([`Error::Refused`],
    /// [`Error::MissingModel`]).
    pub fn into_model(self) -> Result<E::Model, Error> {
        if !self.accepted() {
            let refusal = crate::Refusal::from_envelope(&self.envelope);
            return Err(Error::Refused {
                operation: self.operation,
                status: self.status,
                errors: refusal.errors,
                errors_code: refusal.errors_code,
                status_code: refusal.status_code,
            });
        }
        let status_code = self.envelope.status_code().cloned();
        self.envelope.into_model().ok_or(Error::MissingModel {
            operation: self.operation,
            status: self.status,
            status_code,
        })
    }
}

async fn finish<O: Operation>(
    limits: &Limits,
    result: Result<ResponseValue<O::Envelope>, ApiError<O::ErrorBody>>,
) -> Result<Reply<O::Envelope>, Error> {
    let error = match result {
        Ok(response) => {
            return Ok(Reply {
                operation: O::ID,
                status: response.status(),
                rule: O::SUCCESS,
                envelope: response.into_inner(),
            });
        }
        Err(error) => error,
    };
    Err(match error {
        ApiError::ErrorResponse(response) => {
            let status = response.status();
            let kind = response.into_inner().into_kind();
            // A refusal in an error status is still an envelope: hand it back
            // as the operation's own, whose payload is then simply absent.
            if let ErrorKind::Envelope { body, .. } = &kind
                && let Ok(envelope) = serde_json::from_value::<O::Envelope>(body.clone())
            {
                return Ok(Reply {
                    operation: O::ID,
                    status,
                    rule: O::SUCCESS,
                    envelope,
                });
            }
            from_error_kind(O::ID, status, kind, limits)
        }
        ApiError::UnexpectedResponse(response) => {
            let status = response.status();
            // The body is capped by the hooks; past the cap, quote what came.
            let body = response.bytes().await.unwrap_or_default();
            unexpected_status(O::ID, status, &body, limits)
        }
        ApiError::InvalidResponsePayload(body, source) => undecodable(O::ID, &body, source, limits),
        ApiError::ResponseBodyError(source)
        | ApiError::CommunicationError(source)
        | ApiError::InvalidUpgrade(source) => transport(O::ID, source, limits),
        ApiError::InvalidRequest(reason) | ApiError::Custom(reason) => Error::InvalidInput {
            operation: O::ID,
            reason,
        },
    })
}

/// A documented error body: a refusal's envelope, or another documented shape.
/// A non-envelope body on 401/403 is the security scheme's answer: the API
/// rejected the app key.
pub(crate) fn from_error_kind(
    operation: &'static str,
    status: StatusCode,
    kind: ErrorKind,
    limits: &Limits,
) -> Error {
    match kind {
        ErrorKind::Envelope { refusal, .. } => Error::Refused {
            operation,
            status,
            errors: refusal.errors,
            errors_code: refusal.errors_code,
            status_code: refusal.status_code,
        },
        ErrorKind::Other(value) => {
            let message = match &value {
                serde_json::Value::Object(map) if map.len() == 1 => map
                    .values()
                    .next()
                    .and_then(serde_json::Value::as_str)
                    .map_or_else(|| value.to_string(), str::to_owned),
                _ => value.to_string(),
            };
            let message = limits.scrub(&message);
            if matches!(status.as_u16(), 401 | 403) {
                Error::AppKeyRejected {
                    operation,
                    status,
                    message,
                }
            } else {
                Error::UnexpectedStatus {
                    operation,
                    status,
                    body: BodySnippet::new(message.as_bytes(), limits),
                }
            }
        }
    }
}

pub(crate) fn unexpected_status(
    operation: &'static str,
    status: StatusCode,
    body: &[u8],
    limits: &Limits,
) -> Error {
    Error::UnexpectedStatus {
        operation,
        status,
        body: BodySnippet::new(body, limits),
    }
}

pub(crate) fn undecodable(
    operation: &'static str,
    body: &[u8],
    source: serde_json::Error,
    limits: &Limits,
) -> Error {
    Error::Undecodable {
        operation,
        body: BodySnippet::new(body, limits),
        source,
    }
}

fn transport(operation: &'static str, source: reqwest::Error, limits: &Limits) -> Error {
    if let Some(too_large) = find_cause::<BodyTooLarge>(&source) {
        return Error::BodyTooLarge {
            operation,
            limit: too_large.limit,
        };
    }
    // The URL could carry a query value; errors never quote it.
    let source = source.without_url();
    if source.is_timeout() {
        return Error::Timeout {
            operation,
            timeout: limits.timeout(),
            source,
        };
    }
    Error::Connection { operation, source }
}

fn find_cause<'a, T: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}
