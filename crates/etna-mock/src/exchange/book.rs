//! The exchange's books: each trading account's cash, holdings and orders,
//! and per security the resting orders sorted by the price that makes them
//! fill, so that a new quote looks at the first of each side only
//! (O(log n) per fill, nothing per order that does not fill).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::SystemTime;

use rust_decimal::Decimal;

use super::orders::{Checked, Kind, Side, Ticket, commission};
use super::quotes::Quote;

/// Where an order stands, as `OrderStatus` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Resting: a limit or stop order waiting for the quote.
    New,
    Filled,
    Canceled,
    /// It would have filled, but the account could no longer pay or deliver.
    Rejected,
}

impl Status {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Filled => "Filled",
            Self::Canceled => "Canceled",
            Self::Rejected => "Rejected",
        }
    }

    /// Its number in `list_orders`' filter (`OrderStatus`).
    pub(crate) fn number(self) -> i64 {
        match self {
            Self::New => 0,
            Self::Filled => 2,
            Self::Canceled => 4,
            Self::Rejected => 8,
        }
    }
}

/// One order on the books.
#[derive(Clone, Debug)]
pub(crate) struct Order {
    pub(crate) id: i32,
    pub(crate) security: usize,
    pub(crate) kind: Kind,
    pub(crate) side: Side,
    pub(crate) quantity: Decimal,
    pub(crate) limit: Option<Decimal>,
    pub(crate) stop: Option<Decimal>,
    /// A stop-limit order whose stop was reached rests as a limit order.
    pub(crate) triggered: bool,
    pub(crate) status: Status,
    pub(crate) fill: Option<Fill>,
    pub(crate) client_id: String,
    pub(crate) ticket: Ticket,
    pub(crate) created: SystemTime,
    pub(crate) changed: SystemTime,
    /// Why it was rejected.
    pub(crate) description: Option<&'static str>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Fill {
    pub(crate) price: Decimal,
}

impl Order {
    pub(crate) fn is_open(&self) -> bool {
        self.status == Status::New
    }
}

/// What an account holds of one security.
#[derive(Clone, Debug)]
pub(crate) struct Holding {
    pub(crate) id: i32,
    pub(crate) quantity: Decimal,
    /// What the shares held cost, at their fill prices.
    pub(crate) cost_basis: Decimal,
    pub(crate) realized: Decimal,
    pub(crate) sold_quantity: Decimal,
    pub(crate) sold_value: Decimal,
    pub(crate) created: SystemTime,
    pub(crate) changed: SystemTime,
}

/// One trading account.
#[derive(Debug)]
pub(crate) struct Ledger {
    pub(crate) cash: Decimal,
    /// Profit or loss realized on holdings since closed.
    pub(crate) closed_realized: Decimal,
    pub(crate) holdings: BTreeMap<usize, Holding>,
    pub(crate) orders: BTreeMap<i32, Order>,
    /// Done orders, oldest first: the first to go at the cap.
    done: VecDeque<i32>,
    pub(crate) open: usize,
}

/// The resting orders of one security, by the price that fills them, then
/// by time: the key's second part is the order's id, negated in the sets
/// read from their end, so that at one price the oldest order comes first.
#[derive(Default, Debug)]
struct Resting {
    /// Buy limits fill when the ask falls to them: the highest first.
    buy_limit: BTreeSet<(Decimal, i64)>,
    /// Sell limits fill when the bid rises to them: the lowest first.
    sell_limit: BTreeSet<(Decimal, i64)>,
    /// Buy stops trigger when the ask rises to them: the lowest first.
    buy_stop: BTreeSet<(Decimal, i64)>,
    /// Sell stops trigger when the bid falls to them: the highest first.
    sell_stop: BTreeSet<(Decimal, i64)>,
}

