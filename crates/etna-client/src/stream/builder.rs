//! The public face of the streaming runtime: what to subscribe to, the
//! settings, and the stream of events.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use futures_util::Stream;
use reqwest::Url;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::address::Checked;
use super::buffer::Shared;
use super::connection::{Command, Connection};
use super::error::Error;
use super::flow;
use super::messages::Streamers;
use super::protocol::Protocol;
use crate::{Client, GeneratedClient};

/// One item of an [`EventStream`].
#[derive(Debug)]
pub enum StreamItem<E> {
    /// A message a streamer pushed, decoded.
    Event(E),
    /// The connection to a streamer dropped and is back, subscriptions
    /// renewed; see [`Resync`].
    Resync(Resync),
    /// A message whose entity type the document does not list, as text.
    Unlisted(Unlisted),
}

/// "Reconnected; updates may have been missed since `since`": the
/// streamers replay nothing, so whatever changed while the connection was
/// down shows only on the REST side. Read it again, e.g. with
/// [`Snapshot::fetch`](super::flow::Snapshot::fetch) (orders and positions
/// through the pager, the balance), and go on with the events that follow
/// this marker.
#[derive(Debug, Clone)]
pub struct Resync {
    /// The streamer whose connection dropped (the document's server name:
    /// `quote`, `data`).
    pub server: &'static str,
    /// When the drop was noticed: updates since then may have been missed.
    pub since: SystemTime,
    /// How many attempts reconnecting took.
    pub attempts: u32,
    /// Why the connection was lost.
    pub dropped: String,
}

impl fmt::Display for Resync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ago = self.since.elapsed().unwrap_or_default();
        write!(
            f,
            "reconnected to the {} streamer ({}); updates may have been missed in the last {:.1?}: read the REST snapshot",
            self.server, self.dropped, ago
        )
    }
}

/// A message the document does not list (another entity type), kept as the
/// streamer sent it: never an error.
#[derive(Debug, Clone)]
pub struct Unlisted {
    /// The streamer that sent it.
    pub server: &'static str,
    /// The entity type it names.
    pub entity: String,
    /// The message's text.
    pub text: String,
}

/// How a dropped connection is reconnected: exponential backoff with
/// jitter, bounded by attempts and by time, after which the stream ends
/// with [`Error::Reconnect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconnect {
    /// The wait before the first attempt (default 250 ms); it doubles with
    /// each attempt, and each wait is drawn between half of it and all of
    /// it (jitter, so that many clients do not come back at once).
    pub initial_delay: Duration,
    /// The longest wait between two attempts (default 30 s).
    pub max_delay: Duration,
    /// How many attempts at most (default 10).
    pub max_attempts: u32,
    /// How long reconnecting may take at most, waits included (default 5
    /// minutes); no attempt starts after it.
    pub max_elapsed: Duration,
}

impl Default for Reconnect {
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            max_attempts: 10,
            max_elapsed: Duration::from_secs(300),
        }
    }
}

/// The settings every connection of a stream shares.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Connecting, the handshake and the session reply, together; a
    /// command sent (the client's request timeout).
    pub(crate) timeout: Duration,
    pub(crate) ping_interval: Duration,
    pub(crate) pong_timeout: Duration,
    pub(crate) capacity: usize,
    pub(crate) reconnect: Reconnect,
}

/// The subscriptions of a stream: each entity with its keys, in the order
/// they were given, each key once.
pub(crate) struct Subscriptions<E> {
    entries: Vec<(E, Vec<String>)>,
}

impl<E: Copy + Eq> Subscriptions<E> {
    /// Adds keys; answers those that are new.
    pub(crate) fn add(&mut self, entity: E, keys: Vec<String>) -> Vec<String> {
        let index = match self.entries.iter().position(|(e, _)| *e == entity) {
            Some(index) => index,
            None => {
                self.entries.push((entity, Vec::new()));
                self.entries.len() - 1
            }
        };
        let known = &mut self.entries[index].1;
        let mut added = Vec::new();
        for key in keys {
            if !known.contains(&key) && !added.contains(&key) {
                added.push(key);
            }
        }
        known.extend(added.iter().cloned());
        added
    }

    /// Removes keys; answers those that were there.
    pub(crate) fn remove(&mut self, entity: E, keys: &[String]) -> Vec<String> {
        let mut removed = Vec::new();
        if let Some((_, known)) = self.entries.iter_mut().find(|(e, _)| *e == entity) {
            known.retain(|key| {
                let gone = keys.contains(key);
                if gone {
                    removed.push(key.clone());
                }
                !gone
            });
        }
        self.entries.retain(|(_, known)| !known.is_empty());
        removed
    }

    /// Every entity with its keys joined as the document says
    /// (`Protocol::KEY_SEPARATOR`).
    pub(crate) fn joined(
        &self,
        separator: &str,
        mut wanted: impl FnMut(E) -> bool,
    ) -> Vec<(E, String)> {
        self.entries
            .iter()
            .filter(|(entity, keys)| wanted(*entity) && !keys.is_empty())
            .map(|(entity, keys)| (*entity, keys.join(separator)))
            .collect()
    }

