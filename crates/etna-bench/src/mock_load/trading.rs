//! The mock exchange under a trading load: traders, each signed in on a
//! client and connection of its own, previewing and placing market and
//! limit orders and cancelling some, while the mock's clock moves the
//! quotes; then the exchange's invariant, checked through the API as a
//! trader could: every order placed is listed once and nothing else is, and
//! cash + what the fills bought − what they sold + the previews'
//! commissions equals the cash the account started with, and the positions
//! are what the fills add up to.
//!
//! Each action is one decision of a trader: a preview and a place (two
//! requests, one order: a market or limit buy or sell of 1 to 5 shares, as
//! many buys as sells), or, one action in three, a cancel of one of its
//! last orders (one request).
//! Every request is timed on its own; orders a second are the orders placed
//! over the phase's wall time. Memory is the process's, as in
//! [`super::run`].

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error as StdError;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use etna_client::generated::builder;
use etna_client::rust_decimal::Decimal;
use etna_client::types::{Order, OrderRequest, OrderSide, OrderStatus, OrderType};
use etna_client::{Client, Error, Operation, Secret, SignIn};
use etna_mock::{MockServer, TICK};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::{Latency, Memory, memory};

/// The timed operations, by the ids the generated client gives them.
pub const OPERATIONS: [&str; 3] = [
    <builder::PreviewOrder<'static> as Operation>::ID,
    <builder::PlaceOrder<'static> as Operation>::ID,
    <builder::CancelOrder<'static> as Operation>::ID,
];
const PREVIEW: usize = 0;
const PLACE: usize = 1;
const CANCEL: usize = 2;

/// The securities traded: four of the exchange's data file.
const SYMBOLS: [&str; 4] = ["AAPL", "MSFT", "IBM", "TSLA"];

/// The clock moves one quote tick every this many actions (of all traders
/// together), so that resting orders fill as they would on a market.
const ACTIONS_PER_TICK: usize = 64;

/// How much trading.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct TradingPlan {
    /// Traders, worker tasks and connections: one each.
    pub traders: usize,
    /// Actions before the first memory reading that counts.
    pub warmup_actions: usize,
    /// Actions per timed round; memory is read after each round.
    pub round_actions: usize,
    /// Timed rounds.
    pub rounds: usize,
}

impl TradingPlan {
    /// 32 traders, 2 000 warm-up actions, then three rounds of 8 000 (about
    /// 21 000 orders and 45 000 requests timed); each trader ends with about
    /// 700 orders, well under the exchange's cap of
    /// [`etna_mock::MAX_ORDERS`] an account, so none is dropped and every
    /// one can be checked.
    pub const FULL: Self = Self {
        traders: 32,
        warmup_actions: 2_000,
        round_actions: 8_000,
        rounds: 3,
    };

    /// A few seconds: checks the runner.
    pub const QUICK: Self = Self {
        traders: 16,
        warmup_actions: 200,
        round_actions: 800,
        rounds: 2,
    };
}

/// One phase (warm-up or a timed round) and the readings after it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TradingPhase {
    /// "warm-up", "round 1", ...
    pub name: String,
    /// Actions run.
    pub actions: usize,
    /// Orders the exchange booked.
    pub orders: usize,
    /// Orders it refused (400: a sell of shares the trader does not hold,
    /// or more than its cash pays): answers, not failures.
    pub refused: usize,
    /// Cancels answered 204 (the order was open) and 409 (already done).
    pub cancels: (usize, usize),
    /// Requests that failed.
    pub failures: usize,
    /// Wall time, ns.
    pub elapsed_ns: u64,
    /// Every request of the phase.
    pub latency: Latency,
    /// Per operation, in the order of [`OPERATIONS`].
    pub per_operation: Vec<Latency>,
    /// Memory after the phase.
    pub memory: Memory,
}

impl TradingPhase {
    /// Orders booked per second.
    pub fn orders_per_second(&self) -> f64 {
        self.orders as f64 / (self.elapsed_ns as f64 / 1e9)
    }

