//! One typed result for every operation: the generated builders implement
//! [`Operation`] (and [`EnvelopeOperation`] when the answers are envelopes),
//! and [`Operation::call`] turns whatever the server answered into the
//! operation's result or one [`Error`].

use std::future::Future;

use progenitor_client::{Error as ApiError, ResponseValue};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::envelope::{Envelope, ErrorKind, ErrorPayload, SuccessRule};

use crate::Error;
use crate::error::{BodySnippet, Rejection};
use crate::hooks::{BodyTooLarge, ClientState};
use crate::table::{Credential, Need, OperationSpec};

/// A generated request builder: every operation of the spec has one.
///
/// Implemented by `cargo xtask codegen`; the table row, the types and the
/// shape of the result come from the spec. Callers use [`call`](Self::call)
/// instead of the builder's own `send`.
///
/// No method retries: a request may carry a single-use code or token, and a
/// retry after a lost response could burn it (or place an order twice). When
/// a request whose method is not safe to repeat may have been written and
/// its answer is lost, the error is [`Error::OutcomeUnknown`].
pub trait Operation: Sized + Send {
    /// The operation's row of the generated table.
    const SPEC: &'static OperationSpec;
    /// The spec's `operationId`.
    const ID: &'static str = Self::SPEC.id;
    /// The body of a documented 2xx answer (`()` when it has none).
    type Success: DeserializeOwned + Send;
    /// The body of a documented error answer.
    type ErrorBody: ErrorPayload
        + DeserializeOwned
        + Clone
        + std::fmt::Debug
        + Send
        + Sync
        + 'static;
    /// What [`call`](Self::call) returns: the envelope's `Model`, the plain
    /// body (a `Vec` for a bare array), an [`Answer`] when several 2xx
    /// statuses are documented (its body an `Option` when some of them have
    /// none, such as a 204 beside a 200), or `()`.
    type Output;

    /// The settings of the client the builder belongs to.
    fn state(&self) -> &ClientState;

    /// The generated `send`.
    fn send_request(
        self,
    ) -> impl Future<Output = Result<ResponseValue<Self::Success>, ApiError<Self::ErrorBody>>> + Send;

    /// The result of a documented 2xx answer (generated from the shape the
    /// spec gives the operation's answers).
    fn output(status: StatusCode, success: Self::Success) -> Result<Self::Output, Error>;

    /// The caller's key, filled when empty (generated for a
    /// [`ClientKeyed`](crate::ClientKeyed) operation).
    #[doc(hidden)]
    fn fill_client_key(&mut self) -> Option<crate::ClientKey> {
        None
    }

    /// Sends the request and returns its typed result. A refusal, an
    /// operation needing a session the client does not have (checked before
    /// any I/O), and every other failure is an [`Error`] naming the
    /// operation.
    fn call(self) -> impl Future<Output = Result<Self::Output, Error>> + Send {
        // A `ClientKeyed` operation's generated impl replaces this with
        // `keyed_call`: a `const` branch here would still lay that path out
        // in every operation's future, and boxing it cost every keyed call an
        // allocation and a copy of its builder.
        async move {
            let limits = self.state().clone();
            check_session::<Self>(&limits)?;
            match self.send_request().await {
                // Not through `complete`, whose future (made for the error
                // paths, which may read a body) every call would move.
                Ok(response) => success::<Self>(response),
                // Boxed: its future (which may read an error body) would
                // otherwise make every call's future larger.
                failed => Box::pin(complete::<Self>(&limits, failed)).await,
            }
        }
    }
}

/// [`Operation::call`] of an operation whose body carries the caller's
/// key (the generated impl of a [`ClientKeyed`](crate::ClientKeyed)
/// operation calls it): filled before sending, and named by an
/// [`Error::OutcomeUnknown`]. Shaped as `call` is, for the same reasons.
#[doc(hidden)]
pub async fn keyed_call<O: Operation>(mut operation: O) -> Result<O::Output, Error> {
    let key = operation.fill_client_key();
    let limits = operation.state().clone();
    check_session::<O>(&limits)?;
    match operation.send_request().await {
        Ok(response) => success::<O>(response),
        failed => Box::pin(complete::<O>(&limits, failed))
            .await
            .map_err(|error| error.with_client_key(key)),
    }
}

