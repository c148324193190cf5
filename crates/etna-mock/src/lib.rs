//! A local mock of the ETNA Trader API, for trying the client without an ETNA
//! account and for tests.
//!
//! The server is driven by the spec, `openapi/etna-trader.yaml`, embedded at
//! build time and read when the server starts: the route comes from `paths`,
//! the app-key header from the `EtAppKey` security scheme, the accepted
//! confirmation code from the request example, every response body from the
//! response examples, and bodies are checked against the request schema. Edit
//! an example in the spec and the mock answers with the edited example.
//!
//! Every operation of the spec is routed and answered from the spec alone
//! (`generic.rs`): the app-key header its security scheme names is checked,
//! its parameters and body are validated against their schemas (a failure
//! gets the documented 400 example with the reasons in the envelope's
//! `Errors`/`ErrorsCode`, never quoting a value), and a valid request gets the
//! first example of its documented 2xx response. An operation added to the
//! spec is served with no Rust change. `generate_reset_token` keeps its own
//! scenario for now (the stateful reset flow of issue 11 replaces it):
//!
//! | request | answer |
//! | --- | --- |
//! | missing or wrong app key | 403, the spec's 403 example |
//! | body not JSON, or not valid against the request schema | 400, the spec's 400 example with `Errors` and `ErrorsCode` saying what is wrong |
//! | the request example's code | 200, the spec's 200 example with `IsSucceed: true` |
//! | any other valid code | 200, the spec's 200 example with `IsSucceed: false` |
//! | another path / method / an oversized body | 404 / 405 / 413 |
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

mod answer;
mod error;
mod faults;
mod generic;
mod routes;
mod server;
mod spec;

pub use error::Error;
pub use faults::{Fault, Latency, MAX_DELAY};
pub use server::{MockServer, MockServerBuilder};

/// The spec the mock server follows unless given another one
/// ([`MockServerBuilder::spec`]).
pub const SPEC: &str = include_str!(concat!(env!("OUT_DIR"), "/etna-trader.yaml"));
