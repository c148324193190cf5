//! `Client::reset_token`: one call, one typed result.

use progenitor_client::Error as ApiError;
use reqwest::StatusCode;

use crate::error::BodySnippet;
use crate::hooks::BodyTooLarge;
use crate::types::{
    ErrorBody, ResetCodeRequest, ResetCodeRequestCode, ResetIdentifier, ResetTokenEnvelope,
};
use crate::{Client, Error, ResetToken};

impl Client {
    /// Exchanges the confirmation code a trader received by email for the token
    /// that sets the new password or PIN code (step 2 of the reset flow).
    ///
    /// The code is checked against the spec's rule before anything is sent: it
    /// must be non-empty and contain no white space.
    ///
    /// The request is never retried: a confirmation code may be single-use, and
    /// a retry after a lost response could burn it. A timeout is returned as
    /// [`Error::Timeout`].
    pub async fn reset_token(
        &self,
        code: &str,
        identifier: ResetIdentifier,
    ) -> Result<ResetToken, Error> {
        self.reset_token_envelope(code, identifier)
            .await?
            .into_token()
    }

    /// Like [`reset_token`](Self::reset_token), but returns the envelope the API
    /// answered with, refusals included, for callers who show or store it. Only
    /// answers without an envelope (app key rejected, transport failures,
    /// undocumented statuses, undecodable bodies) are errors.
    pub async fn reset_token_envelope(
        &self,
        code: &str,
        identifier: ResetIdentifier,
    ) -> Result<EnvelopeResponse, Error> {
        let code = ResetCodeRequestCode::try_from(code).map_err(|_| Error::InvalidInput {
            field: "code",
            reason: if code.is_empty() {
                "the confirmation code is empty; pass the code from the trader's email".to_owned()
            } else {
                "the confirmation code contains white space; pass it exactly as written in the email, without spaces or line breaks".to_owned()
            },
        })?;
        let result = self
            .api
            .generate_reset_token()
            .version(self.api_version.as_str())
            .body(ResetCodeRequest { code, identifier })
            .send()
            .await;
        match result {
            Ok(response) => Ok(EnvelopeResponse {
                status: response.status(),
                envelope: response.into_inner(),
            }),
            Err(e) => self.map_error(e).await,
        }
    }

    async fn map_error(&self, error: ApiError<ErrorBody>) -> Result<EnvelopeResponse, Error> {
        Err(match error {
            ApiError::ErrorResponse(response) => {
                let status = response.status();
                return from_error_body(status, response.into_inner(), &self.app_key);
            }
            ApiError::UnexpectedResponse(response) => {
                let status = response.status();
                // The body is capped by the hooks; past the cap, quote what came.
                let body = response.bytes().await.unwrap_or_default();
                unexpected_status(status, &body, &self.app_key)
            }
            ApiError::InvalidResponsePayload(body, source) => {
                undecodable(&body, source, &self.app_key)
            }
            ApiError::ResponseBodyError(source) => self.transport(source),
            ApiError::CommunicationError(source) | ApiError::InvalidUpgrade(source) => {
                self.transport(source)
            }
            ApiError::InvalidRequest(reason) | ApiError::Custom(reason) => Error::InvalidInput {
                field: "request",
                reason,
            },
        })
    }

    fn transport(&self, source: reqwest::Error) -> Error {
        if let Some(too_large) = find_cause::<BodyTooLarge>(&source) {
            return Error::BodyTooLarge {
                limit: too_large.limit,
            };
        }
        if source.is_timeout() {
            let timeout = progenitor_client::ClientInfo::inner(&self.api).timeout;
            return Error::Timeout { timeout, source };
        }
        Error::Connection { source }
    }
}

/// An envelope as the API sent it, with the HTTP status it came with.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvelopeResponse {
    /// The HTTP status (200, or 400 for a refusal).
    pub status: StatusCode,
    /// The envelope; `Model` redacts in `Debug`.
    pub envelope: ResetTokenEnvelope,
}

impl EnvelopeResponse {
    /// The token, or the error the envelope reports ([`Error::Refused`],
    /// [`Error::MissingToken`]).
    pub fn into_token(self) -> Result<ResetToken, Error> {
        token_from_envelope(self.status, self.envelope)
    }
}

/// A documented error body (400/403): a refusal's envelope, or the app-key error.
pub(crate) fn from_error_body(
    status: StatusCode,
    body: ErrorBody,
    app_key: &str,
) -> Result<EnvelopeResponse, Error> {
    match body {
        ErrorBody::AppKeyError(body) => Err(Error::AppKeyRejected {
            status,
            message: crate::secret::scrub(&body.error, app_key),
        }),
        ErrorBody::ResetTokenEnvelope(envelope) => Ok(EnvelopeResponse { status, envelope }),
    }
}

pub(crate) fn unexpected_status(status: StatusCode, body: &[u8], app_key: &str) -> Error {
    Error::UnexpectedStatus {
        status,
        body: BodySnippet::new(body, app_key),
    }
}

pub(crate) fn undecodable(body: &[u8], source: serde_json::Error, app_key: &str) -> Error {
    Error::Undecodable {
        expected: "ResetTokenEnvelope, or an ErrorBody on 4xx",
        body: BodySnippet::new(body, app_key),
        source,
    }
}

/// Maps a decoded envelope to the token, or to the error it reports.
pub(crate) fn token_from_envelope(
    status: StatusCode,
    envelope: ResetTokenEnvelope,
) -> Result<ResetToken, Error> {
    if !envelope.is_succeed {
        return Err(refused(status, envelope));
    }
    match envelope.model {
        Some(token) if !token.is_empty() => Ok(token),
        _ => Err(Error::MissingToken {
            status,
            status_code: envelope.status_code,
        }),
    }
}

fn refused(status: StatusCode, envelope: ResetTokenEnvelope) -> Error {
    Error::Refused {
        status,
        errors: envelope.errors.unwrap_or_default(),
        errors_code: envelope.errors_code.unwrap_or_default(),
        status_code: envelope.status_code,
    }
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