/// A change the streamers report: each as it was at that moment, so that
/// an order placed and filled by one request is reported twice.
#[derive(Clone, Debug)]
pub(crate) enum Change {
    /// An order was placed, triggered, filled, cancelled or rejected.
    Order { account: usize, order: Box<Order> },
    /// A fill moved a holding (quantity 0: it closed).
    Holding {
        account: usize,
        security: usize,
        holding: Holding,
    },
}

pub(crate) struct Book {
    pub(crate) ledgers: Vec<Ledger>,
    /// What changed since the exchange last took them ([`Book::take_changes`]).
    changes: Vec<Change>,
    /// Every order kept, to its account.
    owner: HashMap<i32, usize>,
    resting: Vec<Resting>,
    next_order: i32,
    next_holding: i32,
    /// How many done orders an account keeps; the oldest go first.
    keep_done: usize,
}

impl Book {
    pub(crate) fn new(accounts: usize, securities: usize, cash: Decimal, keep_done: usize) -> Self {
        Self {
            ledgers: (0..accounts)
                .map(|_| Ledger {
                    cash,
                    closed_realized: Decimal::ZERO,
                    holdings: BTreeMap::new(),
                    orders: BTreeMap::new(),
                    done: VecDeque::new(),
                    open: 0,
                })
                .collect(),
            owner: HashMap::new(),
            changes: Vec::new(),
            resting: (0..securities).map(|_| Resting::default()).collect(),
            // Ids as the documentation's examples look; each server starts
            // over.
            next_order: 80_000,
            next_holding: 21_000,
            keep_done: keep_done.max(1),
        }
    }

    pub(crate) fn held(&self, account: usize, security: usize) -> Decimal {
        self.ledgers[account]
            .holdings
            .get(&security)
            .map_or(Decimal::ZERO, |h| h.quantity)
    }

    /// What changed since the last call, oldest first.
    pub(crate) fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    fn changed_order(&mut self, account: usize, id: i32) {
        if let Some(order) = self.ledgers[account].orders.get(&id) {
            let order = Box::new(order.clone());
            self.changes.push(Change::Order { account, order });
        }
    }

    /// The order `id` of `account`, if it has it.
    pub(crate) fn order(&self, account: usize, id: i32) -> Option<&Order> {
        self.ledgers[account].orders.get(&id)
    }

    /// Books a checked order: a market order fills at once at `quote`, a
    /// limit or stop order rests (and fills at once if the quote crosses).
    pub(crate) fn place(
        &mut self,
        account: usize,
        checked: Checked,
        ticket: Ticket,
        quote: Quote,
        now: SystemTime,
    ) -> i32 {
        let id = self.next_order;
        self.next_order = self.next_order.checked_add(1).unwrap_or(80_000);
        let client_id = ticket
            .client_id
            .clone()
            .unwrap_or_else(|| format!("{}", fastrand::u32(1_000_000_000..=u32::MAX)));
        let order = Order {
            id,
            security: checked.security,
            kind: checked.kind,
            side: checked.side,
            quantity: checked.quantity,
            limit: ticket.limit,
            stop: ticket.stop,
            triggered: false,
            status: Status::New,
            fill: None,
            client_id,
            ticket,
            created: now,
            changed: now,
            description: None,
        };
        let ledger = &mut self.ledgers[account];
        ledger.orders.insert(id, order);
        ledger.open += 1;
        self.owner.insert(id, account);
        self.changed_order(account, id);
        if checked.kind == Kind::Market {
            let price = match checked.side {
                Side::Buy => quote.ask,
                Side::Sell => quote.bid,
            };
            self.execute(account, id, price, now);
        } else {
            self.rest(account, id);
            let _ = self.cross(checked.security, quote, now);
            // Fills are whole, so "what can be filled now" (IOC) and "all now"
            // (FOK) both mean: filled at once, or not at all.
            let at_once = self.ledgers[account].orders.get(&id).is_some_and(|order| {
                matches!(
                    order.ticket.time_in_force.as_deref(),
                    Some("ImmediateOrCancel" | "FillOrKill")
                )
            });
            if at_once
                && self.cancel(account, id, now)
                && let Some(order) = self.ledgers[account].orders.get_mut(&id)
            {
                order.description = Some("Canceled by the mock exchange: not filled at once");
            }
        }
        id
    }

