//! Request overhead: latency percentiles of sequential calls and throughput of
//! concurrent ones, for both [`Caller`]s, measured in alternating rounds so that
//! a change in machine load falls on both sides alike.

use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::caller::{Call, CallFailed, Caller};
use crate::server::{EnvelopeServer, LocalServer};

/// How many requests to make.
#[derive(Clone, Copy, Debug)]
pub struct RequestPlan {
    /// Untimed sequential calls per side first (connections, allocator, caches).
    pub warmup: usize,
    /// Rounds of sequential calls; each round times both sides.
    pub rounds: usize,
    /// Sequential calls per side and round, each timed on its own.
    pub per_round: usize,
    /// Requests in flight at once on the shared client.
    pub concurrency: usize,
    /// Calls each concurrent task makes, one after the other.
    pub per_task: usize,
    /// Rounds of the concurrent measurement; each round times both sides.
    pub throughput_rounds: usize,
}

impl RequestPlan {
    /// What `cargo xtask bench` runs: 60 000 timed calls per side in rounds of
    /// 100 (short rounds, so that a burst of load from elsewhere hits both
    /// sides), and 60 concurrent batches of 1 280 per side; under a minute on
    /// two cores.
    pub const FULL: Self = Self {
        warmup: 2_000,
        rounds: 600,
        per_round: 100,
        concurrency: 64,
        per_task: 20,
        throughput_rounds: 60,
    };

    /// Against a server that takes a millisecond, as a nearby real API would:
    /// 2 000 sequential calls per side, no throughput rounds.
    pub const DELAYED: Self = Self {
        warmup: 100,
        rounds: 20,
        per_round: 100,
        concurrency: 1,
        per_task: 1,
        throughput_rounds: 0,
    };

    /// A few seconds, for checking that the runner works.
    pub const QUICK: Self = Self {
        warmup: 200,
        rounds: 4,
        per_round: 250,
        concurrency: 64,
        per_task: 10,
        throughput_rounds: 4,
    };
}

/// What one side measured.
#[derive(Clone, Debug)]
pub struct SideReport {
    /// [`Caller::name`].
    pub name: &'static str,
    /// Median latency of a sequential call.
    pub p50: Duration,
    /// 99th percentile latency of a sequential call.
    pub p99: Duration,
    /// Number of timed sequential calls.
    pub samples: usize,
    /// Median over the rounds of requests per second with
    /// [`RequestPlan::concurrency`] calls in flight.
    pub throughput: f64,
}

/// Median over the throughput rounds of one side's rate over the other's in
/// the same round: a change of machine load between rounds cancels out.
fn paired_ratio(generated: &[f64], handwritten: &[f64]) -> f64 {
    let mut ratios: Vec<f64> = generated
        .iter()
        .zip(handwritten)
        .map(|(g, h)| g / h)
        .collect();
    median(&mut ratios)
}

/// Both sides of one run.
#[derive(Clone, Debug)]
pub struct RequestReport {
    /// etna-client.
    pub generated: SideReport,
    /// The hand-written call.
    pub handwritten: SideReport,
    /// The plan that produced it.
    pub plan: RequestPlan,
    /// See [`RequestReport::throughput_ratio`].
    throughput_ratio: f64,
}

impl RequestReport {
    /// etna-client's p50 over the hand-written p50.
    pub fn p50_ratio(&self) -> f64 {
        self.generated.p50.as_secs_f64() / self.handwritten.p50.as_secs_f64()
    }

    /// etna-client's p99 over the hand-written p99.
    pub fn p99_ratio(&self) -> f64 {
        self.generated.p99.as_secs_f64() / self.handwritten.p99.as_secs_f64()
    }

    /// etna-client's throughput over the hand-written one:
    /// the median of the ratios of the two sides' rounds, taken in turns.
    pub fn throughput_ratio(&self) -> f64 {
        self.throughput_ratio
    }
}

/// Makes `n` calls one after the other, pushing each one's latency to `out`.
pub async fn sequential(
    caller: &Caller,
    n: usize,
    out: &mut Vec<Duration>,
) -> Result<Duration, CallFailed> {
    let start = Instant::now();
    for _ in 0..n {
        let one = Instant::now();
        caller.call().await?;
        out.push(one.elapsed());
    }
    Ok(start.elapsed())
}

/// Makes `concurrency × per_task` calls through one shared client with
/// `concurrency` in flight, and returns the wall time.
pub async fn concurrent(
    caller: &Caller,
    concurrency: usize,
    per_task: usize,
) -> Result<Duration, CallFailed> {
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency {
        let caller = caller.clone();
        tasks.spawn(async move {
            for _ in 0..per_task {
                caller.call().await?;
            }
            Ok::<_, CallFailed>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|e| CallFailed(format!("a benchmark task died: {e}")))??;
    }
    Ok(start.elapsed())
}

/// Where the benchmark server runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// On the clients' thread: each call is pure CPU work plus loopback system
    /// calls, the steadiest measure of what the client adds.
    SameThread,
    /// On a thread of its own, so every call wakes the other core, as a real
    /// server on another machine would.
    OwnThread,
}

