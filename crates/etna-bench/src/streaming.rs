//! The streamers, end to end: the mock (in a process of its own, so that
//! each side's memory is its own) and `etna-client`'s stream
//! (`Client::stream()`, the generated protocol) on
//! loopback. Three figures (BENCHMARKS.md, "Streaming"):
//!
//! - fill-to-event latency: a market order placed through the client,
//!   until its `Filled` order event comes out of the stream (and, side by
//!   side, until `place_order` answered);
//! - events a second on one connection: the mock moves the quotes of 100
//!   subscribed securities as fast as it can, the client counts the quote
//!   events it yields (quotes are kept latest per security, so a consumer
//!   that falls behind gets fewer events, never a stale quote);
//! - memory of both processes with 100 quote subscriptions on one
//!   connection, before and after that flood.
//!
//! The child is this binary with `--streaming-mock`: it serves the mock
//! with 100 securities, prints its API root, then pushes quotes when told
//! on its standard input.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use etna_client::futures_util::StreamExt;
use etna_client::rust_decimal::Decimal;
use etna_client::stream::StreamItem;
use etna_client::stream::messages::{EntityType, Event};
use etna_client::types::{OrderSide, OrderStatus, OrderType};
use etna_client::{Client, Operation, Secret};
use etna_mock::{MockServer, Quote};

use crate::procfs::{self, Memory};
use crate::request::percentile;

/// How many securities the child's exchange lists and the quote
/// subscription names: the documentation warns that streamers slow past
/// 100 quote subscriptions.
pub const KEYS: usize = 100;

/// The securities' ids start here (`S000` is the first).
const FIRST_ID: usize = 10_000;

/// The hang guard of every wait.
const GUARD: Duration = Duration::from_secs(300);

/// How much to measure.
#[derive(Clone, Copy, Debug)]
pub struct StreamingPlan {
    /// Market orders timed from placing to their `Filled` event.
    pub fills: usize,
    /// Untimed ones first.
    pub warmup_fills: usize,
    /// Quote changes the mock pushes.
    pub quotes: u64,
}

impl StreamingPlan {
    /// The figures of BENCHMARKS.md.
    pub const FULL: Self = Self {
        fills: 2_000,
        warmup_fills: 200,
        quotes: 200_000,
    };
    /// Checks the runner.
    pub const QUICK: Self = Self {
        fills: 200,
        warmup_fills: 20,
        quotes: 20_000,
    };
}

/// What [`run`] measured.
#[derive(Debug)]
pub struct StreamingReport {
    /// The plan it ran.
    pub plan: StreamingPlan,
    /// From sending `place_order` to the `Filled` event, p50 and p99.
    pub fill_to_event: (Duration, Duration),
    /// From sending `place_order` to its answer, p50 and p99.
    pub fill_to_answer: (Duration, Duration),
    /// The mock's pushes: how many, and how long they took.
    pub pushed: (u64, Duration),
    /// Quote events the client yielded, and how long until the last quote.
    pub received: (u64, Duration),
    /// Reconnects the streams went through (a slow client is disconnected).
    pub resyncs: u64,
    /// Each phase: the client's process and the mock's.
    pub memory: Vec<(&'static str, Memory, Memory)>,
}

/// The securities of the child's exchange, in `data/securities.yaml`'s
/// format.
fn securities() -> String {
    let mut yaml = String::from("securities:\n");
    for i in 0..KEYS {
        yaml.push_str(&format!(
            "  - id: {}\n    symbol: S{i:03}\n    description: Streaming bench security {i}\n    exchange: XNAS\n    type: CommonStock\n    price: \"10.00\"\n    added: \"2026-01-01T00:00:00Z\"\n",
            FIRST_ID + i
        ));
    }
    yaml
}

/// The quote that says `seq`: a bid of 10 + seq / 10 000, readable back
/// from any quote event.
fn quote_of(seq: u64) -> Quote {
    let bid = Decimal::new(100_000 + i64::try_from(seq).unwrap_or(i64::MAX / 2), 4);
    Quote {
        bid,
        ask: bid + Decimal::new(1, 2),
        last: bid,
    }
}

fn seq_of(bid: Decimal) -> Option<i64> {
    i64::try_from((bid - Decimal::TEN) * Decimal::from(10_000)).ok()
}

/// The child: the mock with [`KEYS`] securities; `push N` on its standard
/// input pushes N quote changes round the securities, as fast as
/// `set_quote` goes, and answers `pushed N <nanoseconds>`.
pub fn serve_mock() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server = runtime.block_on(MockServer::builder().securities(securities()).start())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", server.base_url())?;
    out.flush()?;
    let symbols: Vec<String> = (0..KEYS).map(|i| format!("S{i:03}")).collect();
    let mut seq = 0u64;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let Some(count) = line
            .strip_prefix("push ")
            .and_then(|n| n.parse::<u64>().ok())
        else {
            break;
        };
        let start = Instant::now();
        for _ in 0..count {
            let symbol = &symbols[usize::try_from(seq % KEYS as u64).unwrap_or(0)];
            server.set_quote(symbol, quote_of(seq));
            seq += 1;
        }
        writeln!(out, "pushed {count} {}", start.elapsed().as_nanos())?;
        out.flush()?;
    }
    drop(server);
    runtime.shutdown_timeout(Duration::from_secs(5));
    Ok(())
}

