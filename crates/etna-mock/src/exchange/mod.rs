//! The mock exchange: the trading operations with state, on top of the
//! generic layer (which has checked the app key, the session, the
//! parameters and the body against the spec), on the server's one state:
//! the accounts of the accounts file, each signed-in session's account,
//! and the sessions' clock, on which quotes move.
//!
//! Each trader of the accounts file (the `n`th, from 0) has user ID
//! `644 + n` and one cash trading account, ID `6303 + n` (`robert.zak`'s are
//! the documentation's), with [`STARTING_CASH`] at start. The securities
//! come from `data/securities.yaml` (`securities.rs`), their quotes from
//! `quotes.rs`, the orders' reading, checks and prices from `orders.rs`,
//! the books from `book.rs`, the answers' JSON from `wire.rs`. This module
//! holds the operation table and the checks that a session acts on its own
//! account.
//!
//! Resting orders are checked against the quote whenever the exchange is
//! asked anything, the clock is moved, or a quote is set: the quote of that
//! moment decides (a quote that crossed and came back between two looks
//! fills nothing).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::accounts::Account;
use crate::envelope::{Answers, json_response, json_text_response};
use crate::scenario::{Request, Scenario};
use crate::sessions::Clock;

mod book;
mod filter;
mod orders;
mod quotes;
mod securities;
mod streaming;
mod wire;

use book::{Book, Order};
use filter::{Filter, Val};
use orders::Ticket;
pub use quotes::{Quote, TICK};
pub use securities::SECURITIES;

/// The trading operations the exchange answers, by operation id: the one
/// table of them.
const GET_USER_INFO: &str = "get_user_info";
const LIST_USER_ACCOUNTS: &str = "list_user_accounts";
const GET_ACCOUNT_BALANCE: &str = "get_account_balance";
const LOOKUP_EQUITIES: &str = "lookup_equities";
const PREVIEW_ORDER: &str = "preview_order";
const PLACE_ORDER: &str = "place_order";
const LIST_ORDERS: &str = "list_orders";
const GET_ORDER: &str = "get_order";
const CANCEL_ORDER: &str = "cancel_order";
const LIST_POSITIONS: &str = "list_positions";

/// The parameters the exchange reads, as the spec names them.
const ACCOUNT_ID: &str = "accountId";
const USER_ID: &str = "userId";
/// What `userId` may say instead of the trader's ID.
const ME: &str = "@me";
const ORDER_ID: &str = "orderId";
const PAGE_NUMBER: &str = "pageNumber";
const PAGE_SIZE: &str = "pageSize";
const FILTER: &str = "filter";
const SORT_FIELD: &str = "sortField";
const DESC: &str = "desc";
const MASK: &str = "mask";
const COUNT: &str = "count";
/// The balance example the exchange's balances follow.
const BALANCE_EXAMPLE: &str = "newer_page";

/// The cash each trading account starts with: the documentation's new
/// account (`get_account_balance`'s newer example), $100,000.
pub const STARTING_CASH: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);

/// How many done (filled, cancelled, rejected) orders an account keeps, and
/// how many open ones it may have: the books' memory stays bounded however
/// long the server runs.
pub const MAX_ORDERS: usize = 10_000;

/// The user and account IDs of the `n`th trader.
const FIRST_USER_ID: i32 = 644;
const FIRST_ACCOUNT_ID: i32 = 6303;

struct Trader {
    login: String,
    email: String,
    ids: wire::Ids,
}

pub(crate) struct Exchange {
    traders: Vec<Trader>,
    securities: Vec<securities::Security>,
    clock: Arc<Clock>,
    start: Instant,
    state: Mutex<State>,
    /// Where the streamers' messages go.
    outlets: Arc<crate::streamer::Outlets>,
    balance_example: streaming::BalanceExample,
}

struct State {
    book: Book,
    /// Quotes set by tests, by security: they hold until released.
    pinned: HashMap<usize, Quote>,
    /// The quote last sent to the streamers' subscribers, by security.
    published: Vec<Option<Quote>>,
}