    /// Requests per second.
    pub fn requests_per_second(&self) -> f64 {
        self.latency.requests as f64 / (self.elapsed_ns as f64 / 1e9)
    }
}

/// The invariant after the run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Invariant {
    /// Accounts checked.
    pub accounts: usize,
    /// Orders the traders placed (booked), all accounts.
    pub orders_placed: usize,
    /// Orders the exchange lists, all accounts.
    pub orders_listed: usize,
    /// Of them filled.
    pub filled: usize,
    /// Accounts that placed more orders than the exchange keeps
    /// ([`etna_mock::MAX_ORDERS`] done ones): their oldest done orders are
    /// gone, as documented, so only "listed once, nothing unknown listed" is
    /// checked on them, not their cash and positions.
    pub beyond_cap: usize,
    /// Accounts whose check failed, and why (the first few).
    pub broken: Vec<String>,
}

/// Everything one [`run`] measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TradingReport {
    /// The load.
    pub plan: TradingPlan,
    /// Worker threads of the mock's runtime and of the load's.
    pub threads: (usize, usize),
    /// Memory before the mock started.
    pub before_mock: Memory,
    /// Memory once the mock runs and every trader is signed in.
    pub signed_in: Memory,
    /// Warm-up, then the timed rounds.
    pub phases: Vec<TradingPhase>,
    /// The invariant, checked after the last round.
    pub invariant: Invariant,
    /// The first failed request, for the error message.
    pub first_failure: Option<String>,
}

impl TradingReport {
    /// The timed rounds.
    pub fn rounds(&self) -> &[TradingPhase] {
        self.phases.get(1..).unwrap_or_default()
    }

    /// Failed requests in all phases, plus broken accounts.
    pub fn failures(&self) -> usize {
        self.phases.iter().map(|p| p.failures).sum::<usize>() + self.invariant.broken.len()
    }
}

/// An order a trader placed, with the commission its preview quoted.
#[derive(Clone, Copy)]
struct Placed {
    id: i32,
    commission: Decimal,
}

/// One trader: its client, account, what it placed, and its samples.
struct Trader {
    index: usize,
    client: Client,
    account: i32,
    starting_cash: Decimal,
    rng: u64,
    placed: Vec<Placed>,
    samples: [Vec<Duration>; 3],
    tally: Tally,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    orders: usize,
    refused: usize,
    cancelled: usize,
    already_done: usize,
    failures: usize,
}

fn login(index: usize) -> String {
    format!("trader{index}")
}

fn password(index: usize) -> String {
    format!("Bench-tr4der-{index}!")
}

/// What the workers share.
struct Shared {
    server: Arc<MockServer>,
    /// Actions taken so far in the whole run; the next one's number.
    next: AtomicUsize,
    first_failure: std::sync::Mutex<Option<String>>,
}

/// Runs the plan against a fresh mock in this process.
pub fn run(plan: TradingPlan) -> Result<TradingReport, Box<dyn StdError + Send + Sync>> {
    run_then(plan, |_| {})
}

