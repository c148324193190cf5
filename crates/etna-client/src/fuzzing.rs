//! Entry point for the fuzzer and property tests: the hand-written part of
//! response handling (envelope mapping, snippets, scrubbing) without a socket.
//! It calls the same functions as `Client::reset_token`; only the routing by
//! status, which the generated code does, is restated here.

use reqwest::StatusCode;

use crate::reset::{EnvelopeResponse, from_error_body, undecodable, unexpected_status};
use crate::types::ErrorBody;
use crate::{Error, ResetToken};

/// Maps a status and body the way [`Client::reset_token`](crate::Client::reset_token)
/// does after the generated code has routed them: 200 decodes an envelope, 400
/// and 403 an [`ErrorBody`], anything else is an unexpected status. `app_key`
/// is what the scrubber must remove from quoted bodies.
pub fn decode(status: u16, body: &[u8], app_key: &str) -> Result<ResetToken, Error> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
    let answer = match status.as_u16() {
        200 => EnvelopeResponse {
            status,
            envelope: serde_json::from_slice(body).map_err(|e| undecodable(body, e, app_key))?,
        },
        400 | 403 => {
            let error_body: ErrorBody =
                serde_json::from_slice(body).map_err(|e| undecodable(body, e, app_key))?;
            from_error_body(status, error_body, app_key)?
        }
        _ => return Err(unexpected_status(status, body, app_key)),
    };
    answer.into_token()
}
