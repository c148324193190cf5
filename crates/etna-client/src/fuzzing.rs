//! Entry point for the fuzzer and property tests: the hand-written part of
//! response handling (envelope rule, error bodies, snippets, scrubbing)
//! without a socket, through the same functions as [`Operation::call`]. Only
//! the routing by status, which the generated `send` does, is restated here
//! from the operation's documented statuses.

use reqwest::StatusCode;
use reqwest::header::{HeaderName, HeaderValue};

use crate::hooks::Parts;
use crate::operation::{from_error_body, undecodable, unexpected_status};
use crate::{ClientState, Error, Operation};

/// What `O::call` makes of an answer with this status and body: the
/// result, or the error.
pub fn decode<O: Operation>(
    status: u16,
    body: &[u8],
    app_key: &str,
    secrets: &'static [&'static str],
) -> Result<O::Output, Error> {
    let limits = ClientState::new(Parts {
        app_key_name: HeaderName::from_static("et-app-key"),
        app_key: HeaderValue::from_static("fuzz"),
        app_key_text: app_key.to_owned(),
        timeout: std::time::Duration::from_secs(1),
        timeout_per_request: false,
        max_response_bytes: usize::MAX,
        secret_properties: secrets,
        operations: &[],
        session_lifetime: None,
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
    if !O::SPEC.statuses.contains(&status.as_u16()) {
        return Err(unexpected_status(O::ID, status, body, &limits));
    }
    // An answer without a body decodes as JSON `null`, which is what `()`
    // (the success type of such an answer) reads.
    let body_or_null: &[u8] = if body.is_empty() { b"null" } else { body };
    if status.is_success() {
        // The generated `send` of an answer without a body reads none: a
        // success type that `null` makes is `()`.
        let success: O::Success = serde_json::from_slice(body_or_null)
            .or_else(|e| serde_json::from_slice(b"null").map_err(|_| e))
            .map_err(|e| undecodable(O::ID, body, &e, &limits))?;
        return O::output(status, success);
    }
    let error: O::ErrorBody =
        serde_json::from_slice(body_or_null).map_err(|e| undecodable(O::ID, body, &e, &limits))?;
    Err(from_error_body(O::SPEC, status, &error, &limits))
}
