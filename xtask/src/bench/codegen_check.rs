//! `freshness_check`: wall time of `cargo xtask codegen --check` with everything built.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{cargo, seconds};

const RUNS: usize = 5;

pub fn rows(root: &Path) -> Result<Vec<String>, String> {
    // The first run builds xtask if anything changed; it is not timed.
    run_once(root)?;
    let mut times = Vec::new();
    let mut in_process = String::new();
    let mut failure = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let (ok, stdout) = run_once(root)?;
        times.push(start.elapsed());
        if !ok {
            failure = Some(stdout);
            break;
        }
        // "generated files are up to date (N checked in 41.2ms)"
        if let Some(took) = stdout.split("checked in ").nth(1) {
            in_process = took.trim_end().trim_end_matches(')').to_owned();
        }
    }
    if let Some(stdout) = failure {
        return Ok(vec![format!(
            "| `freshness_check` | `cargo xtask codegen --check`, warm | failed: {} | | | well under 1 s | **not met** |",
            stdout.lines().last().unwrap_or("stale generated files")
        )]);
    }
    times.sort_unstable();
    let median = times[times.len() / 2];
    let met = if median < Duration::from_secs(1) {
        "met"
    } else {
        "**not met**"
    };
    Ok(vec![format!(
        "| `freshness_check` | `cargo xtask codegen --check` on the real spec, warm build (median of {RUNS}; fastest {}) | {} | generation inside it: {in_process} | — | well under 1 s | {met} |",
        seconds(times[0]),
        seconds(median),
    )])
}

/// Runs the check once: whether it passed, and its stdout.
fn run_once(root: &Path) -> Result<(bool, String), String> {
    let output = cargo(root)
        .args(["xtask", "codegen", "--check"])
        .output()
        .map_err(|e| format!("cannot run cargo xtask codegen --check: {e}"))?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}
