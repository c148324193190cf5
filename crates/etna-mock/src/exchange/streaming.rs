//! What the exchange tells the streamers: an `Order` message on every
//! change of an order (placed, triggered, filled, cancelled, rejected),
//! `Position`, `AccountBalance` and `UserBalance` on every fill, `Quote` as
//! a subscribed security's quote moves; and on subscribing, the state of
//! that moment (every order of the account, every position, the balance,
//! the quote). Each message is written by `streamer::events` from the REST
//! JSON of `wire.rs`; this module names only what REST cannot give (the
//! table below), and which keys a trader may subscribe to: its own account
//! (`Order`, `Position`, `AccountBalance`), its own user (`UserBalance`),
//! any security (`Quote`). Other keys are ignored, as the documentation
//! gives no error for them.

use std::sync::OnceLock;

use serde_json::Value;
use serde_json::value::RawValue;

use super::{Exchange, State, wire};
use crate::streamer::Outlets;
use crate::streamer::hub::Hub;

/// The messages (entity types) the exchange sends.
const ORDER: &str = "Order";
const POSITION: &str = "Position";
const ACCOUNT_BALANCE: &str = "AccountBalance";
const USER_BALANCE: &str = "UserBalance";
const QUOTE: &str = "Quote";
/// Properties REST has under another name or not at all.
const KEY: &str = "Key";
const ACCOUNT_ID: &str = "AccountId";
const CASH_BALANCE: &str = "CashBalance";
/// The REST balance's cash, which `CashBalance` is.
const REST_CASH: &str = "cash";
/// `Items`: JSON text of `{"Name", "Value"}` per figure of the REST balance.
const ITEMS: &str = "Items";
const ITEM_NAME: &str = "Name";
const ITEM_VALUE: &str = "Value";

/// `get_account_balance`'s documented example, which the balance follows.
pub(super) type BalanceExample = OnceLock<Value>;

