//! Faults on demand, so that callers can test their timeouts and their
//! no-retry rule: latency, a documented status with its example, a dropped
//! connection, a truncated body. Set for all operations or per operation on
//! the builder, and per request with the `Prefer` header, as Prism does:
//! `Prefer: code=403`, `Prefer: delay=250`, `Prefer: fault=drop`,
//! `Prefer: fault=hangup` (comma-separated, combinable; `example=NAME` picks a named example of the
//! chosen status).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// How long to wait before answering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latency {
    /// Always this long.
    Fixed(Duration),
    /// A uniformly random time between the two bounds (inclusive).
    Between(Duration, Duration),
}

impl Latency {
    fn pick(self) -> Duration {
        match self {
            Self::Fixed(d) => d,
            Self::Between(low, high) if high > low => {
                let span = (high - low).as_millis() as u64;
                low + Duration::from_millis(fastrand::u64(0..=span))
            }
            Self::Between(low, _) => low,
        }
    }
}

/// What goes wrong with the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status and the operation's documented example
    /// for it (an empty body when the spec documents none).
    Status(u16),
    /// Close the connection after the status line and headers, before any
    /// byte of the body.
    Drop,
    /// Send half of the body, then close the connection.
    Truncate,
    /// Handle the request (its effect stays), then close the connection
    /// without sending a byte of the answer: what a client sees when the
    /// network fails after the server acted, so that callers can rehearse a
    /// request whose outcome is unknown (etna-client's
    /// `Error::OutcomeUnknown`).
    Hangup,
}

/// Faults for all operations, and per operation id (which wins).
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultPlan {
    pub(crate) latency: Option<Latency>,
    pub(crate) fault: Option<Fault>,
    pub(crate) per_operation: BTreeMap<String, (Option<Latency>, Option<Fault>)>,
}

/// What applies to one request: the plan for its operation, overridden by the
/// request's `Prefer` header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    pub(crate) latency: Option<Latency>,
    pub(crate) fault: Option<Fault>,
    pub(crate) example: Option<String>,
}

impl FaultPlan {
    pub(crate) fn for_request(
        &self,
        operation: &str,
        prefer: Option<&HeaderValue>,
    ) -> Result<Applied, String> {
        let (latency, fault) = self
            .per_operation
            .get(operation)
            .cloned()
            .unwrap_or((None, None));
        let mut applied = Applied {
            latency: latency.or(self.latency),
            fault: fault.or_else(|| self.fault.clone()),
            example: None,
        };
        if let Some(prefer) = prefer {
            let prefer = prefer
                .to_str()
                .map_err(|_| "the Prefer header is not text".to_owned())?;
            apply_prefer(prefer, &mut applied)?;
        }
        Ok(applied)
    }
}

/// The largest `delay` a request may ask for, so that no test can park a
/// connection for ever.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

fn apply_prefer(prefer: &str, applied: &mut Applied) -> Result<(), String> {
    for preference in prefer.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = preference
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
            .ok_or_else(|| format!("`{preference}` is not key=value"))?;
        match key {
            "code" => {
                let code: u16 = value
                    .parse()
                    .ok()
                    .filter(|c| (100..=599).contains(c))
                    .ok_or_else(|| format!("code={value} is not an HTTP status"))?;
                applied.fault = Some(Fault::Status(code));
            }
            "delay" => {
                let ms: u64 = value
                    .parse()
                    .map_err(|_| format!("delay={value} is not a number of milliseconds"))?;
                let delay = Duration::from_millis(ms);
                if delay > MAX_DELAY {
                    return Err(format!("delay={value} is longer than {MAX_DELAY:?}"));
                }
                applied.latency = Some(Latency::Fixed(delay));
            }
            "fault" => {
                applied.fault = Some(match value {
                    "drop" => Fault::Drop,
                    "truncate" => Fault::Truncate,
                    "hangup" => Fault::Hangup,
                    other => {
                        return Err(format!("fault={other} is not drop, truncate or hangup"));
                    }
                });
            }
            "example" => applied.example = Some(value.to_owned()),
            // Other preferences (RFC 7240: return=, respond-async...) are not faults.
            _ => {}
        }
    }
    Ok(())
}

impl Applied {
    pub(crate) async fn wait(&self) {
        if let Some(latency) = self.latency {
            tokio::time::sleep(latency.pick().min(MAX_DELAY)).await;
        }
    }
}

