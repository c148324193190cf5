//! Instructions per call, etna-client against the hand-written call, counted
//! by callgrind (`etna-bench --instructions`). A clock on this class of
//! machine cannot rank differences of a few hundred nanoseconds; an
//! instruction count is the same on every run of the same binary, whatever
//! else the machine does. Each side runs alone in a process of its own
//! (`--one-side`) twice, with a short and a long count: the difference of
//! the two counts divided by the difference of the calls takes start-up
//! out.

use std::process::Command;

use clap::ValueEnum;

use crate::caller::{Call, CallFailed};
use crate::decimals::Numbers;
use crate::one_side::Side;
use crate::table::{INSTRUCTIONS_TARGET, verdict};

/// The two call counts of each side.
#[derive(Clone, Copy, Debug)]
pub struct Counts {
    /// The shorter run.
    pub short: usize,
    /// The longer run; its extra calls are what is counted.
    pub long: usize,
}

impl Counts {
    /// About a minute for the whole table under callgrind on 2 cores.
    pub const FULL: Self = Self {
        short: 1000,
        long: 3000,
    };
    /// A few seconds a run; start-up noise is a larger share.
    pub const QUICK: Self = Self {
        short: 100,
        long: 300,
    };
}

/// The instructions of one call of `call` on each side.
#[derive(Clone, Copy, Debug)]
pub struct InstructionRow {
    /// The call counted.
    pub call: Call,
    /// etna-client's instructions per call.
    pub generated: f64,
    /// The hand-written call's.
    pub handwritten: f64,
}

impl InstructionRow {
    /// etna-client's count over the hand-written one.
    pub fn ratio(&self) -> f64 {
        self.generated / self.handwritten
    }
}

/// Counts every call on both sides by running `exe` (this binary) under
/// callgrind four times per call.
pub fn count_all(exe: &std::path::Path, counts: Counts) -> Result<Vec<InstructionRow>, CallFailed> {
    Call::ALL
        .into_iter()
        .map(|call| {
            Ok(InstructionRow {
                call,
                generated: per_call(exe, Side::Generated, call, counts)?,
                handwritten: per_call(exe, Side::HandWritten, call, counts)?,
            })
        })
        .collect()
}

fn per_call(
    exe: &std::path::Path,
    side: Side,
    call: Call,
    counts: Counts,
) -> Result<f64, CallFailed> {
    let args = |count: usize| {
        vec![
            "--one-side".to_owned(),
            name(side.to_possible_value()),
            "--call".to_owned(),
            name(call.to_possible_value()),
            "--count".to_owned(),
            count.to_string(),
        ]
    };
    let short = instructions(exe, &args(counts.short))?;
    let long = instructions(exe, &args(counts.long))?;
    Ok(per_call_from(short, long, counts))
}

/// Instructions per decode of the page of orders, into the generated types
/// and into their `f64` mirror.
#[derive(Clone, Copy, Debug)]
pub struct DecodeRow {
    /// Into the generated `OrderPage` (`Decimal`).
    pub decimal: f64,
    /// Into `decimals::F64Page`.
    pub f64: f64,
}

/// Counts both decodes of the page (`--decode`), start-up taken out as for
/// the calls.
pub fn count_decodes(exe: &std::path::Path, counts: Counts) -> Result<DecodeRow, CallFailed> {
    let per_decode = |numbers: Numbers| -> Result<f64, CallFailed> {
        let args = |count: usize| {
            vec![
                "--decode".to_owned(),
                name(numbers.to_possible_value()),
                "--count".to_owned(),
                count.to_string(),
            ]
        };
        let short = instructions(exe, &args(counts.short))?;
        let long = instructions(exe, &args(counts.long))?;
        Ok(per_call_from(short, long, counts))
    };
    Ok(DecodeRow {
        decimal: per_decode(Numbers::Decimal)?,
        f64: per_decode(Numbers::F64)?,
    })
}

fn name(value: Option<clap::builder::PossibleValue>) -> String {
    value.map(|v| v.get_name().to_owned()).unwrap_or_default()
}

/// `(Ir(long) - Ir(short)) / (long - short)`.
fn per_call_from(short: u64, long: u64, counts: Counts) -> f64 {
    (long as f64 - short as f64) / (counts.long - counts.short) as f64
}

/// The instructions callgrind counted in one run of `exe` with `args`
/// (`--one-side ...` or `--decode ...`).
fn instructions(exe: &std::path::Path, args: &[String]) -> Result<u64, CallFailed> {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .args(args)
        .output()
        .map_err(|e| {
            CallFailed(format!(
                "could not run valgrind ({e}); install it (Debian: apt-get install valgrind)"
            ))
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(CallFailed(format!(
            "callgrind on `{}` failed ({}): {}",
            args.join(" "),
            output.status,
            stderr.lines().last().unwrap_or("")
        )));
    }
    collected(&stderr).ok_or_else(|| {
        CallFailed("callgrind printed no `Collected :` line; is it valgrind's callgrind?".into())
    })
}

/// The count from callgrind's summary line `==PID== Collected : 123456`.
fn collected(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|line| {
        let (_, rest) = line.split_once("Collected :")?;
        rest.trim().parse().ok()
    })
}

/// The Markdown rows, one per call, each held to the per-call target: the
/// count is the same on every run of a binary, where the clock cannot
/// resolve the gap that is left (BENCHMARKS.md).
pub fn print_rows(rows: &[InstructionRow], counts: Counts) {
    for row in rows {
        println!(
            "| `instructions_per_call` | {}: instructions per call, client and server (callgrind, {} − {} calls) | {:.0} | {:.0} | {:.3} | ≤ {} | {} |",
            row.call.describe(),
            counts.long,
            counts.short,
            row.generated,
            row.handwritten,
            row.ratio(),
            INSTRUCTIONS_TARGET,
            verdict(row.ratio() <= INSTRUCTIONS_TARGET),
        );
    }
}

/// The row of the decimals' cost: information, no target (issue 31 asks
/// for the cost to be stated).
pub fn print_decode_row(row: &DecodeRow, counts: Counts) {
    println!(
        "| `decode_decimals` | the page of {} orders (`list_orders`' answer, 1 000 decimals) decoded into the generated types (`Decimal`) / into the same types with `f64`: instructions per decode (callgrind, {} − {} decodes) | {:.0} | {:.0} | {:.3} | information | — |",
        crate::server::PAGE_ORDERS,
        counts.long,
        counts.short,
        row.decimal,
        row.f64,
        row.decimal / row.f64,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_read_from_callgrinds_summary() {
        let stderr = "==27310== Events    : Ir\n==27310== Collected : 3485312630\n==27310== \n==27310== I   refs:      3,485,312,630\n";
        assert_eq!(collected(stderr), Some(3_485_312_630));
        assert_eq!(collected("==1== no summary\n"), None);
    }

    #[test]
    fn start_up_cancels_out_of_the_per_call_figure() {
        // 5 000 instructions of start-up, 90 000 a call.
        let counts = Counts {
            short: 1000,
            long: 3000,
        };
        let at = |n: u64| 5_000 + 90_000 * n;
        assert_eq!(per_call_from(at(1000), at(3000), counts), 90_000.0);
    }
}
