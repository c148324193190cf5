//! The command line: global options and subcommands.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::options::Options;

const EXAMPLES: &str = "\
Examples:
  Try it without an ETNA account, against the embedded mock server:
    printf 'N3w-passw0rd!\\n' | etna --mock password-reset --user robert.zak --password-stdin
    echo 231408 | etna --mock generate-reset-token --code-stdin --identifier reset-password
    etna --mock api get_secret_question --username hello

  Trade on the mock (it signs in as its trader robert.zak for each command):
    etna --mock order place --symbol AAPL --side buy --quantity 10 --yes
    etna --mock positions
    etna --mock watch quotes AAPL

  Sign in once; later commands send the session where the spec asks for it:
    etna auth login --user robert.zak
    etna api list_security_images
    etna auth status

  Reset a trader's password, asked step by step on a terminal:
    etna password-reset --user robert.zak

  Against a deployment (ask your administrator for the API root and app key):
    export ETNA_BASE_URL=https://trader.example.com/api
    export ETNA_APP_KEY=...
    etna generate-reset-token --identifier reset-pin-code

Environment:
  ETNA_BASE_URL  the API root (or --base-url)
  ETNA_APP_KEY   the application key; never taken as an argument, where shell
                 history and `ps` would keep it

Exit codes:
  0  success
  1  the API refused the request (IsSucceed: false, or a documented error status)
  2  usage error or invalid input
  3  the API rejected the app key
  4  network failure or timeout
  5  unexpected response from the server
  6  not signed in, or the session expired or was refused: run `etna auth login`
  7  the request may or may not have taken effect: check before sending it again
  130 interrupted (Ctrl-C)";

/// Calls the ETNA Trader API from the command line.
// The field docs are clap's help text, read in a terminal: plain URLs there.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Parser)]
#[command(name = "etna", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,

    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Exchange the confirmation code a trader received by email for a
    /// password or PIN-code reset token, printed on stdout.
    GenerateResetToken(ResetArgs),

    /// Reset a trader's password: guided on a terminal, or step by step
    /// (start, question, finish) for scripts. Secrets are asked without echo
    /// or read from stdin, never taken as arguments.
    PasswordReset(PasswordResetArgs),

    /// Sign in, and keep the session for the next commands (login, status,
    /// logout, token).
    Auth(crate::auth::AuthArgs),

    /// Change the signed-in trader's password, knowing the old one.
    Password(crate::password_change::PasswordArgs),

    /// Set the signed-in trader's PIN, choosing a security image.
    Pin(crate::pin_setup::PinArgs),

    /// Call any operation of the API spec by its operationId; prints the
    /// response body (a list as a table on a terminal, else JSON). Give
    /// global options before `api`.
    Api(crate::api::ApiArgs),

    /// The trading account's balance (cash, equity, buying power, P&L).
    Balance(crate::trade::AccountArgs),

    /// The trading account's open positions.
    Positions(crate::trade::AccountArgs),

    /// The trading account's orders, newest first (--all: every page).
    Orders(crate::trade::OrdersArgs),

    /// Place an order (previewed and confirmed), cancel one, or show one.
    Order(crate::trade::OrderArgs),

    /// Live updates from the streamers: orders, positions or the balance of
    /// a trading account, or quotes by symbol. A table redrawn in place on a
    /// terminal, one JSON object a line when piped; Ctrl-C ends it (130).
    Watch(crate::watch::WatchArgs),

    /// Run the embedded mock server.
    Mock {
        #[command(subcommand)]
        command: MockCommand,
    },
}

/// Arguments of `generate-reset-token`.
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Read the confirmation code from the trader's email as one line of
    /// stdin, instead of being asked without echo.
    #[arg(long)]
    pub code_stdin: bool,

    #[command(flatten)]
    pub removed: RemovedCode,

    /// What is being reset.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub identifier: Identifier,
}

/// Options of `password-reset`; without a step, the guided flow.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct PasswordResetArgs {
    #[command(subcommand)]
    pub step: Option<ResetStep>,

    /// The trader's login (or email).
    #[arg(long, value_name = "LOGIN", required = true)]
    pub user: Option<String>,

    /// Read the answer to the account's secret question as one line of stdin
    /// (before the code and the password, when those come from stdin too).
    #[arg(long)]
    pub secret_answer_stdin: bool,

    /// Read the confirmation code as one line of stdin instead of being
    /// asked (with --mock it is taken from the mock's outbox).
    #[arg(long)]
    pub code_stdin: bool,

    /// Read the new password as one line of stdin instead of being asked twice.
    #[arg(long)]
    pub password_stdin: bool,

    /// What is being reset.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = Identifier::ResetPassword)]
    pub identifier: Identifier,
}

