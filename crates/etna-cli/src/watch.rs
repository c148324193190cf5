//! `etna watch orders|positions|balance [--account ID]` and `etna watch
//! quotes SYMBOL...`: live updates from the streamers, through etna-client's
//! streaming runtime and the types generated from
//! `openapi/etna-streaming.yaml`.
//!
//! On a terminal, a table redrawn in place: one row per thing a message
//! describes (`Event::identity`), the columns its scalar properties in the
//! document's order (`Event::columns`, as `etna api` does for REST lists);
//! the row updated last at the bottom, as many as the terminal's height
//! holds (the others counted above them), reconnects noted under it.
//! Piped, one JSON object a line, every digit as received. After a
//! reconnect the runtime's resync marker is said (under the table; piped,
//! on stderr and as a JSON line on stdout), since updates may have been
//! missed. Ctrl-C ends it: exit 130.
//!
//! The commands are a convenience of a whole flow: they name the entity
//! types they watch (in [`watch`]'s one `match`) and the REST lookups of an
//! account and a symbol.

use std::io::Write;

use clap::{Args, Subcommand};
use etna_client::futures_util::StreamExt;
use etna_client::stream::messages::{EntityType, Event};
use etna_client::stream::{Resync, StreamItem};
use etna_client::{AnswerTable, Client, Operation};

use crate::connect::Target;
use crate::exact::Json;
use crate::failure::{self, Exit, Failure};
use crate::options::Options;
use crate::trade::AccountArgs;

/// `etna watch ...`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(subcommand)]
    pub command: WatchCommand,
}

#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// The trading account's orders: every order on subscribing, then each
    /// change (placed, filled, cancelled).
    Orders(AccountArgs),
    /// The trading account's positions, as they change.
    Positions(AccountArgs),
    /// The trading account's balance, as it changes.
    Balance(AccountArgs),
    /// Quotes of one or more securities by symbol (e.g. AAPL MSFT); only the
    /// latest quote of each matters.
    Quotes(QuotesArgs),
}

/// Options of `etna watch quotes`.
#[derive(Debug, Args)]
pub struct QuotesArgs {
    /// Ticker symbols, looked up with `lookup_equities`.
    #[arg(value_name = "SYMBOL", required = true)]
    pub symbols: Vec<String>,
}

/// The most rows kept for the table (an account's orders): memory stays
/// bounded; the oldest updated go first.
const MAX_ROWS: usize = 10_000;
/// The most notes (reconnects) kept under the table.
const MAX_NOTES: usize = 3;
/// The terminal's height when it does not say.
const DEFAULT_HEIGHT: usize = 24;
/// The lines a table takes beside its rows: the header, its rule, the
/// "more" line and the prompt's line.
const TABLE_FRAME: usize = 4;

/// How many securities one symbol's lookup may list.
const LOOKUP_COUNT: std::num::NonZeroU32 = std::num::NonZeroU32::new(50).unwrap();

pub async fn run(cli: &Options, args: &WatchArgs) -> Result<(), Failure> {
    let interrupted = crate::prompt::interrupt_signal()?;
    let target = crate::sessions::connect_signed_in(cli).await?;
    let result = tokio::select! {
        result = watch(cli, args, &target) => result,
        () = interrupted => Err(Failure::new(
            Exit::Interrupted,
            "interrupted: stopped watching (nothing was sent but the subscriptions)",
        )),
    };
    target.finish().await;
    result
}