    fn key_count(&self) -> usize {
        self.entries.iter().map(|(_, keys)| keys.len()).sum()
    }
}

/// What to subscribe to and how, before connecting: from
/// [`Client::stream_of`].
pub struct StreamBuilder<P: Protocol> {
    client: Client,
    subscriptions: Vec<(P::Entity, Vec<String>)>,
    settings: Settings,
}

impl<P: Protocol> fmt::Debug for StreamBuilder<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamBuilder")
            .field("subscriptions", &self.subscriptions)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a stream of live updates from ETNA's streamers, as
    /// `openapi/etna-streaming.yaml` describes them (see
    /// [`stream`](crate::stream)).
    pub fn stream(&self) -> StreamBuilder<Streamers> {
        self.stream_of()
    }

    /// Starts a stream of live updates for the streamers another
    /// [`Protocol`] describes.
    pub fn stream_of<P: Protocol>(&self) -> StreamBuilder<P> {
        StreamBuilder {
            client: self.clone(),
            subscriptions: Vec::new(),
            settings: Settings {
                timeout: self.api.state().timeout(),
                ping_interval: StreamBuilder::<P>::DEFAULT_PING_INTERVAL,
                pong_timeout: StreamBuilder::<P>::DEFAULT_PONG_TIMEOUT,
                capacity: StreamBuilder::<P>::DEFAULT_CAPACITY,
                reconnect: Reconnect::default(),
            },
        }
    }
}

impl<P: Protocol> StreamBuilder<P> {
    /// How long a connection may stay silent before a ping asks whether it
    /// is alive.
    pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(15);
    /// How long the answer to that ping (or any frame) may take before the
    /// connection counts as dropped.
    pub const DEFAULT_PONG_TIMEOUT: Duration = Duration::from_secs(10);
    /// How many events that are never skipped (everything but superseded
    /// quotes) may wait for the consumer before the stream ends with
    /// [`Error::Overflow`].
    pub const DEFAULT_CAPACITY: usize = 10_000;

    /// Subscribes to `entity`'s messages for `keys` (a trading account's ID
    /// for orders, positions and balances, a security's ID for quotes): one
    /// command per entity, its keys joined as the document says.
    pub fn subscribe<K: fmt::Display>(
        mut self,
        entity: P::Entity,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        self.subscriptions
            .push((entity, keys.into_iter().map(|k| k.to_string()).collect()));
        self
    }

    /// See [`DEFAULT_PING_INTERVAL`](Self::DEFAULT_PING_INTERVAL).
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.settings.ping_interval = interval;
        self
    }

    /// See [`DEFAULT_PONG_TIMEOUT`](Self::DEFAULT_PONG_TIMEOUT).
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pong_timeout = timeout;
        self
    }

    /// See [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY) (at least 1).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.settings.capacity = capacity.max(1);
        self
    }

    /// How a dropped connection is reconnected (see [`Reconnect`]).
    pub fn reconnect(mut self, reconnect: Reconnect) -> Self {
        self.settings.reconnect = reconnect;
        self
    }

    /// Finds the streamers (`get_streamers`), the user's ID
    /// (`get_user_info`), checks every address against the API root before
    /// anything is sent to it, then opens one connection per streamer the
    /// subscriptions need (the session reply awaited, the subscriptions
    /// sent), each bounded by the client's timeout. Needs a session.
    pub async fn connect(self) -> Result<EventStream<P>, Error> {
        let Self {
            client,
            subscriptions: given,
            settings,
        } = self;
        let mut subscriptions = Subscriptions {
            entries: Vec::new(),
        };
        for (entity, keys) in given {
            subscriptions.add(entity, keys);
        }
        let mut servers: Vec<&'static flow::Server> = Vec::new();
        for (entity, _) in &subscriptions.entries {
            let name = P::server(*entity);
            let server = flow::server(name).ok_or(Error::Missing {
                server: name,
                what: "get_streamers has no entry for this server of the document",
            })?;
            if !servers.iter().any(|s| s.name == server.name) {
                servers.push(server);
            }
        }
        if servers.is_empty() {
            return Err(Error::NothingSubscribed);
        }
        let root = Url::parse(client.base_url()).map_err(|_| Error::Missing {
            server: "every",
            what: "the client's API root is not a URL",
        })?;
        let answer = flow::streamers(&client).await?;
        // Every address is checked before any streamer session id goes
        // anywhere.
        let mut found = Vec::new();
        for server in &servers {
            let (address, session) = flow::address(&answer, server)?;
            let checked = Checked::new(&address, &root, &P::HANDSHAKE).map_err(|refusal| {
                Error::AddressRefused {
                    server: server.name,
                    address: refusal.shown,
                    reason: refusal.reason,
                }
            })?;
            found.push((*server, checked, session));
        }
        let user = flow::user_id(&client).await?;
        let latest = subscriptions.key_count().max(settings.capacity);
        let shared = Arc::new(Shared::<P>::new(settings.capacity, latest));
        let subscriptions = Arc::new(Mutex::new(subscriptions));
        let settings = Arc::new(settings);
        let mut opened = Vec::new();
        for (server, address, session) in found {
            let session = match session {
                Some(session) => session,
                None => flow::recover(&client, server).await?,
            };
            let mut connection = Connection::<P> {
                server,
                client: client.clone(),
                address,
                user: user.clone(),
                session,
                settings: Arc::clone(&settings),
                subscriptions: Arc::clone(&subscriptions),
                shared: Arc::clone(&shared),
            };
            let live = connection.open().await?;
            opened.push((connection, live));
        }
        // Spawned once every connection is open: a failure above leaves no
        // task behind.
        let connections = opened
            .into_iter()
            .map(|(connection, live)| {
                let (commands, receiver) = mpsc::unbounded_channel();
                Handle {
                    server: connection.server.name,
                    commands,
                    task: tokio::spawn(connection.run(live, receiver)),
                }
            })
            .collect();
        Ok(EventStream {
            shared,
            subscriptions,
            connections,
        })
    }
}

