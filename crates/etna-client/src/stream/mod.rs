//! Live updates: ETNA's streamers, described by
//! `openapi/etna-streaming.yaml`: the message types generated from it
//! ([`messages`]), the contract they implement ([`Protocol`]), and the
//! streaming runtime, generic over that contract, which names no message,
//! property or command: finding the streamers and recovering a streamer
//! session are the conveniences of one whole flow, and their operations are
//! named in [`flow`] only.
//!
//! [`StreamBuilder::connect`] gives a [`Stream`](futures_util::Stream) of
//! [`StreamItem`]s: an event, a [`Resync`] marker after every reconnect
//! (updates may have been missed: read the REST side again, e.g. with
//! [`flow::Snapshot::fetch`]), or a message the document does not list,
//! kept as its text.

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

mod address;
mod buffer;
mod builder;
mod connection;
mod error;
pub mod flow;
mod protocol;

pub use builder::{EventStream, Reconnect, Resync, StreamBuilder, StreamItem, Unlisted};
pub use error::Error;
pub use protocol::{Handshake, Protocol, SessionReply};
