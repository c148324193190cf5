//! What the reader tasks have read and the consumer has not: bounded, with
//! the latest message per key for the messages the document marks
//! `x-etna-latest-by` (quotes) and every other one kept until it overflows.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::builder::StreamItem;
use super::error::Error;
use super::protocol::Protocol;

type Item<P> = Result<StreamItem<<P as Protocol>::Event>, Error>;
type LatestKey<P> = (<P as Protocol>::Entity, String);

/// The queue the reader tasks fill and the [`EventStream`](super::EventStream)
/// empties.
pub(crate) struct Shared<P: Protocol> {
    queue: Mutex<Queue<P>>,
}

struct Queue<P: Protocol> {
    /// In arrival order; a superseding message keeps its first slot.
    slots: VecDeque<Slot<P>>,
    /// The latest unread message of each key that has a slot.
    latest: HashMap<LatestKey<P>, P::Event>,
    /// How many never-skipped items wait in `slots`.
    strict: usize,
    capacity: usize,
    latest_capacity: usize,
    end: End,
    waker: Option<Waker>,
}

enum Slot<P: Protocol> {
    Item(Item<P>),
    Latest(LatestKey<P>),
}

enum End {
    /// Still filled by the readers.
    Open,
    /// Ended with an error, delivered after the items before it.
    Failed(Error),
    /// Nothing more comes.
    Done,
}

