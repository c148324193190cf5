//! ETNA's streamers: the message types generated from
//! `openapi/etna-streaming.yaml` ([`messages`]) and the contract they
//! implement for the streaming runtime ([`Protocol`]).

/// The code generated from the AsyncAPI document. Never edit `messages.rs`
/// by hand: change the document and run `cargo xtask codegen`.
#[allow(
    missing_docs,
    unused_imports,
    unused_mut,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
// prettyplease's layout, as generated: `cargo xtask codegen --check`
// compares it byte for byte.
#[rustfmt::skip]
pub mod messages;
mod protocol;

pub use protocol::{Handshake, Protocol, SessionReply};
