//! The one error type of every operation's typed result, with a case for each
//! thing a caller may act on.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::HttpStatusCode;

/// Why an operation's [`call`](crate::Operation::call) returned no result.
///
/// Every case names the operation (its `operationId`). No case's `Display` or
/// `Debug` contains the app key or a secret: bodies quoted from the server are
/// cut to [`BodySnippet::MAX_CHARS`] characters and scrubbed, and transport
/// errors never quote the URL.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built from the arguments; nothing was sent.
    InvalidInput {
        /// The operation.
        operation: &'static str,
        /// What is wrong, as the generated builder reports it.
        reason: String,
    },

    /// The API did not accept the application key: a documented answer the
    /// spec marks as refusing the app key's scheme (`x-etna-refuses`; the
    /// ETNA spec's 403), whose body is not an envelope.
    AppKeyRejected {
        /// The operation.
        operation: &'static str,
        /// The HTTP status (403 as documented).
        status: StatusCode,
        /// The header the key is sent in, as the spec names it.
        header: &'static str,
        /// The server's message, scrubbed.
        message: String,
    },

    /// The operation needs a session (the spec's Bearer scheme) and the
    /// client has none; nothing was sent. Sign in first.
    SessionMissing {
        /// The operation.
        operation: &'static str,
    },

    /// The client's session is past its known lifetime; nothing was sent.
    /// There is no refresh: sign in again.
    SessionExpired {
        /// The operation.
        operation: &'static str,
        /// When it expired.
        expired_at: std::time::SystemTime,
    },

    /// The API refused the session token: a documented answer the spec
    /// marks as refusing the Bearer scheme (`x-etna-refuses`; the ETNA spec's
    /// 401), whose body is not an envelope. It is unknown, expired or
    /// revoked. Sign in again.
    SessionRejected {
        /// The operation.
        operation: &'static str,
        /// The HTTP status (401).
        status: StatusCode,
        /// The server's message, scrubbed.
        message: String,
    },

    /// The API answered with a documented refusal that is not an envelope
    /// (such as sign-in's `State: Failed`): the body, typed, is in `body`.
    Rejected {
        /// The operation.
        operation: &'static str,
        /// The HTTP status.
        status: StatusCode,
        /// The documented body; [`Rejection::downcast_ref`] gives it as the
        /// operation's error type.
        body: Rejection,
    },

    /// The API answered with an envelope that reports a refusal.
    Refused {
        /// The operation.
        operation: &'static str,
        /// The HTTP status (200 or 4xx).
        status: StatusCode,
        /// `Errors`: the reasons, for people (empty if the server sent none).
        errors: Vec<String>,
        /// `ErrorsCode`: the reasons, for programs (empty if the server sent none).
        errors_code: Vec<String>,
        /// `StatusCode` of the envelope, when sent.
        status_code: Option<HttpStatusCode>,
    },

    /// The envelope reports success but carries no `Model`.
    MissingModel {
        /// The operation.
        operation: &'static str,
        /// The HTTP status.
        status: StatusCode,
        /// `StatusCode` of the envelope, when sent.
        status_code: Option<HttpStatusCode>,
    },

    /// The API answered with an HTTP status the spec does not document, or
    /// with an undocumented error shape.
    UnexpectedStatus {
        /// The operation.
        operation: &'static str,
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body.
        body: BodySnippet,
    },

    /// The body does not decode as the shape the spec documents for its status.
    Undecodable {
        /// The operation.
        operation: &'static str,
        /// The start of the body.
        body: BodySnippet,
        /// Where the decoder stopped and why, without quoting the body (the
        /// decoder's own message quotes values, which may be secrets).
        reason: String,
    },

    /// The body is larger than the client's cap.
    BodyTooLarge {
        /// The operation.
        operation: &'static str,
        /// The cap, in bytes.
        limit: usize,
    },

    /// No complete answer within the request timeout. The server may have
    /// acted on the request; it was not retried.
    Timeout {
        /// The operation.
        operation: &'static str,
        /// The timeout that expired.
        timeout: Duration,
        /// The transport error (without the URL).
        source: reqwest::Error,
    },

    /// The API could not be reached, or the connection failed mid-exchange.
    /// For a method that is not safe to repeat this is
    /// [`OutcomeUnknown`](Self::OutcomeUnknown) instead, unless the
    /// connection was never made (then nothing was sent).
    Connection {
        /// The operation.
        operation: &'static str,
        /// The transport error (without the URL).
        source: reqwest::Error,
    },

    /// A paged answer's link to the next page was not followed, and nothing
    /// was sent to it: it leaves the client's API root (another scheme,
    /// host or port, or a path outside the root's), it is not an absolute
    /// URL, or it was followed before (the pages loop). The pages read
    /// before it were good.
    PageLinkRefused {
        /// The operation.
        operation: &'static str,
        /// Why, naming the link's origin at most (never its path or query).
        reason: String,
    },

    /// The request may or may not have taken effect: its method is not safe
    /// to repeat (anything but GET, HEAD, OPTIONS and TRACE; a POST that
    /// places an order, a DELETE that cancels one) and the connection failed
    /// or the time ran out after the connection was made, so the request
    /// may have been written and acted on, and its answer is lost. It was not
    /// retried; find out whether it took effect (look up what it creates or
    /// changes) before sending it again. Never "try again": a second copy
    /// could act twice.
    OutcomeUnknown {
        /// The operation.
        operation: &'static str,
        /// Its HTTP method, as the spec gives it.
        method: &'static str,
        /// `Some` with the timeout when the time ran out; `None` when the
        /// connection failed.
        timeout: Option<Duration>,
        /// The transport error (without the URL).
        source: reqwest::Error,
        /// The caller's key the request carried (the spec's
        /// `x-etna-client-id`, e.g. the order's `ClientId`), filled by the
        /// client when the caller left it empty: look the result up by it
        /// (in `lookup`) before sending the request again.
        client_id: Option<crate::ClientKey>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { operation, reason } => {
                write!(f, "{operation}: invalid input: {reason}; nothing was sent")
            }
            Self::AppKeyRejected {
                operation,
                status,
                header,
                message,
            } => write!(
                f,
                "{operation}: the API rejected the application key (HTTP {status}): {}; check the {header} this service is configured with",
                one_line(message)
            ),
            Self::Refused {
                operation,
                status,
                errors,
                errors_code,
                status_code,
            } => write!(
                f,
                "{operation}: the API refused the request (HTTP {status}{}): {}",
                status_code_suffix(status_code),
                describe_refusal(errors, errors_code)
            ),
            Self::MissingModel {
                operation, status, ..
            } => write!(
                f,
                "{operation}: the API reported success (HTTP {status}) but sent no `Model`"
            ),
            Self::UnexpectedStatus {
                operation,
                status,
                body,
            } => write!(
                f,
                "{operation}: unexpected HTTP {status} from the API: {body}"
            ),
            Self::Undecodable {
                operation,
                body,
                reason,
            } => write!(
                f,
                "{operation}: the API's response is not the documented shape ({reason}); the body starts: {body}"
            ),
            Self::SessionMissing { operation } => write!(
                f,
                "{operation}: this operation needs a session and the client has none; sign in first (nothing was sent)"
            ),
            Self::SessionExpired { operation, .. } => write!(
                f,
                "{operation}: session expired, sign in again (there is no refresh; nothing was sent)"
            ),
            Self::SessionRejected {
                operation,
                status,
                message,
            } => write!(
                f,
                "{operation}: the API refused the session token (HTTP {status}): {}; sign in again",
                one_line(message)
            ),
            Self::Rejected {
                operation,
                status,
                body,
            } => write!(
                f,
                "{operation}: the API refused the request (HTTP {status}): {}",
                one_line(&body.debug)
            ),
            Self::BodyTooLarge { operation, limit } => write!(
                f,
                "{operation}: the API's response body exceeds the {limit}-byte cap; raise it with ClientBuilder::max_response_bytes if such bodies are expected"
            ),
            Self::Timeout {
                operation, timeout, ..
            } => write!(
                f,
                "{operation}: the API did not answer within {timeout:?}; the request was not retried and the server may already have acted on it, so check before sending it again"
            ),
            Self::Connection { operation, source } => {
                write!(f, "{operation}: cannot talk to the API: {source}")
            }
            Self::PageLinkRefused { operation, reason } => write!(
                f,
                "{operation}: {reason}; it was not followed and nothing was sent to it"
            ),
            Self::OutcomeUnknown {
                operation,
                method,
                timeout,
                source,
                client_id,
            } => {
                match timeout {
                    Some(timeout) => write!(
                        f,
                        "{operation}: the API did not answer the {method} within {timeout:?}"
                    )?,
                    None => write!(
                        f,
                        "{operation}: the connection failed after the {method} may have been sent ({source})"
                    )?,
                }
                f.write_str(
                    "; the request may or may not have taken effect and was not retried: check whether it took effect before sending it again",
                )?;
                match client_id {
                    Some(key) => write!(
                        f,
                        "; it was sent with {} {}: look for it in {} by that value",
                        key.property, key.value, key.lookup
                    ),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Timeout { source, .. }
            | Self::Connection { source, .. }
            | Self::OutcomeUnknown { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// This error, naming the caller's key the request carried when it is
    /// an [`OutcomeUnknown`](Self::OutcomeUnknown).
    pub(crate) fn with_client_key(self, key: Option<crate::ClientKey>) -> Self {
        match self {
            Self::OutcomeUnknown {
                operation,
                method,
                timeout,
                source,
                client_id,
            } => Self::OutcomeUnknown {
                operation,
                method,
                timeout,
                source,
                client_id: key.or(client_id),
            },
            other => other,
        }
    }

    /// The `operationId` of the operation that failed.
    pub fn operation(&self) -> &'static str {
        match self {
            Self::InvalidInput { operation, .. }
            | Self::SessionMissing { operation }
            | Self::SessionExpired { operation, .. }
            | Self::SessionRejected { operation, .. }
            | Self::Rejected { operation, .. }
            | Self::AppKeyRejected { operation, .. }
            | Self::Refused { operation, .. }
            | Self::MissingModel { operation, .. }
            | Self::UnexpectedStatus { operation, .. }
            | Self::Undecodable { operation, .. }
            | Self::BodyTooLarge { operation, .. }
            | Self::Timeout { operation, .. }
            | Self::Connection { operation, .. }
            | Self::PageLinkRefused { operation, .. }
            | Self::OutcomeUnknown { operation, .. } => operation,
        }
    }
}

fn status_code_suffix(status_code: &Option<HttpStatusCode>) -> String {
    status_code
        .as_ref()
        .map(|s| format!(", StatusCode {s}"))
        .unwrap_or_default()
}

/// Server texts may hold line breaks; an operator's log line must not.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .filter(|part| !part.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe_refusal(errors: &[String], codes: &[String]) -> String {
    let errors: Vec<String> = errors.iter().map(|e| one_line(e)).collect();
    let codes: Vec<String> = codes.iter().map(|c| one_line(c)).collect();
    match (errors.is_empty(), codes.is_empty()) {
        (true, true) => "no reason given".to_owned(),
        (false, true) => errors.join("; "),
        (true, false) => format!("[{}]", codes.join(", ")),
        (false, false) => format!("{} [{}]", errors.join("; "), codes.join(", ")),
    }
}

/// The start of a response body, made safe to log: at most
/// [`MAX_CHARS`](Self::MAX_CHARS) characters, control characters and runs of
/// white space folded to one space, the app key and the value of every
/// property the spec marks `format: password` replaced by `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct BodySnippet {
    text: String,
    truncated: bool,
}

