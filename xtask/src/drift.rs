//! `cargo xtask drift`: what the spec changes since a git revision (or between
//! two files) mean for callers of etna-client, one line per change;
//! `--rules`: the rules it applies, with the corpus cases that cover each.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use etna_codegen::{
    REPLACED_SCHEMAS, SPEC_PATH, STREAMING_SPEC_PATH, load_spec, parse_spec, workspace_root,
};
use etna_drift::{
    Advice, CORPUS_DIR, Class, Format, Options, Report, corpus_coverage, diff, diff_streaming,
    package_version, rules_markdown,
};

const CLIENT_MANIFEST: &str = "crates/etna-client/Cargo.toml";

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when nothing at or above --fail-on changed, 1 when something did, 2 on an error."
)]
pub struct Args {
    /// Git revision whose spec is the old side; the working tree is the new one.
    #[arg(long, default_value = "HEAD", conflicts_with_all = ["old", "new"])]
    base: String,
    /// Old spec file (with --new): compare two files instead of a revision.
    #[arg(long, requires = "new", value_name = "FILE")]
    old: Option<PathBuf>,
    /// New spec file (with --old).
    #[arg(long, requires = "old", value_name = "FILE")]
    new: Option<PathBuf>,
    /// Output format; markdown is meant for a review comment.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Exit with status 1 when a change of this class (or a worse one) is found.
    #[arg(long, value_enum, value_name = "CLASS")]
    fail_on: Option<FailOn>,
    /// Print drift's rules as a Markdown table (id, class, description, the
    /// corpus cases under tests/drift/ that cover it) instead of comparing.
    #[arg(long, conflicts_with_all = ["base", "old", "new", "format", "fail_on"])]
    rules: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FailOn {
    Breaking,
    Warning,
}

pub fn run(args: Args) -> ExitCode {
    if args.rules {
        return rules();
    }
    match compare(&args) {
        Ok(report) => {
            let format = match args.format {
                OutputFormat::Text => Format::Text,
                OutputFormat::Json => Format::Json,
                OutputFormat::Markdown => Format::Markdown,
            };
            print!("{}", report.render(format));
            let worst = match args.fail_on {
                None => return ExitCode::SUCCESS,
                Some(FailOn::Breaking) => Class::Breaking,
                Some(FailOn::Warning) => Class::Warning,
            };
            if report.changes.iter().any(|c| c.class <= worst) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn rules() -> ExitCode {
    match corpus_coverage(&workspace_root().join(CORPUS_DIR)) {
        Ok(covering) => {
            print!("{}", rules_markdown(&covering));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn compare(args: &Args) -> Result<Report, String> {
    let root = workspace_root();
    let current = std::fs::read_to_string(root.join(CLIENT_MANIFEST))
        .map_err(|e| format!("cannot read {CLIENT_MANIFEST}: {e}"))
        .and_then(|text| package_version(&text).map_err(|e| format!("{CLIENT_MANIFEST}: {e}")))?;
    let (old, new, base_version, compared) = match (&args.old, &args.new) {
        (Some(old), Some(new)) => (
            load(old)?,
            load(new)?,
            None,
            format!("{} -> {}", old.display(), new.display()),
        ),
        _ => {
            let text = git_show(&root, &args.base, SPEC_PATH)?;
            let old = parse_spec(&text, &format!("{}:{SPEC_PATH}", args.base))
                .map_err(|e| format!("the spec at {} does not parse: {e}", args.base))?;
            let new = load(&root.join(SPEC_PATH))?;
            // A base without the client crate (or with an unreadable version)
            // only means the advice cannot say whether the version moved.
            let base_version = git_show(&root, &args.base, CLIENT_MANIFEST)
                .ok()
                .and_then(|text| package_version(&text).ok());
            let compared = format!(
                "{base}:{SPEC_PATH} and {base}:{STREAMING_SPEC_PATH} -> working tree",
                base = args.base
            );
            (old, new, base_version, compared)
        }
    };
    let mut changes = diff(&old, &new, &Options::with_replaced(REPLACED_SCHEMAS));
    // The AsyncAPI document beside it, in revision mode (two files given
    // are two OpenAPI specs). A base without it: everything in it is new.
    if args.old.is_none() {
        let old = match git_show(&root, &args.base, STREAMING_SPEC_PATH) {
            Ok(text) => etna_spec::parse(&text).map_err(|e| {
                format!("the AsyncAPI document at {} does not parse: {e}", args.base)
            })?,
            Err(_) => serde_json::json!({}),
        };
        let new = etna_spec::load(&root.join(STREAMING_SPEC_PATH))
            .map_err(|e| format!("{STREAMING_SPEC_PATH}: {e}"))?;
        changes.extend(diff_streaming(&old, &new));
        changes.sort_by(|a, b| {
            (a.class, &a.operation, &a.pointer, &a.message).cmp(&(
                b.class,
                &b.operation,
                &b.pointer,
                &b.message,
            ))
        });
    }
    let advice = Advice::new(&changes, base_version.as_ref(), Some(&current));
    Ok(Report::new(compared, changes, advice))
}

fn load(path: &Path) -> Result<openapiv3::OpenAPI, String> {
    load_spec(path).map_err(|e| e.to_string())
}

/// The contents of `path` at `rev`, read with `git show`.
fn git_show(root: &Path, rev: &str, path: &str) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &format!("{rev}:{path}")])
        .output()
        .map_err(|e| {
            format!("cannot run `git` ({e}): install git, or compare two files with --old FILE --new FILE")
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "cannot read {path} at revision `{rev}`: {}\n  fix: pass an existing revision with --base REV, or compare two files with --old FILE --new FILE",
            stderr.trim()
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("{path} at `{rev}` is not UTF-8"))
}