/// Answers a request of `operation` with the faults that apply to it: an
/// unreadable `Prefer` header is a plain 400; the latency is waited out; a
/// status fault answers with the documented example; otherwise `answer`
/// runs and a drop or truncation cuts its response.
pub(crate) async fn answer_with_faults(
    plan: &FaultPlan,
    operation: &str,
    headers: &axum::http::HeaderMap,
    documented: &BTreeMap<u16, Vec<(String, Value)>>,
    answer: impl FnOnce() -> Response,
) -> Response {
    let prefer = headers.get(header::HeaderName::from_static("prefer"));
    let applied = match plan.for_request(operation, prefer) {
        Ok(applied) => applied,
        Err(reason) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("etna-mock: {reason}; see the Prefer header in etna-mock's docs\n"),
            )
                .into_response();
        }
    };
    applied.wait().await;
    if let Some(Fault::Status(code)) = &applied.fault {
        return documented_answer(*code, documented, applied.example.as_deref());
    }
    let response = answer();
    match &applied.fault {
        Some(fault @ (Fault::Drop | Fault::Truncate)) => cut(response, fault).await,
        Some(Fault::Hangup) => hang_up(response),
        _ => response,
    }
}

/// The answer for `Fault::Status`: the documented example for the status
/// (`example` by name, else the first), or an empty body.
pub(crate) fn documented_answer(
    code: u16,
    documented: &BTreeMap<u16, Vec<(String, Value)>>,
    example: Option<&str>,
) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let examples = documented.get(&code).map(Vec::as_slice).unwrap_or_default();
    let chosen = match example {
        Some(name) => examples.iter().find(|(n, _)| n == name),
        None => examples.first(),
    };
    match chosen {
        Some((_, body)) => (status, axum::Json(body.clone())).into_response(),
        None => status.into_response(),
    }
}

/// `response` with its body cut: nothing of it (`Drop`) or its first half
/// (`Truncate`), the full `Content-Length` still announced, then an error
/// that makes the server close the connection.
async fn cut(response: Response, fault: &Fault) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let keep = match fault {
        Fault::Truncate => bytes.len() / 2,
        _ => 0,
    };
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(bytes.len().max(1)),
    );
    let head: Result<Bytes, std::io::Error> = Ok(bytes.slice(..keep));
    let broken: Result<Bytes, std::io::Error> = Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "fault injected by etna-mock",
    ));
    // The pause before the error lets the server flush what came before it
    // (the headers, and half the body for `Truncate`), so the client sees a
    // started answer that never completes.
    let stream = futures_util::StreamExt::then(
        futures_util::stream::iter([head, broken]),
        |item| async move {
            if item.is_err() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            item
        },
    );
    Response::from_parts(parts, Body::from_stream(stream))
}

/// A response that ends the connection before its status line: the body
/// fails on its first poll, and hyper (HTTP/1) polls it right after queueing
/// the head and before flushing it, so it drops the connection with nothing
/// written. The handler has already run: its effect stays.
/// `tests/mock/faults.rs` checks with a raw socket that not a byte arrives.
fn hang_up(response: Response) -> Response {
    let (parts, _answer) = response.into_parts();
    let broken: Result<Bytes, std::io::Error> = Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "hang-up injected by etna-mock",
    ));
    Response::from_parts(
        parts,
        Body::from_stream(futures_util::stream::iter([broken])),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefer(text: &str) -> Result<Applied, String> {
        FaultPlan::default().for_request("op", Some(&HeaderValue::from_str(text).unwrap()))
    }

    #[test]
    fn prefer_sets_code_delay_fault_and_example() {
        let applied = prefer("code=403, delay=25, example=\"wrong\"").unwrap();
        assert_eq!(applied.fault, Some(Fault::Status(403)));
        assert_eq!(
            applied.latency,
            Some(Latency::Fixed(Duration::from_millis(25)))
        );
        assert_eq!(applied.example.as_deref(), Some("wrong"));
        assert_eq!(prefer("fault=drop").unwrap().fault, Some(Fault::Drop));
        assert_eq!(prefer("fault=hangup").unwrap().fault, Some(Fault::Hangup));
        assert_eq!(prefer("return=minimal").unwrap(), Applied::default());
        for bad in ["code=99", "delay=x", "fault=fire", "delay=999999", "code"] {
            assert!(prefer(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn per_operation_faults_win_over_faults_for_all() {
        let mut plan = FaultPlan {
            fault: Some(Fault::Drop),
            ..FaultPlan::default()
        };
        plan.per_operation.insert(
            "slow".into(),
            (
                Some(Latency::Fixed(Duration::from_millis(5))),
                Some(Fault::Truncate),
            ),
        );
        assert_eq!(
            plan.for_request("other", None).unwrap().fault,
            Some(Fault::Drop)
        );
        let slow = plan.for_request("slow", None).unwrap();
        assert_eq!(slow.fault, Some(Fault::Truncate));
        assert_eq!(slow.latency, Some(Latency::Fixed(Duration::from_millis(5))));
    }

    #[test]
    fn random_latency_stays_within_its_bounds() {
        let low = Duration::from_millis(10);
        let high = Duration::from_millis(20);
        for _ in 0..100 {
            let picked = Latency::Between(low, high).pick();
            assert!(picked >= low && picked <= high, "{picked:?}");
        }
    }
}