async fn watch(cli: &Options, args: &WatchArgs, target: &Target<Client>) -> Result<(), Failure> {
    let (entity, keys) = match &args.command {
        WatchCommand::Quotes(quotes) => {
            let mut ids = Vec::new();
            for symbol in &quotes.symbols {
                ids.push(security_id(target, symbol).await?);
            }
            (EntityType::Quote, ids)
        }
        WatchCommand::Orders(account) => (EntityType::Order, account_key(target, account).await?),
        WatchCommand::Positions(account) => {
            (EntityType::Position, account_key(target, account).await?)
        }
        WatchCommand::Balance(account) => (
            EntityType::AccountBalance,
            account_key(target, account).await?,
        ),
    };
    let mut stream = target
        .client
        .stream()
        .subscribe(entity, keys)
        .connect()
        .await
        .map_err(|e| streaming_failure(&e))?;
    let mut view = View::new(cli.tables(), entity);
    view.start()?;
    while let Some(item) = stream.next().await {
        // The runtime goes on after a message that does not decode; so does
        // the view, saying that one was lost instead of ending the watch.
        let item = match item {
            Err(e @ etna_client::stream::Error::Decode { .. }) => {
                view.undecodable(&e)?;
                continue;
            }
            other => other,
        };
        match item.map_err(|e| streaming_failure(&e))? {
            StreamItem::Event(event) => view.event(&event)?,
            StreamItem::Resync(resync) => view.resync(&resync)?,
            StreamItem::Unlisted(unlisted) => view.unlisted(&unlisted.entity, &unlisted.text)?,
        }
        if view.closed {
            return Ok(());
        }
    }
    Err(Failure::new(
        Exit::Network,
        "the stream ended: the streamer closed it and it could not be reconnected",
    ))
}

/// The subscription's key of an account command: `--account`, or the
/// trader's only account.
async fn account_key(target: &Target<Client>, args: &AccountArgs) -> Result<Vec<String>, Failure> {
    Ok(vec![crate::trade::account(target, args).await?.to_string()])
}

/// A symbol's security ID, through `lookup_equities`: the listed security
/// whose symbol is exactly this one (any case).
async fn security_id(target: &Target<Client>, symbol: &str) -> Result<String, Failure> {
    let found = target
        .client
        .lookup_equities()
        .mask(symbol)
        .count(LOOKUP_COUNT)
        .call()
        .await
        .map_err(|e| failure::from_call(&e, &target.base_url))?;
    found
        .iter()
        .find(|security| {
            security
                .symbol
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(symbol))
        })
        .and_then(|security| security.id)
        .map(|id| id.to_string())
        .ok_or_else(|| {
            Failure::new(
                Exit::Usage,
                format!("no security has the symbol {symbol} (lookup_equities found none)"),
            )
        })
}

fn streaming_failure(error: &etna_client::stream::Error) -> Failure {
    // The runtime's messages name the streamer and the step, never an
    // address with a session id or the id itself.
    Failure::new(Exit::Network, error.to_string())
}

/// What is shown: a table redrawn in place, or JSON lines.
struct View {
    table: bool,
    columns: AnswerTable,
    /// Each row by its identity, in the order first seen.
    rows: Vec<(Option<String>, Json)>,
    /// The resync markers, kept under the table.
    notes: Vec<String>,
    /// How many lines the last drawing took, to draw over them.
    drawn: usize,
    /// Stdout was closed (`etna watch orders | head -1`): the watch is done.
    closed: bool,
}

impl View {
    fn new(table: bool, entity: EntityType) -> Self {
        Self {
            table,
            columns: AnswerTable {
                items: None,
                total: None,
                columns: Event::columns(entity),
            },
            rows: Vec::new(),
            notes: Vec::new(),
            drawn: 0,
            closed: false,
        }
    }

    fn start(&mut self) -> Result<(), Failure> {
        if self.table {
            self.draw()?;
        }
        Ok(())
    }

    fn event(&mut self, event: &Event) -> Result<(), Failure> {
        let text = serde_json::to_string(event).map_err(|e| {
            Failure::new(Exit::Unexpected, format!("cannot print the message: {e}"))
        })?;
        if !self.table {
            // The message's own JSON: decimals with every digit received.
            return self.line(&text);
        }

        let row = Json::parse(&text).unwrap_or(Json::Null);
        let identity = event.identity();
        // The row updated last goes to the bottom, where it is seen.
        if let Some(at) = self
            .rows
            .iter()
            .position(|(id, _)| identity.is_some() && *id == identity)
        {
            self.rows.remove(at);
        }
        if self.rows.len() == MAX_ROWS {
            self.rows.remove(0);
        }
        self.rows.push((identity, row));
        self.draw()
    }

