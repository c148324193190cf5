//! The session table: every token sign-in handed out, with its account, what
//! it is good for and when it dies, on a clock that tests can move. The
//! generic layer asks it whether a Bearer token is alive; sign-in
//! (`sign_in.rs`) fills it.
//!
//! Bounded so that a long run under load cannot grow it without limit:
//! dead entries go first (each new entry purges the expired ones), and at
//! the cap the entry closest to its end goes to make room, as a server
//! shedding its oldest sessions would.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// The mock's clock: real time plus however far tests moved it, so that
/// expiry can be tested without waiting.
pub(crate) struct Clock {
    moved_nanos: AtomicU64,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            moved_nanos: AtomicU64::new(0),
        }
    }

    pub(crate) fn now(&self) -> Instant {
        Instant::now() + self.moved()
    }

    /// The date the clock shows, for the dates answers carry: the system's,
    /// moved as far as [`now`](Self::now) is.
    pub(crate) fn wall_now(&self) -> SystemTime {
        SystemTime::now() + self.moved()
    }

    fn moved(&self) -> Duration {
        Duration::from_nanos(self.moved_nanos.load(Ordering::SeqCst))
    }

    pub(crate) fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        // Saturating: a clock moved past centuries stays there.
        let _ = self
            .moved_nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(nanos))
            });
    }
}

/// What a token lets its holder do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// A signed-in session: every Bearer operation.
    Session,
    /// A session good only for these operations (by id): the one a trader
    /// without a PIN gets, to set it.
    Only(&'static [&'static str]),
    /// The interim token of a two-factor sign-in, waiting for this code; no
    /// Bearer operation takes it, only the second sign-in call.
    SecondFactor { code: String },
}

/// What [`Sessions::verify`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// No live interim token of this account.
    Unknown,
    WrongCode,
    Right,
}

/// A live entry of the table.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// The index of its account in the accounts file.
    pub(crate) account: usize,
    pub(crate) grant: Grant,
}

pub(crate) struct Sessions {
    /// Shared with the exchange, whose quotes move on it.
    clock: Arc<Clock>,
    /// How long a session lasts, and an interim token (at most as long).
    lifetime: Duration,
    interim: Duration,
    cap: usize,
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    by_token: HashMap<String, (Session, Instant, u64)>,
    /// The same entries by when they end (then by issue order), so that
    /// purging and shedding at the cap take the first ones, never a scan.
    by_end: BTreeMap<(Instant, u64), String>,
    issued: u64,
}

/// How long an interim token (a second factor, a PIN to set) lives at most:
/// the documentation says nothing, so the mock picks a few minutes, as for
/// a code sent by email or SMS.
pub(crate) const INTERIM_LIFETIME: Duration = Duration::from_secs(5 * 60);

impl Sessions {
    pub(crate) fn new(lifetime: Duration, cap: usize) -> Self {
        // A century is "never" for a mock, and keeps every end time
        // representable however far tests move the clock.
        let lifetime = lifetime.min(Duration::from_secs(100 * 365 * 24 * 60 * 60));
        Self {
            clock: Arc::new(Clock::new()),
            lifetime,
            interim: INTERIM_LIFETIME.min(lifetime),
            cap: cap.max(1),
            table: Mutex::new(Table::default()),
        }
    }

