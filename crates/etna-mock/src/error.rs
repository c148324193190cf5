//! Why a mock server could not start.

/// Why [`MockServer`](crate::MockServer) could not start. Messages never contain
/// the app key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec lacks something the mock server is built from.
    #[error("the spec cannot drive the mock server: {0}")]
    Spec(String),

    /// The accounts file of the reset flow cannot be used.
    #[error(
        "the accounts file of the mock's reset flow is not usable: {0}; see etna_mock::ACCOUNTS for the format"
    )]
    Accounts(String),

    /// The securities file of the exchange cannot be used.
    #[error(
        "the securities file of the mock exchange is not usable: {0}; see etna_mock::SECURITIES for the format"
    )]
    Securities(String),

    /// The app key cannot be compared with an HTTP header value.
    #[error("invalid app key for the mock server: {0}")]
    InvalidAppKey(&'static str),

    /// The port could not be bound.
    #[error(
        "cannot listen on 127.0.0.1:{port}: {source}; choose another port, or 0 to let the system pick a free one"
    )]
    Bind {
        /// The port asked for (0: any).
        port: u16,
        /// The operating system's error.
        source: std::io::Error,
    },
}

pub(crate) fn spec(what: impl Into<String>) -> Error {
    Error::Spec(what.into())
}