type Message = (String, Vec<(&'static str, String)>);

impl Exchange {
    /// The trader whose user ID is `user` (the digits alone).
    pub(crate) fn trader_of_user(&self, user: &str) -> Option<usize> {
        self.traders
            .iter()
            .position(|t| t.ids.user.to_string() == user)
    }

    /// Subscribes the connection `conn` of `trader` to `entity`'s messages
    /// for `key`, its state of now first; a key that is not the trader's
    /// is ignored.
    pub(crate) fn subscribe(
        &self,
        outlets: &Outlets,
        hub: &Hub,
        conn: u64,
        trader: usize,
        entity: &str,
        key: &str,
    ) {
        let mut state = self.lock();
        self.sweep(&mut state);
        self.publish(&mut state);
        let ids = &self.traders[trader].ids;
        let account = ids.account.to_string() == key;
        let messages: Vec<Message> = match entity {
            ORDER if account => state.book.ledgers[trader]
                .orders
                .values()
                .map(|order| (self.order_json(trader, order), Vec::new()))
                .collect(),
            POSITION if account => state.book.ledgers[trader]
                .holdings
                .iter()
                .map(|(security, holding)| self.position(&state, trader, *security, holding))
                .collect(),
            ACCOUNT_BALANCE if account => vec![self.balance_message(&state, trader)],
            USER_BALANCE if ids.user.to_string() == key => {
                vec![self.balance_message(&state, trader)]
            }
            QUOTE => match self.securities.iter().position(|s| s.id.to_string() == key) {
                Some(security) => {
                    // Every subscriber has the quote of now: the last
                    // `publish` sent it to the others.
                    let quote = self.quote(&state, security);
                    if let Some(published) = state.published.get_mut(security) {
                        *published = Some(quote);
                    }
                    vec![self.quote_message(&state, security)]
                }
                None => return,
            },
            _ => return,
        };
        let texts = messages
            .into_iter()
            .filter_map(|(rest, given)| outlets.messages.write(entity, &rest, &given))
            .collect();
        hub.subscribe(conn, (entity.to_owned(), key.to_owned()), texts);
    }

    /// Sends what changed since the last call, and the quotes that moved,
    /// to their subscribers.
    pub(super) fn publish(&self, state: &mut State) {
        let changes = state.book.take_changes();
        let outlets = &*self.outlets;
        if !outlets.anyone() {
            // Nobody can be subscribed: a later subscriber starts from the
            // state of its moment, so nothing here is owed to anyone.
            return;
        }
        for change in changes {
            match change {
                super::book::Change::Order { account, order } => {
                    let key = self.traders[account].ids.account.to_string();
                    outlets.publish(ORDER, &key, || {
                        Some((self.order_json(account, &order), Vec::new()))
                    });
                }
                super::book::Change::Holding {
                    account,
                    security,
                    holding,
                } => {
                    let ids = &self.traders[account].ids;
                    let key = ids.account.to_string();
                    outlets.publish(POSITION, &key, || {
                        Some(self.position(state, account, security, &holding))
                    });
                    outlets.publish(ACCOUNT_BALANCE, &key, || {
                        Some(self.balance_message(state, account))
                    });
                    outlets.publish(USER_BALANCE, &ids.user.to_string(), || {
                        Some(self.balance_message(state, account))
                    });
                }
            }
        }
        for security in 0..self.securities.len() {
            let quote = self.quote(state, security);
            if state.published.get(security) == Some(&Some(quote)) {
                continue;
            }
            let key = self.securities[security].id.to_string();
            outlets.publish(QUOTE, &key, || Some(self.quote_message(state, security)));
            // Also when nobody listens: a later subscriber gets the quote of
            // its moment first, so only a quote that moved is worth a look.
            if let Some(published) = state.published.get_mut(security) {
                *published = Some(quote);
            }
        }
    }

    /// A tick of the clock: quotes moved, and resting orders they cross
    /// fill, for the streamers' subscribers; nothing when nobody is
    /// connected, so that a server without streaming clients behaves as
    /// before (resting orders are looked at when the exchange is asked).
    pub(crate) fn tick(&self) {
        if self.outlets.anyone() {
            self.touch();
        }
    }

    fn position(
        &self,
        state: &State,
        account: usize,
        security: usize,
        holding: &super::book::Holding,
    ) -> Message {
        let rest = wire::position(
            holding,
            &self.securities[security],
            &self.traders[account].ids,
            self.quote(state, security).last,
        );
        (rest, Vec::new())
    }

    fn quote_message(&self, state: &State, security: usize) -> Message {
        let at = self.clock.wall_now();
        let listed = &self.securities[security];
        let rest = wire::quote(&self.quote(state, security), listed, at);
        (rest, vec![(KEY, listed.id.to_string())])
    }

    /// The balance as REST writes it, with its figures as `Items` and its
    /// properties under their names with an upper-case first letter
    /// (`pendingCash` is `PendingCash`).
    fn balance_message(&self, state: &State, account: usize) -> Message {
        let example = self.balance_example.get().cloned().unwrap_or(Value::Null);
        let rest = self.balance_text(state, account, &example);
        let parsed: Vec<(String, Box<RawValue>)> = serde_json::from_str::<members::Ordered>(&rest)
            .map(|o| o.0)
            .unwrap_or_default();
        let mut items = String::from("[");
        let mut upper = wire::Obj::default();
        let mut cash = None;
        for (name, raw) in &parsed {
            let text = raw.get();
            if name == REST_CASH {
                cash = Some(text.to_owned());
            }
            upper = upper.raw(&capitalised(name), text);
            if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                if items.len() > 1 {
                    items.push(',');
                }
                items.push_str(
                    &wire::Obj::default()
                        .str(ITEM_NAME, name)
                        .raw(ITEM_VALUE, text)
                        .done(),
                );
            }
        }
        items.push(']');
        let mut given = vec![
            (ACCOUNT_ID, self.traders[account].ids.account.to_string()),
            (ITEMS, items),
        ];
        if let Some(cash) = cash {
            given.push((CASH_BALANCE, cash));
        }
        (upper.done(), given)
    }
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A JSON object's members in the order written, each value's own text.
mod members {
    use std::fmt;

    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
    use serde_json::value::RawValue;

    pub(super) struct Ordered(pub(super) Vec<(String, Box<RawValue>)>);

    impl<'de> Deserialize<'de> for Ordered {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Members;
            impl<'de> Visitor<'de> for Members {
                type Value = Ordered;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                    let mut members = Vec::new();
                    while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
                        members.push(member);
                    }
                    Ok(Ordered(members))
                }
            }
            deserializer.deserialize_map(Members)
        }
    }
}