/// [`run`], with `before_check` given the traders' records before the
/// invariant is checked (a test spoils one to see the check catch it).
fn run_then(
    plan: TradingPlan,
    before_check: impl FnOnce(&mut [Trader]),
) -> Result<TradingReport, Box<dyn StdError + Send + Sync>> {
    let before_mock = memory()?;
    let (mock_runtime, load_runtime, threads) = super::runtimes()?;
    let accounts: String = (0..plan.traders)
        .map(|i| format!("  - login: {}\n    password: {}\n", login(i), password(i)))
        .collect();
    let server = Arc::new(
        mock_runtime.block_on(
            MockServer::builder()
                .accounts(format!("accounts:\n{accounts}"))
                .start(),
        )?,
    );
    let shared = Arc::new(Shared {
        server: server.clone(),
        next: AtomicUsize::new(0),
        first_failure: std::sync::Mutex::new(None),
    });
    let actions = plan.warmup_actions + plan.round_actions * plan.rounds;
    // Room for every sample of a trader (two requests an action at most,
    // with a margin for an uneven share), written now so that it is resident
    // before the first reading and does not show as the mock's growth.
    let room = 2 * actions / plan.traders.max(1) + 256;
    let mut traders = load_runtime.block_on(sign_in_all(&server, plan.traders, room))?;
    let signed_in = memory()?;

    let mut phases = Vec::new();
    let mut first = 0;
    for index in 0..=plan.rounds {
        let (name, count) = if index == 0 {
            ("warm-up".to_owned(), plan.warmup_actions)
        } else {
            (format!("round {index}"), plan.round_actions)
        };
        eprintln!(
            "mock_load trading: {name}, {count} actions by {} traders ...",
            plan.traders
        );
        for trader in &mut traders {
            trader.tally = Tally::default();
            for samples in &mut trader.samples {
                samples.clear();
            }
        }
        let start = Instant::now();
        traders = load_runtime.block_on(phase(&shared, traders, first + count))?;
        let elapsed = start.elapsed();
        first += count;
        let memory = memory()?;

        let mut per_operation = Vec::new();
        let mut everything = Vec::new();
        for op in 0..OPERATIONS.len() {
            let mut samples: Vec<Duration> = traders
                .iter()
                .flat_map(|t| t.samples[op].iter().copied())
                .collect();
            everything.extend_from_slice(&samples);
            per_operation.push(Latency::of(&mut samples));
        }
        let sum = |f: fn(&Tally) -> usize| traders.iter().map(|t| f(&t.tally)).sum::<usize>();
        phases.push(TradingPhase {
            name,
            actions: count,
            orders: sum(|t| t.orders),
            refused: sum(|t| t.refused),
            cancels: (sum(|t| t.cancelled), sum(|t| t.already_done)),
            failures: sum(|t| t.failures),
            elapsed_ns: u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
            latency: Latency::of(&mut everything),
            per_operation,
            memory,
        });
    }

    eprintln!("mock_load trading: the invariant, through the API ...");
    before_check(&mut traders);
    let invariant = load_runtime.block_on(check(&traders));
    let first_failure = shared
        .first_failure
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    drop(traders);
    drop(shared);
    drop(load_runtime);
    if let Ok(server) = Arc::try_unwrap(server) {
        mock_runtime.block_on(server.shutdown());
    }
    Ok(TradingReport {
        plan,
        threads,
        before_mock,
        signed_in,
        phases,
        invariant,
        first_failure,
    })
}

/// Signs every trader in on a client of its own and finds its account and
/// its cash before any order.
async fn sign_in_all(
    server: &MockServer,
    count: usize,
    room: usize,
) -> Result<Vec<Trader>, Box<dyn StdError + Send + Sync>> {
    let mut traders = Vec::with_capacity(count);
    for index in 0..count {
        let client = Client::new(&server.base_url(), MockServer::APP_KEY)?;
        match client
            .sign_in(&login(index), &Secret::from(password(index).as_str()))
            .await?
        {
            SignIn::SignedIn(_) => {}
            other => return Err(format!("{}: not signed in: {other:?}", login(index)).into()),
        }
        let accounts = client.list_user_accounts().user_id("@me").call().await?;
        let account = accounts
            .first()
            .and_then(|a| a.id)
            .ok_or_else(|| format!("{}: no trading account", login(index)))?;
        let starting_cash = cash(&client, account).await?;
        let resident = || {
            let mut samples = vec![Duration::from_nanos(1); room];
            samples.clear();
            samples
        };
        traders.push(Trader {
            index,
            client,
            account,
            starting_cash,
            // Any odd seed per trader: the runs are the same every time.
            rng: 0x9e37_79b9_7f4a_7c15 ^ (index as u64 * 2 + 1),
            // Resident too: the records of a long run would otherwise show
            // as growth (20 bytes an order).
            placed: {
                let mut placed = vec![
                    Placed {
                        id: 0,
                        commission: Decimal::ZERO,
                    };
                    room
                ];
                placed.clear();
                placed
            },
            samples: [resident(), resident(), resident()],
            tally: Tally::default(),
        });
    }
    Ok(traders)
}