    /// Cancels the open order `id` of `account`; `false` when it is done.
    pub(crate) fn cancel(&mut self, account: usize, id: i32, now: SystemTime) -> bool {
        let Some(order) = self.ledgers[account].orders.get(&id) else {
            return false;
        };
        if !order.is_open() {
            return false;
        }
        let security = order.security;
        if let Some((set, key)) = self.resting_key(account, id) {
            self.resting_set(security, set).remove(&key);
        }
        self.finish(account, id, Status::Canceled, now);
        true
    }

    /// Fills or triggers what `quote` crosses on `security`; the number of
    /// resting orders it looked at (each side's first, and each one that
    /// filled or triggered): nothing grows with the orders that rest.
    pub(crate) fn cross(&mut self, security: usize, quote: Quote, now: SystemTime) -> usize {
        let mut looked = 0;
        loop {
            let resting = &self.resting[security];
            looked += [
                resting.buy_limit.len(),
                resting.sell_limit.len(),
                resting.buy_stop.len(),
                resting.sell_stop.len(),
            ]
            .iter()
            .filter(|n| **n > 0)
            .count();
            let resting = &mut self.resting[security];
            if let Some(&(limit, id)) = resting.buy_limit.last()
                && limit >= quote.ask
            {
                resting.buy_limit.pop_last();
                self.execute_resting(order_id(id), quote.ask, now);
            } else if let Some(&(limit, id)) = resting.sell_limit.first()
                && limit <= quote.bid
            {
                resting.sell_limit.pop_first();
                self.execute_resting(order_id(id), quote.bid, now);
            } else if let Some(&(stop, id)) = resting.buy_stop.first()
                && stop <= quote.ask
            {
                resting.buy_stop.pop_first();
                self.trigger(order_id(id), quote.ask, now);
            } else if let Some(&(stop, id)) = resting.sell_stop.last()
                && stop >= quote.bid
            {
                resting.sell_stop.pop_last();
                self.trigger(order_id(id), quote.bid, now);
            } else {
                return looked;
            }
        }
    }

    fn trigger(&mut self, id: i32, price: Decimal, now: SystemTime) {
        let Some(&account) = self.owner.get(&id) else {
            return;
        };
        let Some(order) = self.ledgers[account].orders.get_mut(&id) else {
            return;
        };
        if order.kind == Kind::StopLimit {
            order.triggered = true;
            order.changed = now;
            self.changed_order(account, id);
            // Rests as a limit order; the loop in `cross` fills it if the
            // quote already passed its limit.
            self.rest(account, id);
        } else {
            self.execute(account, id, price, now);
        }
    }

    fn execute_resting(&mut self, id: i32, price: Decimal, now: SystemTime) {
        if let Some(&account) = self.owner.get(&id) {
            self.execute(account, id, price, now);
        }
    }