/// A live stream of updates: a [`Stream`] of [`StreamItem`]s, or the
/// [`Error`] that ended it (after which it yields nothing more; a
/// [`Error::Decode`] alone does not end it).
///
/// A reader task per connection reads the socket continuously into a
/// bounded queue, so a slow consumer never stalls the socket: of the
/// messages the document marks `x-etna-latest-by` (quotes) only the latest
/// per key waits (a newer one replaces the unread one in place); every
/// other event waits in order, and when
/// [`capacity`](StreamBuilder::capacity) of them wait and another comes,
/// the stream ends with [`Error::Overflow`] after delivering them rather
/// than drop one. Dropping the stream closes its connections.
pub struct EventStream<P: Protocol> {
    shared: Arc<Shared<P>>,
    subscriptions: Arc<Mutex<Subscriptions<P::Entity>>>,
    connections: Vec<Handle<P::Entity>>,
}

struct Handle<E> {
    server: &'static str,
    commands: mpsc::UnboundedSender<Command<E>>,
    task: JoinHandle<()>,
}

impl<P: Protocol> fmt::Debug for EventStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let servers: Vec<_> = self.connections.iter().map(|c| c.server).collect();
        f.debug_struct("EventStream")
            .field("servers", &servers)
            .finish_non_exhaustive()
    }
}

impl<P: Protocol> EventStream<P> {
    /// Subscribes to more keys of an entity whose streamer this stream is
    /// connected to; renewed after every reconnect, as the others.
    pub fn subscribe<K: fmt::Display>(
        &self,
        entity: P::Entity,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<(), Error> {
        let keys: Vec<String> = keys.into_iter().map(|k| k.to_string()).collect();
        self.change(
            entity,
            |subscriptions| subscriptions.add(entity, keys),
            true,
        )
    }

    /// Stops an entity's messages for `keys`.
    pub fn unsubscribe<K: fmt::Display>(
        &self,
        entity: P::Entity,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<(), Error> {
        let keys: Vec<String> = keys.into_iter().map(|k| k.to_string()).collect();
        self.change(
            entity,
            |subscriptions| subscriptions.remove(entity, &keys),
            false,
        )
    }

    fn change(
        &self,
        entity: P::Entity,
        edit: impl FnOnce(&mut Subscriptions<P::Entity>) -> Vec<String>,
        subscribe: bool,
    ) -> Result<(), Error> {
        let server = P::server(entity);
        let connection = self
            .connections
            .iter()
            .find(|c| c.server == server)
            .ok_or(Error::NotConnected { server })?;
        let mut subscriptions = self
            .subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let keys = edit(&mut subscriptions);
        self.shared.allow_latest(subscriptions.key_count());
        if keys.is_empty() {
            return Ok(());
        }
        // Sent while the lock is held, so a reconnect that renews every
        // subscription either sees this change or finds this command.
        connection
            .commands
            .send(Command {
                entity,
                keys: keys.join(P::KEY_SEPARATOR),
                subscribe,
            })
            .map_err(|_| Error::NotConnected { server })
    }
}

impl<P: Protocol> Stream for EventStream<P> {
    type Item = Result<StreamItem<P::Event>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.shared.poll_next(cx);
        // The stream has ended (an error other than a decoding one ends
        // it): no connection is kept for a consumer that gets nothing more.
        let ended = match &next {
            Poll::Ready(None) => true,
            Poll::Ready(Some(Err(error))) => !matches!(error, Error::Decode { .. }),
            _ => false,
        };
        if ended {
            for connection in &self.connections {
                connection.task.abort();
            }
        }
        next
    }
}

impl<P: Protocol> Drop for EventStream<P> {
    fn drop(&mut self) {
        for connection in &self.connections {
            connection.task.abort();
        }
    }
}
