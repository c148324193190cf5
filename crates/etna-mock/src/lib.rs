//! A local mock of the ETNA Trader API, for trying the client without an ETNA
//! account and for tests.
//!
//! Every operation of the spec is routed and answered from the spec alone
//! (`generic.rs`, reading [`etna_spec::model`]). Each is served at its own
//! server's base path, then its path, under [`MockServer::base_url`] (the
//! API root a client is given): `/v{version}/...` for most (any version),
//! `/token` for sign-in, whose server is the root itself. Its security is
//! checked as its requirement says: the app-key header an apiKey scheme
//! names (a wrong or missing key gets its documented 403 example), and for
//! an operation that requires a `bearer` scheme `Authorization: Bearer
//! <token>` (missing: its documented 401 example with `WWW-Authenticate:
//! Bearer`). **Any non-empty token is accepted for now**: the mock has no
//! sessions yet, and sign-in answers its documented example. Parameters
//! (query and header) and the body are validated against their schemas; an
//! invalid request gets a status the operation documents (400, else 422,
//! else a 4xx that is not its credentials refusal, e.g. sign-in's 401) with
//! that status's example, with the reasons in the envelope's
//! `Errors`/`ErrorsCode` when the example is an envelope, never quoting a
//! value. Envelope roles are only written into envelopes: a plain answer is
//! served as its example shows it, a response without a body with no body
//! and no content type. Unknown paths get 404 and wrong methods 405 with
//! `Allow`. An operation added to the spec is served with its first
//! documented 2xx example, with no Rust change;
//! [`MockServerBuilder::spec`] serves another spec file.
//!
//! On top of it, the password-reset flow has state (`flow.rs`), driven by an
//! accounts file ([`ACCOUNTS`] by default, [`MockServerBuilder::accounts`]
//! for your own):
//!
//! | step | the mock |
//! | --- | --- |
//! | 1 `request_password_reset` | a known login (or email) gets a fresh single-use code in the outbox and the documented success (`IsSucceed: false`, no errors); an account with a secret question is refused with `ErrorIncorrectAnswer` until `SecretQuestionAnswer` is right; an unknown login is refused with `UserNotFound` |
//! | 2 `get_secret_question` | the account's question in `Model`, `""` when it has none |
//! | 3 `generate_reset_token` | an issued, unused code, once: a fresh token in `Model`; otherwise the documented refusal (`InvalidConfirmationCode`) |
//! | 4 `reset_password` | an unused token, once, with `Password` = `PasswordConfirmation` (a mismatch is refused and keeps the token usable) |
//!
//! Each account has one live code and one live token: a new one replaces
//! the old (the documentation leaves this open; the mock takes the strict
//! reading). Refusals are the documented 200 envelopes with `IsSucceed:
//! false`. The outbox stands in for the trader's email:
//! [`MockServer::outbox`], `GET /_mock/outbox` as JSON (`DELETE` empties it;
//! `/_mock/` is outside the API's `/v{version}` tree), and `etna mock serve`
//! prints each message as it arrives. It keeps the last
//! [`MockServer::DEFAULT_OUTBOX_CAPACITY`] messages; with the accounts
//! fixed and one live code and token per account, nothing else grows with
//! the number of requests. [`MockServerBuilder::stateless`] turns the flow
//! off: every operation answers its documented example, as Prism does. With
//! or without the flow, sign-in and the operations that need a session
//! answer their documented examples (sessions come later).
//!
//! Faults on demand, for testing timeouts and the no-retry rule: a latency
//! ([`Latency`], fixed or random) and a fault ([`Fault`]: a documented status
//! with its example, a dropped connection, a truncated body), for every
//! operation or per `operationId`, set on [`MockServerBuilder`], or per
//! request with the `Prefer` header as Stoplight Prism reads it:
//! `Prefer: code=403` (that documented status, its first example, or
//! `example=NAME`), `delay=MS` (at most [`MAX_DELAY`]), `fault=drop|truncate`,
//! comma-separated. A `Prefer` header the mock cannot read gets a plain-text 400.
//!
//! ```no_run
//! use etna_mock::MockServer;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::start().await?;
//! let client = etna_client::Client::new(&server.base_url(), MockServer::APP_KEY)?;
//! // ... use the client; the server stops when `server` is dropped.
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod accounts;
mod envelope;
mod error;
mod faults;
mod flow;
mod generic;
mod outbox;
mod routes;
mod scenario;
mod server;

pub use accounts::ACCOUNTS;
pub use error::Error;
pub use faults::{Fault, Latency, MAX_DELAY};
pub use outbox::Mail;
pub use routes::OUTBOX_PATH;
pub use server::{MockServer, MockServerBuilder};

/// The spec the mock server follows unless given another one
/// ([`MockServerBuilder::spec`]).
pub const SPEC: &str = include_str!(concat!(env!("OUT_DIR"), "/etna-trader.yaml"));