struct Mock {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    base_url: String,
}

impl Mock {
    fn start(exe: &std::path::Path) -> Result<Self, String> {
        let mut child = Command::new(exe)
            .arg("--streaming-mock")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("start the mock: {e}"))?;
        let stdin = child.stdin.take().ok_or("the mock's stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("the mock's stdout")?);
        let mut base_url = String::new();
        stdout
            .read_line(&mut base_url)
            .map_err(|e| format!("the mock's address: {e}"))?;
        Ok(Self {
            child,
            stdin,
            stdout,
            base_url: base_url.trim().to_owned(),
        })
    }

    fn memory(&self) -> Result<Memory, String> {
        procfs::memory_of(&self.child.id().to_string()).map_err(|e| e.to_string())
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the three measurements; `exe` is this binary (the child).
pub fn run(
    plan: StreamingPlan,
    exe: &std::path::Path,
) -> Result<StreamingReport, Box<dyn std::error::Error + Send + Sync>> {
    let mut mock = Mock::start(exe)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut memory = vec![("mock started", procfs::memory()?, mock.memory()?)];
    let client = Client::new(&mock.base_url, MockServer::APP_KEY)?;
    let resyncs = Arc::new(AtomicU64::new(0));
    let (fill_to_event, fill_to_answer, account) = runtime.block_on(async {
        client
            .sign_in(
                MockServer::TRADER,
                &Secret::from(MockServer::TRADER_PASSWORD),
            )
            .await?;
        let accounts = client.list_user_accounts().user_id("@me").call().await?;
        let account = accounts.first().and_then(|a| a.id).ok_or("no account")?;
        let (event_times, answer_times) = fills(&client, account, plan, resyncs.clone()).await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((event_times, answer_times, account))
    })?;
    let _ = account;

    // The quote connection: 100 keys in one command.
    let seen = Arc::new(AtomicI64::new(-1));
    let received = Arc::new(AtomicU64::new(0));
    let keys: Vec<usize> = (FIRST_ID..FIRST_ID + KEYS).collect();
    let mut quotes =
        runtime.block_on(client.stream().subscribe(EntityType::Quote, keys).connect())?;
    runtime.block_on(async {
        // The snapshot: one quote per key.
        let mut snapshot = 0;
        while snapshot < KEYS {
            match tokio::time::timeout(GUARD, quotes.next()).await {
                Ok(Some(Ok(StreamItem::Event(Event::Quote(_))))) => snapshot += 1,
                Ok(Some(Ok(_))) => {}
                other => return Err(format!("the quote snapshot: {other:?}")),
            }
        }
        Ok(())
    })?;
    memory.push((
        "100 quote subscriptions on one connection",
        procfs::memory()?,
        mock.memory()?,
    ));

    let last = i64::try_from(plan.quotes).unwrap_or(i64::MAX) - 1;
    let consumer = {
        let (seen, received, resyncs) = (seen.clone(), received.clone(), resyncs.clone());
        runtime.spawn(async move {
            while let Some(item) = quotes.next().await {
                match item {
                    Ok(StreamItem::Event(Event::Quote(quote))) => {
                        received.fetch_add(1, Ordering::Relaxed);
                        if let Some(seq) = quote.bid.and_then(|b| seq_of(b.value())) {
                            seen.fetch_max(seq, Ordering::Relaxed);
                            if seq >= last {
                                return Ok(quotes);
                            }
                        }
                    }
                    Ok(StreamItem::Resync(_)) => {
                        resyncs.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            Err("the quote stream ended".to_owned())
        })
    };
    let start = Instant::now();
    writeln!(mock.stdin, "push {}", plan.quotes)?;
    mock.stdin.flush()?;
    let mut line = String::new();
    mock.stdout.read_line(&mut line)?;
    let nanos: u64 = line
        .split_whitespace()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("the mock said {line:?}"))?;
    let quotes = runtime
        .block_on(async { tokio::time::timeout(GUARD, consumer).await })
        .map_err(|_| "the last quote did not arrive")??;
    let receive_time = start.elapsed();
    let quotes = quotes?;
    memory.push(("after the quote flood", procfs::memory()?, mock.memory()?));
    drop(quotes);
    Ok(StreamingReport {
        plan,
        fill_to_event,
        fill_to_answer,
        pushed: (plan.quotes, Duration::from_nanos(nanos)),
        received: (received.load(Ordering::Relaxed), receive_time),
        resyncs: resyncs.load(Ordering::Relaxed),
        memory,
    })
}

type Pair = (Duration, Duration);

/// Market orders one after the other, each timed until its `Filled`
/// event and until its answer.
async fn fills(
    client: &Client,
    account: i32,
    plan: StreamingPlan,
    resyncs: Arc<AtomicU64>,
) -> Result<(Pair, Pair), Box<dyn std::error::Error + Send + Sync>> {
    let mut orders = client
        .stream()
        .subscribe(EntityType::Order, [account])
        .connect()
        .await?;
    // Every filled order's id with the moment its event came out.
    let (tx, mut filled) = tokio::sync::mpsc::unbounded_channel::<(i32, Instant)>();
    let reader = tokio::spawn(async move {
        while let Some(item) = orders.next().await {
            match item {
                Ok(StreamItem::Event(Event::Order(order))) => {
                    let done = order
                        .status
                        .as_ref()
                        .and_then(|s| s.listed())
                        .is_some_and(|s| *s == OrderStatus::Filled);
                    if done
                        && let Some(id) = order.id.as_deref()
                        && tx.send((*id, Instant::now())).is_err()
                    {
                        return;
                    }
                }
                Ok(StreamItem::Resync(_)) => {
                    resyncs.fetch_add(1, Ordering::Relaxed);
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    let mut to_event = Vec::with_capacity(plan.fills);
    let mut to_answer = Vec::with_capacity(plan.fills);
    for n in 0..plan.warmup_fills + plan.fills {
        let side = if n % 2 == 0 {
            OrderSide::Buy
        } else {
            OrderSide::Sell
        };
        let start = Instant::now();
        let placed = client
            .place_order()
            .account_id(account)
            .body_map(|order| {
                order
                    .symbol("S000")
                    .type_(OrderType::Market)
                    .side(side)
                    .quantity(Some(Decimal::ONE.into()))
            })
            .call()
            .await?;
        let answered = start.elapsed();
        let id = placed.id.ok_or("an order without an Id")?;
        let arrived = loop {
            match tokio::time::timeout(GUARD, filled.recv()).await {
                Ok(Some((filled_id, at))) if filled_id == id => break at,
                Ok(Some(_)) => {}
                _ => return Err(format!("order {id}: no Filled event").into()),
            }
        };
        if n >= plan.warmup_fills {
            to_event.push(arrived.saturating_duration_since(start));
            to_answer.push(answered);
        }
    }
    reader.abort();
    let pair = |samples: &mut Vec<Duration>| (percentile(samples, 0.50), percentile(samples, 0.99));
    Ok((pair(&mut to_event), pair(&mut to_answer)))
}

/// The report as Markdown rows.
pub fn print_rows(report: &StreamingReport) {
    let micros = crate::table::micros;
    println!("| streaming | measurement | value |");
    println!("|---|---|---|");
    println!(
        "| fill-to-event ({} market orders, one at a time) | from sending `place_order` to its `Filled` event out of `Client::stream()`, p50 / p99 | {} / {} |",
        report.plan.fills,
        micros(report.fill_to_event.0),
        micros(report.fill_to_event.1)
    );
    println!(
        "| fill-to-answer (the same orders) | from sending `place_order` to its answer, p50 / p99 | {} / {} |",
        micros(report.fill_to_answer.0),
        micros(report.fill_to_answer.1)
    );
    let per_second = |n: u64, d: Duration| n as f64 / d.as_secs_f64().max(1e-9);
    println!(
        "| quotes pushed by the mock ({KEYS} securities, one connection) | `set_quote` as fast as it goes: quotes, seconds, per second | {} in {:.2} s: {:.0}/s |",
        report.pushed.0,
        report.pushed.1.as_secs_f64(),
        per_second(report.pushed.0, report.pushed.1)
    );
    println!(
        "| quote events out of the client's stream | events, seconds until the last quote, per second (latest per security kept) | {} in {:.2} s: {:.0}/s |",
        report.received.0,
        report.received.1.as_secs_f64(),
        per_second(report.received.0, report.received.1)
    );
    println!(
        "| reconnects | `Resync` markers (a client too slow for the mock's queue is disconnected) | {} |",
        report.resyncs
    );
    for (phase, client, mock) in &report.memory {
        println!(
            "| memory: {phase} | VmRSS (VmHWM) of the client's process / the mock's | {} ({}) KiB / {} ({}) KiB |",
            client.rss_kib, client.hwm_kib, mock.rss_kib, mock.hwm_kib
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_says_its_sequence_number() {
        for seq in [0, 1, 99, 123_456] {
            assert_eq!(seq_of(quote_of(seq).bid), Some(i64::try_from(seq).unwrap()));
        }
        let yaml = securities();
        assert_eq!(yaml.matches("symbol: S").count(), KEYS);
    }
}
