//! What the commands print: a line or JSON on stdout, a `--verbose` line on
//! stderr. Below every command module (it needs only `failure` and
//! `options`), so that no command reaches up into `main`.

use std::io::Write;

use crate::failure::{Exit, Failure};
use crate::options::Options;

/// Writes a line on stdout; a closed stdout is an error rather than a panic.
pub fn print_line(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::new(Exit::Unexpected, format!("cannot write to stdout: {e}")))
}

/// A value as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(Exit::Unexpected, format!("cannot print the envelope: {e}")))?;
    print_line(&json)
}

/// With --verbose, a line on stderr.
pub fn verbose(cli: &Options, text: &str) {
    if cli.verbose {
        let _ = writeln!(std::io::stderr(), "etna: {text}");
    }
}
