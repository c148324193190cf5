//! Rust client of the ETNA Trader REST API.
//!
//! The request and response types and the request builders are generated from
//! `openapi/etna-trader.yaml` by `cargo xtask codegen` (progenitor); this crate
//! adds the settings every request needs (app key, timeouts, a cap on response
//! bodies) and [`Client::reset_token`], which turns every documented response
//! into one typed result.
//!
//! ```no_run
//! use etna_client::{Client, Error, types::ResetIdentifier};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new("https://trader.example.com/api", "my-app-key")?;
//! match client.reset_token("231408", ResetIdentifier::ResetPassword).await {
//!     // `token` prints as <redacted>; `expose()` hands it to step 3.
//!     Ok(token) => println!("got a token of {} characters", token.expose().len()),
//!     Err(Error::Refused { errors, errors_code, .. }) => {
//!         eprintln!("code refused: {errors:?} {errors_code:?}")
//!     }
//!     Err(Error::AppKeyRejected { message, .. }) => eprintln!("fix the app key: {message}"),
//!     Err(Error::Timeout { .. } | Error::Connection { .. }) => eprintln!("API unreachable"),
//!     Err(other) => eprintln!("{other}"),
//! }
//!
//! // The generated builder gives the raw envelope.
//! let envelope = client
//!     .generate_reset_token()
//!     .version("1.0")
//!     .body(etna_client::types::ResetCodeRequest {
//!         code: "231408".try_into()?,
//!         identifier: ResetIdentifier::ResetPassword,
//!     })
//!     .send()
//!     .await?
//!     .into_inner();
//! println!("IsSucceed: {}", envelope.is_succeed);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod client;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod hooks;
mod reset;
mod secret;
mod status;

/// The code generated from the spec. Never edit `generated.rs` by hand: change
/// the spec and run `cargo xtask codegen`.
#[allow(
    missing_docs,
    unused_imports,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub mod generated {
    include!("generated.rs");
}

pub use client::{BuildError, Client, ClientBuilder};
pub use error::{BodySnippet, Error};
pub use generated::types;
pub use hooks::{APP_KEY_HEADER, Limits};
pub use reset::EnvelopeResponse;
pub use secret::ResetToken;
pub use status::HttpStatusCode;