    /// A message of an entity type the document does not describe: piped,
    /// kept as the streamer sent it; on a terminal, said under the table.
    fn unlisted(&mut self, entity: &str, text: &str) -> Result<(), Failure> {
        if !self.table {
            return self.line(text);
        }
        self.note(format!(
            "etna: a `{entity}` message, which the streaming document does not describe, was left out"
        ))
    }

    /// A line kept under the table (the last few: it is redrawn each time,
    /// so nothing else may write between drawings).
    fn note(&mut self, line: String) -> Result<(), Failure> {
        if self.notes.len() == MAX_NOTES {
            self.notes.remove(0);
        }
        self.notes.push(line);
        self.draw()
    }

    /// A listed message that did not decode: a change the view could not
    /// show, said as a reconnect is (piped: on stderr and as a JSON line,
    /// so that the program reading stdout knows to read the REST side).
    fn undecodable(&mut self, error: &etna_client::stream::Error) -> Result<(), Failure> {
        let line = format!("etna: {error}; an update may be missing: read the REST side again");
        if self.table {
            return self.note(line);
        }
        let _ = writeln!(std::io::stderr(), "{line}");
        let marker = serde_json::json!({ "Undecodable": { "Message": error.to_string() } });
        self.line(&marker.to_string())
    }

    fn resync(&mut self, resync: &Resync) -> Result<(), Failure> {
        let line = format!("etna: {resync}");
        if self.table {
            return self.note(line);
        }
        let _ = writeln!(std::io::stderr(), "{line}");
        // Piped, the program reading stdout learns it too, in its format.
        let marker = serde_json::json!({
            "Resync": {
                "Server": resync.server,
                "Attempts": resync.attempts,
                "Dropped": resync.dropped,
                "Message": "reconnected; updates may have been missed: read the REST side again",
            }
        });
        self.line(&marker.to_string())
    }

    /// A line on stdout; a reader that went away ends the watch, quietly.
    fn line(&mut self, text: &str) -> Result<(), Failure> {
        let mut stdout = std::io::stdout().lock();
        match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(Failure::new(
                Exit::Unexpected,
                format!("cannot write to stdout: {e}"),
            )),
        }
    }

    /// The whole view again, over the last drawing.
    fn draw(&mut self) -> Result<(), Failure> {
        // Only what fits the terminal's height can be drawn over: the rows
        // updated last, and how many others there are.
        let height = console::Term::stdout()
            .size_checked()
            .map_or(DEFAULT_HEIGHT, |(rows, _)| usize::from(rows));
        let room = height.saturating_sub(self.notes.len() + TABLE_FRAME).max(1);
        let hidden = self.rows.len().saturating_sub(room);
        let rows: Vec<Json> = self.rows[hidden..]
            .iter()
            .map(|(_, row)| row.clone())
            .collect();
        let mut text = if rows.is_empty() {
            "(waiting for updates; Ctrl-C ends)".to_owned()
        } else {
            crate::tables::render(&self.columns, &rows, None, crate::tables::terminal_width()).text
        };
        if hidden > 0 {
            text = format!("({hidden} more, updated earlier)\n{text}");
        }
        for note in &self.notes {
            text.push('\n');
            text.push_str(note);
        }
        let term = console::Term::stdout();
        if self.drawn > 0 {
            term.clear_last_lines(self.drawn).map_err(cannot_draw)?;
        }
        self.drawn = text.lines().count();
        self.line(&text)
    }
}

fn cannot_draw(e: std::io::Error) -> Failure {
    Failure::new(Exit::Unexpected, format!("cannot redraw the table: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message that does not decode is said under the table and the watch
    /// goes on (the loop in `watch` continues after it); it ended the watch
    /// before.
    #[test]
    fn an_undecodable_message_is_a_note_not_the_end() {
        let mut view = View::new(true, EntityType::Order);
        let error = etna_client::stream::Error::Decode {
            server: "data",
            reason: "Quantity: not a decimal".to_owned(),
        };
        view.undecodable(&error).expect("said");
        let note = view.notes.last().expect("a note");
        assert!(note.contains("does not decode"), "{note}");
        assert!(note.contains("read the REST side again"), "{note}");
        assert!(!view.closed);
    }
}
