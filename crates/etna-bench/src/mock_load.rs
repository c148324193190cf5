//! Load on the stateful mock server ([`etna_mock::MockServer`]): many
//! password-reset flows at once through etna-client, each followed by a
//! sign-in with the new password and one call with the session, with
//! throughput, latency percentiles and the process's memory between rounds
//! (every flow leaves a live session in the mock's table: its bound shows
//! here).
//!
//! One [`run`] is one process's worth of measurement: the mock on a
//! multi-thread tokio runtime of its own, the load on a second one, one
//! account per worker task, each worker looping the four steps of the reset,
//! sign-in and a Bearer call ([`STEPS`]; the code is read in-process with
//! [`MockServer::last_code_for`], which is not a request) on a [`Client`] and
//! connection of its own. Memory is the process's (`VmRSS`, `VmHWM` of
//! `/proc/self/status`), so the client's share is included; the binary runs
//! each [`OutboxPolicy`] in a process of its own, so that memory one run freed
//! and the allocator kept cannot hide growth in the next.

use std::error::Error;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use etna_client::generated::builder;
use etna_client::{Client, Operation};
use etna_mock::MockServer;
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

pub use crate::procfs::{Connections, Memory, connections, memory};

mod flows;
pub mod trading;
use crate::request::percentile;
use flows::{login, phase};

/// Requests one flow sends.
pub const REQUESTS_PER_FLOW: usize = 6;

/// The flow's operations, in order, by the ids the generated client gives them.
pub const STEPS: [&str; REQUESTS_PER_FLOW] = [
    <builder::RequestPasswordReset<'static> as Operation>::ID,
    <builder::GetSecretQuestion<'static> as Operation>::ID,
    <builder::GenerateResetToken<'static> as Operation>::ID,
    <builder::ResetPassword<'static> as Operation>::ID,
    <builder::SignIn<'static> as Operation>::ID,
    <builder::ListSecurityImages<'static> as Operation>::ID,
];

/// How often [`OutboxPolicy::Drained`] empties the outbox, in completed flows.
pub const DRAIN_EVERY_FLOWS: usize = 1000;

/// How much load.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct LoadPlan {
    /// Accounts, worker tasks and (so) connections: one each.
    pub accounts: usize,
    /// Flows before the first memory reading that counts.
    pub warmup_flows: usize,
    /// Flows per timed round; memory is read after each round.
    pub round_flows: usize,
    /// Timed rounds.
    pub rounds: usize,
    /// The mock's cap on its session table (each flow signs in once, and a
    /// session lives 24 hours): a small cap shows the memory level off.
    pub max_sessions: usize,
}

impl LoadPlan {
    /// 3 000 warm-up requests, then two rounds of 15 000 (30 000 timed
    /// requests, 5 000 flows) over 64 connections.
    pub const FULL: Self = Self {
        accounts: 64,
        warmup_flows: 500,
        round_flows: 2_500,
        rounds: 2,
        max_sessions: MockServer::DEFAULT_MAX_SESSIONS,
    };

    /// 600 warm-up requests, then two rounds of 1 500: checks the runner.
    pub const QUICK: Self = Self {
        accounts: 64,
        warmup_flows: 100,
        round_flows: 250,
        rounds: 2,
        max_sessions: MockServer::DEFAULT_MAX_SESSIONS,
    };

    /// Timed requests in all rounds.
    pub fn timed_requests(&self) -> usize {
        self.round_flows * self.rounds * REQUESTS_PER_FLOW
    }
}

/// What happens to the mock's outbox during the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxPolicy {
    /// Left alone: it fills to [`MockServer::DEFAULT_OUTBOX_CAPACITY`] and
    /// then drops its oldest message for each new one.
    Capped,
    /// Emptied with [`MockServer::take_outbox`] every [`DRAIN_EVERY_FLOWS`]
    /// completed flows, as a test that reads its mail would.
    Drained,
}

