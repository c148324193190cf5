//! Entry point for the fuzzer and property tests: the hand-written part of
//! response handling (envelope rule, error bodies, snippets, scrubbing)
//! without a socket, through the same functions as [`Operation::call`]. Only
//! the routing by status, which the generated `send` does, is restated here
//! from [`Operation::DOCUMENTED_STATUSES`].

use reqwest::StatusCode;
use reqwest::header::HeaderValue;

use crate::envelope::Envelope;
use crate::envelope::ErrorPayload;
use crate::operation::{Reply, from_error_kind, undecodable, unexpected_status};
use crate::{Error, Limits, Operation};

/// Maps a status and body the way `O::call` does after the generated code has
/// routed them: a documented 2xx decodes `O::Envelope`, a documented error
/// status `O::ErrorBody`, anything else is an unexpected status. `app_key` and
/// `secrets` (JSON property names) are what the scrubber must remove from
/// quoted bodies.
pub fn decode<O: Operation>(
    status: u16,
    body: &[u8],
    app_key: &str,
    secrets: &'static [&'static str],
) -> Result<<O::Envelope as Envelope>::Model, Error> {
    let limits = Limits::new(
        HeaderValue::from_static("fuzz"),
        app_key.to_owned(),
        std::time::Duration::from_secs(1),
        false,
        usize::MAX,
        secrets,
        &[],
    );
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
    if !O::DOCUMENTED_STATUSES.contains(&status.as_u16()) {
        return Err(unexpected_status(O::ID, status, body, &limits));
    }
    if status.is_success() {
        let envelope: O::Envelope =
            serde_json::from_slice(body).map_err(|e| undecodable(O::ID, body, e, &limits))?;
        return Reply {
            operation: O::ID,
            status,
            rule: O::SUCCESS,
            envelope,
        }
        .into_model();
    }
    let error: O::ErrorBody =
        serde_json::from_slice(body).map_err(|e| undecodable(O::ID, body, e, &limits))?;
    Err(from_error_kind(O::ID, status, error.into_kind(), &limits))
}
