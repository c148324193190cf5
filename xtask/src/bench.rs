//! Placeholder: replaced by the issue that builds `cargo xtask bench`.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> ExitCode {
    eprintln!("error: `cargo xtask bench` is not built yet");
    ExitCode::FAILURE
}