impl OutboxPolicy {
    /// How the tables name it.
    pub fn describe(self) -> String {
        match self {
            Self::Capped => format!("capped at {}", MockServer::DEFAULT_OUTBOX_CAPACITY),
            Self::Drained => format!("drained every {DRAIN_EVERY_FLOWS} flows"),
        }
    }
}

/// Latency statistics of a set of requests.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Latency {
    /// Requests sent.
    pub requests: usize,
    /// Nearest-rank median, ns.
    pub p50_ns: u64,
    /// Nearest-rank 99th percentile, ns.
    pub p99_ns: u64,
    /// Slowest, ns.
    pub max_ns: u64,
}

impl Latency {
    fn of(samples: &mut [Duration]) -> Self {
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        Self {
            requests: samples.len(),
            p50_ns: nanos(percentile(samples, 0.50)),
            p99_ns: nanos(percentile(samples, 0.99)),
            max_ns: nanos(samples.iter().copied().max().unwrap_or_default()),
        }
    }
}

/// One phase of the run (warm-up or a timed round), and the readings taken
/// right after it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Phase {
    /// "warm-up", "round 1", ...
    pub name: String,
    /// Flows run.
    pub flows: usize,
    /// Requests that failed (a failed request ends its flow).
    pub failures: usize,
    /// Wall time from the first request to the last answer, ns.
    pub elapsed_ns: u64,
    /// All requests of the phase.
    pub latency: Latency,
    /// Memory after the phase.
    pub memory: Memory,
    /// Messages in the outbox after the phase.
    pub outbox_len: usize,
    /// Connections to the mock after the phase.
    pub connections: Connections,
}

impl Phase {
    /// Requests per second.
    pub fn throughput(&self) -> f64 {
        self.latency.requests as f64 / (self.elapsed_ns as f64 / 1e9)
    }
}

/// Everything one [`run`] measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoadReport {
    /// The load.
    pub plan: LoadPlan,
    /// The outbox's treatment.
    pub policy: OutboxPolicy,
    /// Worker threads of the mock's runtime and of the load's.
    pub threads: (usize, usize),
    /// Memory before the mock started.
    pub before_mock: Memory,
    /// Memory once the mock and the client exist, before any request.
    pub mock_started: Memory,
    /// Messages in the outbox before any request.
    pub outbox_at_start: usize,
    /// Warm-up, then the timed rounds.
    pub phases: Vec<Phase>,
    /// All timed rounds together.
    pub timed: Latency,
    /// The timed rounds per operation, in the order of [`STEPS`].
    pub per_step: Vec<Latency>,
    /// Wall time of all timed rounds, ns.
    pub timed_elapsed_ns: u64,
    /// Times the outbox was emptied.
    pub drains: usize,
    /// Failed requests in all phases, plus accounts whose password is not the
    /// one their last flow set.
    pub failures: usize,
    /// The first failure, for the error message.
    pub first_failure: Option<String>,
}

impl LoadReport {
    /// The timed rounds' phases.
    pub fn rounds(&self) -> &[Phase] {
        self.phases.get(1..).unwrap_or_default()
    }

    /// Requests per second over all timed rounds.
    pub fn throughput(&self) -> f64 {
        self.timed.requests as f64 / (self.timed_elapsed_ns as f64 / 1e9)
    }

    /// `VmRSS` after the last round minus after the one before it, KiB: zero
    /// or noise when memory does not grow with requests.
    pub fn rss_growth_last_round_kib(&self) -> Option<i64> {
        let rounds = self.rounds();
        let [.., before, last] = rounds else {
            return None;
        };
        Some(kib_delta(before.memory.rss_kib, last.memory.rss_kib))
    }
}

/// `to - from` in KiB, signed.
pub fn kib_delta(from: u64, to: u64) -> i64 {
    i64::try_from(to).unwrap_or(i64::MAX) - i64::try_from(from).unwrap_or(i64::MAX)
}

