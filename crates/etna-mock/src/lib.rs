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
//! <token>` with a live session of the mock's session table (a missing,
//! unknown or expired token: its documented 401 example with
//! `WWW-Authenticate: Bearer`). The generic layer learns which operations
//! need a token from their security requirements alone, and asks the
//! session table whether a token is alive. Parameters
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
//! On top of it, sign-in, sessions and the password-reset flow have one
//! state per server (`sign_in.rs`, `sessions.rs`, `flow.rs`), driven by an
//! accounts file ([`ACCOUNTS`] by default, [`MockServerBuilder::accounts`]
//! for your own):
//!
//! | login | password | what it shows |
//! | --- | --- | --- |
//! | `robert.zak` | `Passw0rd!` | one factor: 200 `Succeeded` with a session token; no secret question; the spec's code `231408` waits in the outbox |
//! | `hello` (`hello@etnatrader.com`) | `Hell0-passw0rd!` | two factors by email; the secret question (answer `Peterson`) |
//! | `old.timer` | `0ld-passw0rd!` | an expired password: a token for step 4 of the reset |
//! | `new.pin` | `N3w-p1n-passw0rd!` | no PIN: `PIN code is not init` until `change_pin_code` sets one |
//!
//! Sign-in (`POST /token`, all inputs in headers) answers, checking the
//! password, then its expiry, then the second factor, then the PIN:
//!
//! | request | answer |
//! | --- | --- |
//! | unknown login or wrong password | 401 `Failed` / `BaseAuthentication` / `Invalid credentials` (never a hint that the password expired) |
//! | an expired password | 401 `Failed` / `BaseAuthentication` / `Your Password has expired and must be changed` with a `Token` that step 4 (`reset_password`) accepts, as the reset flow's step-3 token; after step 4 the new password signs in |
//! | two factors, no `VerificationCode` | 202 `Expecting` / `VerificationCode` / `Expecting confirmation code` with an interim `Token`; a six-digit code goes to the outbox by the account's channel (email or SMS) |
//! | `VerificationCode` without `Authorization: Bearer <interim>`, or with an unknown, used or expired interim token | 401 `Failed` / `VerificationCode` / `Corrupted ticket` |
//! | the interim token with a wrong code | 401 `Failed` / `VerificationCode` / `Invalid verification code` (the mock's own reason: the documentation shows none); the interim token stays usable until it expires |
//! | the interim token with its code | 200 `Succeeded` with the final token; the interim token is used up |
//! | a PIN not set | 202 `Expecting` / `PIN code is not init` with a token that opens only `list_security_images` and `change_pin_code` |
//! | otherwise | 200 `Succeeded` with a fresh session token |
//!
//! Every answer is the spec's example of it with the fresh token in place
//! of the example's. Where the documentation is open the mock chooses:
//! interim tokens (second factor, PIN to set) live five minutes (or the
//! session lifetime when shorter); the mock never asks for a PIN at sign-in
//! (`SecutityPin`: the documentation does not say when the API does), and
//! ignores `PinCode`; `change_pin_code` checks that `ImageName` is one of
//! the 23 documented images (else its documented `InvalidImageName`
//! refusal) but not `Token`, whose source is undocumented;
//! `change_password` acts on the session's own account only (`@me`, or its
//! login or email as `userID`; another account gets the session's 401), and
//! answers a wrong `OldPassword` or a `PasswordConfirm` that differs with
//! its documented 400 validation error, as written; changing or resetting a
//! password ends no session, and a trader may hold several sessions.
//!
//! Sessions last the spec's `x-etna-lifetime-seconds` of the Bearer scheme
//! (86400 s, the documented 24 hours) unless
//! [`MockServerBuilder::token_lifetime`] (`etna mock serve
//! --token-lifetime SECONDS`) says otherwise; [`MockServer::advance_clock`]
//! moves the mock's clock so that tests see expiry without waiting. Tokens
//! are 32 bytes from the operating system's random source, as hex, and the
//! mock never prints them (codes are printed: they stand in for the email
//! and the SMS). The table is bounded: each new token purges the expired
//! ones, and at [`MockServer::DEFAULT_MAX_SESSIONS`] (or
//! [`MockServerBuilder::max_sessions`]) the token closest to its end goes.
//!
//! The reset flow:
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
//! false`. The outbox stands in for the trader's email and phone (each
//! message says its `channel`):
//! [`MockServer::outbox`], `GET /_mock/outbox` as JSON (`DELETE` empties it;
//! `/_mock/` is outside the API's `/v{version}` tree), and `etna mock serve`
//! prints each message as it arrives. It keeps the last
//! [`MockServer::DEFAULT_OUTBOX_CAPACITY`] messages; with the accounts
//! fixed and one live code and token per account, nothing else grows with
//! the number of requests. [`MockServerBuilder::stateless`] turns the flow
//! off: every operation answers its documented example, as Prism does, and
//! a Bearer operation takes any non-empty token (as Prism checks only that
//! the header is there).
//!
//! The trading operations are a small exchange on the same state
//! (`exchange/`; the crate's README says it in full): each trader of the
//! accounts file (the `n`th from 0) is user `644 + n` with one cash account
//! `6303 + n` holding [`STARTING_CASH`] at start, and only its own session
//! reaches it (another trader's account, user or order: the documented
//! 401). Securities come from [`SECURITIES`] (or
//! [`MockServerBuilder::securities`]), `lookup_equities` searches them;
//! quotes are a pure function of the security and the mock's clock, one
//! per [`TICK`], unless a test sets one ([`MockServer::set_quote`], or `PUT`
//! under [`QUOTES_PATH`]). Market orders fill at once at the quote (a buy at
//! the ask, a sell at the bid); limit, stop and stop-limit orders rest and
//! fill when the quote crosses, checked whenever the exchange is asked
//! anything, the clock moves or a quote is set; `cancel_order` answers 204,
//! or the documented 409 for a done order. Fills move cash and positions by
//! the commission the preview quoted ($1 plus $0.01 a share);
//! `preview_order` refuses an invalid order with 200 and `IsSuccessful:
//! false`, `place_order` with the documented 400 and the same body. Lists
//! are paged with absolute links to the address the request came to. An
//! account keeps at most [`MAX_ORDERS`] done and as many open orders.
//!
//! Faults on demand (on sign-in and the session operations as on the others:
//! a status fault changes no state, while a dropped or truncated answer was
//! acted on, as when a real connection breaks after the server's work), for testing timeouts and the no-retry rule: a latency
//! ([`Latency`], fixed or random) and a fault ([`Fault`]: a documented status
//! with its example, a dropped connection, a truncated body, a hang-up before
//! any byte of the answer), for every
//! operation or per `operationId`, set on [`MockServerBuilder`], or per
//! request with the `Prefer` header as Stoplight Prism reads it:
//! `Prefer: code=403` (that documented status, its first example, or
//! `example=NAME`), `delay=MS` (at most [`MAX_DELAY`]), `fault=drop|truncate|hangup`,
//! comma-separated. A `Prefer` header the mock cannot read gets a plain-text 400.
//!
//! The streamers of `openapi/etna-streaming.yaml` ([`STREAMING_SPEC`]) run
//! beside the exchange, each on a port of 127.0.0.1 of its own
//! ([`MockServer::streamer_urls`], as `get_streamers` answers them with each
//! trader's streamer session ids): the handshake of the document's `ws`
//! binding (`User` the trader's `UserId` alone), `Subscribe.txt` and
//! `Unsubscribe.txt`, and the exchange's changes (orders, positions,
//! balances, quotes) as the document's messages, written from the REST
//! answers' JSON. [`MockServer::drop_streams`] and
//! [`MockServer::expire_streams`] (`PUT` under [`STREAMER_PATH`]) rehearse a
//! broken connection and an ended streamer session; a client that does not
//! read is disconnected once its bounded queue is full.
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
mod exchange;
mod faults;
mod flow;
mod generic;
mod outbox;
mod routes;
mod scenario;
mod server;
mod sessions;
mod sign_in;
mod streamer;
mod written;

pub use accounts::ACCOUNTS;
pub use error::Error;
pub use exchange::{MAX_ORDERS, Quote, SECURITIES, STARTING_CASH, TICK};
pub use faults::{Fault, Latency, MAX_DELAY};
pub use outbox::{Channel, Mail};
pub use routes::{OUTBOX_PATH, QUOTES_PATH, STREAMER_PATH};
pub use server::{MockServer, MockServerBuilder};

/// The spec the mock server follows unless given another one
/// ([`MockServerBuilder::spec`]).
pub const SPEC: &str = include_str!(concat!(env!("OUT_DIR"), "/etna-trader.yaml"));

/// The AsyncAPI document the mock's streamers follow
/// (`openapi/etna-streaming.yaml`): their handshake, and the messages
/// written from the exchange's state.
pub const STREAMING_SPEC: &str = include_str!(concat!(env!("OUT_DIR"), "/etna-streaming.yaml"));