async fn cash(client: &Client, account: i32) -> Result<Decimal, Error> {
    let balance = client
        .get_account_balance()
        .account_id(account)
        .call()
        .await?;
    Ok(balance.cash.map(|c| c.value()).unwrap_or_default())
}

/// Runs actions until the shared count reaches `end`, one task per trader.
async fn phase(
    shared: &Arc<Shared>,
    traders: Vec<Trader>,
    end: usize,
) -> Result<Vec<Trader>, tokio::task::JoinError> {
    let count = traders.len();
    let mut set = JoinSet::new();
    for mut trader in traders {
        let shared = shared.clone();
        set.spawn(async move {
            loop {
                let action = shared.next.fetch_add(1, Ordering::Relaxed);
                if action >= end {
                    break;
                }
                act(&shared, &mut trader, action).await;
            }
            trader
        });
    }
    let mut done: Vec<Option<Trader>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let trader = joined?;
        let index = trader.index;
        done[index] = Some(trader);
    }
    // The counter went past `end` once per trader; the next phase counts on.
    shared.next.store(end, Ordering::Relaxed);
    Ok(done.into_iter().flatten().collect())
}

/// xorshift64: the traders' choices, the same on every run.
fn next(rng: &mut u64) -> u64 {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    *rng
}

/// One action of `trader`: an order (previewed, then placed) or a cancel.
async fn act(shared: &Shared, trader: &mut Trader, action: usize) {
    if action.is_multiple_of(ACTIONS_PER_TICK) {
        shared.server.advance_clock(TICK);
    }
    let roll = next(&mut trader.rng);
    let symbol = SYMBOLS[(roll % SYMBOLS.len() as u64) as usize];
    let quantity = Decimal::from(1 + (roll >> 8) % 5);
    let Some(quote) = shared.server.quote(symbol) else {
        fail(shared, trader, format!("no quote for {symbol}"));
        return;
    };
    // As many buys as sells (so that cash and holdings neither run out nor
    // pile up over a long run), a third of the actions cancels.
    let body = match (roll >> 16) % 6 {
        0 => order(symbol, OrderType::Market, OrderSide::Buy, quantity, None),
        // Under the ask: rests until the quote comes down to it.
        1 => order(
            symbol,
            OrderType::Limit,
            OrderSide::Buy,
            quantity,
            Some((quote.ask * Decimal::new(995, 3)).round_dp(2)),
        ),
        2 => order(symbol, OrderType::Market, OrderSide::Sell, quantity, None),
        // Over the bid: rests until the quote comes up to it.
        3 => order(
            symbol,
            OrderType::Limit,
            OrderSide::Sell,
            quantity,
            Some((quote.bid * Decimal::new(1005, 3)).round_dp(2)),
        ),
        _ => {
            cancel(shared, trader, roll).await;
            return;
        }
    };
    let started = Instant::now();
    let preview = trader
        .client
        .preview_order()
        .account_id(trader.account)
        .body(body.clone())
        .call()
        .await;
    trader.samples[PREVIEW].push(started.elapsed());
    let commission = match preview {
        Ok(preview) => preview.commission.map(|c| c.value()).unwrap_or_default(),
        Err(e) => {
            fail(shared, trader, format!("preview: {e}"));
            return;
        }
    };
    let started = Instant::now();
    let placed = trader
        .client
        .place_order()
        .account_id(trader.account)
        .body(body)
        .call()
        .await;
    trader.samples[PLACE].push(started.elapsed());
    match placed {
        Ok(order) => match order.id {
            Some(id) => {
                trader.placed.push(Placed { id, commission });
                trader.tally.orders += 1;
            }
            None => fail(shared, trader, "an order without an id".to_owned()),
        },
        // Refused: not booked (checked after the run).
        Err(Error::Rejected { status, .. }) if status.as_u16() == 400 => trader.tally.refused += 1,
        Err(e) => fail(shared, trader, format!("place: {e}")),
    }
}

