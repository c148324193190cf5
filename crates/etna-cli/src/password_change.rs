//! `etna password change`: the trader changes their own password, knowing
//! the old one, with the stored session. A convenience for the operation
//! `change_password`, which `etna api` also calls; this one asks the
//! passwords without echo (the new one twice) or reads them from stdin.

use clap::{Args, Subcommand};
use etna_client::Operation;
use etna_client::types::PasswordChange;

use crate::failure::{self, Exit, Failure};
use crate::options::Options;
use crate::prompt::{self, Progress, interruptible};
use crate::sessions;

/// `etna password`.
#[derive(Debug, Args)]
pub struct PasswordArgs {
    #[command(subcommand)]
    pub command: PasswordCommand,
}

#[derive(Debug, Subcommand)]
pub enum PasswordCommand {
    /// Change the signed-in trader's password: the old one, then the new
    /// one twice, without echo. Needs a session (`etna auth login`).
    Change(ChangeArgs),
}

/// Options of `password change`.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Whose password: `@me` (the signed-in trader) or their user id. The
    /// API lets only the trader change their own.
    #[arg(long, value_name = "ID", default_value = "@me")]
    pub user_id: String,
    /// Read the old password and then the new one from stdin, one line each.
    #[arg(long)]
    pub password_stdin: bool,
}

pub async fn run(cli: &Options, args: &PasswordArgs) -> Result<(), Failure> {
    let PasswordCommand::Change(change) = &args.command;
    let progress = Progress::default();
    interruptible(&progress, self::change(cli, change)).await
}

async fn change(cli: &Options, args: &ChangeArgs) -> Result<(), Failure> {
    if !args.password_stdin && !prompt::interactive() {
        return Err(Failure::new(
            Exit::Usage,
            "no terminal to ask for the passwords: give the old and the new one as two lines on stdin with --password-stdin",
        ));
    }
    // The session is found before anything is asked: without one, the
    // passwords would be typed for nothing.
    let target = sessions::connect_signed_in(cli).await?;
    let client = &target.client;
    let (old, new) = match args.password_stdin {
        true => (
            prompt::stdin_line("old password").await?,
            prompt::stdin_line("new password").await?,
        ),
        false => (
            prompt::hidden("Current password".to_owned()).await?,
            prompt::new_password().await?,
        ),
    };
    client
        .change_password()
        .user_id(args.user_id.as_str())
        .body(PasswordChange {
            old_password: old,
            password: new.clone(),
            password_confirm: new,
        })
        .call()
        .await
        .map_err(|e| {
            failure::from_call(&e, &target.base_url).hint("the password was not changed")
        })?;
    crate::output::print_line("The password was changed; sign in with the new one from now on.")
}