/// What the workers share.
struct Shared {
    /// One client per worker (see [`run`]).
    clients: Vec<Client>,
    server: Arc<MockServer>,
    policy: OutboxPolicy,
    /// Flows completed so far in the whole run (for draining).
    completed: AtomicUsize,
    /// Drains so far.
    drains: AtomicUsize,
    /// Held for reading from step 1 until its code is read, and for writing
    /// while the outbox is drained, so that no worker loses its code.
    gate: RwLock<()>,
}

/// What one worker did in one phase.
#[derive(Default)]
struct WorkerResult {
    samples: [Vec<Duration>; REQUESTS_PER_FLOW],
    failures: usize,
    first_failure: Option<String>,
    last_password: Option<String>,
}

/// The mock's runtime and the load's, apart so that each has its own
/// workers, and their worker counts (for the report).
pub(crate) fn runtimes() -> std::io::Result<(
    tokio::runtime::Runtime,
    tokio::runtime::Runtime,
    (usize, usize),
)> {
    let runtime = |name: &str| {
        tokio::runtime::Builder::new_multi_thread()
            .thread_name(name)
            .enable_all()
            .build()
    };
    let (mock, load) = (runtime("mock")?, runtime("load")?);
    let threads = (mock.metrics().num_workers(), load.metrics().num_workers());
    Ok((mock, load, threads))
}

