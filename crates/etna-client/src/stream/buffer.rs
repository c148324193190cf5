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
