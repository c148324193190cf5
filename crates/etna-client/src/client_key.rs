//! The caller's key for finding a request's result again: the request
//! property the spec marks `x-etna-client-id` (the order request's
//! `ClientId`). When the caller leaves it empty, the client fills it with a
//! fresh value before sending, so that a request whose answer is lost
//! ([`Error::OutcomeUnknown`]) can be looked up in the paged operation the
//! mark names, by that value, instead of being sent again.
//!
//! The value is not a secret. Nothing here assumes that the server refuses
//! a second request with the same key: the documentation does not say so.

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::TryStreamExt;

use crate::{Error, Operation, Page, Paged};

/// What the spec says of an operation's key (`x-etna-client-id`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientKeySpec {
    /// The request body's property that holds it (e.g. `ClientId`).
    pub property: &'static str,
    /// The paged operation whose items carry it back (e.g. `list_orders`).
    pub lookup: &'static str,
}

/// The key a request was sent with: where it is, its value, and where to
/// look the result up. Not a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientKey {
    /// The request body's property that holds it (e.g. `ClientId`).
    pub property: &'static str,
    /// The value sent.
    pub value: String,
    /// The paged operation whose items carry it back (e.g. `list_orders`).
    pub lookup: &'static str,
}

impl ClientKey {
    /// The key with this value.
    pub fn new(spec: ClientKeySpec, value: String) -> Self {
        Self {
            property: spec.property,
            value,
            lookup: spec.lookup,
        }
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (look for it in {} before sending it again)",
            self.property, self.value, self.lookup
        )
    }
}

/// An operation whose request body carries the caller's key (the spec's
/// `x-etna-client-id`): the key is filled when empty, and the result can be
/// looked up by it in the paged operation the spec names.
/// Implemented by `cargo xtask codegen`; never by hand.
pub trait ClientKeyed: Operation {
    /// Where the key is and where to look it up.
    const CLIENT_KEY: ClientKeySpec;
    /// The paged operation that lists the results.
    type Lookup: Paged;

    /// The key this request will be sent with: the caller's when the body
    /// has a non-empty one, otherwise a fresh value ([`fresh_client_id`]),
    /// written into the body now. [`call`](Operation::call) does the same,
    /// so calling this first tells the caller the value that will be sent.
    /// `None` when the body is not set or not valid (sending fails then).
    fn client_id(&mut self) -> Option<String>;

    /// The lookup operation's builder, with the parameters it shares with
    /// this request and those the spec gives for it: its first page.
    fn lookup(&self) -> Self::Lookup;

    /// The key an item of the lookup carries, if any.
    fn item_client_id(item: &<<Self::Lookup as Paged>::Page as Page>::Item) -> Option<&str>;

    /// The first item of `lookup`'s pages whose key is `client_id`: pages
    /// are read until it is found, none after it.
    fn find(
        lookup: Self::Lookup,
        client_id: &str,
    ) -> impl Future<Output = Result<Option<<<Self::Lookup as Paged>::Page as Page>::Item>, Error>> + Send
    {
        async move {
            let mut items = std::pin::pin!(lookup.items());
            while let Some(item) = items.try_next().await? {
                if Self::item_client_id(&item) == Some(client_id) {
                    return Ok(Some(item));
                }
            }
            Ok(None)
        }
    }
}

/// What a generated [`ClientKeyed::client_id`] writes into an empty key.
#[doc(hidden)]
pub trait KeyField {
    /// The key, filled with a fresh value when empty.
    fn fill(&mut self) -> String;
}

impl KeyField for String {
    fn fill(&mut self) -> String {
        if self.is_empty() {
            *self = fresh_client_id();
        }
        self.clone()
    }
}

impl KeyField for Option<String> {
    fn fill(&mut self) -> String {
        self.get_or_insert_with(String::new).fill()
    }
}

/// Fills `field` when it is empty and returns the key it holds.
#[doc(hidden)]
pub fn fill_client_id<F: KeyField>(field: &mut F) -> String {
    field.fill()
}

/// A fresh key: 19 decimal digits, a positive 64-bit integer of at least
/// 10^18. ETNA documents no form or length; its examples are decimal digits
/// (`2029837977`), so this keeps their alphabet, and it fits any integer
/// column an implementation might keep them in. About 62.9 bits vary: among
/// a million keys, two meet with a chance near 10^-7. The bits come from std's
/// `RandomState` (keys seeded from the OS) over a process-wide counter and
/// the clock, so no two calls of one process give the same input.
pub fn fresh_client_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    const LOW: u64 = 1_000_000_000_000_000_000;
    const SPAN: u64 = i64::MAX as u64 - LOW + 1;
    (LOW + hasher.finish() % SPAN).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_key_is_19_digits_and_new_each_time() {
        let keys: std::collections::BTreeSet<String> =
            (0..10_000).map(|_| fresh_client_id()).collect();
        assert_eq!(keys.len(), 10_000);
        for key in &keys {
            assert_eq!(key.len(), 19, "{key}");
            assert!(key.bytes().all(|b| b.is_ascii_digit()), "{key}");
            assert!(key.parse::<i64>().is_ok(), "{key}");
        }
    }

    #[test]
    fn an_empty_key_is_filled_and_a_given_one_kept() {
        let mut none: Option<String> = None;
        let filled = fill_client_id(&mut none);
        assert_eq!(none.as_deref(), Some(filled.as_str()));
        let mut empty = String::new();
        assert_eq!(fill_client_id(&mut empty).len(), 19);
        let mut given = Some("mine-1".to_owned());
        assert_eq!(fill_client_id(&mut given), "mine-1");
        assert_eq!(fill_client_id(&mut Some(String::new())).len(), 19);
    }
}
