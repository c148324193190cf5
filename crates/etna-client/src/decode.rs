//! How every generated `send` decodes a JSON answer (etna-codegen's
//! `decode.rs` pass puts this in place of progenitor's
//! `ResponseValue::from_response`): the same `ResponseValue` and the same
//! errors, with the response headers moved into it rather than copied.

use http_body_util::BodyExt;
use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// Reads the body (within the client's cap and timeout, which travel with
/// it) and decodes it as `T`.
#[doc(hidden)]
pub async fn response_value<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let full = body
        .collect()
        .await
        .map_err(Error::ResponseBodyError)?
        .to_bytes();
    let inner =
        serde_json::from_slice(&full).map_err(|e| Error::InvalidResponsePayload(full, e))?;
    Ok(ResponseValue::new(inner, parts.status, parts.headers))
}
