//! Every command and subcommand of `etna`, the `etna api <operation>` ones
//! included (built from the operation table at run time), walked through
//! clap's command tree: no option takes a secret as its value.
//!
//! The rule:
//! - an argument that takes a value (an option or a positional) is a secret
//!   if a word of its name (long name, id or value name, split at `-`, `_`
//!   and case changes) is one of [`SECRET_WORDS`], unless it is listed in
//!   [`NOT_SECRETS`] with the reason;
//! - a secret argument may exist only as a removed option: hidden, and every
//!   value given to it is a usage error that names the replacement and
//!   never quotes the value;
//! - every parameter the spec marks `format: password` (`secret` in the
//!   operation table) is a `--NAME-stdin` flag of its `etna api` command,
//!   never an option with a value, whatever its name;
//! - `--body` may carry a secret field, so it is refused on the command line
//!   when it does (`etna api`'s own tests): the name rule cannot see a body.
//!
//! Flags (options that take no value, such as `--code-stdin`) are never
//! secrets.

use clap::{Arg, ArgAction, Command, CommandFactory};
use etna_client::GeneratedClient;
use etna_test_fixtures::fixture;

use crate::cli::Cli;

/// Words that name a credential.
const SECRET_WORDS: &[&str] = &[
    "answer",
    "code",
    "credential",
    "key",
    "otp",
    "passphrase",
    "passwd",
    "password",
    "phrase",
    "pin",
    "secret",
    "token",
];

/// Options whose name holds a secret word but whose value is none.
const NOT_SECRETS: &[(&str, &str)] = &[("token-lifetime", "a number of seconds")];

/// A value no message may quote back.
const PROBE: &str = "pr0be-s3cret-value";

