//! `etna`: the ETNA Trader API from the command line, through etna-client, or
//! against the embedded mock server.

mod api;
mod argv;
mod auth;
mod cli;
mod connect;
mod exact;
mod failure;
mod generate_reset_token;
mod options;
mod output;
mod pages;
mod password_change;
mod password_reset;
mod pin_setup;
mod prompt;
mod serve;
mod sessions;
mod tables;
mod trade;
mod validate;
mod watch;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, MockCommand};
use crate::failure::{Exit, Failure};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run(&cli)),
        Err(e) => Err(Failure::new(
            Exit::Unexpected,
            format!("cannot start the async runtime: {e}"),
        )),
    };
    match result {
        Ok(()) => Exit::Success.into(),
        Err(failure) => {
            // Nothing is left to report a failing stderr to.
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                failure.line(
                    cli.options
                        .app_key
                        .as_ref()
                        .map(etna_client::Secret::expose)
                )
            );
            failure.exit.into()
        }
    }
}

async fn run(cli: &Cli) -> Result<(), Failure> {
    let options = &cli.options;
    match &cli.command {
        Command::GenerateResetToken(args) => generate_reset_token::run(options, args).await,
        Command::PasswordReset(args) => password_reset::run(options, args).await,
        Command::Api(args) => api::run(options, args).await,
        Command::Balance(args) => trade::balance(options, args).await,
        Command::Positions(args) => trade::positions(options, args).await,
        Command::Orders(args) => trade::orders(options, args).await,
        Command::Order(args) => trade::order(options, args).await,
        Command::Auth(args) => auth::run(options, args).await,
        Command::Password(args) => password_change::run(options, args).await,
        Command::Pin(args) => pin_setup::run(options, args).await,
        Command::Watch(args) => watch::run(options, args).await,
        Command::Mock {
            command: MockCommand::Serve(args),
        } => serve::run(options, args).await,
    }
}