/// Cancels one of the trader's orders (open or not: a done one answers the
/// documented 409).
async fn cancel(shared: &Shared, trader: &mut Trader, roll: u64) {
    if trader.placed.is_empty() {
        return;
    }
    // One of the last 16 placed: most of them still rest.
    let back = 1 + (roll >> 24) as usize % trader.placed.len().min(16);
    let id = trader.placed[trader.placed.len() - back].id;
    let started = Instant::now();
    let answer = trader
        .client
        .cancel_order()
        .account_id(trader.account)
        .order_id(id)
        .call()
        .await;
    trader.samples[CANCEL].push(started.elapsed());
    match answer {
        Ok(_) => trader.tally.cancelled += 1,
        Err(Error::Rejected { status, .. }) if status.as_u16() == 409 => {
            trader.tally.already_done += 1;
        }
        Err(e) => fail(shared, trader, format!("cancel: {e}")),
    }
}

fn fail(shared: &Shared, trader: &mut Trader, why: String) {
    trader.tally.failures += 1;
    let mut first = shared
        .first_failure
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    first.get_or_insert_with(|| format!("{}: {why}", login(trader.index)));
}

fn order(
    symbol: &str,
    kind: OrderType,
    side: OrderSide,
    quantity: Decimal,
    price: Option<Decimal>,
) -> OrderRequest {
    OrderRequest {
        client_id: None,
        comment: None,
        exchange: None,
        exec_inst: None,
        execution_instructions: Default::default(),
        expire_date: None,
        extended_hours: None,
        legs: Vec::new(),
        price: price.map(Into::into),
        quantity: Some(quantity.into()),
        side: Some(side),
        stop_price: None,
        symbol: symbol.to_owned(),
        time_inforce: None,
        token: None,
        trailing_limit_amount: None,
        trailing_limit_amount_type: None,
        trailing_stop_amount: None,
        trailing_stop_amount_type: None,
        type_: kind,
        validations_to_bypass: None,
    }
}

/// The invariant of every trader's account, through the API.
async fn check(traders: &[Trader]) -> Invariant {
    let mut invariant = Invariant::default();
    for trader in traders {
        invariant.accounts += 1;
        invariant.orders_placed += trader.placed.len();
        if let Err(why) = check_one(trader, &mut invariant).await
            && invariant.broken.len() < 8
        {
            invariant.broken.push(format!(
                "{} (account {}): {why}",
                login(trader.index),
                trader.account
            ));
        }
    }
    invariant
}

async fn check_one(trader: &Trader, invariant: &mut Invariant) -> Result<(), String> {
    let orders = every_order(&trader.client, trader.account).await?;
    invariant.orders_listed += orders.len();
    let mut listed: BTreeMap<i32, &Order> = BTreeMap::new();
    for order in &orders {
        let id = order.id.ok_or("a listed order without an id")?;
        if listed.insert(id, order).is_some() {
            return Err(format!("order {id} listed twice"));
        }
    }
    let placed: BTreeSet<i32> = trader.placed.iter().map(|p| p.id).collect();
    if placed.len() != trader.placed.len() {
        return Err("the exchange answered one id for two orders".to_owned());
    }
    let listed_ids: BTreeSet<i32> = listed.keys().copied().collect();
    if trader.placed.len() > etna_mock::MAX_ORDERS {
        invariant.beyond_cap += 1;
        let extra = listed_ids.difference(&placed).count();
        return match extra {
            0 => Ok(()),
            _ => Err(format!("{extra} orders listed and not placed")),
        };
    }
    if listed_ids != placed {
        let lost = placed.difference(&listed_ids).count();
        let extra = listed_ids.difference(&placed).count();
        return Err(format!(
            "{lost} orders placed and not listed, {extra} listed and not placed"
        ));
    }
    let mut spent = Decimal::ZERO;
    let mut commissions = Decimal::ZERO;
    let mut held: BTreeMap<i32, Decimal> = BTreeMap::new();
    for p in &trader.placed {
        let order = listed[&p.id];
        let filled = order.status.as_ref().and_then(|s| s.listed()) == Some(&OrderStatus::Filled);
        if !filled {
            continue;
        }
        invariant.filled += 1;
        let quantity = order
            .executed_quantity
            .map(|q| q.value())
            .unwrap_or_default();
        let value = quantity * order.average_price.map(|p| p.value()).unwrap_or_default();
        let buy = order.side.as_ref().and_then(|s| s.listed()) == Some(&OrderSide::Buy);
        let security = order
            .security_id
            .ok_or("a filled order without a security")?;
        *held.entry(security).or_default() += if buy { quantity } else { -quantity };
        spent += if buy { value } else { -value };
        commissions += p.commission;
    }
    let cash = cash(&trader.client, trader.account)
        .await
        .map_err(|e| e.to_string())?;
    if cash + spent + commissions != trader.starting_cash {
        return Err(format!(
            "cash {cash} + fills {spent} + commissions {commissions} is not the starting cash {}",
            trader.starting_cash
        ));
    }
    let positions = trader
        .client
        .list_positions()
        .account_id(trader.account)
        .page_number(0)
        // The most a page of positions holds (the spec's maximum); a trader
        // here holds four securities at most.
        .page_size(99)
        .sort_field("Id")
        .desc(false)
        .call()
        .await
        .map_err(|e| e.to_string())?;
    let positions: BTreeMap<i32, Decimal> = positions
        .result
        .iter()
        .filter_map(|p| Some((p.security_id?, p.quantity?.value())))
        .filter(|(_, q)| !q.is_zero())
        .collect();
    held.retain(|_, q| !q.is_zero());
    if positions != held {
        return Err(format!("positions {positions:?}, fills add up to {held:?}"));
    }
    Ok(())
}

