//! `consumer_build_cost`: what etna-client costs a consumer to build, against a crate that
//! makes the same call with reqwest and serde only (`crates/etna-bench/baseline`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::{cargo, seconds};

/// Crates that belong to code generation and must stay out of the client's tree.
const GENERATION_CRATES: [&str; 5] = [
    "progenitor-impl",
    "openapiv3",
    "typify",
    "typify-impl",
    "typify-macro",
];

pub fn rows(root: &Path) -> Result<Vec<String>, String> {
    let scratch = Scratch::new()?;
    let baseline = scratch.0.join("baseline");
    copy_baseline(root, &baseline)?;

    eprintln!("    cold build of etna-client ...");
    let client_build = timed(
        cargo(root)
            .args(["build", "-p", "etna-client"])
            .env("CARGO_TARGET_DIR", scratch.0.join("client-target")),
    )?;
    eprintln!("    cold build of the reqwest+serde crate ...");
    let baseline_build = timed(
        cargo(&baseline)
            .arg("build")
            .env("CARGO_TARGET_DIR", scratch.0.join("baseline-target")),
    )?;

    let client = Tree::of(root, &["-p", "etna-client"])?;
    let ours = Tree::of(&baseline, &[])?;
    let found: Vec<_> = GENERATION_CRATES
        .iter()
        .filter(|name| client.names().contains(**name))
        .copied()
        .collect();
    let client_syn = client.syn_users(root, &["-p", "etna-client"])?;
    let baseline_syn = ours.syn_users(&baseline, &[])?;

    let ratio = |a: f64, b: f64| format!("{:.2}", a / b);
    let count_row = |what: &str, a: usize, b: usize| {
        format!(
            "| `consumer_build_cost` | {what} | {a} | {b} (reqwest+serde crate) | {} | — | shown |",
            ratio(a as f64, b as f64)
        )
    };
    Ok(vec![
        format!(
            "| `consumer_build_cost` | cold `cargo build -p etna-client` (dev profile, fresh `CARGO_TARGET_DIR`) | {} | {} (reqwest+serde crate) | {} | — | shown |",
            seconds(client_build),
            seconds(baseline_build),
            ratio(client_build.as_secs_f64(), baseline_build.as_secs_f64()),
        ),
        count_row(
            "`cargo tree -p etna-client -e normal --prefix none \\| sort -u \\| wc -l`",
            client.unique_lines,
            ours.unique_lines,
        ),
        count_row(
            "distinct crates in that tree (its `(*)` repeat lines not counted)",
            client.crates.len(),
            ours.crates.len(),
        ),
        count_row(
            "distinct crates compiled into the consumer's program (`-e normal,no-proc-macro`)",
            client.runtime_crates,
            ours.runtime_crates,
        ),
        format!(
            "| `consumer_build_cost` | progenitor-impl, openapiv3, typify in etna-client's normal tree | {} | | — | absent | {} |",
            if found.is_empty() {
                "absent".to_owned()
            } else {
                format!("present: {}", found.join(", "))
            },
            if found.is_empty() {
                "met"
            } else {
                "**not met**"
            },
        ),
        format!(
            "| `consumer_build_cost` | syn in the normal tree, and the proc-macros that bring it | {} | {} | — | only through derive macros | {} |",
            describe_syn(&client_syn),
            describe_syn(&baseline_syn),
            if client_syn.only_proc_macros {
                "met"
            } else {
                "**not met**"
            },
        ),
    ])
}

fn describe_syn(syn: &SynUsers) -> String {
    if syn.versions.is_empty() {
        return "absent".to_owned();
    }
    format!(
        "{} via {}{}",
        syn.versions.join(", "),
        syn.proc_macros
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        if syn.only_proc_macros {
            ""
        } else {
            " **and in the compiled program**"
        }
    )
}

/// A directory under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("etna-bench-cold-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Copies the comparison crate out of the workspace, with the workspace's
/// lock file so that both builds compile the same versions.
fn copy_baseline(root: &Path, to: &Path) -> Result<(), String> {
    let from = root.join("crates/etna-bench/baseline");
    fs::create_dir_all(to.join("src"))
        .map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for (source, target) in [
        (from.join("Cargo.toml"), to.join("Cargo.toml")),
        (from.join("src/lib.rs"), to.join("src/lib.rs")),
        (root.join("Cargo.lock"), to.join("Cargo.lock")),
    ] {
        fs::copy(&source, &target).map_err(|e| {
            format!(
                "cannot copy {} to {}: {e}",
                source.display(),
                target.display()
            )
        })?;
    }
    Ok(())
}

fn timed(command: &mut Command) -> Result<Duration, String> {
    let start = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(start.elapsed())
}

fn tree(dir: &Path, select: &[&str], rest: &[&str]) -> Result<Vec<String>, String> {
    let mut command = cargo(dir);
    command
        .arg("tree")
        .args(select)
        .args(rest)
        .args(["--prefix", "none"]);
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// `name vX.Y.Z` without cargo tree's `(*)`, `(proc-macro)` and path suffixes.
fn crate_id(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

struct Tree {
    /// What the issue's `sort -u | wc -l` counts.
    unique_lines: usize,
    /// `name vX.Y.Z` of every crate in the normal tree.
    crates: BTreeSet<String>,
    /// Crates left without proc-macros and their dependencies.
    runtime_crates: usize,
}

struct SynUsers {
    versions: Vec<String>,
    proc_macros: BTreeSet<String>,
    only_proc_macros: bool,
}

impl Tree {
    fn of(dir: &Path, select: &[&str]) -> Result<Self, String> {
        let lines = tree(dir, select, &["-e", "normal"])?;
        let runtime: BTreeSet<_> = tree(dir, select, &["-e", "normal,no-proc-macro"])?
            .iter()
            .map(|l| crate_id(l))
            .collect();
        Ok(Self {
            unique_lines: lines.iter().collect::<BTreeSet<_>>().len(),
            crates: lines.iter().map(|l| crate_id(l)).collect(),
            runtime_crates: runtime.len(),
        })
    }

    fn names(&self) -> BTreeSet<&str> {
        self.crates
            .iter()
            .filter_map(|id| id.split_whitespace().next())
            .collect()
    }

    /// Which proc-macros pull in each syn, and whether syn is absent once
    /// proc-macros are left out (it then never reaches the compiled program).
    fn syn_users(&self, dir: &Path, select: &[&str]) -> Result<SynUsers, String> {
        let versions: Vec<String> = self
            .crates
            .iter()
            .filter(|id| id.starts_with("syn v"))
            .map(|id| id.trim_start_matches("syn v").to_owned())
            .collect();
        let mut proc_macros = BTreeSet::new();
        for version in &versions {
            let spec = format!("syn@{version}");
            for line in tree(dir, select, &["-e", "normal", "-i", &spec])? {
                if line.contains("(proc-macro)") {
                    proc_macros.insert(line.split_whitespace().next().unwrap_or("").to_owned());
                }
            }
        }
        let runtime = tree(dir, select, &["-e", "normal,no-proc-macro"])?;
        let only_proc_macros = !runtime.iter().any(|l| l.starts_with("syn v"));
        Ok(SynUsers {
            versions: versions.iter().map(|v| format!("syn {v}")).collect(),
            proc_macros,
            only_proc_macros,
        })
    }
}
