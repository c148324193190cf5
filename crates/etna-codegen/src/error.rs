use std::path::PathBuf;

use crate::preflight::Problem;

/// Why the client could not be generated. Every variant says what to change.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec file could not be read.
    #[error("cannot read the spec {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The spec is not valid YAML/JSON, or not an OpenAPI 3.0 document.
    #[error(
        "{path} is not a valid OpenAPI 3.0 document: {message}\n  fix the YAML at the location above; the schema of the document is https://spec.openapis.org/oas/v3.0.3"
    )]
    Parse {
        /// The file (or a label for in-memory specs).
        path: String,
        /// The parser's message, with line and column where it has them.
        message: String,
    },
    /// The spec (or the AsyncAPI document) uses constructs that the
    /// generator cannot generate code for, each at its pointer.
    #[error("{}", render_problems(.0))]
    Unsupported(Vec<Problem>),
    /// Progenitor itself returned an error.
    #[error("progenitor could not generate the client: {0}\n  fix the spec construct it names")]
    Progenitor(String),
    /// Progenitor panicked on a construct the preflight checks do not know yet.
    #[error(
        "progenitor failed on a construct it does not support: {0}\n  simplify the construct it names; then add a preflight check for it in crates/etna-codegen/src/preflight.rs"
    )]
    ProgenitorPanic(String),
    /// The generated tokens were not valid Rust (a progenitor bug).
    #[error("the generated code does not parse as Rust: {0}")]
    Syntax(String),
    /// Progenitor's output lacks the shape a post-pass over it relies on
    /// (after a progenitor upgrade, typically): failing keeps the pass from
    /// being skipped unnoticed.
    #[error(
        "progenitor's output has a shape etna-codegen does not expect: {0}\n  adapt the post-pass named above (crates/etna-codegen/src/) to the new output"
    )]
    UnexpectedShape(String),
    /// A generated file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn render_problems(problems: &[Problem]) -> String {
    let mut out = format!(
        "the spec uses {} construct(s) that the generator cannot generate:",
        problems.len()
    );
    for p in problems {
        out.push_str(&format!("\n  - {p}"));
    }
    out
}
