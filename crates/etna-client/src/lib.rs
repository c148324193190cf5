//! Rust client of the ETNA Trader REST API.
//!
//! The request and response types and the request builders are generated from
//! `openapi/etna-trader.yaml` by `cargo xtask codegen` (progenitor). This crate
//! adds, for every operation alike, the settings every request needs (app key,
//! API version, timeouts, a cap on response bodies), a tracing span per call,
//! a [`Secret`] type for every field the spec marks `format: password`, and
//! [`Operation::call`], which turns whatever the server answered into the
//! operation's typed `Model` or one [`Error`] naming the operation.
//!
//! ```no_run
//! use etna_client::{Client, Error, Operation, types::ResetIdentifier};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new("https://trader.example.com/api", "my-app-key")?;
//! let answer = client
//!     .generate_reset_token()
//!     .body(etna_client::types::ResetCodeRequest {
//!         code: "231408".into(),
//!         identifier: ResetIdentifier::ResetPassword,
//!     })
//!     .call()
//!     .await;
//! match answer {
//!     // The token prints as <redacted>; `expose()` hands it to step 4.
//!     Ok(token) => println!("got a token of {} characters", token.expose().len()),
//!     Err(Error::Refused { errors, errors_code, .. }) => {
//!         eprintln!("code refused: {errors:?} {errors_code:?}")
//!     }
//!     Err(Error::AppKeyRejected { message, .. }) => eprintln!("fix the app key: {message}"),
//!     Err(Error::Timeout { .. } | Error::Connection { .. }) => eprintln!("API unreachable"),
//!     // A POST lost after it may have been written: never send it blindly again.
//!     Err(e @ Error::OutcomeUnknown { .. }) => eprintln!("{e}"),
//!     Err(other) => eprintln!("{other}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Reading every page
//!
//! An operation whose answer is a page (its schema composes the one the spec
//! marks `x-etna-page`: `list_orders`, `list_positions`) is [`Paged`]:
//! [`items()`](Paged::items) streams every item of every page and
//! [`pages()`](Paged::pages) every page, following each page's
//! `NextPageLink` with the same credentials, timeout, body cap and errors
//! as the first request, one page held at a time, until the link is empty
//! or null. A link outside the client's API root (another scheme, host or
//! port, or a path outside the root's) or one followed before ends the
//! stream with [`Error::PageLinkRefused`] before anything is sent to it; a
//! bare JSON array where the page was expected is a single, last page.
//!
//! ```no_run
//! use etna_client::futures_util::TryStreamExt;
//! use etna_client::{Client, Paged};
//!
//! # async fn run(client: &Client) -> Result<(), etna_client::Error> {
//! let positions: Vec<_> = client
//!     .list_positions()
//!     .account_id(6303)
//!     .page_number(0)
//!     .page_size(99)
//!     .sort_field("Id")
//!     .desc(false)
//!     .items()
//!     .try_collect()
//!     .await?;
//! # let _ = positions;
//! # Ok(())
//! # }
//! ```
//!
//! # When an order's fate is unknown
//!
//! No request is ever sent twice by the client. When the connection fails
//! or the time runs out after a request that is not safe to repeat may have
//! been written, the error is [`Error::OutcomeUnknown`]: the request may or
//! may not have taken effect. For a request whose body carries the caller's
//! key (the spec marks it `x-etna-client-id`: the order's `ClientId`), the
//! client fills an empty key with a fresh value ([`fresh_client_id`]: 19
//! digits) before sending, and names it in that error with the paged
//! operation to look it up in; [`ClientKeyed::client_id`] tells it before
//! sending, [`ClientKeyed::lookup`] and [`ClientKeyed::find`] look it up
//! (stopping at the first match). [`order_placement::place`] does the
//! whole flow for an order: sent once, looked up by its `ClientId` when the
//! answer is lost, [`Placed`](order_placement::Placement::Placed) or still
//! [`Unknown`](order_placement::Placement::Unknown) with the `ClientId` and
//! how to find out. Nothing assumes that the server refuses a second order
//! with the same `ClientId`: the documentation does not say so.
//!
//! The password-reset flow's steps come ready from
//! [`password_reset()`](generated::Client::password_reset) ([`PasswordReset`],
//! module [`password_reset`]); the whole flow, secret question included, is
//! the example `examples/password_reset.rs`.

#![warn(missing_docs)]

// The generated code names this crate's types as `::etna_client::...`, so that
// a client generated from another spec (the fixture in tests) uses them too.
extern crate self as etna_client;

mod build_error;
mod builder;
mod client;
mod client_key;
mod date;
mod decimal;
mod decode;
pub mod dispatch;
mod envelope;
mod error;
mod flatten;
mod fuzzing;
mod hooks;
mod open_enum;
mod operation;
pub mod order_placement;
mod paging;
pub mod password_reset;
mod secret;
mod session;
mod sign_in;
mod status;
pub mod stream;
mod stream_command;
mod table;
mod text;

/// The code generated from the spec. Never edit `generated.rs` by hand: change
/// the spec and run `cargo xtask codegen`.
#[allow(
    missing_docs,
    unused_imports,
    // A `send` whose only header was the `api-version` one that
    // etna-codegen's `trim.rs` drops keeps progenitor's `let mut header_map`.
    unused_mut,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub mod generated {
    include!("generated.rs");
}

pub use build_error::BuildError;
pub use builder::ClientBuilder;
/// The date crate of [`Timestamp`], so that callers need not depend on it.
pub use chrono;
pub use client::{Client, GeneratedClient};
pub use client_key::{ClientKey, ClientKeySpec, ClientKeyed, fresh_client_id};
pub use date::{NO_DATE, Timestamp};
pub use decimal::Decimal;
pub use dispatch::Dispatch;
pub use envelope::{Envelope, ErrorKind, ErrorPayload, Refusal, SuccessRule};
pub use error::{BodySnippet, Error, Rejection};
/// The stream traits of [`Paged`]'s streams (`TryStreamExt::try_next`,
/// `StreamExt`), so that callers need not depend on it.
pub use futures_util;
pub use generated::types;
pub use hooks::ClientState;
pub use open_enum::{Listed, Open, answer_json};
pub use operation::{Answer, EnvelopeOperation, Operation, Reply};
pub use paging::{Page, Paged};
pub use password_reset::PasswordReset;
/// The decimal crate behind [`Decimal`], so that callers need not depend on it.
pub use rust_decimal;
pub use secret::{Secret, SecretInteger};
pub use session::Session;
pub use sign_in::SignIn;
pub use status::HttpStatusCode;
pub use table::{
    AnswerSecrets, AnswerTable, BodyDoc, Column, ColumnKind, Credential, Location, Need,
    OperationSpec, ParameterDoc, Security, ServerSpec,
};
pub use text::{JsonText, Text, TextValue};

/// What generated code calls, and nothing else should: not a public API, and
/// it may change in any release. (The benchmark's per-step breakdown calls
/// these too, to time the client's own steps.)
#[doc(hidden)]
pub mod __private {
    pub use crate::client_key::{KeyField, fill_client_id};
    pub use crate::decode::{error_value, error_value_as, response_value};
    pub use crate::flatten::split_flattened;
    pub use crate::fuzzing::decode as fuzz_decode;
    pub use crate::hooks::{exec, pre, secret_header, static_url};
    pub use crate::operation::{Route, keyed_call};
    pub use crate::paging::{PageOrItems, page_or_items};
    pub use crate::stream_command::command;
}