/// Runs `plan` for etna-client and the hand-written call on a single-threaded
/// runtime, against a server placed as `placement` says that answers after
/// `delay`.
pub fn compare(
    plan: RequestPlan,
    placement: Placement,
    delay: Duration,
    call: Call,
) -> Result<RequestReport, CallFailed> {
    match placement {
        Placement::SameThread => on_local_server(delay, |base_url| async move {
            compare_callers(Caller::both_for(&base_url, call)?, plan).await
        }),
        Placement::OwnThread => {
            let server = EnvelopeServer::start_with_delay(delay)
                .map_err(|e| CallFailed(format!("cannot start the server: {e}")))?;
            runtime()?.block_on(async {
                compare_callers(Caller::both_for(&server.base_url(), call)?, plan).await
            })
        }
    }
}

/// A single-threaded runtime for the client side.
fn runtime() -> Result<tokio::runtime::Runtime, CallFailed> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CallFailed(format!("cannot start the client runtime: {e}")))
}

/// Runs `calls` with the base URL of a [`LocalServer`] answering after
/// `delay`, on the same single-threaded runtime as the server.
pub fn on_local_server<T, F: Future<Output = Result<T, CallFailed>>>(
    delay: Duration,
    calls: impl FnOnce(String) -> F,
) -> Result<T, CallFailed> {
    runtime()?.block_on(async {
        let server = LocalServer::spawn(delay)
            .await
            .map_err(|e| CallFailed(format!("cannot start the server: {e}")))?;
        calls(server.base_url()).await
    })
}

/// The A/A control of [`compare`] on the same-thread server: the
/// hand-written call against itself (two clients, each with its own pool,
/// in the "generated" and "hand-written" places). Its ratios are what the
/// measurement alone makes of two equal sides: the bias and the spread a
/// target ratio must be read against.
pub fn control(plan: RequestPlan, call: Call) -> Result<RequestReport, CallFailed> {
    on_local_server(Duration::ZERO, |url| async move {
        let callers = [
            Caller::handwritten(&url, call)?,
            Caller::handwritten(&url, call)?,
        ];
        compare_callers(callers, plan).await
    })
}

/// Runs `plan` with `callers[0]` as the generated side and `callers[1]` as the
/// hand-written one.
pub async fn compare_callers(
    callers: [Caller; 2],
    plan: RequestPlan,
) -> Result<RequestReport, CallFailed> {
    let mut latencies = [
        Vec::with_capacity(plan.rounds * plan.per_round),
        Vec::with_capacity(plan.rounds * plan.per_round),
    ];
    let mut rates = [Vec::new(), Vec::new()];
    for caller in &callers {
        sequential(caller, plan.warmup, &mut Vec::with_capacity(plan.warmup)).await?;
        concurrent(caller, plan.concurrency, plan.per_task).await?;
    }
    for round in 0..plan.rounds {
        for side in order(round) {
            sequential(&callers[side], plan.per_round, &mut latencies[side]).await?;
        }
    }
    let requests = (plan.concurrency * plan.per_task) as f64;
    for round in 0..plan.throughput_rounds {
        for side in order(round) {
            let took = concurrent(&callers[side], plan.concurrency, plan.per_task).await?;
            rates[side].push(requests / took.as_secs_f64());
        }
    }
    let throughput_ratio = paired_ratio(&rates[0], &rates[1]);
    let [generated, handwritten] = [0, 1].map(|side| SideReport {
        name: callers[side].name(),
        p50: percentile(&mut latencies[side], 0.50),
        p99: percentile(&mut latencies[side], 0.99),
        samples: latencies[side].len(),
        throughput: median(&mut rates[side]),
    });
    Ok(RequestReport {
        generated,
        handwritten,
        plan,
        throughput_ratio,
    })
}

/// Alternates which side goes first, so neither always follows the other.
fn order(round: usize) -> [usize; 2] {
    if round.is_multiple_of(2) {
        [0, 1]
    } else {
        [1, 0]
    }
}

/// Nearest-rank percentile (`q` in 0..=1); zero for no samples.
pub fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = (q * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// Median of `values`; zero for none.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let mut samples: Vec<_> = (1..=100).rev().map(Duration::from_micros).collect();
        assert_eq!(percentile(&mut samples, 0.50), Duration::from_micros(50));
        assert_eq!(percentile(&mut samples, 0.99), Duration::from_micros(99));
        assert_eq!(percentile(&mut samples, 1.0), Duration::from_micros(100));
        assert_eq!(percentile(&mut [], 0.5), Duration::ZERO);
    }

    #[test]
    fn throughput_ratio_pairs_the_rounds() {
        // Load tripled between the rounds; each pair still says 0.9.
        let ratio = paired_ratio(&[90.0, 30.0, 90.0], &[100.0, 33.333_333_333, 100.0]);
        assert!((ratio - 0.9).abs() < 1e-6, "{ratio}");
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
