//! Measures `request_overhead` and `codegen_scaling` of BENCHMARKS.md and prints them as Markdown table
//! rows on stdout (progress goes to stderr). `cargo xtask bench` runs it in
//! release mode and adds the rows of `freshness_check` and
//! `consumer_build_cost`. `--mock-load` instead
//! puts the stateful mock server under load (`etna_bench::mock_load`).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use etna_bench::caller::{Call, Caller};
use etna_bench::codegen;
use etna_bench::mock_load::{self, LoadPlan, LoadReport, OutboxPolicy, trading};
use etna_bench::request::{self, Placement, RequestPlan};
use etna_bench::server::{EnvelopeServer, LocalServer};
use etna_bench::steps::{Step, StepCall};
use etna_bench::table::{
    micros, print_codegen_rows, print_control_rows, print_delayed_rows, print_request_rows,
};
use etna_bench::{decimals, future_sizes, instructions, one_side, streaming};

/// Server time of the context rows of `request_overhead`.
const SERVER_DELAY: Duration = Duration::from_millis(1);

/// Spec sizes of `codegen_scaling`, in operations.
const SIZES: [usize; 4] = [1, 10, 100, 1000];

#[derive(Parser)]
#[command(
    about = "Request-overhead and generation-cost benchmarks (request_overhead, codegen_scaling), and the mock server under load (--mock-load)"
)]
struct Args {
    /// A few seconds in all: checks the runner, the numbers mean little.
    #[arg(long)]
    quick: bool,
    /// Instead of the table: the hand-written call with each of etna-client's
    /// own per-call steps swapped in, against the hand-written call.
    #[arg(long)]
    breakdown: bool,
    /// Only `request_overhead`'s rows against the local server (every call),
    /// without the context rows and `codegen_scaling`.
    #[arg(long, conflicts_with_all = ["breakdown", "mock_load"])]
    request_overhead_only: bool,
    /// Instead of the table: the A/A control of `request_overhead`, the
    /// hand-written call against itself for every call, with the same plan
    /// (BENCHMARKS.md, "the clock's own resolution").
    #[arg(long, conflicts_with_all = ["breakdown", "mock_load", "request_overhead_only", "instructions", "one_side"])]
    control: bool,
    /// Where the server runs for the breakdown.
    #[arg(long, value_enum, default_value = "same-thread")]
    placement: PlacementArg,
    /// Instead of the table: the stateful mock server under load (30 000
    /// requests over 64 connections: the password reset, sign-in with the
    /// new password and a Bearer call; 3 000 with `--quick`), with the outbox
    /// capped and drained, each run in a process of its own.
    #[arg(long, conflicts_with = "breakdown")]
    mock_load: bool,
    /// Timed rounds of the mock load (15 000 requests each, 1 500 with
    /// `--quick`); memory is read after each.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(2..))]
    mock_load_rounds: u16,
    /// The mock's cap on live sessions during the mock load (each flow
    /// signs in once; the default is the mock's own).
    #[arg(long, default_value_t = etna_mock::MockServer::DEFAULT_MAX_SESSIONS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    mock_load_max_sessions: usize,
    /// Instead of the table: the mock exchange under a trading load (32
    /// traders previewing, placing and cancelling orders; 16 with
    /// `--quick`), then its invariant checked through the API.
    #[arg(long, conflicts_with_all = ["breakdown", "mock_load", "request_overhead_only", "instructions", "one_side", "control"])]
    mock_trading: bool,
    /// Timed rounds of `--mock-trading` (8 000 actions each, 800 with
    /// `--quick`); memory is read after each.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(2..=100))]
    mock_trading_rounds: u16,
    /// Traders of `--mock-trading`.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    mock_trading_traders: Option<usize>,
    /// One mock-load run in this process; prints its report as JSON (what
    /// `--mock-load` runs twice).
    #[arg(long, value_enum, hide = true)]
    mock_load_run: Option<OutboxArg>,
    /// Instead of the table: the streamers end to end (the mock in a
    /// process of its own, the client's stream): fill-to-event latency,
    /// quote events a second on one connection, and both processes' memory
    /// with 100 quote subscriptions.
    #[arg(long, conflicts_with_all = ["breakdown", "mock_load", "request_overhead_only", "instructions", "one_side", "control", "mock_trading"])]
    streaming: bool,
    /// The mock of `--streaming`, in its own process.
    #[arg(long, hide = true)]
    streaming_mock: bool,
    /// Instead of the table: instructions per call of every call on both
    /// sides, counted by callgrind (valgrind must be installed; about a
    /// minute, a few seconds with `--quick`), and the bytes of each call's
    /// future.
    #[arg(long, conflicts_with_all = ["breakdown", "mock_load", "request_overhead_only", "one_side"])]
    instructions: bool,
    /// Instead of the table: only this side's calls, `--count` of them and
    /// nothing else, for an instruction counter such as callgrind
    /// (BENCHMARKS.md, "instructions per call").
    #[arg(long, value_enum, conflicts_with_all = ["breakdown", "mock_load", "request_overhead_only"])]
    one_side: Option<one_side::Side>,
    /// The call `--one-side` makes.
    #[arg(long, value_enum, default_value = "reset-token", requires = "one_side")]
    call: Call,
    /// How many calls `--one-side` makes after one to connect, or how many
    /// times `--decode` decodes the page after a first time.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Instead of the table: the page of orders of `--call list-orders`
    /// decoded `--count` times and nothing else, into the generated types
    /// or their `f64` mirror, for an instruction counter (BENCHMARKS.md,
    /// "the cost of decimals").
    #[arg(long, value_enum, conflicts_with_all = ["breakdown", "mock_load", "request_overhead_only", "one_side", "instructions"])]
    decode: Option<decimals::Numbers>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OutboxArg {
    Capped,
    Drained,
}

impl OutboxArg {
    fn policy(self) -> OutboxPolicy {
        match self {
            Self::Capped => OutboxPolicy::Capped,
            Self::Drained => OutboxPolicy::Drained,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Capped => "capped",
            Self::Drained => "drained",
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PlacementArg {
    SameThread,
    OwnThread,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let plan = if args.quick {
        RequestPlan::QUICK
    } else {
        RequestPlan::FULL
    };
    let placement = match args.placement {
        PlacementArg::SameThread => Placement::SameThread,
        PlacementArg::OwnThread => Placement::OwnThread,
    };
    if args.breakdown {
        return breakdown(plan, placement);
    }
    if args.streaming_mock {
        return streaming::serve_mock();
    }
    if args.streaming {
        let plan = if args.quick {
            streaming::StreamingPlan::QUICK
        } else {
            streaming::StreamingPlan::FULL
        };
        eprintln!("streaming: the mock in a process of its own, the client's stream ...");
        let report = streaming::run(plan, &std::env::current_exe()?)?;
        streaming::print_rows(&report);
        return Ok(());
    }
    if let Some(side) = args.one_side {
        return Ok(one_side::run(side, args.call, args.count)?);
    }
    if let Some(numbers) = args.decode {
        return Ok(decimals::run(numbers, args.count)?);
    }
    if args.instructions {
        let counts = if args.quick {
            instructions::Counts::QUICK
        } else {
            instructions::Counts::FULL
        };
        eprintln!("instructions_per_call: each side of each call alone under callgrind ...");
        let rows = instructions::count_all(&std::env::current_exe()?, counts)?;
        instructions::print_rows(&rows, counts);
        eprintln!("decode_decimals: the page of orders, Decimal against f64, under callgrind ...");
        instructions::print_decode_row(
            &instructions::count_decodes(&std::env::current_exe()?, counts)?,
            counts,
        );
        // Also exact from run to run, and what the counts leave out: the
        // memory each call in flight holds and moves.
        future_sizes::print_rows(&future_sizes::measure()?);
        return Ok(());
    }
    let load_plan = LoadPlan {
        rounds: usize::from(args.mock_load_rounds),
        max_sessions: args.mock_load_max_sessions,
        ..if args.quick {
            LoadPlan::QUICK
        } else {
            LoadPlan::FULL
        }
    };
    if let Some(outbox) = args.mock_load_run {
        let report = mock_load::run(load_plan, outbox.policy())?;
        println!("{}", serde_json::to_string(&report)?);
        return load_failures(&report);
    }
    if args.mock_trading {
        let base = if args.quick {
            trading::TradingPlan::QUICK
        } else {
            trading::TradingPlan::FULL
        };
        let plan = trading::TradingPlan {
            rounds: usize::from(args.mock_trading_rounds),
            traders: args.mock_trading_traders.unwrap_or(base.traders),
            ..base
        };
        let report = trading::run(plan)?;
        print_trading_rows(&report);
        if report.failures() > 0 {
            return Err(format!(
                "mock_load trading: {} failures; first: {} {:?}",
                report.failures(),
                report.first_failure.as_deref().unwrap_or("-"),
                report.invariant.broken
            )
            .into());
        }
        return Ok(());
    }
    if args.mock_load {
        return mock_load_table(
            args.quick,
            args.mock_load_rounds,
            args.mock_load_max_sessions,
        );
    }
    if args.control {
        for call in Call::ALL {
            eprintln!(
                "request_overhead control: {}, hand-written against itself ...",
                call.describe()
            );
            print_control_rows(&request::control(plan, call)?, call);
        }
        return Ok(());
    }
    for call in Call::ALL {
        eprintln!(
            "request_overhead: {} against a local server ...",
            call.describe()
        );
        let report = request::compare(plan, Placement::SameThread, Duration::ZERO, call)?;
        print_request_rows(&report, call);
    }
    if args.request_overhead_only {
        return Ok(());
    }
    eprintln!("request_overhead: step 3 against a server on its own thread that takes 1 ms ...");
    let delayed_plan = if args.quick {
        RequestPlan {
            rounds: 2,
            ..RequestPlan::DELAYED
        }
    } else {
        RequestPlan::DELAYED
    };
    let delayed = request::compare(
        delayed_plan,
        Placement::OwnThread,
        SERVER_DELAY,
        Call::ResetToken,
    )?;
    print_delayed_rows(&delayed, SERVER_DELAY);

    eprintln!("codegen_scaling: parse + generate + format of synthetic specs ...");
    let (budget, min_runs) = if args.quick {
        (Duration::from_millis(200), 1)
    } else {
        (Duration::from_secs(8), 3)
    };
    let sizes: &[usize] = if args.quick { &SIZES[..3] } else { &SIZES };
    let rows = codegen::measure(sizes, budget, min_runs, 50)?;
    print_codegen_rows(&rows);
    Ok(())
}

/// The whole call, the generated `send()`, and the hand-written call with
/// each of etna-client's steps, each against the hand-written call in its own
/// alternating run.
fn breakdown(
    plan: RequestPlan,
    placement: Placement,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (_own, _local, base_url) = match placement {
        Placement::OwnThread => {
            let server = EnvelopeServer::start()?;
            let base_url = server.base_url();
            (Some(server), None, base_url)
        }
        Placement::SameThread => {
            let server = runtime.block_on(LocalServer::spawn(Duration::ZERO))?;
            let base_url = server.base_url();
            (None, Some(server), base_url)
        }
    };
    println!(
        "| step 3 through etna-client, or the hand-written call with one of etna-client's steps | p50 | hand-written p50 | p50 ratio | p99 ratio | throughput ratio |"
    );
    println!("|---|---|---|---|---|---|");
    let mut runs: Vec<(String, Caller)> = vec![
        (
            "the whole call: `generate_reset_token().body(..).call()`".to_owned(),
            Caller::Generated(Caller::client(&base_url)?, Call::ResetToken),
        ),
        (
            "the generated builder's `send()`, without `Operation::call`".to_owned(),
            Caller::Send(Caller::client(&base_url)?),
        ),
    ];
    for step in Step::ALL {
        runs.push((
            step.describe().to_owned(),
            Caller::Step(StepCall::new(step, &base_url)?),
        ));
    }
    for (name, caller) in runs {
        let handwritten = Caller::handwritten(&base_url, Call::ResetToken)?;
        let report = runtime.block_on(request::compare_callers([caller, handwritten], plan))?;
        println!(
            "| {name} | {} | {} | {:.3} | {:.3} | {:.3} |",
            micros(report.generated.p50),
            micros(report.handwritten.p50),
            report.p50_ratio(),
            report.p99_ratio(),
            report.throughput_ratio()
        );
    }
    Ok(())
}

/// Each outbox policy in a child process of its own (so that memory freed by
/// one run cannot hide growth in the next), then their tables.
fn mock_load_table(
    quick: bool,
    rounds: u16,
    max_sessions: usize,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let exe = std::env::current_exe()?;
    let mut reports = Vec::new();
    for outbox in [OutboxArg::Capped, OutboxArg::Drained] {
        let mut command = std::process::Command::new(&exe);
        command.args(["--mock-load-run", outbox.name()]);
        command.args(["--mock-load-rounds", &rounds.to_string()]);
        command.args(["--mock-load-max-sessions", &max_sessions.to_string()]);
        if quick {
            command.arg("--quick");
        }
        let output = command.stderr(std::process::Stdio::inherit()).output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let report: LoadReport = match stdout.lines().last().map(serde_json::from_str) {
            Some(Ok(report)) => report,
            _ => {
                return Err(format!(
                    "mock_load ({}): the run failed ({}) without a report",
                    outbox.name(),
                    output.status
                )
                .into());
            }
        };
        reports.push(report);
    }
    print_mock_load_rows(&reports);
    for report in &reports {
        load_failures(report)?;
    }
    Ok(())
}

fn load_failures(report: &LoadReport) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if report.failures == 0 {
        return Ok(());
    }
    Err(format!(
        "mock_load (outbox {}): {} failures; first: {}",
        report.policy.describe(),
        report.failures,
        report.first_failure.as_deref().unwrap_or("?")
    )
    .into())
}

fn print_mock_load_rows(reports: &[LoadReport]) {
    println!(
        "| mock_load phase | outbox | requests | failures | throughput | p50 | p99 | max | VmRSS after | VmHWM after | outbox length after | connections open (client / server) / closing |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for report in reports {
        let outbox = report.policy.describe();
        println!(
            "| mock started, no request yet | {outbox} | — | — | — | — | — | — | {} KiB ({} KiB before the mock) | {} KiB | {} | — |",
            report.mock_started.rss_kib,
            report.before_mock.rss_kib,
            report.mock_started.hwm_kib,
            report.outbox_at_start
        );
        for phase in &report.phases {
            let c = &phase.connections;
            println!(
                "| {} ({} flows) | {outbox} | {} | {} | {:.0} req/s | {} | {} | {} | {} KiB | {} KiB | {} | {} / {} / {} |",
                phase.name,
                phase.flows,
                phase.latency.requests,
                phase.failures,
                phase.throughput(),
                nanos_as_micros(phase.latency.p50_ns),
                nanos_as_micros(phase.latency.p99_ns),
                nanos_as_micros(phase.latency.max_ns),
                phase.memory.rss_kib,
                phase.memory.hwm_kib,
                phase.outbox_len,
                c.client_established,
                c.server_established,
                c.closing
            );
        }
    }
    println!();
    let header: Vec<String> = reports
        .iter()
        .map(|r| format!("outbox {}", r.policy.describe()))
        .collect();
    println!("| mock_load measurement | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(reports.len()));
    let row = |what: String, cell: &dyn Fn(&LoadReport) -> String| {
        let cells: Vec<String> = reports.iter().map(cell).collect();
        println!("| {what} | {} |", cells.join(" | "));
    };
    let plan = reports.first().map(|r| r.plan).unwrap_or(LoadPlan::FULL);
    row(
        format!(
            "throughput, {} timed requests ({} rounds of {} flows), {} connections",
            plan.timed_requests(),
            plan.rounds,
            plan.round_flows,
            plan.accounts
        ),
        &|r| format!("{:.0} req/s", r.throughput()),
    );
    row("latency p50".into(), &|r| nanos_as_micros(r.timed.p50_ns));
    row("latency p99".into(), &|r| nanos_as_micros(r.timed.p99_ns));
    row("latency max".into(), &|r| nanos_as_micros(r.timed.max_ns));
    for (step, name) in mock_load::STEPS.iter().enumerate() {
        row(format!("p50 / p99 of `{name}`"), &|r| {
            r.per_step.get(step).map_or("—".into(), |l| {
                format!(
                    "{} / {}",
                    nanos_as_micros(l.p50_ns),
                    nanos_as_micros(l.p99_ns)
                )
            })
        });
    }
    row("failures (all phases)".into(), &|r| r.failures.to_string());
    row(
        "VmRSS after the last round − after the round before".into(),
        &|r| {
            r.rss_growth_last_round_kib()
                .map_or("—".into(), |d| format!("{d:+} KiB"))
        },
    );
    if plan.rounds > 2 {
        row(
            "VmRSS after the last round − after round 1".into(),
            &|r| match (r.phases.get(1), r.phases.last()) {
                (Some(first), Some(last)) => format!(
                    "{:+} KiB",
                    mock_load::kib_delta(first.memory.rss_kib, last.memory.rss_kib)
                ),
                _ => "—".into(),
            },
        );
    }
    row(
        "VmRSS after round 1 − after the warm-up".into(),
        &|r| match (r.phases.first(), r.phases.get(1)) {
            (Some(warm), Some(first)) => format!(
                "{:+} KiB",
                mock_load::kib_delta(warm.memory.rss_kib, first.memory.rss_kib)
            ),
            _ => "—".into(),
        },
    );
    row(
        "VmRSS at the end − once the mock started".into(),
        &|r| match r.phases.last() {
            Some(last) => format!(
                "{:+} KiB",
                mock_load::kib_delta(r.mock_started.rss_kib, last.memory.rss_kib)
            ),
            None => "—".into(),
        },
    );
    row("outbox length at the end (drains)".into(), &|r| {
        format!(
            "{} ({})",
            r.phases.last().map_or(0, |p| p.outbox_len),
            r.drains
        )
    });
    row("tokio workers (mock / load)".into(), &|r| {
        format!("{} / {}", r.threads.0, r.threads.1)
    });
}

fn print_trading_rows(report: &trading::TradingReport) {
    let plan = report.plan;
    println!(
        "| mock_trading phase ({} traders, one connection each) | actions | orders booked | refused (400) | cancels 204 / 409 | failures | orders/s | requests/s | p50 / p99 all | p50 / p99 `{}` | p50 / p99 `{}` | p50 / p99 `{}` | VmRSS after | VmHWM after |",
        plan.traders,
        trading::OPERATIONS[0],
        trading::OPERATIONS[1],
        trading::OPERATIONS[2],
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| mock started, every trader signed in | — | — | — | — | — | — | — | — | — | — | — | {} KiB ({} KiB before the mock) | {} KiB |",
        report.signed_in.rss_kib, report.before_mock.rss_kib, report.signed_in.hwm_kib
    );
    let pair = |l: &mock_load::Latency| {
        format!(
            "{} / {}",
            nanos_as_micros(l.p50_ns),
            nanos_as_micros(l.p99_ns)
        )
    };
    for phase in &report.phases {
        let op = |i: usize| phase.per_operation.get(i).map_or("—".to_owned(), pair);
        println!(
            "| {} | {} | {} | {} | {} / {} | {} | {:.0} | {:.0} | {} | {} | {} | {} | {} KiB | {} KiB |",
            phase.name,
            phase.actions,
            phase.orders,
            phase.refused,
            phase.cancels.0,
            phase.cancels.1,
            phase.failures,
            phase.orders_per_second(),
            phase.requests_per_second(),
            pair(&phase.latency),
            op(0),
            op(1),
            op(2),
            phase.memory.rss_kib,
            phase.memory.hwm_kib,
        );
    }
    let rounds = report.rounds();
    if let (Some(first), Some(last)) = (rounds.first(), rounds.last()) {
        let orders_after_first: usize = rounds[1..].iter().map(|p| p.orders).sum();
        let growth = mock_load::kib_delta(first.memory.rss_kib, last.memory.rss_kib);
        println!();
        println!(
            "VmRSS from the end of round 1 to the end of round {}: {growth:+} KiB over {orders_after_first} more orders booked ({:.0} bytes an order); the exchange keeps every order up to {} an account.",
            rounds.len(),
            growth as f64 * 1024.0 / orders_after_first.max(1) as f64,
            etna_mock::MAX_ORDERS,
        );
    }
    let inv = &report.invariant;
    println!(
        "Invariant after the run, through the API: {} accounts, {} orders placed, {} listed ({} filled on the accounts checked whole); {}.",
        inv.accounts,
        inv.orders_placed,
        inv.orders_listed,
        inv.filled,
        if !inv.broken.is_empty() {
            format!("**broken**: {:?}", inv.broken)
        } else if inv.beyond_cap == 0 {
            "every order placed listed exactly once, nothing else listed; cash + fills + the previews' commissions = the starting cash, and positions = the fills, on every account".to_owned()
        } else {
            format!(
                "{} accounts placed more orders than the exchange keeps ({} done ones): on them, no order listed twice and none listed that was not placed (their cash cannot be checked without the dropped orders); on the others the whole invariant holds",
                inv.beyond_cap,
                etna_mock::MAX_ORDERS
            )
        }
    );
}

fn nanos_as_micros(nanos: u64) -> String {
    micros(Duration::from_nanos(nanos))
}
