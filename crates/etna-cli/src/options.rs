//! The options every command takes (`--base-url`, `--mock`, ...), apart from
//! the command line's shape, so that the commands depend on these and the
//! command line on the commands, never both ways.

use clap::{Args, ValueEnum};
use etna_client::Secret;

/// The variable the app key is read from.
pub const APP_KEY_VARIABLE: &str = "ETNA_APP_KEY";

/// Where to call and how: the global options.
// The field docs are clap's help text, read in a terminal: plain URLs there.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Args)]
pub struct Options {
    /// API root of your ETNA Trader deployment, e.g. https://trader.example.com/api.
    /// Its app key is read from ETNA_APP_KEY, never from an argument.
    #[arg(long, env = "ETNA_BASE_URL", value_name = "URL", global = true)]
    pub base_url: Option<String>,

    /// The application key, from ETNA_APP_KEY only: the environment is not
    /// shown by `ps` to other users, nor kept by shell history.
    #[arg(skip = app_key_from_env())]
    pub app_key: Option<Secret>,

    /// Removed: the app key comes from ETNA_APP_KEY.
    #[arg(
        long = "app-key",
        value_name = "REMOVED",
        value_parser = crate::argv::APP_KEY,
        num_args = 0..=1,
        default_missing_value = "",
        allow_hyphen_values = true,
        hide = true,
        global = true
    )]
    _app_key_argument: Option<crate::argv::Refused>,

    /// API version, the {version} in /v{version}/... paths.
    #[arg(long, value_name = "VERSION", default_value = "1.0", global = true)]
    pub api_version: String,

    /// Seconds to wait for the whole request before giving up.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        global = true
    )]
    pub timeout: u64,

    /// How to print the result: text (a list as a table on a terminal, JSON
    /// when piped), json, or table (also when piped).
    #[arg(long, value_enum, default_value_t = Output::Text, global = true)]
    pub output: Output,

    /// Start the embedded mock server (built from the API spec) and call it
    /// instead of a deployment; --base-url is ignored and no app key is needed.
    #[arg(long, global = true)]
    pub mock: bool,

    /// Say on stderr what is being called, with which settings (the app key is
    /// never shown).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// For a person: a token alone, a list as a table on a terminal (JSON
    /// when stdout is not a terminal).
    Text,
    /// The response (envelope) as JSON.
    Json,
    /// Lists as tables, also when stdout is not a terminal.
    Table,
}

impl Options {
    /// Whether a list is printed as a table: asked for, or by default on a
    /// terminal, where a person reads it; a pipe gets JSON for its program.
    pub fn tables(&self) -> bool {
        match self.output {
            Output::Json => false,
            Output::Table => true,
            Output::Text => std::io::IsTerminal::is_terminal(&std::io::stdout()),
        }
    }
}

/// An empty variable is no key, as if it were unset.
fn app_key_from_env() -> Option<Secret> {
    std::env::var(APP_KEY_VARIABLE)
        .ok()
        .filter(|key| !key.is_empty())
        .map(Secret::from)
}