/// `VerificationCode` → `verification`, `code`.
fn words(name: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '-' || c == '_' || (c.is_ascii_uppercase() && previous_lower) {
            words.push(String::new());
        }
        if let Some(word) = words.last_mut().filter(|_| c.is_ascii_alphanumeric()) {
            word.push(c.to_ascii_lowercase());
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    words.retain(|w| !w.is_empty());
    words
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

fn looks_secret(arg: &Arg) -> bool {
    if arg
        .get_long()
        .is_some_and(|long| NOT_SECRETS.iter().any(|(name, _)| *name == long))
    {
        return false;
    }
    let mut names = vec![arg.get_id().as_str().to_owned()];
    names.extend(arg.get_long().map(str::to_owned));
    names.extend(
        arg.get_value_names()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().to_owned()),
    );
    names
        .iter()
        .flat_map(|name| words(name))
        .any(|word| SECRET_WORDS.contains(&word.as_str()))
}

/// What the walk found: the commands visited (by path), the removed options
/// checked, and every argument that breaks the rule.
#[derive(Default)]
struct Walk {
    commands: Vec<String>,
    refused: Vec<String>,
    problems: Vec<String>,
}

impl Walk {
    fn of(root: Command) -> Self {
        let mut root = root;
        root.build();
        let mut walk = Self::default();
        walk.visit(&root, &root, &mut vec![root.get_name().to_owned()]);
        walk
    }

    fn visit(&mut self, root: &Command, command: &Command, path: &mut Vec<String>) {
        let here = path.join(" ");
        self.commands.push(here.clone());
        for arg in command.get_arguments() {
            if !takes_value(arg) || !looks_secret(arg) {
                continue;
            }
            let shown = arg
                .get_long()
                .map_or_else(|| format!("<{}>", arg.get_id()), |long| format!("--{long}"));
            match refusal(root, path, arg) {
                Ok(()) => self.refused.push(format!("{here} {shown}")),
                Err(why) => self.problems.push(format!(
                    "`{here} {shown}` takes a secret on the command line: {why}"
                )),
            }
        }
        for sub in command.get_subcommands() {
            path.push(sub.get_name().to_owned());
            self.visit(root, sub, path);
            path.pop();
        }
    }
}

/// Whether `arg` is a removed option: hidden, and any value is a usage
/// error that names the replacement and does not quote the value.
fn refusal(root: &Command, path: &[String], arg: &Arg) -> Result<(), String> {
    let Some(long) = arg.get_long() else {
        return Err("a positional argument".to_owned());
    };
    if !arg.is_hide_set() {
        return Err("it is shown in --help".to_owned());
    }
    let line = path
        .iter()
        .map(String::as_str)
        .chain([format!("--{long}").as_str(), PROBE])
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let error = match root.clone().try_get_matches_from(&line) {
        Ok(_) => return Err(format!("`{}` is accepted", line.join(" "))),
        Err(error) => error,
    };
    let text = error.render().to_string();
    if error.kind() != clap::error::ErrorKind::ValueValidation {
        return Err(format!("refused for another reason: {text}"));
    }
    if text.contains(PROBE) {
        return Err(format!("its refusal quotes the value: {text}"));
    }
    if !text.contains("was removed") || !(text.contains("stdin") || text.contains("ETNA_")) {
        return Err(format!("its refusal names no replacement: {text}"));
    }
    Ok(())
}

/// The parameters marked secret in `C`'s table that are options with a
/// value, or lack their `--NAME-stdin` flag.
fn secret_parameters_on_argv<C: GeneratedClient>(api: &Command) -> Vec<String> {
    let mut problems = Vec::new();
    for operation in C::OPERATIONS {
        let command = api
            .find_subcommand(operation.id)
            .unwrap_or_else(|| panic!("`etna api` has no command {}", operation.id));
        for parameter in operation.parameters.iter().filter(|p| p.secret) {
            let by_name = |arg: &&Arg| {
                arg.get_id() == parameter.name || arg.get_long() == Some(parameter.name)
            };
            if command
                .get_arguments()
                .find(by_name)
                .is_some_and(takes_value)
            {
                problems.push(format!(
                    "etna api {} --{} takes the secret parameter as a value",
                    operation.id, parameter.name
                ));
            }
            let flag = crate::api::stdin_flag(parameter.name);
            let has_flag = command.get_arguments().any(|arg| {
                arg.get_long() == Some(flag.as_str())
                    && matches!(arg.get_action(), ArgAction::SetTrue)
            });
            if !has_flag {
                problems.push(format!("etna api {} has no --{flag}", operation.id));
            }
        }
    }
    problems
}

#[test]
fn no_command_takes_a_secret_on_the_command_line() {
    let walk = Walk::of(Cli::command());
    assert!(walk.problems.is_empty(), "{:#?}", walk.problems);
    // The walk reached every operation's command, and the removed options.
    for operation in <etna_client::generated::Client as GeneratedClient>::OPERATIONS {
        let path = format!("etna api {}", operation.id);
        assert!(walk.commands.contains(&path), "{path} not walked");
    }
    for removed in [
        "etna --app-key",
        "etna generate-reset-token --code",
        "etna password-reset finish --code",
    ] {
        assert!(walk.refused.contains(&removed.to_owned()), "{removed}");
    }
    let mut api = Cli::command();
    api.build();
    let api = api.find_subcommand("api").unwrap();
    let problems = secret_parameters_on_argv::<etna_client::generated::Client>(api);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The fixture client's operations (a secret header among them), as `etna
/// api` would build them after `cargo xtask codegen`.
#[test]
fn no_fixture_operation_takes_a_secret_on_the_command_line() {
    let api = crate::api::augment::<fixture::Client>(Command::new("api"));
    let walk = Walk::of(api.clone());
    assert!(walk.problems.is_empty(), "{:#?}", walk.problems);
    let mut api = api;
    api.build();
    let problems = secret_parameters_on_argv::<fixture::Client>(&api);
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        fixture::Client::OPERATIONS
            .iter()
            .any(|op| op.parameters.iter().any(|p| p.secret)),
        "the fixture has a secret parameter to check"
    );
}

/// The rule catches what it is for: an option with a secret name and a
/// value, shown in help, and one that is hidden but still read.
#[test]
fn the_walk_finds_a_secret_taken_as_a_value() {
    let command = Command::new("etna")
        .arg(Arg::new("log").long("log-level"))
        .arg(Arg::new("token-lifetime").long("token-lifetime"))
        .subcommand(
            Command::new("login")
                .arg(Arg::new("pin").long("pin"))
                .arg(Arg::new("answer").long("secret-answer").hide(true))
                .arg(
                    Arg::new("code")
                        .long("code-stdin")
                        .action(ArgAction::SetTrue),
                ),
        )
        .subcommand(Command::new("step").arg(Arg::new("x").value_name("VerificationCode")));
    let walk = Walk::of(command);
    assert_eq!(walk.problems.len(), 3, "{:#?}", walk.problems);
    assert!(walk.problems[0].contains("--pin") && walk.problems[0].contains("shown in --help"));
    assert!(walk.problems[1].contains("--secret-answer") && walk.problems[1].contains("accepted"));
    assert!(walk.problems[2].contains("positional"));
    assert_eq!(
        words("X-Fixture-SecretAnswer_pinCode"),
        ["x", "fixture", "secret", "answer", "pin", "code"]
    );
}