/// Runs the plan against a fresh mock in this process and measures it.
/// Failed requests are counted in the report, not returned as errors; an
/// error means the run itself could not happen.
///
/// Each worker has a [`Client`] of its own, so each has exactly one
/// connection (its requests are sequential): one client shared by all
/// workers opened 66 connections for 64 workers, because its pool, finding no
/// idle connection, starts a new one and also takes the first that a
/// finished request frees, keeping both.
pub fn run(
    plan: LoadPlan,
    policy: OutboxPolicy,
) -> Result<LoadReport, Box<dyn Error + Send + Sync>> {
    let before_mock = memory()?;
    let (mock_runtime, load_runtime, threads) = runtimes()?;
    let accounts: String = (0..plan.accounts)
        .map(|i| format!("  - login: {}\n", login(i)))
        .collect();
    let server = mock_runtime.block_on(
        MockServer::builder()
            .accounts(format!("accounts:\n{accounts}"))
            .outbox_capacity(MockServer::DEFAULT_OUTBOX_CAPACITY)
            .max_sessions(plan.max_sessions)
            .start(),
    )?;
    let port = server.addr().port();
    let server = Arc::new(server);
    let shared = Arc::new(Shared {
        clients: (0..plan.accounts)
            .map(|_| Client::new(&server.base_url(), MockServer::APP_KEY))
            .collect::<Result<_, _>>()?,
        server: server.clone(),
        policy,
        completed: AtomicUsize::new(0),
        drains: AtomicUsize::new(0),
        gate: RwLock::new(()),
    });
    // Room for every timed sample, written now so that its pages are
    // resident before the first reading and do not show as the mock's growth.
    let per_step_capacity = plan.round_flows * plan.rounds;
    let mut timed: [Vec<Duration>; REQUESTS_PER_FLOW] =
        std::array::from_fn(|_| vec![Duration::from_nanos(1); per_step_capacity]);
    let mut timed_len = [0; REQUESTS_PER_FLOW];
    // The same for one phase's samples, and the workers' own sample lists,
    // reused from phase to phase.
    let mut scratch =
        vec![Duration::from_nanos(1); plan.warmup_flows.max(plan.round_flows) * REQUESTS_PER_FLOW];
    let mut workers: Vec<WorkerResult> = (0..plan.accounts)
        .map(|_| WorkerResult::default())
        .collect();
    let mock_started = memory()?;
    let outbox_at_start = server.outbox().len();

    let mut phases = Vec::new();
    let mut failures = 0;
    let mut first_failure = None;
    let mut last_passwords: Vec<Option<String>> = vec![None; plan.accounts];
    let mut timed_elapsed = Duration::ZERO;
    let mut flow_base = 0;
    for index in 0..=plan.rounds {
        let (name, flows) = if index == 0 {
            ("warm-up".to_owned(), plan.warmup_flows)
        } else {
            (format!("round {index}"), plan.round_flows)
        };
        eprintln!(
            "mock_load ({}): {name}, {} requests over {} connections ...",
            policy.describe(),
            flows * REQUESTS_PER_FLOW,
            plan.accounts
        );
        let start = Instant::now();
        workers = load_runtime.block_on(phase(&shared, workers, flow_base, flows))?;
        let elapsed = start.elapsed();
        flow_base += flows;
        // Readings first, before anything below allocates.
        let memory = memory()?;
        let connections = connections(port)?;
        let outbox_len = server.outbox().len();

        let mut phase_len = 0;
        let mut phase_failures = 0;
        for (account, result) in workers.iter_mut().enumerate() {
            phase_failures += result.failures;
            if first_failure.is_none() {
                first_failure = result.first_failure.take();
            }
            if let Some(password) = result.last_password.take() {
                last_passwords[account] = Some(password);
            }
            for (step, samples) in result.samples.iter().enumerate() {
                copy_into(&mut scratch, &mut phase_len, samples);
                if index > 0 {
                    copy_into(&mut timed[step], &mut timed_len[step], samples);
                }
            }
        }
        if index > 0 {
            timed_elapsed += elapsed;
        }
        failures += phase_failures;
        phases.push(Phase {
            name,
            flows,
            failures: phase_failures,
            elapsed_ns: u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
            latency: Latency::of(&mut scratch[..phase_len]),
            memory,
            outbox_len,
            connections,
        });
    }

    // Every account's password is the one its last flow set.
    for (account, password) in last_passwords.iter().enumerate() {
        if let Some(password) = password
            && !server.password_is(&login(account), password)
        {
            failures += 1;
            first_failure.get_or_insert_with(|| {
                format!(
                    "{}: the mock does not have the last password set",
                    login(account)
                )
            });
        }
    }

    let mut per_step = Vec::new();
    let mut everything = Vec::new();
    for (buffer, len) in timed.iter_mut().zip(timed_len) {
        let samples = &mut buffer[..len];
        everything.extend_from_slice(samples);
        per_step.push(Latency::of(samples));
    }
    let drains = shared.drains.load(Ordering::Relaxed);
    // The client's connections go with the load runtime, then the mock stops.
    drop(shared);
    drop(load_runtime);
    if let Ok(server) = Arc::try_unwrap(server) {
        mock_runtime.block_on(server.shutdown());
    }
    Ok(LoadReport {
        plan,
        policy,
        threads,
        before_mock,
        mock_started,
        outbox_at_start,
        phases,
        timed: Latency::of(&mut everything),
        per_step,
        timed_elapsed_ns: u64::try_from(timed_elapsed.as_nanos()).unwrap_or(u64::MAX),
        drains,
        failures,
        first_failure,
    })
}

/// Appends `samples` at `buffer[*len..]` (growing it only if they do not
/// fit, which the buffers' sizes rule out).
fn copy_into(buffer: &mut Vec<Duration>, len: &mut usize, samples: &[Duration]) {
    let end = *len + samples.len();
    if end > buffer.len() {
        buffer.resize(end, Duration::ZERO);
    }
    buffer[*len..end].copy_from_slice(samples);
    *len = end;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_run_has_no_failures_and_uses_one_connection_per_worker() {
        let plan = LoadPlan {
            accounts: 8,
            warmup_flows: 16,
            round_flows: 40,
            rounds: 2,
            max_sessions: 50,
        };
        let report = run(plan, OutboxPolicy::Drained).unwrap();
        assert_eq!(report.failures, 0, "{:?}", report.first_failure);
        assert_eq!(report.timed.requests, plan.timed_requests());
        assert_eq!(report.phases.len(), 3);
        // One connection per worker.
        let last = &report.phases[2].connections;
        assert_eq!(last.client_established, 8, "{last:?}");
        assert_eq!(last.server_established, 8, "{last:?}");
        assert_eq!(report.per_step.len(), REQUESTS_PER_FLOW);
        assert!(report.rss_growth_last_round_kib().is_some());
    }
}