impl<P: Protocol> Shared<P> {
    /// `capacity` never-skipped items, and `latest_capacity` keys of
    /// superseding messages.
    pub(crate) fn new(capacity: usize, latest_capacity: usize) -> Self {
        Self {
            queue: Mutex::new(Queue {
                slots: VecDeque::new(),
                latest: HashMap::new(),
                strict: 0,
                capacity,
                latest_capacity,
                end: End::Open,
                waker: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue<P>> {
        // A reader that panicked mid-push left a consistent queue: every
        // change is a single push or pop.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Raises the number of keys superseding messages may hold (more
    /// subscriptions); never lowers it below `capacity`.
    pub(crate) fn allow_latest(&self, keys: usize) {
        let mut queue = self.lock();
        queue.latest_capacity = queue.latest_capacity.max(keys);
    }

    /// Queues an event: in place of the unread one with the same key when
    /// the document says only the latest matters, else at the end. `false`
    /// when the stream has ended (overflow included): the reader stops.
    pub(crate) fn push_event(&self, event: P::Event) -> bool {
        let mut queue = self.lock();
        if !matches!(queue.end, End::Open) {
            return false;
        }
        match P::latest_key(&event) {
            Some(key) => {
                let key = (P::entity(&event), key);
                if let Some(unread) = queue.latest.get_mut(&key) {
                    *unread = event;
                    return true;
                }
                if queue.latest.len() >= queue.latest_capacity {
                    return queue.overflow();
                }
                queue.latest.insert(key.clone(), event);
                queue.slots.push_back(Slot::Latest(key));
            }
            None => {
                if queue.strict >= queue.capacity {
                    return queue.overflow();
                }
                queue.strict += 1;
                queue
                    .slots
                    .push_back(Slot::Item(Ok(StreamItem::Event(event))));
            }
        }
        queue.wake();
        true
    }

    /// Queues a marker, an unlisted message or a decoding error: never
    /// skipped.
    pub(crate) fn push(&self, item: Item<P>) -> bool {
        let mut queue = self.lock();
        if !matches!(queue.end, End::Open) {
            return false;
        }
        if queue.strict >= queue.capacity {
            return queue.overflow();
        }
        queue.strict += 1;
        queue.slots.push_back(Slot::Item(item));
        queue.wake();
        true
    }

    /// Ends the stream with `error` after what is queued (the first end
    /// wins).
    pub(crate) fn fail(&self, error: Error) {
        let mut queue = self.lock();
        if matches!(queue.end, End::Open) {
            queue.end = End::Failed(error);
            queue.wake();
        }
    }

    pub(crate) fn is_open(&self) -> bool {
        matches!(self.lock().end, End::Open)
    }

    pub(crate) fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Option<Item<P>>> {
        let mut queue = self.lock();
        while let Some(slot) = queue.slots.pop_front() {
            match slot {
                Slot::Item(item) => {
                    queue.strict -= 1;
                    return Poll::Ready(Some(item));
                }
                // Every `Latest` slot has its entry: one that had none would
                // simply be passed over.
                Slot::Latest(key) => {
                    if let Some(event) = queue.latest.remove(&key) {
                        return Poll::Ready(Some(Ok(StreamItem::Event(event))));
                    }
                }
            }
        }
        match std::mem::replace(&mut queue.end, End::Done) {
            End::Failed(error) => Poll::Ready(Some(Err(error))),
            End::Done => Poll::Ready(None),
            End::Open => {
                queue.end = End::Open;
                queue.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<P: Protocol> Queue<P> {
    fn overflow(&mut self) -> bool {
        self.end = End::Failed(Error::Overflow {
            capacity: self.capacity,
        });
        self.wake();
        false
    }

    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt;
    use std::task::Waker;

    use super::*;
    use crate::Secret;
    use crate::stream::{Handshake, SessionReply};

    struct Test;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    enum Event {
        Quote(u32, u32),
        Order(u32),
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    struct Entity(bool);

    impl fmt::Display for Entity {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Debug::fmt(self, f)
        }
    }

    impl Protocol for Test {
        type Event = Event;
        type Entity = Entity;
        const HANDSHAKE: Handshake = Handshake {
            path: "/",
            user: "u",
            password: "p",
            fixed: &[],
        };
        const KEY_SEPARATOR: &'static str = ";";
        fn server(_: Entity) -> &'static str {
            "data"
        }
        fn entity(event: &Event) -> Entity {
            Entity(matches!(event, Event::Quote(..)))
        }
        fn latest_key(event: &Event) -> Option<String> {
            match event {
                Event::Quote(key, _) => Some(key.to_string()),
                Event::Order(_) => None,
            }
        }
        fn subscribe(_: &Secret, _: Entity, _: &str) -> String {
            String::new()
        }
        fn unsubscribe(_: &Secret, _: Entity, _: &str) -> String {
            String::new()
        }
        fn session_reply(_: &str) -> Option<SessionReply> {
            None
        }
    }

    fn drain(shared: &Shared<Test>) -> Vec<Result<Event, String>> {
        let mut cx = Context::from_waker(Waker::noop());
        let mut read = Vec::new();
        while let Poll::Ready(Some(item)) = shared.poll_next(&mut cx) {
            read.push(match item {
                Ok(StreamItem::Event(event)) => Ok(event),
                Ok(other) => Err(format!("{other:?}")),
                Err(error) => Err(error.to_string()),
            });
        }
        read
    }

    #[test]
    fn a_newer_quote_takes_the_unread_ones_place_and_orders_all_wait() {
        let shared = Shared::<Test>::new(10, 2);
        for event in [
            Event::Quote(1, 10),
            Event::Order(1),
            Event::Quote(2, 20),
            Event::Quote(1, 11),
            Event::Order(2),
            Event::Quote(1, 12),
        ] {
            assert!(shared.push_event(event));
        }
        assert_eq!(
            drain(&shared),
            [
                Ok(Event::Quote(1, 12)),
                Ok(Event::Order(1)),
                Ok(Event::Quote(2, 20)),
                Ok(Event::Order(2)),
            ]
        );
        // Read, a key takes a new slot.
        assert!(shared.push_event(Event::Quote(1, 13)));
        assert_eq!(drain(&shared), [Ok(Event::Quote(1, 13))]);
    }

    #[test]
    fn quotes_of_more_keys_than_allowed_end_the_stream_after_what_waits() {
        let shared = Shared::<Test>::new(10, 2);
        assert!(shared.push_event(Event::Quote(1, 10)));
        assert!(shared.push_event(Event::Quote(2, 20)));
        assert!(shared.push_event(Event::Quote(2, 21)), "a known key");
        assert!(!shared.push_event(Event::Quote(3, 30)), "a third key");
        assert!(!shared.push_event(Event::Order(1)), "nothing after the end");
        let read = drain(&shared);
        assert_eq!(read.len(), 3, "{read:?}");
        assert_eq!(
            read[..2],
            [Ok(Event::Quote(1, 10)), Ok(Event::Quote(2, 21))]
        );
        assert!(read[2].as_ref().is_err_and(|e| e.contains("too slow")));
    }

    #[test]
    fn the_capacity_plus_first_order_ends_the_stream_after_the_others() {
        let shared = Shared::<Test>::new(2, 2);
        assert!(shared.push_event(Event::Order(1)));
        assert!(shared.push_event(Event::Order(2)));
        assert!(!shared.push_event(Event::Order(3)));
        let read = drain(&shared);
        assert_eq!(read[..2], [Ok(Event::Order(1)), Ok(Event::Order(2))]);
        assert!(read[2].as_ref().is_err_and(|e| e.contains("too slow")));
        assert_eq!(read.len(), 3);
    }
}