    /// Fills the whole order at `price` when the account can pay (buy) or
    /// deliver (sell); rejects it otherwise.
    fn execute(&mut self, account: usize, id: i32, price: Decimal, now: SystemTime) {
        let ledger = &mut self.ledgers[account];
        let Some(order) = ledger.orders.get(&id) else {
            return;
        };
        let (security, side, quantity) = (order.security, order.side, order.quantity);
        let (commission, _) = commission(quantity);
        let value = price * quantity;
        let held = ledger
            .holdings
            .get(&security)
            .map_or(Decimal::ZERO, |h| h.quantity);
        let refusal = match side {
            Side::Buy if value + commission > ledger.cash => {
                Some("Rejected by the mock exchange: not enough cash when the order filled")
            }
            Side::Sell if held < quantity => {
                Some("Rejected by the mock exchange: not enough held when the order filled")
            }
            _ => None,
        };
        if let Some(why) = refusal {
            if let Some(order) = ledger.orders.get_mut(&id) {
                order.description = Some(why);
            }
            self.finish(account, id, Status::Rejected, now);
            return;
        }
        let holding = match side {
            Side::Buy => {
                ledger.cash -= value + commission;
                let next_holding = &mut self.next_holding;
                let holding = ledger.holdings.entry(security).or_insert_with(|| {
                    *next_holding += 1;
                    Holding {
                        id: *next_holding,
                        quantity: Decimal::ZERO,
                        cost_basis: Decimal::ZERO,
                        realized: Decimal::ZERO,
                        sold_quantity: Decimal::ZERO,
                        sold_value: Decimal::ZERO,
                        created: now,
                        changed: now,
                    }
                });
                holding.quantity += quantity;
                holding.cost_basis += value;
                holding.changed = now;
                Some(holding.clone())
            }
            Side::Sell => {
                ledger.cash += value - commission;
                if let Some(holding) = ledger.holdings.get_mut(&security) {
                    let removed = if quantity == holding.quantity {
                        holding.cost_basis
                    } else {
                        (holding.cost_basis * quantity / holding.quantity).round_dp(8)
                    };
                    holding.cost_basis -= removed;
                    holding.realized += value - removed;
                    holding.quantity -= quantity;
                    holding.sold_quantity += quantity;
                    holding.sold_value += value;
                    holding.changed = now;
                    let closed = holding.clone();
                    if holding.quantity.is_zero() {
                        ledger.closed_realized += holding.realized;
                        ledger.holdings.remove(&security);
                    }
                    Some(closed)
                } else {
                    None
                }
            }
        };
        if let Some(order) = ledger.orders.get_mut(&id) {
            order.fill = Some(Fill { price });
        }
        self.finish(account, id, Status::Filled, now);
        if let Some(holding) = holding {
            self.changes.push(Change::Holding {
                account,
                security,
                holding,
            });
        }
    }

    fn finish(&mut self, account: usize, id: i32, status: Status, now: SystemTime) {
        let ledger = &mut self.ledgers[account];
        if let Some(order) = ledger.orders.get_mut(&id) {
            order.status = status;
            order.changed = now;
        }
        ledger.open = ledger.open.saturating_sub(1);
        self.changed_order(account, id);
        let ledger = &mut self.ledgers[account];
        ledger.done.push_back(id);
        while ledger.done.len() > self.keep_done {
            if let Some(old) = ledger.done.pop_front() {
                ledger.orders.remove(&old);
                self.owner.remove(&old);
            }
        }
    }

    fn rest(&mut self, account: usize, id: i32) {
        let Some((set, key)) = self.resting_key(account, id) else {
            return;
        };
        let security = self.ledgers[account].orders[&id].security;
        self.resting_set(security, set).insert(key);
    }

    /// Which resting set the open order `id` is in, and its key there.
    fn resting_key(&self, account: usize, id: i32) -> Option<(Set, (Decimal, i64))> {
        let order = self.ledgers[account].orders.get(&id)?;
        let stop_pending =
            matches!(order.kind, Kind::Stop) || (order.kind == Kind::StopLimit && !order.triggered);
        let (set, price) = match (stop_pending, order.side) {
            (true, Side::Buy) => (Set::BuyStop, order.stop?),
            (true, Side::Sell) => (Set::SellStop, order.stop?),
            (false, Side::Buy) => (Set::BuyLimit, order.limit?),
            (false, Side::Sell) => (Set::SellLimit, order.limit?),
        };
        let seq = match set {
            Set::BuyLimit | Set::SellStop => -i64::from(id),
            Set::SellLimit | Set::BuyStop => i64::from(id),
        };
        (order.kind != Kind::Market).then_some((set, (price, seq)))
    }

