//! Measures items 1 and 2 of BENCHMARKS.md and prints them as Markdown table
//! rows on stdout (progress goes to stderr). `cargo xtask bench` runs it in
//! release mode and adds the rows of items 3 and 4.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use std::sync::Arc;

use etna_bench::caller::Caller;
use etna_bench::codegen::{self, CodegenRow};
use etna_bench::prototype::{Prototype, Steps};
use etna_bench::request::{self, Placement, RequestPlan, RequestReport};
use etna_bench::server::{EnvelopeServer, LocalServer};

/// Server time of the context rows of item 1.
const SERVER_DELAY: Duration = Duration::from_millis(1);

/// Spec sizes of item 2, in operations.
const SIZES: [usize; 4] = [1, 10, 100, 1000];

#[derive(Parser)]
#[command(about = "Request-overhead and generation-cost benchmarks (items 1 and 2)")]
struct Args {
    /// A few seconds in all: checks the runner, the numbers mean little.
    #[arg(long)]
    quick: bool,
    /// Instead of the table: time each of etna-client's extra steps, and the
    /// proposed fix, against the hand-written call.
    #[arg(long)]
    breakdown: bool,
    /// Where the server runs for the breakdown.
    #[arg(long, value_enum, default_value = "same-thread")]
    placement: PlacementArg,
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
    eprintln!("item 1: request overhead against a local server ...");
    let report = request::compare(plan, Placement::SameThread, Duration::ZERO)?;
    print_request_rows(&report);
    eprintln!("item 1: the same against a server on its own thread that takes 1 ms ...");
    let delayed_plan = if args.quick {
        RequestPlan {
            rounds: 2,
            ..RequestPlan::DELAYED
        }
    } else {
        RequestPlan::DELAYED
    };
    let delayed = request::compare(delayed_plan, Placement::OwnThread, SERVER_DELAY)?;
    print_delayed_rows(&delayed);

    eprintln!("item 2: parse + generate + format of synthetic specs ...");
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

/// Each variant against the hand-written call, in its own alternating run.
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
    let all = Steps {
        format_url: true,
        api_version_header: true,
        request_timeout: true,
        validate_code: true,
        cap_body: true,
        cap_unless_length_fits: false,
        clone_headers: true,
    };
    let one = |set: fn(&mut Steps)| {
        let mut steps = Steps::default();
        set(&mut steps);
        steps
    };
    let variants = [
        ("none (sanity check)", Steps::default()),
        (
            "URL formatted and parsed per call",
            one(|s| s.format_url = true),
        ),
        (
            "api-version header added, then removed",
            one(|s| s.api_version_header = true),
        ),
        ("per-request timeout", one(|s| s.request_timeout = true)),
        ("code validation", one(|s| s.validate_code = true)),
        (
            "cap_body (Limited, re-wrapped response)",
            one(|s| s.cap_body = true),
        ),
        (
            "ResponseValue header clone",
            one(|s| s.clone_headers = true),
        ),
        ("all of the above", all),
        (
            "fix 1 (hooks.rs): cap only a body without a fitting Content-Length",
            Steps {
                cap_body: false,
                cap_unless_length_fits: true,
                ..all
            },
        ),
        (
            "fix 2 = fix 1 + no per-request timeout when etna-client built the reqwest client",
            Steps {
                cap_body: false,
                cap_unless_length_fits: true,
                request_timeout: false,
                ..all
            },
        ),
        (
            "fix 3 = fix 2 + reset_token sends to a cached Url, bypassing the generated builder",
            Steps {
                cap_body: false,
                cap_unless_length_fits: true,
                request_timeout: false,
                format_url: false,
                api_version_header: false,
                ..all
            },
        ),
    ];
    println!(
        "| steps added to the hand-written call | p50 | hand-written p50 | p50 ratio | p99 ratio | throughput ratio |"
    );
    println!("|---|---|---|---|---|---|");
    let mut runs: Vec<(String, Caller)> = vec![(
        "etna_client::Client::reset_token".to_owned(),
        Caller::both(&base_url)?[0].clone(),
    )];
    for (name, steps) in variants {
        let prototype = Prototype::new("prototype", &base_url, steps)?;
        runs.push((name.to_owned(), Caller::Prototype(Arc::new(prototype))));
    }
    for (name, caller) in runs {
        let handwritten = Caller::both(&base_url)?[1].clone();
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

fn print_request_rows(report: &RequestReport) {
    let (generated, handwritten) = (&report.generated, &report.handwritten);
    let plan = report.plan;
    let verdict = |met: bool| if met { "met" } else { "**not met**" };
    let latency = |what: &str, g: Duration, h: Duration, ratio: f64| {
        println!(
            "| 1 | sequential latency {what} ({} calls per side) | {} | {} | {ratio:.3} | ≤ 1.05 | {} |",
            generated.samples,
            micros(g),
            micros(h),
            verdict(ratio <= 1.05)
        );
    };
    latency("p50", generated.p50, handwritten.p50, report.p50_ratio());
    latency("p99", generated.p99, handwritten.p99, report.p99_ratio());
    let ratio = report.throughput_ratio();
    println!(
        "| 1 | throughput, {} in flight on one client (median of {} rounds of {}) | {:.0} req/s | {:.0} req/s | {ratio:.3} | ≥ 0.95 | {} |",
        plan.concurrency,
        plan.throughput_rounds,
        plan.concurrency * plan.per_task,
        generated.throughput,
        handwritten.throughput,
        verdict(ratio >= 0.95)
    );
}

/// Context for the targets: the same overhead against a server that is not
/// on the client's core and takes a millisecond.
fn print_delayed_rows(report: &RequestReport) {
    let (generated, handwritten) = (&report.generated, &report.handwritten);
    for (what, g, h, ratio) in [
        ("p50", generated.p50, handwritten.p50, report.p50_ratio()),
        ("p99", generated.p99, handwritten.p99, report.p99_ratio()),
    ] {
        println!(
            "| 1 | context: latency {what}, server on its own thread sleeping {} ms per request ({} calls per side) | {} | {} | {ratio:.3} | — | — |",
            SERVER_DELAY.as_millis(),
            generated.samples,
            micros(g),
            micros(h),
        );
    }
}

fn print_codegen_rows(rows: &[CodegenRow]) {
    let mut first_slope = None;
    for (i, row) in rows.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &rows[p]);
        let slope = previous.and_then(|p| codegen::marginal(p, row));
        let comparison = match (previous, slope) {
            (Some(p), Some(s)) => format!(
                "{} per op; +{} per added op ({}→{})",
                millis(row.per_operation()),
                millis(s),
                p.operations,
                row.operations
            ),
            _ => format!("{} per op", millis(row.per_operation())),
        };
        // Flat growth: each later slope within 1.5× of the first one.
        let (ratio, target, verdict) = match (first_slope, slope) {
            (Some(first), Some(s)) => {
                let ratio = s.as_secs_f64() / Duration::as_secs_f64(&first);
                let met = if ratio <= 1.5 { "met" } else { "**not met**" };
                (format!("{ratio:.2}"), "slope ≤ 1.5× the 1→10 slope", met)
            }
            _ => ("—".to_owned(), "", ""),
        };
        if first_slope.is_none() {
            first_slope = slope;
        }
        println!(
            "| 2 | parse + generate + format, {} op ({} lines, median of {} runs) | {} | {comparison} | {ratio} | {target} | {verdict} |",
            row.operations,
            row.lines,
            row.runs,
            millis(row.median),
        );
    }
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{ms:.2} ms")
    }
}
