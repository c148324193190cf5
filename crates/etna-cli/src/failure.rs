//! Exit codes, and the one line on stderr that says what went wrong and what
//! to do.

use std::error::Error as StdError;
use std::process::ExitCode;

use etna_client::{BuildError, Error};

/// The documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Refused = 1,
    Usage = 2,
    AppKeyRejected = 3,
    Network = 4,
    Unexpected = 5,
    NotSignedIn = 6,
    OutcomeUnknown = 7,
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// A failed command: its exit code and its message for stderr.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }

    /// Adds what to do about a refusal; other failures keep their own advice.
    pub fn hint(mut self, hint: &str) -> Self {
        if self.exit == Exit::Refused {
            self.message = format!("{}; {hint}", self.message);
        }
        self
    }

    /// The line printed on stderr: one line, never the app key.
    pub fn line(&self, app_key: Option<&str>) -> String {
        let mut line: String = self
            .message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if let Some(key) = app_key.filter(|k| !k.is_empty()) {
            line = line.replace(key, "<redacted>");
        }
        format!("error: {line}")
    }
}

const CHECK_BASE_URL: &str = "check that --base-url (or ETNA_BASE_URL) is the API root of an ETNA Trader deployment, e.g. https://trader.example.com/api";

/// Why the call returned no token.
pub fn from_call(error: &Error, base_url: &str) -> Failure {
    match error {
        Error::InvalidInput { .. } => Failure::new(Exit::Usage, error.to_string()),
        Error::AppKeyRejected {
            status, message, ..
        } => Failure::new(
            Exit::AppKeyRejected,
            format!(
                "the API rejected the app key (HTTP {status}: {message}); check ETNA_APP_KEY, or ask your administrator for a valid key"
            ),
        ),
        Error::Refused { .. } | Error::Rejected { .. } => {
            Failure::new(Exit::Refused, error.to_string())
        }
        Error::SessionMissing { .. }
        | Error::SessionExpired { .. }
        | Error::SessionRejected { .. } => Failure::new(
            Exit::NotSignedIn,
            format!(
                "{error}; sign in with `etna auth login --user LOGIN` (or set ETNA_TOKEN), then run this again"
            ),
        ),
        Error::Timeout { .. } => Failure::new(
            Exit::Network,
            format!("{error}; check the network, or allow more time with --timeout"),
        ),
        // Its own code so that a script never treats it as exit 4's "try
        // again": the request may have taken effect.
        Error::OutcomeUnknown { .. } => Failure::new(Exit::OutcomeUnknown, error.to_string()),
        Error::Connection { source, .. } => Failure::new(
            Exit::Network,
            format!(
                "cannot reach the API at {base_url}: {}; check --base-url (or ETNA_BASE_URL) and the network",
                causes(source)
            ),
        ),
        _ => Failure::new(Exit::Unexpected, format!("{error}; {CHECK_BASE_URL}")),
    }
}

/// Why the client could not be built from the options.
pub fn from_build(error: &BuildError) -> Failure {
    match error {
        BuildError::Http(source) => Failure::new(
            Exit::Network,
            format!("cannot set up HTTP: {}", causes(source)),
        ),
        BuildError::InvalidServerVariable { .. } => {
            Failure::new(Exit::Usage, format!("{error}; pass it with --api-version"))
        }
        _ => Failure::new(Exit::Usage, error.to_string()),
    }
}

/// An error and its causes, without the repetitions reqwest and hyper make.
fn causes(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// What the embedded mock server failed with, as a failure of `etna`.
pub fn mock_failure(error: &etna_mock::Error) -> Failure {
    let exit = match error {
        etna_mock::Error::InvalidAppKey(_) => Exit::Usage,
        etna_mock::Error::Bind { .. } => Exit::Network,
        _ => Exit::Unexpected,
    };
    Failure::new(exit, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_one_line_without_the_key() {
        let failure = Failure::new(Exit::Unexpected, "body \"key-123\"\nsecond\r\tline");
        assert_eq!(
            failure.line(Some("key-123")),
            "error: body \"<redacted>\" second  line"
        );
        assert_eq!(
            failure.line(Some("")),
            "error: body \"key-123\" second  line"
        );
    }

    #[test]
    fn invalid_input_is_a_usage_error() {
        let error = Error::InvalidInput {
            operation: "generate_reset_token",
            reason: "it is empty".to_owned(),
        };
        let failure = from_call(&error, "http://127.0.0.1:1");
        assert_eq!(failure.exit, Exit::Usage);
        assert_eq!(
            failure.message,
            "generate_reset_token: invalid input: it is empty; nothing was sent"
        );
    }

    #[test]
    fn build_errors_are_usage_errors() {
        let failure = from_build(&BuildError::MissingAppKey { header: "X-Key" });
        assert_eq!(failure.exit, Exit::Usage);
        let failure = from_build(&BuildError::InvalidServerVariable {
            name: "version".to_owned(),
            value: "1 0".to_owned(),
        });
        assert!(
            failure.message.contains("--api-version"),
            "{}",
            failure.message
        );
    }
}