    fn resting_set(&mut self, security: usize, set: Set) -> &mut BTreeSet<(Decimal, i64)> {
        let resting = &mut self.resting[security];
        match set {
            Set::BuyLimit => &mut resting.buy_limit,
            Set::SellLimit => &mut resting.sell_limit,
            Set::BuyStop => &mut resting.buy_stop,
            Set::SellStop => &mut resting.sell_stop,
        }
    }

    /// How many orders rest on all securities.
    #[cfg(test)]
    fn resting_count(&self) -> usize {
        self.resting
            .iter()
            .map(|r| r.buy_limit.len() + r.sell_limit.len() + r.buy_stop.len() + r.sell_stop.len())
            .sum()
    }
}

/// The id of the order a resting set's key names.
fn order_id(seq: i64) -> i32 {
    i32::try_from(seq.unsigned_abs()).unwrap_or_default()
}

#[derive(Clone, Copy)]
enum Set {
    BuyLimit,
    SellLimit,
    BuyStop,
    SellStop,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(bid: i64, ask: i64) -> Quote {
        Quote {
            bid: Decimal::new(bid, 2),
            ask: Decimal::new(ask, 2),
            last: Decimal::new((bid + ask) / 2, 2),
        }
    }

    fn ticket(
        kind: Kind,
        side: Side,
        quantity: i64,
        limit: Option<i64>,
        stop: Option<i64>,
    ) -> (Checked, Ticket) {
        let mut ticket = Ticket::read(b"{}");
        ticket.limit = limit.map(|c| Decimal::new(c, 2));
        ticket.stop = stop.map(|c| Decimal::new(c, 2));
        (
            Checked {
                security: 0,
                kind,
                side,
                quantity: Decimal::from(quantity),
            },
            ticket,
        )
    }

    fn place(book: &mut Book, order: (Checked, Ticket), q: Quote) -> i32 {
        book.place(0, order.0, order.1, q, SystemTime::UNIX_EPOCH)
    }

    #[test]
    fn limits_and_stops_rest_until_the_quote_crosses() {
        let mut book = Book::new(1, 1, Decimal::from(100_000), 100);
        let q = quote(10_000, 10_010);
        let market = place(
            &mut book,
            ticket(Kind::Market, Side::Buy, 10, None, None),
            q,
        );
        assert_eq!(
            book.order(0, market).unwrap().fill.unwrap().price,
            Decimal::from(10_010) / Decimal::ONE_HUNDRED
        );
        let limit = place(
            &mut book,
            ticket(Kind::Limit, Side::Buy, 5, Some(9_900), None),
            q,
        );
        let stop = place(
            &mut book,
            ticket(Kind::Stop, Side::Sell, 5, None, Some(9_800)),
            q,
        );
        let stop_limit = place(
            &mut book,
            ticket(Kind::StopLimit, Side::Buy, 1, Some(10_300), Some(10_200)),
            q,
        );
        assert_eq!(book.resting_count(), 3);
        book.cross(0, quote(9_890, 9_900), SystemTime::UNIX_EPOCH);
        assert_eq!(book.order(0, limit).unwrap().status, Status::Filled);
        assert_eq!(book.order(0, stop).unwrap().status, Status::New);
        book.cross(0, quote(9_790, 9_800), SystemTime::UNIX_EPOCH);
        assert_eq!(
            book.order(0, stop).unwrap().fill.unwrap().price,
            Decimal::new(9_790, 2)
        );
        book.cross(0, quote(10_250, 10_260), SystemTime::UNIX_EPOCH);
        // Triggered at 102.00, and 102.60 is within its limit of 103.00.
        assert_eq!(book.order(0, stop_limit).unwrap().status, Status::Filled);
        assert_eq!(book.resting_count(), 0);
        assert!(!book.cancel(0, limit, SystemTime::UNIX_EPOCH));
        assert_eq!(book.held(0, 0), Decimal::from(11));
    }

