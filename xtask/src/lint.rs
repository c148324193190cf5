//! `cargo xtask lint`: the spec through Redocly CLI, Spectral and the
//! workspace's own rules, the AsyncAPI document through the AsyncAPI CLI;
//! fails on any problem of any severity.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use etna_codegen::{SPEC_PATH, STREAMING_SPEC_PATH, workspace_root};
use etna_spec_review::{LinterReport, NodeTools, TOOLS_DIR, ToolError, load_spec, rules};

type Linter = fn(&NodeTools, &Path) -> Result<LinterReport, ToolError>;

#[derive(clap::Args)]
pub struct Args {
    /// The spec to lint, instead of openapi/etna-trader.yaml.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// The AsyncAPI document to lint, instead of openapi/etna-streaming.yaml.
    #[arg(long, value_name = "FILE")]
    streaming: Option<PathBuf>,
}

/// The spec to work on (the workspace's unless `--spec` names another),
/// relative to the root when it is inside it, so that every tool prints short
/// `file:line` locations.
pub(crate) fn spec_path(root: &Path, spec: Option<PathBuf>) -> PathBuf {
    let spec = spec.unwrap_or_else(|| root.join(SPEC_PATH));
    spec.strip_prefix(root).map(Path::to_owned).unwrap_or(spec)
}

pub fn run(args: Args) -> ExitCode {
    let root = workspace_root();
    let spec = spec_path(&root, args.spec);
    let streaming = args
        .streaming
        .unwrap_or_else(|| root.join(STREAMING_SPEC_PATH));
    let streaming = streaming
        .strip_prefix(&root)
        .map(Path::to_owned)
        .unwrap_or(streaming);
    // Checks that found problems in the spec, and checks that could not run.
    let mut failures = Vec::new();
    let mut not_run = Vec::new();

    // The own rules need no Node.js, so they run (and report) even without it.
    match load_spec(&root.join(&spec)) {
        Ok(value) => {
            let violations = rules::check(&value);
            if violations.is_empty() {
                println!("workspace rules: clean");
            } else {
                println!("workspace rules: {} problem(s)", violations.len());
                for violation in &violations {
                    println!("  {violation}");
                }
                failures.push("workspace rules".to_owned());
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            not_run.push("workspace rules".to_owned());
        }
    }

    match node_tools(&root) {
        Ok(tools) => {
            let linters: [(Linter, &Path); 3] = [
                (etna_spec_review::run_redocly, &spec),
                (etna_spec_review::run_spectral, &spec),
                (etna_spec_review::run_asyncapi, &streaming),
            ];
            for (lint, document) in linters {
                match lint(&tools, document) {
                    Ok(report) if report.clean => println!("{}: {}", report.tool, report.output),
                    Ok(report) => {
                        println!(
                            "{}: problems found\n{}",
                            report.tool,
                            report.output.trim_end()
                        );
                        failures.push(report.tool);
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        not_run.push("a linter".to_owned());
                    }
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            not_run.push("Redocly CLI, Spectral and the AsyncAPI CLI".to_owned());
        }
    }

    if failures.is_empty() && not_run.is_empty() {
        println!(
            "{} and {} pass every lint",
            spec.display(),
            streaming.display()
        );
        return ExitCode::SUCCESS;
    }
    if !not_run.is_empty() {
        eprintln!(
            "error: not run: {}; fix the error above and run `cargo xtask lint` again",
            not_run.join(", ")
        );
    }
    if !failures.is_empty() {
        eprintln!(
            "error: {} or {} fails lint: {}\n  fix: correct the document at the places above; a linter rule that does not \
             fit is switched off only in {TOOLS_DIR}/redocly.yaml or .spectral.yaml (the AsyncAPI CLI's only in \
             etna-spec-review's linters.rs), with a one-line reason",
            spec.display(),
            streaming.display(),
            failures.join(", ")
        );
    }
    ExitCode::FAILURE
}

/// Node.js and the pinned tools, installed with `npm ci` on first use (or
/// when package-lock.json changed).
pub(crate) fn node_tools(root: &Path) -> Result<NodeTools, ToolError> {
    let tools = NodeTools::locate(root)?;
    let outdated = tools.outdated()?;
    if !outdated.is_empty() {
        println!(
            "installing the pinned spec tools into {TOOLS_DIR}/node_modules with `npm ci` (first use, or the lock \
             file changed: {})",
            outdated.join(", ")
        );
        let started = Instant::now();
        tools.install()?;
        println!("installed in {:.1?}", started.elapsed());
    }
    Ok(tools)
}
