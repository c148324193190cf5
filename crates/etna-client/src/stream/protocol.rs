//! What the streaming runtime needs to know about the streamers' messages,
//! implemented by the code generated from `openapi/etna-streaming.yaml`
//! (`stream::messages`, written by `cargo xtask codegen`): the runtime never
//! names a message, a property or a command itself.

use std::fmt;
use std::hash::Hash;

use crate::Secret;

/// How a WebSocket handshake to a streamer is written: the channel's `ws`
/// binding in the AsyncAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshake {
    /// The path after the streamer's address (`/CreateSession.txt`).
    pub path: &'static str,
    /// The query parameter that carries the trader's user ID.
    pub user: &'static str,
    /// The query parameter that carries the streamer session id (the one the
    /// binding marks `format: password`).
    pub password: &'static str,
    /// Query parameters with a fixed value (`const` in the binding).
    pub fixed: &'static [(&'static str, &'static str)],
}

/// What the streamer answered to the connection.
#[derive(Debug)]
pub enum SessionReply {
    /// The session exists; every command carries this id.
    Ok(Secret),
    /// The streamer refused the connection (e.g. an ended streamer session).
    Refused,
}

/// The messages of one AsyncAPI document, as the streaming runtime uses them.
pub trait Protocol: Send + Sync + 'static {
    /// Every message a `receive` operation lists, by its entity type.
    type Event: serde::de::DeserializeOwned + fmt::Debug + Send + 'static;
    /// The entity types one can subscribe to (the subscribe command's enum).
    type Entity: Copy + Eq + Hash + fmt::Debug + fmt::Display + Send + Sync + 'static;

    /// The handshake of every streamer.
    const HANDSHAKE: Handshake;

    /// What joins several keys of one command (`x-etna-command`'s
    /// `separator`: `;`).
    const KEY_SEPARATOR: &'static str;

    /// The document's name of the server that sends an entity's messages
    /// (`quote`, `data`).
    fn server(entity: Self::Entity) -> &'static str;

    /// The entity type of a pushed message.
    fn entity(event: &Self::Event) -> Self::Entity;

    /// For a message the document marks `x-etna-latest-by`, the value that
    /// makes a later message supersede this one (with the same entity);
    /// `None` for a message that must never be skipped.
    fn latest_key(event: &Self::Event) -> Option<String>;

    /// The JSON text of the command that starts `entity`'s messages for
    /// `keys` (already joined as the document says).
    fn subscribe(session: &Secret, entity: Self::Entity, keys: &str) -> String;

    /// The JSON text of the command that stops them.
    fn unsubscribe(session: &Secret, entity: Self::Entity, keys: &str) -> String;

    /// Reads a text frame as the answer to the connection; `None` when the
    /// frame is not that answer.
    fn session_reply(frame: &str) -> Option<SessionReply>;

    /// For a frame that did not decode as an [`Event`](Self::Event): the
    /// entity type it names when that is one the document does not list
    /// (the runtime keeps such a message as text, never an error); `None`
    /// when it names a listed one (or none), so the frame is a broken
    /// message of the document's and the runtime reports it.
    ///
    /// The default knows no discriminator and says `None`: every frame that
    /// does not decode is reported.
    fn unlisted(frame: &str) -> Option<String> {
        let _ = frame;
        None
    }
}
