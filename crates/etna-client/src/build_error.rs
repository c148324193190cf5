//! Why a client could not be built.

use std::fmt;

/// Why a [`ClientBuilder`](crate::ClientBuilder) could not build a client. Messages never contain the
/// app key.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// No base URL was given.
    MissingBaseUrl,
    /// The base URL is not an absolute http(s) URL.
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong and what to pass instead.
        reason: String,
    },
    /// No app key was given.
    MissingAppKey {
        /// The header the spec sends it in (e.g. `Et-App-Key`).
        header: &'static str,
    },
    /// The app key cannot be sent as a header value.
    InvalidAppKey {
        /// The header the spec sends it in (e.g. `Et-App-Key`).
        header: &'static str,
        /// What is wrong and what to do.
        reason: &'static str,
    },
    /// A server variable's value cannot be a path segment.
    InvalidServerVariable {
        /// The variable (`version` for the API version).
        name: String,
        /// The value as given.
        value: String,
    },
    /// A server variable the spec does not declare.
    UnknownServerVariable {
        /// The name as given.
        name: String,
        /// The variables the spec declares.
        known: String,
    },
    /// An operation's URL, the base URL and server variables applied, does
    /// not parse.
    InvalidOperationUrl {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The URL as resolved.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A timeout is zero.
    InvalidTimeout(&'static str),
    /// A session token cannot be sent as a header value.
    InvalidSessionToken(&'static str),
    /// reqwest could not build its client (e.g. no TLS roots available).
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingBaseUrl => f.write_str(
                "no base URL given: pass the API root of your deployment, e.g. https://trader.example.com/api",
            ),
            Self::InvalidBaseUrl { url, reason } => write!(f, "invalid base URL {url:?}: {reason}"),
            Self::MissingAppKey { header } => {
                write!(f, "no app key given: pass the {header} your administrator issued")
            }
            Self::InvalidAppKey { header, reason } => {
                write!(f, "invalid app key (sent as {header}): {reason}")
            }
            Self::InvalidServerVariable { name, value } => write!(
                f,
                "invalid value {value:?} for the server variable `{name}`: give a value such as \"1.0\" (letters, digits, '.', '-', '_')"
            ),
            Self::UnknownServerVariable { name, known } => write!(
                f,
                "the spec's server URL has no variable `{name}`; it has: {known}"
            ),
            Self::InvalidOperationUrl {
                operation,
                url,
                reason,
            } => write!(
                f,
                "invalid URL {url:?} for the operation `{operation}`: {reason}; check the base URL and the server variables"
            ),
            Self::InvalidTimeout(reason) => write!(f, "invalid timeout: {reason}"),
            Self::InvalidSessionToken(reason) => write!(f, "invalid session token: {reason}"),
            Self::Http(source) => write!(f, "cannot build the HTTP client: {source}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Http(source) => Some(source),
            _ => None,
        }
    }
}