impl Exchange {
    pub(crate) fn new(
        accounts: &[Account],
        securities_yaml: &str,
        clock: Arc<Clock>,
        outlets: Arc<crate::streamer::Outlets>,
    ) -> Result<Self, crate::Error> {
        let securities = securities::parse(securities_yaml)?;
        let traders = accounts
            .iter()
            .enumerate()
            .map(|(n, account)| {
                let n = i32::try_from(n).unwrap_or(i32::MAX - FIRST_ACCOUNT_ID);
                Trader {
                    login: account.login.clone(),
                    email: account.address().to_owned(),
                    ids: wire::Ids {
                        account: FIRST_ACCOUNT_ID.saturating_add(n),
                        user: FIRST_USER_ID.saturating_add(n),
                    },
                }
            })
            .collect::<Vec<_>>();
        let book = Book::new(traders.len(), securities.len(), STARTING_CASH, MAX_ORDERS);
        Ok(Self {
            traders,
            start: clock.now(),
            clock,
            state: Mutex::new(State {
                book,
                pinned: HashMap::new(),
                published: vec![None; securities.len()],
            }),
            securities,
            outlets,
            balance_example: Default::default(),
        })
    }

    /// Learns what an operation's documented examples say that the
    /// exchange needs outside a request: the balance's figures, for the
    /// streamers.
    pub(crate) fn learn(&self, operation: &str, documented: &crate::envelope::Documented) {
        if operation == GET_ACCOUNT_BALANCE
            && let Some(examples) = documented.get(&200)
            && let Some((_, example)) = examples
                .iter()
                .find(|(name, _)| name == BALANCE_EXAMPLE)
                .or(examples.first())
        {
            let _ = self.balance_example.set(example.clone());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Each change to the books is made in full before the lock is let
        // go, so a panic elsewhere cannot leave them half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn quote(&self, state: &State, security: usize) -> Quote {
        if let Some(pinned) = state.pinned.get(&security) {
            return *pinned;
        }
        let elapsed = self.clock.now().saturating_duration_since(self.start);
        quotes::quote_at(&self.securities[security], quotes::tick_of(elapsed))
    }

    /// Fills what the quotes of this moment cross.
    fn sweep(&self, state: &mut State) {
        let now = self.clock.wall_now();
        for security in 0..self.securities.len() {
            let quote = self.quote(state, security);
            let _ = state.book.cross(security, quote, now);
        }
    }

    /// Looks at the resting orders again: after the clock moved.
    pub(crate) fn touch(&self) {
        let mut state = self.lock();
        self.sweep(&mut state);
        self.publish(&mut state);
    }

    fn find(&self, symbol: &str) -> Option<usize> {
        self.securities
            .iter()
            .position(|s| s.symbol.eq_ignore_ascii_case(symbol))
    }

    /// Pins the quote of `symbol` (`None`: releases it to the clock's);
    /// `false` for an unknown symbol.
    pub(crate) fn set_quote(&self, symbol: &str, quote: Option<Quote>) -> bool {
        let Some(security) = self.find(symbol) else {
            return false;
        };
        let mut state = self.lock();
        match quote {
            Some(quote) => state.pinned.insert(security, quote),
            None => state.pinned.remove(&security),
        };
        self.sweep(&mut state);
        self.publish(&mut state);
        true
    }

    /// The quote of `symbol` now.
    pub(crate) fn quote_of(&self, symbol: &str) -> Option<Quote> {
        let security = self.find(symbol)?;
        Some(self.quote(&self.lock(), security))
    }

    /// Every security's quote now, for `GET /_mock/quotes`.
    pub(crate) fn quotes_json(&self) -> String {
        let state = self.lock();
        let at = self.clock.wall_now();
        wire::array(self.securities.iter().enumerate().map(|(i, s)| {
            let pinned = state.pinned.contains_key(&i);
            let quote = wire::quote(&self.quote(&state, i), s, at);
            // The quote's object, plus whether a test pinned it.
            format!("{},\"Pinned\":{pinned}}}", &quote[..quote.len() - 1])
        }))
    }

    fn account_of(
        &self,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Result<usize, Box<Response>> {
        let Some(session) = &request.session else {
            return Err(Box::new(not_yours(answers)));
        };
        let own = &self.traders[session.account];
        match request.path.get(ACCOUNT_ID).map(|id| id.parse::<i32>()) {
            Some(Ok(id)) if id == own.ids.account => Ok(session.account),
            _ => Err(Box::new(not_yours(answers))),
        }
    }

    fn user_of(
        &self,
        operation: &str,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Result<usize, Box<Response>> {
        let Some(session) = &request.session else {
            return Err(Box::new(not_yours(answers)));
        };
        let given = request
            .path
            .get(USER_ID)
            .map(String::as_str)
            .unwrap_or_default();
        let own = &self.traders[session.account];
        if given == ME || given == own.ids.user.to_string() {
            return Ok(session.account);
        }
        let known = self.traders.iter().any(|t| t.ids.user.to_string() == given);
        Err(Box::new(match operation {
            // As documented: an unknown user ID is a 500 here.
            GET_USER_INFO if !known => answers.example_or_empty(500),
            // As documented: a login where the internal ID is needed.
            LIST_USER_ACCOUNTS if !given.bytes().all(|b| b.is_ascii_digit()) => {
                answers.example_or_empty(400)
            }
            _ => not_yours(answers),
        }))
    }

    fn user_info(&self, trader: &Trader, answers: &Answers<'_>) -> Response {
        let example = first_example(answers, 200);
        json_response(
            200,
            &wire::user_info(example, &trader.login, &trader.email, trader.ids.user),
        )
    }

    fn accounts(&self, account: usize, answers: &Answers<'_>) -> Response {
        let trader = &self.traders[account];
        let example = first_example(answers, 200).and_then(|list| list.get(0));
        let listed = wire::trading_account(example, &trader.login, &trader.email, &trader.ids);
        json_response(200, &Value::Array(vec![listed]))
    }

    fn balance(&self, state: &State, account: usize, answers: &Answers<'_>) -> Response {
        // The example of a new account: its other numbers are what a cash
        // account without margin shows.
        let example = answers
            .example(200, BALANCE_EXAMPLE)
            .or_else(|| first_example(answers, 200))
            .cloned()
            .unwrap_or(Value::Null);
        json_text_response(200, self.balance_text(state, account, &example))
    }

    fn balance_text(&self, state: &State, account: usize, example: &Value) -> String {
        let ledger = &state.book.ledgers[account];
        let mut sums = wire::Sums {
            cash: ledger.cash,
            market_value: Decimal::ZERO,
            cost: Decimal::ZERO,
            realized: ledger.closed_realized,
            open_orders: ledger.open,
        };
        for (&security, holding) in &ledger.holdings {
            sums.market_value += self.quote(state, security).last * holding.quantity;
            sums.cost += holding.cost_basis;
            sums.realized += holding.realized;
        }
        wire::balance(example, &sums)
    }

    fn lookup(&self, request: &Request<'_>, answers: &Answers<'_>) -> Response {
        let mask = request
            .query
            .get(MASK)
            .map(String::as_str)
            .unwrap_or_default();
        let count = request
            .query
            .get(COUNT)
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or(1);
        let types = match request.query.get(FILTER) {
            Some(filter) => match securities::type_filter(filter) {
                Some(types) => Some(types),
                None => {
                    return answers.invalid(vec![(
                        "The filter is not Type='...' nor Type in ('...', ...).".into(),
                        "InvalidFilter".into(),
                    )]);
                }
            },
            None => None,
        };
        let found = securities::lookup(&self.securities, mask, count, types.as_deref());
        json_text_response(200, wire::array(found.into_iter().map(wire::equity)))
    }

    fn preview(
        &self,
        state: &State,
        account: usize,
        ticket: &Ticket,
    ) -> (orders::Priced, Option<orders::Checked>) {
        let ledger = &state.book.ledgers[account];
        orders::price(
            ticket,
            &self.securities,
            |s| self.quote(state, s),
            ledger.cash,
            |s| state.book.held(account, s),
            ledger.open < MAX_ORDERS,
        )
    }

    fn preview_json(&self, priced: &orders::Priced) -> String {
        let security = priced.quote.map(|(s, _)| &self.securities[s]);
        wire::preview(priced, security, self.clock.wall_now())
    }

    fn order_json(&self, account: usize, order: &Order) -> String {
        wire::order(
            order,
            &self.securities[order.security],
            &self.traders[account].ids,
        )
    }

    fn order_id(request: &Request<'_>) -> Option<i32> {
        request.path.get(ORDER_ID)?.parse().ok()
    }

    fn list_orders(
        &self,
        state: &State,
        account: usize,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Response {
        let filter = match request.query.get(FILTER) {
            Some(text) => match Filter::parse(text, &["SecurityId", "Status", "CreateDate"]) {
                Some(filter) => filter,
                None => return answers.example_or_empty(400),
            },
            None => Filter::default(),
        };
        let mut orders: Vec<&Order> = state.book.ledgers[account]
            .orders
            .values()
            .filter(|order| {
                filter.accepts(|field| {
                    Some(match field {
                        "SecurityId" => Val::Num(self.securities[order.security].id.into()),
                        "Status" => Val::Num(order.status.number().into()),
                        _ => Val::Date(order.created.into()),
                    })
                })
            })
            .collect();
        match request.query.get(SORT_FIELD).map(String::as_str) {
            Some(f) if f.eq_ignore_ascii_case("Quantity") => {
                orders.sort_by_key(|o| (o.quantity, o.id))
            }
            // By Id (as placed) otherwise: the documentation lists no
            // other field.
            _ => {}
        }
        if is_true(request.query.get(DESC)) {
            orders.reverse();
        }
        page(request, orders, 100, |o| self.order_json(account, o))
    }

    fn list_positions(
        &self,
        state: &State,
        account: usize,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Response {
        let fields = [
            "SecurityId",
            "Symbol",
            "Quantity",
            "CreateDate",
            "ModifyDate",
        ];
        let filter = match request.query.get(FILTER) {
            Some(text) => match Filter::parse(text, &fields) {
                Some(filter) => filter,
                None => {
                    return answers.invalid(vec![(
                        "The filter is not one of the documented forms.".into(),
                        "InvalidFilter".into(),
                    )]);
                }
            },
            None => Filter::default(),
        };
        let ledger = &state.book.ledgers[account];
        let mut holdings: Vec<(usize, &book::Holding)> = ledger
            .holdings
            .iter()
            .map(|(s, h)| (*s, h))
            .filter(|(s, h)| {
                let security = &self.securities[*s];
                filter.accepts(|field| {
                    Some(match field {
                        "SecurityId" => Val::Num(security.id.into()),
                        "Symbol" => Val::Text(security.symbol.clone()),
                        "Quantity" => Val::Num(h.quantity),
                        "CreateDate" => Val::Date(h.created.into()),
                        _ => Val::Date(h.changed.into()),
                    })
                })
            })
            .collect();
        match request.query.get(SORT_FIELD).map(String::as_str) {
            Some(f) if f.eq_ignore_ascii_case("Quantity") => {
                holdings.sort_by_key(|(_, h)| (h.quantity, h.id))
            }
            Some(f) if f.eq_ignore_ascii_case("Symbol") => holdings.sort_by(|a, b| {
                self.securities[a.0]
                    .symbol
                    .cmp(&self.securities[b.0].symbol)
            }),
            _ => holdings.sort_by_key(|(_, h)| h.id),
        }
        if is_true(request.query.get(DESC)) {
            holdings.reverse();
        }
        let ids = &self.traders[account].ids;
        page(request, holdings, 99, |(s, h)| {
            wire::position(h, &self.securities[s], ids, self.quote(state, s).last)
        })
    }
}

/// A quote as `PUT /_mock/quotes/{symbol}` takes it: `Bid` and `Ask`
/// (0 < bid <= ask), `Last` (the middle when left out), every digit.
pub(crate) fn read_quote(body: &[u8]) -> Option<Quote> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase", deny_unknown_fields)]
    struct Given {
        bid: Box<serde_json::value::RawValue>,
        ask: Box<serde_json::value::RawValue>,
        last: Option<Box<serde_json::value::RawValue>>,
    }
    let given: Given = serde_json::from_slice(body).ok()?;
    let bid = orders::decimal(&given.bid)?;
    let ask = orders::decimal(&given.ask)?;
    let last = match &given.last {
        Some(last) => orders::decimal(last)?,
        None => (bid + ask) / Decimal::TWO,
    };
    let most = Decimal::from(1_000_000_000);
    (Decimal::ZERO < bid && bid <= ask && ask <= most && Decimal::ZERO < last && last <= most)
        .then_some(Quote { bid, ask, last })
}

impl Scenario for Exchange {
    fn answer(
        &self,
        operation: &str,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Option<Response> {
        if ![
            GET_USER_INFO,
            LIST_USER_ACCOUNTS,
            GET_ACCOUNT_BALANCE,
            LOOKUP_EQUITIES,
            PREVIEW_ORDER,
            PLACE_ORDER,
            LIST_ORDERS,
            GET_ORDER,
            CANCEL_ORDER,
            LIST_POSITIONS,
        ]
        .contains(&operation)
        {
            return None;
        }
        let mut state = self.lock();
        self.sweep(&mut state);
        let answer = match operation {
            GET_USER_INFO => self
                .user_of(operation, request, answers)
                .map(|account| self.user_info(&self.traders[account], answers)),
            LIST_USER_ACCOUNTS => self
                .user_of(operation, request, answers)
                .map(|account| self.accounts(account, answers)),
            LOOKUP_EQUITIES => Ok(self.lookup(request, answers)),
            _ => self
                .account_of(request, answers)
                .map(|account| match operation {
                    GET_ACCOUNT_BALANCE => self.balance(&state, account, answers),
                    PREVIEW_ORDER => {
                        let (priced, _) =
                            self.preview(&state, account, &Ticket::read(request.raw_body));
                        json_text_response(200, self.preview_json(&priced))
                    }
                    PLACE_ORDER => {
                        let ticket = Ticket::read(request.raw_body);
                        match self.preview(&state, account, &ticket) {
                            (_, Some(checked)) => {
                                let quote = self.quote(&state, checked.security);
                                let now = self.clock.wall_now();
                                let id = state.book.place(account, checked, ticket, quote, now);
                                let order = state.book.order(account, id);
                                match order {
                                    Some(order) => {
                                        json_text_response(200, self.order_json(account, order))
                                    }
                                    None => answers.example_or_empty(500),
                                }
                            }
                            (priced, None) => json_text_response(400, self.preview_json(&priced)),
                        }
                    }
                    LIST_ORDERS => self.list_orders(&state, account, request, answers),
                    GET_ORDER => {
                        match Self::order_id(request).and_then(|id| state.book.order(account, id)) {
                            Some(order) => json_text_response(200, self.order_json(account, order)),
                            None => not_yours(answers),
                        }
                    }
                    CANCEL_ORDER => match Self::order_id(request) {
                        Some(id) if state.book.order(account, id).is_some() => {
                            if state.book.cancel(account, id, self.clock.wall_now()) {
                                StatusCode::NO_CONTENT.into_response()
                            } else {
                                answers.example_or_empty(409)
                            }
                        }
                        _ => not_yours(answers),
                    },
                    _ => self.list_positions(&state, account, request, answers),
                }),
        };
        self.publish(&mut state);
        Some(answer.unwrap_or_else(|refusal| *refusal))
    }
}

/// The documented answer to a request on another trader's account, user or
/// order (the mock's reading for an unknown one too: it is not the
/// trader's).
fn not_yours(answers: &Answers<'_>) -> Response {
    let mut response = match answers.example(401, "another_traders_account") {
        Some(example) => json_response(401, example),
        None => answers.example_or_empty(401),
    };
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

fn first_example<'a>(answers: &'a Answers<'_>, status: u16) -> Option<&'a Value> {
    answers.documented.get(&status)?.first().map(|(_, v)| v)
}

fn is_true(value: Option<&String>) -> bool {
    value.is_some_and(|v| v == "true")
}

/// The page `pageNumber` of `items` (`pageSize` each, at most `most`), with
/// absolute links to the pages either side at the address the request came
/// to.
fn page<T>(
    request: &Request<'_>,
    items: Vec<T>,
    most: usize,
    render: impl Fn(T) -> String,
) -> Response {
    let number = |name: &str| {
        request
            .query
            .get(name)
            .and_then(|v| v.parse::<usize>().ok())
    };
    let page = number(PAGE_NUMBER).unwrap_or(0);
    let size = number(PAGE_SIZE).unwrap_or(most).clamp(1, most);
    let total = items.len();
    let start = page.saturating_mul(size);
    let shown: Vec<String> = items
        .into_iter()
        .skip(start)
        .take(size)
        .map(render)
        .collect();
    let link = |to: usize| -> String {
        let host = request.header("host").unwrap_or("127.0.0.1");
        let mut query = form_urlencoded::Serializer::new(String::new());
        let pairs = request
            .uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for (key, value) in pairs {
            if key == PAGE_NUMBER {
                query.append_pair(&key, &to.to_string());
            } else {
                query.append_pair(&key, &value);
            }
        }
        format!("http://{host}{}?{}", request.uri.path(), query.finish())
    };
    let next = (start.saturating_add(size) < total).then(|| link(page + 1));
    let previous = (page > 0 && total > 0).then(|| link((page - 1).min((total - 1) / size)));
    json_text_response(200, wire::page(shown, next, previous, total))
}
