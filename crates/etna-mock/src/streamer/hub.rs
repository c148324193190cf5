//! The open streamer connections and what each subscribed to: where the
//! exchange's events go. Each connection has a bounded queue: an event for
//! a connection whose queue is full disconnects it (its client does not
//! read), so a slow client costs at most [`QUEUE_CAPACITY`] messages of
//! memory and never slows the exchange.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{mpsc, oneshot};

/// How many messages (an event, or a subscription's whole snapshot) wait
/// for one connection at most.
pub(crate) const QUEUE_CAPACITY: usize = 4096;

/// How many connections one streamer keeps at most; past it a handshake
/// is refused.
pub(crate) const MAX_CONNECTIONS: usize = 1024;

/// What a connection's task sends, in order.
pub(crate) enum Out {
    /// An event, written once for every connection that gets it.
    One(Utf8Bytes),
    /// A subscription's current state: one queue slot, however many.
    Many(Vec<String>),
}

/// Why the hub ends a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kick {
    /// `drop_streams`: the socket goes without a closing handshake, as when
    /// a network fails.
    Drop,
    /// The client did not read: its queue was full.
    Overrun,
}

/// A subscription: the entity type and one key.
pub(crate) type Topic = (String, String);

struct Conn {
    tx: mpsc::Sender<Out>,
    kick: Option<oneshot::Sender<Kick>>,
    topics: HashSet<Topic>,
}

#[derive(Default)]
struct State {
    next: u64,
    conns: HashMap<u64, Conn>,
    topics: HashMap<Topic, HashSet<u64>>,
}

#[derive(Default)]
pub(crate) struct Hub {
    state: Mutex<State>,
}

/// A connection's end of the hub.
pub(crate) struct Joined {
    pub(crate) id: u64,
    pub(crate) rx: mpsc::Receiver<Out>,
    pub(crate) kick: oneshot::Receiver<Kick>,
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Every change is whole before the lock is let go.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new connection; `None` at [`MAX_CONNECTIONS`].
    pub(crate) fn join(&self) -> Option<Joined> {
        let mut state = self.lock();
        if state.conns.len() >= MAX_CONNECTIONS {
            return None;
        }
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let (kick_tx, kick) = oneshot::channel();
        state.next += 1;
        let id = state.next;
        state.conns.insert(
            id,
            Conn {
                tx,
                kick: Some(kick_tx),
                topics: HashSet::new(),
            },
        );
        Some(Joined { id, rx, kick })
    }

    /// Forgets a connection (its task ended).
    pub(crate) fn leave(&self, id: u64) {
        let mut state = self.lock();
        remove(&mut state, id);
    }

    /// Subscribes `id` to `topic` and queues `snapshot` (the topic's state
    /// now) ahead of every later event; false when the connection is gone
    /// or its queue is full (then it is ended).
    pub(crate) fn subscribe(&self, id: u64, topic: Topic, snapshot: Vec<String>) -> bool {
        let mut state = self.lock();
        let Some(conn) = state.conns.get_mut(&id) else {
            return false;
        };
        conn.topics.insert(topic.clone());
        let full = !snapshot.is_empty() && conn.tx.try_send(Out::Many(snapshot)).is_err();
        if full {
            kick(&mut state, id, Kick::Overrun);
            return false;
        }
        state.topics.entry(topic).or_default().insert(id);
        true
    }

    pub(crate) fn unsubscribe(&self, id: u64, topic: &Topic) {
        let mut state = self.lock();
        if let Some(conn) = state.conns.get_mut(&id) {
            conn.topics.remove(topic);
        }
        if let Some(ids) = state.topics.get_mut(topic) {
            ids.remove(&id);
            if ids.is_empty() {
                state.topics.remove(topic);
            }
        }
    }

    /// Whether anyone listens to `topic`: an event nobody reads is not
    /// written.
    pub(crate) fn listened(&self, entity: &str, key: &str) -> bool {
        self.lock()
            .topics
            .contains_key(&(entity.to_owned(), key.to_owned()))
    }

    /// Queues `text` for every connection subscribed to `(entity, key)`;
    /// one whose queue is full is ended.
    pub(crate) fn publish(&self, entity: &str, key: &str, text: Utf8Bytes) {
        let mut state = self.lock();
        let topic = (entity.to_owned(), key.to_owned());
        let Some(ids) = state.topics.get(&topic) else {
            return;
        };
        let mut overrun = Vec::new();
        for id in ids {
            if let Some(conn) = state.conns.get(id)
                && conn.tx.try_send(Out::One(text.clone())).is_err()
            {
                overrun.push(*id);
            }
        }
        for id in overrun {
            kick(&mut state, id, Kick::Overrun);
        }
    }

    /// Ends every connection.
    pub(crate) fn kick_all(&self, why: Kick) {
        let mut state = self.lock();
        let ids: Vec<u64> = state.conns.keys().copied().collect();
        for id in ids {
            kick(&mut state, id, why);
        }
    }

    /// How many connections are open.
    pub(crate) fn len(&self) -> usize {
        self.lock().conns.len()
    }
}

fn kick(state: &mut State, id: u64, why: Kick) {
    if let Some(mut conn) = remove(state, id)
        && let Some(kick) = conn.kick.take()
    {
        // A task already gone has nothing left to end.
        let _ = kick.send(why);
    }
}

fn remove(state: &mut State, id: u64) -> Option<Conn> {
    let conn = state.conns.remove(&id)?;
    for topic in &conn.topics {
        if let Some(ids) = state.topics.get_mut(topic) {
            ids.remove(&id);
            if ids.is_empty() {
                state.topics.remove(topic);
            }
        }
    }
    Some(conn)
}
