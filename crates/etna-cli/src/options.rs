//! The options every command takes (`--base-url`, `--mock`, ...), apart from
//! the command line's shape, so that the commands depend on these and the
//! command line on the commands, never both ways.

use clap::{Args, ValueEnum};

/// Where to call and how: the global options.
// The field docs are clap's help text, read in a terminal: plain URLs there.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Args)]
pub struct Options {
    /// API root of your ETNA Trader deployment, e.g. https://trader.example.com/api.
    #[arg(long, env = "ETNA_BASE_URL", value_name = "URL", global = true)]
    pub base_url: Option<String>,

    // The help names the header of the client's spec (`app_key_help`).
    #[arg(
        help = app_key_help(),
        long,
        env = "ETNA_APP_KEY",
        value_name = "KEY",
        hide_env_values = true,
        global = true
    )]
    pub app_key: Option<String>,

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

    /// How to print the result: the token alone, or the response envelope as JSON.
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
    /// The token alone.
    Text,
    /// The response envelope, as JSON.
    Json,
}

/// `--app-key`'s help, with the header the spec sends the key in.
fn app_key_help() -> String {
    format!(
        "Application key sent as {}. Prefer the environment variable: a value on the command line is visible to other users of the machine. Never printed.",
        <etna_client::generated::Client as etna_client::GeneratedClient>::APP_KEY_HEADER
    )
}
