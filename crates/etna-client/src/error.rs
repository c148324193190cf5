//! The one error type of `Client::reset_token`, with a case for each thing a
//! caller may act on.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::HttpStatusCode;

/// Why [`Client::reset_token`](crate::Client::reset_token) returned no token.
///
/// No case's `Display` or `Debug` contains the app key or a token: bodies quoted
/// from the server are cut to [`BodySnippet::MAX_CHARS`] characters and scrubbed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before anything was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// Which argument (`code`, ...).
        field: &'static str,
        /// What is wrong and what to pass instead.
        reason: String,
    },

    /// The API did not accept the application key (HTTP 403 with `{"error": ...}`).
    #[error(
        "the API rejected the application key (HTTP {status}): {}; check the Et-App-Key this service is configured with", one_line(.message)
    )]
    AppKeyRejected {
        /// The HTTP status (403 as documented).
        status: StatusCode,
        /// The server's message, as sent.
        message: String,
    },

    /// The API answered with an envelope whose `IsSucceed` is false.
    #[error("the API refused the request (HTTP {status}{}): {}", status_code_suffix(.status_code), describe_refusal(.errors, .errors_code))]
    Refused {
        /// The HTTP status (200 or 4xx).
        status: StatusCode,
        /// `Errors`: the reasons, for people (empty if the server sent none).
        errors: Vec<String>,
        /// `ErrorsCode`: the reasons, for programs (empty if the server sent none).
        errors_code: Vec<String>,
        /// `StatusCode` of the envelope, when sent.
        status_code: Option<HttpStatusCode>,
    },

    /// The envelope says `IsSucceed: true` but carries no token in `Model`.
    #[error("the API reported success (HTTP {status}) but sent no token in `Model`")]
    MissingToken {
        /// The HTTP status.
        status: StatusCode,
        /// `StatusCode` of the envelope, when sent.
        status_code: Option<HttpStatusCode>,
    },

    /// The API answered with an HTTP status the spec does not document.
    #[error("unexpected HTTP {status} from the API: {body}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body.
        body: BodySnippet,
    },

    /// The body does not decode as the documented shape.
    #[error("the API's response is not a valid {expected}: {source}; the body starts: {body}")]
    Undecodable {
        /// The shape the spec documents for this response.
        expected: &'static str,
        /// The start of the body.
        body: BodySnippet,
        /// The decoder's complaint.
        source: serde_json::Error,
    },

    /// The body is larger than the client's cap.
    #[error(
        "the API's response body exceeds the {limit}-byte cap; raise it with ClientBuilder::max_response_bytes if such bodies are expected"
    )]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },

    /// No complete answer within the request timeout. The code may or may not
    /// have been used by the server; it is not retried.
    #[error(
        "the API did not answer within {timeout:?}; the confirmation code may already be used, so ask the trader for a new one if a retry is refused"
    )]
    Timeout {
        /// The timeout that expired.
        timeout: Duration,
        /// The transport error.
        source: reqwest::Error,
    },

    /// The API could not be reached, or the connection failed mid-exchange.
    #[error("cannot talk to the API: {source}")]
    Connection {
        /// The transport error.
        source: reqwest::Error,
    },
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
/// white space folded to one space, the app key and any `"Model"` value
/// replaced by `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct BodySnippet {
    text: String,
    truncated: bool,
}

impl BodySnippet {
    /// The most characters kept.
    pub const MAX_CHARS: usize = 200;

    pub(crate) fn new(body: &[u8], app_key: &str) -> Self {
        let text = String::from_utf8_lossy(body);
        let scrubbed = crate::secret::scrub(&text, app_key);
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
