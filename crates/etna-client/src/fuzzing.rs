//! Entry point for the fuzzer and property tests: an answer made in memory
//! goes through what [`Operation::call`](crate::Operation::call) runs after the socket: the
//! generated routing by status ([`Route`], progenitor's own `match`), the
//! body decoding, the envelope rule, error bodies, snippets and scrubbing.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use reqwest::header::{HeaderName, HeaderValue};

use crate::hooks::Parts;
use crate::operation::{Route, complete, success};
use crate::{ClientState, Error, GeneratedClient};

/// What `O::call` makes of an answer with this status and body: the
/// result, or the error. A status HTTP cannot carry (below 100) reads as
/// 418, which no operation documents.
pub fn decode<O: Route>(
    status: u16,
    body: &[u8],
    app_key: &str,
    secrets: &'static [&'static str],
) -> Result<O::Output, Error> {
    let header = <crate::generated::Client as GeneratedClient>::APP_KEY_HEADER;
    let limits = ClientState::new(Parts {
        // The builder refuses a client whose spec names no valid header;
        // routing an answer reads no request header, so any name serves.
        app_key_name: HeaderName::from_bytes(header.as_bytes())
            .unwrap_or(HeaderName::from_static("x-app-key")),
        app_key_header: header,
        app_key: HeaderValue::from_static("fuzz"),
        app_key_text: app_key.to_owned(),
        timeout: std::time::Duration::from_secs(1),
        timeout_per_request: false,
        max_response_bytes: usize::MAX,
        secret_properties: secrets,
        operations: &[],
        session_lifetime: None,
    });
    let status = reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::IM_A_TEAPOT);
    let mut answer = http::Response::new(body.to_vec());
    *answer.status_mut() = status;
    let response = reqwest::Response::from(answer);
    // As `Operation::call` does after `send`.
    ready(async move {
        match O::route(response).await {
            Ok(response) => success::<O>(response),
            failed => complete::<O>(&limits, failed).await,
        }
    })
}

/// The output of a future that never waits: the body is already in memory,
/// so nothing in routing or decoding can be pending, and no runtime is
/// needed (the fuzzer calls this millions of times).
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        // A reqwest body made from bytes is complete when it is made.
        Poll::Pending => unreachable!("decoding an in-memory answer waited"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_routes_through_the_generated_routing() {
        type Step = crate::generated::builder::ListSecurityImages<'static>;
        let error = decode::<Step>(302, b"{}", "k", &[]).unwrap_err();
        assert!(
            matches!(error, Error::UnexpectedStatus { operation: "list_security_images", status, .. } if status == 302),
            "{error:?}"
        );
        let error = decode::<Step>(401, br#"{"Message":"no"}"#, "k", &[]).unwrap_err();
        assert!(matches!(error, Error::SessionRejected { .. }), "{error:?}");
    }
}
