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

/// An answer on stdout: as a table when it is a list (`table`, from the
/// spec) and tables are wanted ([`Options::tables`]), else as JSON with
/// every digit. `only` picks and orders the columns (the trading commands'
/// choice); what a table leaves out is said on stderr.
pub fn print_answer(
    cli: &Options,
    table: Option<&etna_client::AnswerTable>,
    body: &crate::exact::Json,
    only: Option<&[&str]>,
) -> Result<(), Failure> {
    let rows = match table {
        Some(table) if cli.tables() => crate::tables::rows(table, body).map(|rows| (table, rows)),
        _ => None,
    };
    let Some((table, rows)) = rows else {
        return print_line(&body.pretty());
    };
    if rows.is_empty() {
        return print_line("(none)");
    }
    let rendered = crate::tables::render(table, rows, only, crate::tables::terminal_width());
    print_line(&rendered.text)?;
    if !rendered.left_out.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "etna: {} more column(s) did not fit: {}; --output json shows every field",
            rendered.left_out.len(),
            rendered.left_out.join(", ")
        );
    }
    if let Some(total) = table.total.and_then(|name| body.get(name))
        && total.cell() != rendered.rows.to_string()
    {
        let _ = writeln!(
            std::io::stderr(),
            "etna: this page holds {} of {} item(s)",
            rendered.rows,
            total.cell()
        );
    }
    Ok(())
}