    #[test]
    fn a_quote_looks_at_the_first_order_of_each_side_whatever_rests() {
        let mut book = Book::new(1, 1, Decimal::from(10_000_000), 10_000);
        let q = quote(10_000, 10_010);
        for i in 0..2_000 {
            place(
                &mut book,
                ticket(Kind::Limit, Side::Buy, 1, Some(5_000 + i), None),
                q,
            );
            place(
                &mut book,
                ticket(Kind::Stop, Side::Buy, 1, None, Some(20_000 + i)),
                q,
            );
        }
        assert_eq!(book.resting_count(), 4_000);
        for tick in 0..100 {
            let moved = quote(9_000 + tick, 9_010 + tick);
            assert_eq!(book.cross(0, moved, SystemTime::UNIX_EPOCH), 2);
        }
        // The ask falls through the ten highest limits: ten fills, a look at
        // each (and at the stops' first) before the first that stays.
        let looked = book.cross(0, quote(6_980, 6_990), SystemTime::UNIX_EPOCH);
        assert_eq!(book.resting_count(), 3_990);
        assert_eq!(looked, 2 * 11);
    }

    #[test]
    fn immediate_or_cancel_and_fill_or_kill_never_rest() {
        let mut book = Book::new(1, 1, Decimal::from(100_000), 100);
        let q = quote(10_000, 10_010);
        for tif in ["ImmediateOrCancel", "FillOrKill"] {
            for (limit, status) in [(9_900, Status::Canceled), (10_010, Status::Filled)] {
                let (checked, mut ticket) = ticket(Kind::Limit, Side::Buy, 1, Some(limit), None);
                ticket.time_in_force = Some(tif.to_owned());
                let id = book.place(0, checked, ticket, q, SystemTime::UNIX_EPOCH);
                assert_eq!(book.order(0, id).unwrap().status, status, "{tif} {limit}");
            }
        }
        assert_eq!(book.resting_count(), 0);
        assert_eq!(book.ledgers[0].open, 0);
    }

    #[test]
    fn cancel_takes_an_order_off_the_book_and_done_orders_are_capped() {
        let mut book = Book::new(1, 1, Decimal::from(100_000), 3);
        let q = quote(10_000, 10_010);
        let ids: Vec<i32> = (0..5)
            .map(|_| {
                place(
                    &mut book,
                    ticket(Kind::Limit, Side::Buy, 1, Some(5_000), None),
                    q,
                )
            })
            .collect();
        for id in &ids {
            assert!(book.cancel(0, *id, SystemTime::UNIX_EPOCH));
        }
        assert_eq!(book.resting_count(), 0);
        assert_eq!(book.ledgers[0].orders.len(), 3);
        assert!(book.order(0, ids[0]).is_none());
        assert_eq!(book.order(0, ids[4]).unwrap().status, Status::Canceled);
        assert_eq!(book.ledgers[0].cash, Decimal::from(100_000));
    }

    #[test]
    fn a_resting_buy_the_cash_no_longer_pays_is_rejected() {
        let mut book = Book::new(1, 1, Decimal::from(1_000), 100);
        let q = quote(10_000, 10_010);
        let first = place(
            &mut book,
            ticket(Kind::Limit, Side::Buy, 9, Some(9_000), None),
            q,
        );
        let second = place(
            &mut book,
            ticket(Kind::Limit, Side::Buy, 9, Some(9_000), None),
            q,
        );
        book.cross(0, quote(8_990, 9_000), SystemTime::UNIX_EPOCH);
        let statuses = [first, second].map(|id| book.order(0, id).unwrap().status);
        assert_eq!(statuses, [Status::Filled, Status::Rejected]);
        // 1000 - 9 x 90.00 - (1 + 0.09)
        assert_eq!(book.ledgers[0].cash, Decimal::new(18_891, 2));
    }
}
