//! Options that once took a secret as their value (`--code`, `--app-key`):
//! still parsed, so that an old script gets a usage error naming what
//! replaced them instead of clap's "unexpected argument" (which would quote
//! the next word, the secret), and never read. Their value is swallowed
//! unread and never quoted.

use std::ffi::OsStr;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command};

/// What a removed option parses to; never built, since parsing always fails.
#[derive(Clone, Debug)]
pub enum Refused {}

/// The value parser of a removed option: every value is a usage error that
/// says what to use instead.
#[derive(Clone, Copy)]
pub struct Refuse(pub &'static str);

impl TypedValueParser for Refuse {
    type Value = Refused;

    fn parse_ref(
        &self,
        command: &Command,
        arg: Option<&Arg>,
        _value: &OsStr,
    ) -> Result<Refused, clap::Error> {
        let name = arg.and_then(Arg::get_long).unwrap_or("this option");
        let message = format!(
            "--{name} was removed: a value on the command line is kept by shell history and shown by `ps`; {}",
            self.0
        );
        let mut command = command.clone();
        Err(clap::Error::raw(ErrorKind::ValueValidation, message).format(&mut command))
    }
}

/// What replaces `--code`.
pub const CODE: Refuse = Refuse(
    "give the code at the prompt (on a terminal), or as one line of stdin with --code-stdin",
);

/// What replaces `--app-key`.
pub const APP_KEY: Refuse = Refuse("set the environment variable ETNA_APP_KEY instead");

#[cfg(test)]
mod tests;
