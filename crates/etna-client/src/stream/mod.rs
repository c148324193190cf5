//! Live updates: ETNA's streamers, described by `openapi/etna-streaming.yaml`.
//!
//! The messages and commands are generated from that document (the
//! [`Protocol`] contract); the runtime here is generic over it and names no
//! message, property or command: finding the streamers and recovering a
//! streamer session are the conveniences of one whole flow, and their
//! operations are named in [`flow`] only.
//!
//! [`StreamBuilder::connect`] gives a [`Stream`](futures_util::Stream) of
//! [`StreamItem`]s: an event, a [`Resync`] marker after every reconnect
//! (updates may have been missed: read the REST side again, e.g. with
//! [`flow::Snapshot::fetch`]), or a message the document does not list,
//! kept as its text.

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
