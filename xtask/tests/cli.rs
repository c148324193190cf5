//! The `xtask` binary as `cargo xtask` runs it. Having an integration test
//! also makes `cargo test --workspace` build the binary with the workspace's
//! features, so that `.ci/run` runs the gates with it instead of building
//! xtask's dependency tree a second time for `cargo run -p xtask`.

use std::path::Path;
use std::process::Command;

use etna_drift::Rule;

fn xtask(args: &[&str]) -> (bool, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root)
        .output()
        .expect("the xtask binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn drift_rules_prints_one_covered_row_per_rule() {
    let (ok, stdout, stderr) = xtask(&["drift", "--rules"]);
    assert!(ok, "xtask drift --rules failed: {stderr}");
    let rows: Vec<&str> = stdout.lines().skip(2).collect();
    assert_eq!(
        stdout.lines().next(),
        Some("| id | class | description | corpus cases |")
    );
    assert_eq!(rows.len(), Rule::ALL.len(), "{stdout}");
    for (row, rule) in rows.iter().zip(Rule::ALL) {
        assert!(
            row.starts_with(&format!("| `{}` |", rule.id())),
            "row for {}: {row}",
            rule.id()
        );
        assert!(!row.contains("**none**"), "a rule without a case: {row}");
    }
}

#[test]
fn help_names_every_task() {
    let (ok, stdout, stderr) = xtask(&["--help"]);
    assert!(ok, "{stderr}");
    for task in ["codegen", "drift", "bench", "lint", "docs"] {
        assert!(
            stdout.lines().any(|l| l.trim_start().starts_with(task)),
            "--help does not list {task}:\n{stdout}"
        );
    }
}
