//! `cargo xtask`: the workspace's tasks. Run `cargo xtask --help`.

mod bench;
mod codegen;
mod docs;
mod drift;
mod lint;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Tasks of the ETNA client workspace", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the client from openapi/etna-trader.yaml.
    Codegen(codegen::Args),
    /// Classify spec changes as breaking or not for consumers of etna-client.
    Drift(drift::Args),
    /// Run every benchmark and print one table.
    Bench(bench::Args),
    /// Lint the spec with Redocly/Spectral and the workspace's own rules.
    Lint(lint::Args),
    /// Render the spec as one HTML page under target/.
    Docs(docs::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Codegen(args) => codegen::run(args),
        Command::Drift(args) => drift::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Docs(args) => docs::run(args),
    }
}