/// How a builder's `send` routes an answer by status: progenitor's own
/// `match`, which etna-codegen moves here so that the fuzz target and the
/// property tests can route a response made in memory through the code
/// every call runs. Implemented by `cargo xtask codegen`.
#[doc(hidden)]
pub trait Route: Operation {
    /// The documented success, a documented error body, or what progenitor
    /// makes of anything else.
    fn route(
        response: reqwest::Response,
    ) -> impl Future<Output = Result<ResponseValue<Self::Success>, ApiError<Self::ErrorBody>>> + Send;
}

/// What [`Operation::call`] makes of a documented success.
pub(crate) fn success<O: Operation>(
    response: ResponseValue<O::Success>,
) -> Result<O::Output, Error> {
    O::output(response.status(), response.into_inner())
}

/// What [`Operation::call`] makes of what `send` returned: the operation's
/// result, or the one error.
pub(crate) async fn complete<O: Operation>(
    limits: &ClientState,
    result: Result<ResponseValue<O::Success>, ApiError<O::ErrorBody>>,
) -> Result<O::Output, Error> {
    let (status, success) = finish::<O>(limits, result)
        .await
        .map_err(|failure| failure.error)?;
    O::output(status, success)
}

/// An operation whose answers are envelopes.
pub trait EnvelopeOperation: Operation<Success = Self::Envelope> {
    /// The envelope of a documented success.
    type Envelope: Envelope + DeserializeOwned + Send;
    /// How the envelope says "done" (`x-etna-success` in the spec).
    const SUCCESS: SuccessRule;

    /// Sends the request and returns the envelope the API answered with,
    /// refusals included (in a 200, or in a documented error status whose body
    /// is an envelope), for callers who show or store it. Answers without an
    /// envelope (app key rejected, transport failures, undocumented statuses,
    /// undecodable bodies) are errors, as with [`call`](Operation::call).
    fn call_envelope(self) -> impl Future<Output = Result<Reply<Self::Envelope>, Error>> + Send {
        async move {
            let mut this = self;
            let key = this.fill_client_key();
            let limits = this.state().clone();
            check_session::<Self>(&limits)?;
            let result = this.send_request().await;
            match finish::<Self>(&limits, result).await {
                Ok((status, envelope)) => Ok(Reply {
                    operation: Self::ID,
                    status,
                    rule: Self::SUCCESS,
                    envelope,
                }),
                Err(Failure {
                    refusal: Some((status, body)),
                    error,
                }) => {
                    // A refusal in an error status is still an envelope: hand
                    // it back as the operation's own, whose payload is then
                    // simply absent.
                    match body.kind() {
                        ErrorKind::Envelope { body, .. } => {
                            serde_json::from_value::<Self::Envelope>(body)
                                .map(|envelope| Reply {
                                    operation: Self::ID,
                                    status,
                                    rule: Self::SUCCESS,
                                    envelope,
                                })
                                .map_err(|_| error)
                        }
                        ErrorKind::Other(_) => Err(error),
                    }
                }
                Err(failure) => Err(failure.error.with_client_key(key)),
            }
        }
    }
}

/// The result of an operation that documents several 2xx statuses: which
/// one came, and the body.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer<T> {
    /// The HTTP status (one the spec documents).
    pub status: StatusCode,
    /// The body (secret fields redact in `Debug`).
    pub body: T,
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

/// Why a call gave no 2xx body, and the documented refusal body when there
/// was one.
pub(crate) struct Failure<B> {
    pub(crate) error: Error,
    pub(crate) refusal: Option<(StatusCode, B)>,
}

impl<B> From<Error> for Failure<B> {
    fn from(error: Error) -> Self {
        Self {
            error,
            refusal: None,
        }
    }
}

/// Before any I/O: an operation that requires a session fails when the
/// client has none, or has one past its known lifetime.
pub(crate) fn check_session<O: Operation>(limits: &ClientState) -> Result<(), Error> {
    if O::SPEC.security.bearer == Need::Required {
        limits.session_header(O::ID)?;
    }
    Ok(())
}

pub(crate) async fn finish<O: Operation>(
    limits: &ClientState,
    result: Result<ResponseValue<O::Success>, ApiError<O::ErrorBody>>,
) -> Result<(StatusCode, O::Success), Failure<O::ErrorBody>> {
    let error = match result {
        Ok(response) => return Ok((response.status(), response.into_inner())),
        Err(error) => error,
    };
    Err(match error {
        ApiError::ErrorResponse(response) => {
            let status = response.status();
            let body = response.into_inner();
            let error = from_error_body(O::SPEC, status, &body, limits);
            return Err(Failure {
                error,
                refusal: Some((status, body)),
            });
        }
        ApiError::UnexpectedResponse(response) => {
            let status = response.status();
            // The body is capped by the hooks; past the cap, quote what came.
            let body = response.bytes().await.unwrap_or_default();
            unexpected_status(O::ID, status, &body, limits)
        }
        ApiError::InvalidResponsePayload(body, source) => {
            undecodable(O::ID, &body, &source, limits)
        }
        ApiError::ResponseBodyError(source)
        | ApiError::CommunicationError(source)
        | ApiError::InvalidUpgrade(source) => transport(O::SPEC, source, limits),
        ApiError::InvalidRequest(reason) | ApiError::Custom(reason) => Error::InvalidInput {
            operation: O::ID,
            reason,
        },
    }
    .into())
}