    pub(crate) fn advance_clock(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// The clock the table runs on.
    pub(crate) fn clock(&self) -> Arc<Clock> {
        self.clock.clone()
    }

    /// A fresh token for `session`, alive from now.
    pub(crate) fn issue(&self, session: Session) -> String {
        let now = self.clock.now();
        let lasts = match session.grant {
            Grant::Session => self.lifetime,
            Grant::Only(_) | Grant::SecondFactor { .. } => self.interim,
        };
        // Unreachable with the century cap; an entry that cannot end is
        // better dead than immortal.
        let ends = now.checked_add(lasts).unwrap_or(now);
        let mut table = self.lock();
        table.purge(now);
        while table.by_token.len() >= self.cap {
            table.shed_first();
        }
        let token = loop {
            let token = random_token();
            if !table.by_token.contains_key(&token) {
                break token;
            }
        };
        table.issued += 1;
        let seq = table.issued;
        table.by_end.insert((ends, seq), token.clone());
        table.by_token.insert(token.clone(), (session, ends, seq));
        token
    }

    /// The live entry of `token`, if any.
    pub(crate) fn get(&self, token: &str) -> Option<Session> {
        let now = self.clock.now();
        let mut table = self.lock();
        match table.by_token.get(token) {
            Some((session, ends, _)) if *ends > now => Some(session.clone()),
            Some(_) => {
                table.remove(token);
                None
            }
            None => None,
        }
    }

    /// The session `token` opens for the Bearer operation `operation`: a
    /// live session, or a limited one that names it. Interim tokens of a
    /// second factor open none.
    pub(crate) fn admits(&self, token: &str, operation: &str) -> Option<Session> {
        self.get(token).filter(|session| match session.grant {
            Grant::Session => true,
            Grant::Only(operations) => operations.contains(&operation),
            Grant::SecondFactor { .. } => false,
        })
    }

    /// Checks `code` against the interim token `token` of `account`'s
    /// two-factor sign-in, ending the token when it is right (the final
    /// token replaces it). A wrong code leaves it usable until it expires.
    pub(crate) fn verify(&self, token: &str, account: usize, code: &str) -> Verdict {
        let now = self.clock.now();
        let mut table = self.lock();
        let Some((session, ends, _)) = table.by_token.get(token) else {
            return Verdict::Unknown;
        };
        let expected = match &session.grant {
            Grant::SecondFactor { code } if session.account == account && *ends > now => code,
            _ => return Verdict::Unknown,
        };
        if expected != code {
            return Verdict::WrongCode;
        }
        table.remove(token);
        Verdict::Right
    }

    /// How many entries the table holds, dead ones not yet purged included.
    pub(crate) fn len(&self) -> usize {
        self.lock().by_token.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        // Every change to the table keeps both maps in step before it
        // returns, so a panic elsewhere cannot leave it half-changed.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Table {
    fn purge(&mut self, now: Instant) {
        while let Some(entry) = self.by_end.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let token = entry.remove();
            self.by_token.remove(&token);
        }
    }

    fn shed_first(&mut self) {
        if let Some((_, token)) = self.by_end.pop_first() {
            self.by_token.remove(&token);
        }
    }

    fn remove(&mut self, token: &str) {
        if let Some((_, ends, seq)) = self.by_token.remove(token) {
            self.by_end.remove(&(ends, seq));
        }
    }
}

/// 32 bytes from the operating system, as hex: unguessable, and opaque as
/// the documentation says a token is.
pub(crate) fn random_token() -> String {
    hex(&random_bytes::<32>())
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The mock cannot hand out guessable tokens; without the OS's
    // randomness nothing else it does matters.
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(account: usize) -> Session {
        Session {
            account,
            grant: Grant::Session,
        }
    }

    #[test]
    fn tokens_die_when_the_clock_passes_their_lifetime() {
        let sessions = Sessions::new(Duration::from_secs(60), 10);
        let token = sessions.issue(session(0));
        assert_eq!(token.len(), 64);
        assert!(sessions.admits(&token, "any").is_some());
        sessions.advance_clock(Duration::from_secs(59));
        assert!(sessions.get(&token).is_some());
        sessions.advance_clock(Duration::from_secs(1));
        assert!(sessions.get(&token).is_none());
        assert_eq!(sessions.len(), 0);
    }

    #[test]
    fn interim_tokens_open_no_bearer_operation_and_limited_ones_only_theirs() {
        let sessions = Sessions::new(Duration::from_secs(86400), 10);
        let interim = sessions.issue(Session {
            account: 0,
            grant: Grant::SecondFactor { code: "1".into() },
        });
        assert!(sessions.get(&interim).is_some());
        assert!(sessions.admits(&interim, "x").is_none());
        let limited = sessions.issue(Session {
            account: 0,
            grant: Grant::Only(&["x"]),
        });
        assert!(sessions.admits(&limited, "x").is_some());
        assert!(sessions.admits(&limited, "y").is_none());
        assert_eq!(sessions.verify(&interim, 1, "1"), Verdict::Unknown);
        assert_eq!(sessions.verify(&interim, 0, "2"), Verdict::WrongCode);
        assert!(sessions.get(&interim).is_some());
        sessions.advance_clock(INTERIM_LIFETIME);
        assert_eq!(sessions.verify(&interim, 0, "1"), Verdict::Unknown);
        assert!(sessions.get(&interim).is_none());
        assert!(sessions.get(&limited).is_none());
    }

    #[test]
    fn a_lifetime_past_any_clock_is_a_century() {
        let sessions = Sessions::new(Duration::MAX, 1);
        let token = sessions.issue(session(0));
        sessions.advance_clock(Duration::from_secs(99 * 365 * 24 * 60 * 60));
        assert!(sessions.get(&token).is_some());
    }

    #[test]
    fn the_table_is_purged_and_capped() {
        let sessions = Sessions::new(Duration::from_secs(10), 3);
        let first = sessions.issue(session(0));
        for _ in 0..5 {
            sessions.issue(session(1));
        }
        assert_eq!(sessions.len(), 3);
        assert!(sessions.get(&first).is_none(), "the oldest went first");
        sessions.advance_clock(Duration::from_secs(10));
        sessions.issue(session(2));
        assert_eq!(sessions.len(), 1, "expired entries were purged");
    }
}