/// Every order of the account, a page of 100 at a time.
async fn every_order(client: &Client, account: i32) -> Result<Vec<Order>, String> {
    let mut orders = Vec::new();
    for page in 0.. {
        let answer = client
            .list_orders()
            .account_id(account)
            .page_number(page)
            .page_size(100)
            .call()
            .await
            .map_err(|e| e.to_string())?;
        let last =
            answer.result.is_empty() || answer.next_page_link.as_deref().is_none_or(str::is_empty);
        orders.extend(answer.result);
        if last {
            break;
        }
    }
    Ok(orders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_fails_nothing_and_its_invariant_holds() {
        let plan = TradingPlan {
            traders: 4,
            warmup_actions: 40,
            round_actions: 120,
            rounds: 2,
        };
        let report = run(plan).unwrap();
        assert_eq!(
            report.failures(),
            0,
            "{:?} {:?}",
            report.first_failure,
            report.invariant
        );
        assert_eq!(report.phases.len(), 3);
        assert_eq!(report.invariant.accounts, 4);
        let booked: usize = report.phases.iter().map(|p| p.orders).sum();
        assert_eq!(report.invariant.orders_placed, booked);
        assert_eq!(report.invariant.orders_listed, booked);
        assert!(booked > 0 && report.invariant.filled > 0, "{report:?}");
    }

    /// The check is not vacuous: a commission, an order or a starting cash
    /// that the records get wrong breaks the account it belongs to.
    #[test]
    fn the_check_catches_a_wrong_commission_a_lost_order_and_wrong_cash() {
        let plan = TradingPlan {
            traders: 3,
            warmup_actions: 30,
            round_actions: 60,
            rounds: 2,
        };
        let report = run_then(plan, |traders| {
            let filled = traders[0]
                .placed
                .iter_mut()
                .map(|p| p.commission += Decimal::ONE)
                .count();
            assert!(filled > 0);
            traders[1].placed.pop();
            traders[2].starting_cash += Decimal::new(1, 2);
        })
        .unwrap();
        let broken = &report.invariant.broken;
        assert_eq!(broken.len(), 3, "{broken:?}");
        assert!(
            broken[0].starts_with("trader0") && broken[0].contains("commissions"),
            "{broken:?}"
        );
        assert!(
            broken[1].starts_with("trader1") && broken[1].contains("listed and not placed"),
            "{broken:?}"
        );
        assert!(
            broken[2].starts_with("trader2") && broken[2].contains("starting cash"),
            "{broken:?}"
        );
    }
}
