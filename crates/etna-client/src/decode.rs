//! How every generated `send` decodes a JSON answer (etna-codegen's
//! `decode.rs` pass puts this in place of progenitor's
//! `ResponseValue::from_response`): the same `ResponseValue` and the same
//! errors, with the response headers moved into it rather than copied.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http_body_util::BodyExt;
use http_body_util::combinators::Collect;
use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// Reads the body (within the client's cap and timeout, which travel with
/// it) and decodes it as `T`.
#[doc(hidden)]
pub fn response_value<T: DeserializeOwned, E>(response: reqwest::Response) -> Decode<T, E> {
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    Decode {
        parts: Some(parts),
        body: body.collect(),
        _out: PhantomData,
    }
}

/// The future [`response_value`] returns, written out: an `async fn` would
/// also keep its `reqwest::Response` argument in its state, 416 bytes where
/// this takes 272, held in the future of every call (BENCHMARKS.md, "future
/// sizes").
#[doc(hidden)]
pub struct Decode<T, E> {
    parts: Option<http::response::Parts>,
    body: Collect<reqwest::Body>,
    _out: PhantomData<fn() -> (T, E)>,
}

impl<T: DeserializeOwned, E> Future for Decode<T, E> {
    type Output = Result<ResponseValue<T>, Error<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Polled again after it finished (a caller's bug): an error, rather
        // than polling the finished body, which would panic.
        if self.parts.is_none() {
            return Poll::Ready(Err(polled_again()));
        }
        // Every field is `Unpin` (reqwest's body boxes its stream), so the
        // future is too and needs no pin projection.
        let collected = ready!(Pin::new(&mut self.body).poll(cx));
        let Some(parts) = self.parts.take() else {
            return Poll::Ready(Err(polled_again()));
        };
        let full = collected.map_err(Error::ResponseBodyError)?.to_bytes();
        // An empty body reads as `null`: an operation documenting a 2xx
        // with a body and one without (a 204) has an `Option` for a success
        // type (etna-codegen's `shapes.rs`), so a 204 is `None`; for any
        // other type an empty body stays an invalid payload.
        // For any other type, the empty body's own error ("it ends too
        // early") is the one reported.
        let decoded = match full.is_empty() {
            true => serde_json::from_slice(b"null").or_else(|_| serde_json::from_slice(&full)),
            false => serde_json::from_slice(&full),
        };
        let inner = decoded.map_err(|e| Error::InvalidResponsePayload(full, e))?;
        Poll::Ready(Ok(ResponseValue::new(inner, parts.status, parts.headers)))
    }
}

fn polled_again<E>() -> Error<E> {
    Error::InvalidRequest("the answer was polled again after it was read".to_owned())
}

/// [`response_value`] for a documented error body, its future boxed: error
/// answers are rare, and a future held inline would make every call's future
/// larger by its size, whatever the answer (BENCHMARKS.md, "future sizes").
#[doc(hidden)]
pub fn error_value<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> std::pin::Pin<Box<impl Future<Output = Result<ResponseValue<T>, Error<E>>>>> {
    Box::pin(response_value(response))
}

/// [`error_value`] for an operation whose error answers have several body
/// schemas: the status's own body `M`, in its variant of the operation's
/// union `U` (etna-codegen's `shapes.rs` picks `M` by status).
#[doc(hidden)]
pub fn error_value_as<M: DeserializeOwned, U: From<M>, E>(
    response: reqwest::Response,
) -> std::pin::Pin<Box<impl Future<Output = Result<ResponseValue<U>, Error<E>>>>> {
    Box::pin(async move {
        let value = response_value::<M, E>(response).await?;
        let status = value.status();
        let headers = value.headers().clone();
        Ok(ResponseValue::new(
            U::from(value.into_inner()),
            status,
            headers,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &'static str) -> reqwest::Response {
        let response = http::Response::builder()
            .status(200)
            .header("x-seen", "yes")
            .body(reqwest::Body::from(body))
            .expect("a valid response");
        reqwest::Response::from(response)
    }

    fn poll<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
        Pin::new(future).poll(&mut Context::from_waker(std::task::Waker::noop()))
    }

    #[test]
    fn the_value_the_status_and_the_headers_come_through() {
        let mut decode = response_value::<serde_json::Value, ()>(answer(r#"{"IsSucceed":true}"#));
        let Poll::Ready(Ok(value)) = poll(&mut decode) else {
            panic!("an in-memory body is read at once");
        };
        assert_eq!(value.status(), 200);
        assert_eq!(value.headers()["x-seen"], "yes");
        assert_eq!(value.into_inner(), serde_json::json!({"IsSucceed": true}));
    }

    #[test]
    fn a_body_that_is_not_the_type_is_an_invalid_payload_with_the_bytes() {
        let mut decode = response_value::<u32, ()>(answer("not json"));
        match poll(&mut decode) {
            Poll::Ready(Err(Error::InvalidResponsePayload(bytes, _))) => {
                assert_eq!(&bytes[..], b"not json");
            }
            other => panic!(
                "expected an invalid payload, got {:?}",
                other.map(|r| r.is_ok())
            ),
        }
    }

    #[test]
    fn an_empty_body_is_none_for_an_optional_body_and_invalid_otherwise() {
        let mut decode = response_value::<Option<serde_json::Value>, ()>(answer(""));
        let Poll::Ready(Ok(value)) = poll(&mut decode) else {
            panic!("an empty body is an optional body's `None`");
        };
        assert_eq!(value.into_inner(), None);
        let mut decode = response_value::<u32, ()>(answer(""));
        assert!(matches!(
            poll(&mut decode),
            Poll::Ready(Err(Error::InvalidResponsePayload(bytes, e)))
                if bytes.is_empty() && e.classify() == serde_json::error::Category::Eof
        ));
    }

    #[test]
    fn polled_again_after_the_answer_it_is_an_error_not_a_panic() {
        let mut decode = response_value::<serde_json::Value, ()>(answer("{}"));
        assert!(matches!(poll(&mut decode), Poll::Ready(Ok(_))));
        match poll(&mut decode) {
            Poll::Ready(Err(Error::InvalidRequest(reason))) => {
                assert!(reason.contains("polled again"), "{reason}");
            }
            other => panic!("expected an error, got {:?}", other.map(|r| r.is_ok())),
        }
    }
}