/// A documented error body as the error a caller acts on: a refusal
/// envelope; else, on a status the spec marks as refusing a credential
/// (`x-etna-refuses`, the operation's `refusals`), the session or the app key
/// refused; otherwise the operation's typed refusal.
pub(crate) fn from_error_body<B>(
    spec: &'static OperationSpec,
    status: StatusCode,
    body: &B,
    limits: &ClientState,
) -> Error
where
    B: ErrorPayload + std::fmt::Debug + Send + Sync + Clone + 'static,
{
    match body.kind() {
        ErrorKind::Envelope { refusal, .. } => Error::Refused {
            operation: spec.id,
            status,
            errors: refusal.errors,
            errors_code: refusal.errors_code,
            status_code: refusal.status_code,
        },
        ErrorKind::Other(value) => {
            let message = || {
                let text = match &value {
                    serde_json::Value::Object(map) if map.len() == 1 => map
                        .values()
                        .next()
                        .and_then(serde_json::Value::as_str)
                        .map_or_else(|| value.to_string(), str::to_owned),
                    _ => value.to_string(),
                };
                limits.scrub(&text)
            };
            match spec.refused(status.as_u16()) {
                Some(Credential::Session) => Error::SessionRejected {
                    operation: spec.id,
                    status,
                    message: message(),
                },
                Some(Credential::AppKey) => Error::AppKeyRejected {
                    operation: spec.id,
                    status,
                    header: limits.app_key_header(),
                    message: message(),
                },
                None => Error::Rejected {
                    operation: spec.id,
                    status,
                    body: Rejection::new(limits.scrub(&format!("{body:?}")), body.clone()),
                },
            }
        }
    }
}

pub(crate) fn unexpected_status(
    operation: &'static str,
    status: StatusCode,
    body: &[u8],
    limits: &ClientState,
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
    source: &serde_json::Error,
    limits: &ClientState,
) -> Error {
    Error::Undecodable {
        operation,
        body: BodySnippet::new(body, limits),
        reason: crate::error::describe_serde(source),
    }
}

/// What a transport failure means for the caller. Only a failure to connect
/// proves that nothing was sent; after that, hyper may have written the
/// request (hyper-util resends only a request it never started writing, on a
/// reused connection: ARCHITECTURE.md), so for a method that is not safe to
/// repeat the outcome is unknown, and a timeout counts too, since it cannot
/// say how far the exchange got. Runs on failures only: the success path
/// pays nothing for it.
fn transport(spec: &'static OperationSpec, source: reqwest::Error, limits: &ClientState) -> Error {
    let operation = spec.id;
    if let Some(too_large) = find_cause::<BodyTooLarge>(&source) {
        return Error::BodyTooLarge {
            operation,
            limit: too_large.limit,
        };
    }
    // A request reqwest could not build never left the client: its body did
    // not serialise (an enum value the spec does not list, say). The caller's
    // input, not the network; the serialiser's message says which.
    if source.is_builder() {
        let reason = std::error::Error::source(&source)
            .map_or_else(|| source.to_string(), ToString::to_string);
        return Error::InvalidInput { operation, reason };
    }
    // The URL could carry a query value; errors never quote it.
    let source = source.without_url();
    if !source.is_connect() && !safe_to_repeat(spec.method) {
        return Error::OutcomeUnknown {
            operation,
            method: spec.method,
            timeout: source.is_timeout().then(|| limits.timeout()),
            source,
            client_id: None,
        };
    }
    if source.is_timeout() {
        return Error::Timeout {
            operation,
            timeout: limits.timeout(),
            source,
        };
    }
    Error::Connection { operation, source }
}

/// RFC 9110's safe methods, which ask for no change: sending one again can
/// do no harm. PUT is left out although HTTP calls it idempotent: this spec's
/// PUTs spend single-use tokens or change a password, so a second copy after
/// a first that took effect is refused and would mislead.
fn safe_to_repeat(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
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