/// The steps of `password-reset`, for scripts.
#[derive(Debug, Subcommand)]
pub enum ResetStep {
    /// Step 1: ask for a reset; the trader gets a confirmation code by email.
    /// When the account has a secret question, it is asked on a terminal.
    Start(StartArgs),
    /// Step 2 alone: print the account's secret question.
    Question(QuestionArgs),
    /// Steps 3 and 4: exchange the emailed code for a token (never printed)
    /// and set the new password.
    Finish(FinishArgs),
}

/// Options of `password-reset start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The trader's login (or email).
    #[arg(long, value_name = "LOGIN")]
    pub user: String,
    /// Read the answer to the secret question as one line of stdin.
    #[arg(long)]
    pub secret_answer_stdin: bool,
}

/// Options of `password-reset question`.
#[derive(Debug, Args)]
pub struct QuestionArgs {
    /// The trader's login (or email).
    #[arg(long, value_name = "LOGIN")]
    pub user: String,
}

/// Options of `password-reset finish`.
#[derive(Debug, Args)]
pub struct FinishArgs {
    /// Read the confirmation code as one line of stdin (before the password),
    /// instead of being asked without echo.
    #[arg(long)]
    pub code_stdin: bool,
    #[command(flatten)]
    pub removed: RemovedCode,
    /// What is being reset.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = Identifier::ResetPassword)]
    pub identifier: Identifier,
    /// Read the new password as one line of stdin instead of being asked twice.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `--code`, which took the emailed code on the command line: refused with
/// what replaced it.
#[derive(Debug, Args)]
pub struct RemovedCode {
    #[arg(
        long = "code",
        value_name = "REMOVED",
        value_parser = crate::argv::CODE,
        num_args = 0..=1,
        default_missing_value = "",
        allow_hyphen_values = true,
        hide = true
    )]
    _code: Option<crate::argv::Refused>,
}

/// Subcommands of `mock`.
#[derive(Debug, Subcommand)]
pub enum MockCommand {
    /// Run the mock server in the foreground until Ctrl-C, printing its base
    /// URL on stdout. It accepts the app key in ETNA_APP_KEY, or
    /// etna-mock-app-key when none is given. Confirmation
    /// codes it "mails" or "texts" (reset codes, sign-in verification codes) are printed on stderr as they are sent, and served as
    /// JSON at /_mock/outbox. Requests may ask for faults themselves with
    /// `Prefer: code=N`, `delay=MS`, `fault=drop|truncate|hangup`.
    Serve(ServeArgs),
}

/// Options of `etna mock serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 to listen on; 0 lets the system pick a free one.
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,
    /// Serve this spec file instead of the embedded openapi/etna-trader.yaml,
    /// e.g. to see an edit answered before regenerating anything.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<std::path::PathBuf>,
    /// The accounts of sign-in and the reset flow, a YAML file in the format of
    /// etna-mock's data/accounts.yaml (default: robert.zak with one factor,
    /// hello with two factors by email and a secret question, old.timer with
    /// an expired password, new.pin without a PIN).
    #[arg(long, value_name = "FILE", conflicts_with = "stateless")]
    pub accounts: Option<std::path::PathBuf>,
    /// No state: every operation answers its documented example, and a Bearer
    /// operation takes any token.
    #[arg(long)]
    pub stateless: bool,
    /// How long a session token lasts, in seconds (default: the spec's 86400,
    /// the documented 24 hours).
    #[arg(long, value_name = "SECONDS", conflicts_with = "stateless",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub token_lifetime: Option<u64>,
    /// Wait before answering: MS, or MIN-MAX for a random time between;
    /// OPERATION:... for one operation only. Repeatable.
    #[arg(long, value_name = "[OPERATION:]MS[-MS]")]
    pub latency: Vec<String>,
    /// Answer with a fault: a documented STATUS (e.g. 403), `drop` (close the
    /// connection) or `truncate` (half a body); OPERATION:... for one
    /// operation only. Repeatable.
    #[arg(long, value_name = "[OPERATION:]STATUS|drop|truncate|hangup")]
    pub fault: Vec<String>,
}

/// What a reset token is for; the spec's spellings are accepted too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Identifier {
    /// The account password (ResetPassword).
    #[value(name = "reset-password", alias = "ResetPassword")]
    ResetPassword,
    /// The PIN code (ResetPinCode).
    #[value(name = "reset-pin-code", alias = "ResetPinCode")]
    ResetPinCode,
}

impl From<Identifier> for etna_client::types::ResetIdentifier {
    fn from(identifier: Identifier) -> Self {
        match identifier {
            Identifier::ResetPassword => Self::ResetPassword,
            Identifier::ResetPinCode => Self::ResetPinCode,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