impl BodySnippet {
    /// The most characters kept.
    pub const MAX_CHARS: usize = 200;

    pub(crate) fn new(body: &[u8], limits: &crate::ClientState) -> Self {
        let text = String::from_utf8_lossy(body);
        let scrubbed = limits.scrub(&text);
        let mut folded = String::new();
        for word in scrubbed.split(|c: char| c.is_whitespace() || c.is_control()) {
            if !word.is_empty() {
                if !folded.is_empty() {
                    folded.push(' ');
                }
                folded.push_str(word);
            }
        }
        let truncated = folded.chars().count() > Self::MAX_CHARS;
        let text = folded.chars().take(Self::MAX_CHARS).collect();
        Self { text, truncated }
    }

    /// The kept text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the body was longer than what is kept.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Display for BodySnippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.text.is_empty(), self.truncated) {
            (true, _) => f.write_str("(empty body)"),
            (false, false) => write!(f, "{:?}", self.text),
            (false, true) => write!(f, "{:?}...", self.text),
        }
    }
}

impl fmt::Debug for BodySnippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A documented refusal body that is not an envelope, kept typed.
pub struct Rejection {
    /// The body's `Debug` (secret fields redacted).
    debug: String,
    value: Box<dyn std::any::Any + Send + Sync>,
}

impl Rejection {
    pub(crate) fn new<T: Send + Sync + 'static>(debug: String, value: T) -> Self {
        Self {
            debug,
            value: Box::new(value),
        }
    }

    /// The body as the operation's documented error type (its
    /// `Operation::ErrorBody`), e.g. `types::SignInErrorBody`.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        self.value.downcast_ref()
    }
}

impl fmt::Debug for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.debug)
    }
}

/// What serde could not decode, without its message: serde quotes the
/// offending value (`invalid type: string "..."`), which may be a secret.
pub(crate) fn describe_serde(error: &serde_json::Error) -> String {
    let what = match error.classify() {
        serde_json::error::Category::Io => "the body could not be read",
        serde_json::error::Category::Syntax => "it is not valid JSON",
        serde_json::error::Category::Data => "a value has the wrong type or a field is missing",
        serde_json::error::Category::Eof => "it ends too early",
    };
    if error.line() == 0 {
        what.to_owned()
    } else {
        format!("{what}, at line {} column {}", error.line(), error.column())
    }
}
