//! Placeholder: replaced by the issue that builds `cargo xtask drift`.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> ExitCode {
    eprintln!("error: `cargo xtask drift` is not built yet");
    ExitCode::FAILURE
}
