//! Entry point for the fuzzer and property tests: the hand-written part of
//! response handling (envelope mapping, snippets, scrubbing) without a socket.

use reqwest::StatusCode;

use crate::error::BodySnippet;
use crate::reset::{refused, token_from_envelope};
use crate::types::{ErrorBody, ResetTokenEnvelope};
use crate::{Error, ResetToken};

/// Maps a status and body the way [`Client::reset_token`](crate::Client::reset_token)
/// does after the generated code has routed them: 200 decodes an envelope, 400
/// and 403 an [`ErrorBody`], anything else is an unexpected status. `app_key`
/// is what the scrubber must remove from quoted bodies.
pub fn decode(status: u16, body: &[u8], app_key: &str) -> Result<ResetToken, Error> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
    let undecodable = |source| Error::Undecodable {
        expected: "ResetTokenEnvelope, or an ErrorBody on 4xx",
        body: BodySnippet::new(body, app_key),
        source,
    };
    match status.as_u16() {
        200 => {
            let envelope: ResetTokenEnvelope = serde_json::from_slice(body).map_err(undecodable)?;
            token_from_envelope(status, envelope)
        }
        400 | 403 => match serde_json::from_slice(body).map_err(undecodable)? {
            ErrorBody::AppKeyError(e) => Err(Error::AppKeyRejected {
                status,
                message: crate::secret::scrub(&e.error, app_key),
            }),
            ErrorBody::ResetTokenEnvelope(envelope) => Err(refused(status, envelope)),
        },
        _ => Err(Error::UnexpectedStatus {
            status,
            body: BodySnippet::new(body, app_key),
        }),
    }
}
