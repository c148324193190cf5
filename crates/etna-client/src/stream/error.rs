//! Why a stream of live updates could not start, or ended.

use std::fmt;
use std::time::Duration;

/// Why [`StreamBuilder::connect`](super::StreamBuilder::connect) failed, or
/// why an [`EventStream`](super::EventStream) ended (every case but
/// [`Error::Decode`], after which the stream goes on).
///
/// No case quotes a streamer session id or a handshake URL: an address is
/// named by its scheme, host and port, and transport errors are reworded
/// without the URL.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A REST call of the flow (finding the streamers, the user's ID,
    /// recovering a streamer session) failed.
    Rest {
        /// What the flow was doing (`finding the streamers`, ...).
        step: &'static str,
        /// The client's error, which names the operation (boxed: it is
        /// large).
        source: Box<crate::Error>,
    },
    /// The REST answer lacks what the flow needs (no address for a server,
    /// no user ID, no session id).
    Missing {
        /// The streamer (the document's server name: `quote`, `data`).
        server: &'static str,
        /// What is missing.
        what: &'static str,
    },
    /// A streamer address breaks the credential rule (only the API root's
    /// host, `wss` for an `https` root, no user info, no path): refused
    /// before connecting, so the streamer session id went nowhere.
    AddressRefused {
        /// The streamer.
        server: &'static str,
        /// The address without anything secret (scheme, host, port).
        address: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// The connection or the WebSocket handshake failed.
    Connect {
        /// The streamer.
        server: &'static str,
        /// What failed, without the URL.
        reason: String,
    },
    /// Connecting, the handshake, the session reply or a command took
    /// longer than the client's timeout.
    Timeout {
        /// The streamer.
        server: &'static str,
        /// What was waited for.
        what: &'static str,
        /// The limit.
        after: Duration,
    },
    /// The streamer refused the session (its reply's `Error`), also with a
    /// streamer session id just recovered.
    Refused {
        /// The streamer.
        server: &'static str,
    },
    /// A message of a listed entity type that does not decode (the stream
    /// goes on after it).
    Decode {
        /// The streamer.
        server: &'static str,
        /// serde's message (it quotes no credential: events carry none).
        reason: String,
    },
    /// The connection dropped and every reconnect attempt failed.
    Reconnect {
        /// The streamer.
        server: &'static str,
        /// Why the connection was lost.
        dropped: String,
        /// How many attempts were made.
        attempts: u32,
        /// How long they took.
        elapsed: Duration,
        /// Why the last one failed.
        last: Box<Error>,
    },
    /// The consumer read too slowly: `capacity` events that must never be
    /// skipped were waiting and one more came. Every event before it was
    /// delivered; it and those after it were not read.
    Overflow {
        /// The configured capacity
        /// ([`StreamBuilder::capacity`](super::StreamBuilder::capacity)).
        capacity: usize,
    },
    /// [`connect`](super::StreamBuilder::connect) was called with nothing
    /// subscribed: there would be nothing to read.
    NothingSubscribed,
    /// A subscription changed for a streamer the stream has no connection
    /// to (subscribe to one of its entities before connecting).
    NotConnected {
        /// The streamer.
        server: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Rest { step, source } => write!(f, "streaming: {step} failed: {source}"),
            Error::Missing { server, what } => {
                write!(f, "streaming: the {server} streamer: {what}")
            }
            Error::AddressRefused {
                server,
                address,
                reason,
            } => write!(
                f,
                "streaming: the {server} streamer's address {address} is refused before connecting ({reason}): \
                 its session id goes only to the API root's host"
            ),
            Error::Connect { server, reason } => {
                write!(
                    f,
                    "streaming: connecting to the {server} streamer failed: {reason}"
                )
            }
            Error::Timeout {
                server,
                what,
                after,
            } => write!(
                f,
                "streaming: the {server} streamer: no {what} within {after:?}"
            ),
            Error::Refused { server } => write!(
                f,
                "streaming: the {server} streamer refused the session, also with a recovered streamer session id"
            ),
            Error::Decode { server, reason } => write!(
                f,
                "streaming: a message of the {server} streamer does not decode: {reason}"
            ),
            Error::Reconnect {
                server,
                dropped,
                attempts,
                elapsed,
                last,
            } => write!(
                f,
                "streaming: the connection to the {server} streamer dropped ({dropped}); \
                 {attempts} reconnect attempts in {elapsed:?} failed, the last: {last}"
            ),
            Error::Overflow { capacity } => write!(
                f,
                "streaming: consumer too slow: {capacity} events were waiting to be read and another came; \
                 the stream ended before dropping it (read the REST side to resynchronise)"
            ),
            Error::NothingSubscribed => {
                f.write_str("streaming: nothing subscribed, so nothing to connect to")
            }
            Error::NotConnected { server } => write!(
                f,
                "streaming: no connection to the {server} streamer: subscribe to one of its entities before connecting"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Rest { source, .. } => Some(source.as_ref()),
            Error::Reconnect { last, .. } => Some(last.as_ref()),
            _ => None,
        }
    }
}
