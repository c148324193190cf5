//! The Markdown rows of `request_overhead` and `codegen_scaling` that the
//! `etna-bench` binary prints and `cargo xtask bench` collects.

use std::time::Duration;

use crate::caller::Call;
use crate::codegen::{self, CodegenRow};
use crate::request::RequestReport;

/// The per-call target (issue 30), checked where it is deterministic: every
/// call of `request_overhead` runs at most this many times the hand-written
/// call's instructions (`--instructions`) ...
pub const INSTRUCTIONS_TARGET: f64 = 1.05;
/// ... and its future, what a call in flight holds, at most this many times
/// the hand-written call's bytes.
pub const FUTURE_BYTES_TARGET: f64 = 1.5;

/// "met" or "**not met**", the last column of a row with a target.
pub fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

/// The latency and throughput rows of one call against its hand-written
/// twin, as information (see `INSTRUCTIONS_TARGET`).
pub fn print_request_rows(report: &RequestReport, call: Call) {
    let (generated, handwritten) = (&report.generated, &report.handwritten);
    let plan = report.plan;
    // The clock's ratios are information beside the A/A control
    // (`--control`): on loopback it cannot resolve the gap that is left, so
    // the target is held by the instruction and byte counts instead.
    let latency = |what: &str, g: Duration, h: Duration, ratio: f64| {
        println!(
            "| `request_overhead` | {}: sequential latency {what} ({} calls per side) | {} | {} | {ratio:.3} | information | — |",
            call.describe(),
            generated.samples,
            micros(g),
            micros(h),
        );
    };
    latency("p50", generated.p50, handwritten.p50, report.p50_ratio());
    latency("p99", generated.p99, handwritten.p99, report.p99_ratio());
    let ratio = report.throughput_ratio();
    println!(
        "| `request_overhead` | {}: throughput, {} in flight on one client (median of {} rounds of {}) | {:.0} req/s | {:.0} req/s | {ratio:.3} | information | — |",
        call.describe(),
        plan.concurrency,
        plan.throughput_rounds,
        plan.concurrency * plan.per_task,
        generated.throughput,
        handwritten.throughput,
    );
}

/// The A/A control: the same rows as [`print_request_rows`] for the
/// hand-written call against itself, without a verdict.
pub fn print_control_rows(report: &RequestReport, call: Call) {
    let (a, b) = (&report.generated, &report.handwritten);
    let plan = report.plan;
    for (what, x, y, ratio) in [
        ("p50", a.p50, b.p50, report.p50_ratio()),
        ("p99", a.p99, b.p99, report.p99_ratio()),
    ] {
        println!(
            "| `request_overhead_control` | {}, hand-written against itself: sequential latency {what} ({} calls per side) | {} | {} | {ratio:.3} | — | — |",
            call.describe(),
            a.samples,
            micros(x),
            micros(y),
        );
    }
    println!(
        "| `request_overhead_control` | {}, hand-written against itself: throughput, {} in flight on one client (median of {} rounds of {}) | {:.0} req/s | {:.0} req/s | {:.3} | — | — |",
        call.describe(),
        plan.concurrency,
        plan.throughput_rounds,
        plan.concurrency * plan.per_task,
        a.throughput,
        b.throughput,
        report.throughput_ratio(),
    );
}

/// Context for the targets: the same overhead against a server that is not
/// on the client's core and takes a millisecond.
pub fn print_delayed_rows(report: &RequestReport, delay: Duration) {
    let (generated, handwritten) = (&report.generated, &report.handwritten);
    for (what, g, h, ratio) in [
        ("p50", generated.p50, handwritten.p50, report.p50_ratio()),
        ("p99", generated.p99, handwritten.p99, report.p99_ratio()),
    ] {
        println!(
            "| `request_overhead` | step 3, context: latency {what}, server on its own thread sleeping {} ms per request ({} calls per side) | {} | {} | {ratio:.3} | — | — |",
            delay.as_millis(),
            generated.samples,
            micros(g),
            micros(h),
        );
    }
}

/// The rows of `codegen_scaling`: time per size, slope per added operation.
pub fn print_codegen_rows(rows: &[CodegenRow]) {
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
            "| `codegen_scaling` | parse + generate + format, {} op ({} lines, median of {} runs) | {} | {comparison} | {ratio} | {target} | {verdict} |",
            row.operations,
            row.lines,
            row.runs,
            millis(row.median),
        );
    }
}

/// A duration in microseconds, one decimal.
pub fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// A duration in milliseconds (seconds from one second on), two decimals.
pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{ms:.2} ms")
    }
}
