//! `cargo xtask bench`: every benchmark of BENCHMARKS.md in one run, printed as
//! one table and written to `target/etna-bench/table.md`.
//!
//! Items 1 and 2 (request overhead, generation cost) run in the release-built
//! `etna-bench` binary; `freshness_check` (`codegen --check` wall time) and
//! `consumer_build_cost` (cold build
//! and dependency count against a reqwest+serde crate) are timed here, around
//! cargo.

mod build_cost;
mod codegen_check;
mod machine;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use etna_codegen::workspace_root;

#[derive(clap::Args)]
pub struct Args {
    /// Short runs of request_overhead and codegen_scaling (seconds): checks the runner, the numbers mean little.
    #[arg(long)]
    quick: bool,
    /// Skip consumer_build_cost's cold builds (the slowest part, several minutes on 2 cores).
    #[arg(long)]
    skip_cold_builds: bool,
    /// Also time each of etna-client's extra steps against the hand-written
    /// call (about 2.5 minutes), and print that table after the main one.
    #[arg(long)]
    breakdown: bool,
    /// Also count instructions per call of every call on both sides under
    /// callgrind (needs valgrind; about 7 minutes, most of it the page of
    /// 100 orders): the `instructions_per_call` rows, which do not vary from
    /// run to run as times do, and the `decode_decimals` row.
    #[arg(long)]
    instructions: bool,
    /// Also the A/A control (about 2 minutes): the hand-written call against
    /// itself for every call, the `request_overhead_control` rows that say
    /// how far the clock's ratios move with nothing to find.
    #[arg(long)]
    control: bool,
    /// Where to write the table (default: target/etna-bench/table.md).
    #[arg(long)]
    out: Option<PathBuf>,
}

const HEADER: &str = "\
| benchmark | measurement | etna-client | comparison | ratio | target | verdict |
|---|---|---|---|---|---|---|";

pub fn run(args: Args) -> ExitCode {
    match bench(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(args: &Args) -> Result<(), String> {
    let root = workspace_root();
    let started = Instant::now();
    let load_before = machine::load_average();
    let sampler = machine::Sampler::start();

    eprintln!(
        "==> request_overhead, codegen_scaling: cargo run --release -p etna-bench (builds it first)"
    );
    let quick: &[&str] = if args.quick { &["--quick"] } else { &[] };
    let mut rows = etna_bench_lines(&root, quick)?;
    let after_items_1_2 = started.elapsed();
    let breakdown = if args.breakdown {
        eprintln!("==> request_overhead step by step: etna-bench --breakdown");
        let rows = etna_bench_lines(&root, &[&["--breakdown"], quick].concat())?;
        format!("\n{}\n", rows.join("\n"))
    } else {
        String::new()
    };

    if args.instructions {
        eprintln!("==> instructions_per_call: etna-bench --instructions (callgrind)");
        rows.extend(etna_bench_lines(
            &root,
            &[&["--instructions"], quick].concat(),
        )?);
    }

    if args.control {
        eprintln!("==> request_overhead_control: etna-bench --control");
        rows.extend(etna_bench_lines(&root, &[&["--control"], quick].concat())?);
    }

    eprintln!("==> freshness_check: cargo xtask codegen --check, warm");
    rows.extend(codegen_check::rows(&root)?);

    if args.skip_cold_builds {
        eprintln!("==> consumer_build_cost: skipped (--skip-cold-builds)");
    } else {
        eprintln!("==> consumer_build_cost: cold builds in fresh target directories, cargo tree");
        rows.extend(build_cost::rows(&root)?);
    }
    let others = sampler.finish();

    let table = format!("{HEADER}\n{}\n{breakdown}", rows.join("\n"));
    let notes = format!(
        "Machine: {}.\n\nLoad: load average {load_before} at the start, {} at the end; {others}.\n\nCommand: `cargo xtask bench{}{}{}{}{}`, {:.0} s in all ({:.0} s for request_overhead and codegen_scaling including the release build of etna-bench).\n",
        machine::describe(),
        machine::load_average(),
        if args.quick { " --quick" } else { "" },
        if args.breakdown { " --breakdown" } else { "" },
        if args.instructions {
            " --instructions"
        } else {
            ""
        },
        if args.control { " --control" } else { "" },
        if args.skip_cold_builds {
            " --skip-cold-builds"
        } else {
            ""
        },
        started.elapsed().as_secs_f64(),
        after_items_1_2.as_secs_f64(),
    );
    println!("\n{table}\n{notes}");
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("target/etna-bench/table.md"));
    write(&out, &format!("{table}\n{notes}"))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// Runs the `etna-bench` binary (built first), whose stdout is table rows.
fn etna_bench_lines(root: &Path, flags: &[&str]) -> Result<Vec<String>, String> {
    let mut command = cargo(root);
    command
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "etna-bench",
            "--bin",
            "etna-bench",
            "--",
        ])
        .args(flags);
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the etna-bench binary failed ({}); its messages are above",
            output.status
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with('|'))
        .map(str::to_owned)
        .collect())
}

/// `cargo` as the one running this xtask, in the workspace root.
fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    command
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{s:.1} s")
    }
}
