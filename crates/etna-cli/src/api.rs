//! `etna api <operation-id>`: every operation of the spec as a command, built
//! at run time from the generated client's operation table
//! ([`GeneratedClient::OPERATIONS`]), so an operation added to the spec is a
//! command after `cargo xtask codegen`, with no line here. Parameters are
//! flags; the body is `--body JSON`, `--body @FILE` or `--body -`. A body
//! with a secret field (`format: password` in the spec) is refused on the
//! command line, where shell history and `ps` would keep it; a secret
//! parameter is never a flag's value: it is asked without echo on a
//! terminal, or read from stdin with `--NAME-stdin`. Secret fields of the
//! answer print as `<secret>` unless `--show-secrets`. `--all` prints every
//! item of every page of a paged operation as NDJSON (`pages.rs`).

use clap::{Arg, ArgAction, ArgMatches, Command};
use etna_client::dispatch::JsonArgs;
use etna_client::{Dispatch, GeneratedClient, OperationSpec};
use serde_json::Value;

use crate::connect::connect_generated;
use crate::exact::Json;
use crate::failure::{self, Exit, Failure};
use crate::options::Options;

const BODY: &str = "body";
const SHOW_SECRETS: &str = "show-secrets";
const ALL: &str = "all";

/// The operation chosen on the command line and its arguments.
#[derive(Clone)]
pub struct ApiArgs {
    pub operation: String,
    pub matches: ArgMatches,
    pub show_secrets: bool,
    /// `--all`: every item of every page, as NDJSON.
    pub all: bool,
}

/// The arguments' names only: `--body` may hold a secret field.
impl std::fmt::Debug for ApiArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiArgs")
            .field("operation", &self.operation)
            .field("given", &self.matches.ids().collect::<Vec<_>>())
            .field("show_secrets", &self.show_secrets)
            .field("all", &self.all)
            .finish()
    }
}

fn flag(matches: &ArgMatches, id: &str) -> bool {
    matches!(matches.try_get_one::<bool>(id), Ok(Some(true)))
}

impl clap::FromArgMatches for ApiArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let (operation, sub) = matches
            .subcommand()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::MissingSubcommand))?;
        Ok(Self {
            operation: operation.to_owned(),
            show_secrets: flag(matches, SHOW_SECRETS) || flag(sub, SHOW_SECRETS),
            all: flag(matches, ALL) || flag(sub, ALL),
            matches: sub.clone(),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for ApiArgs {
    fn augment_args(command: Command) -> Command {
        augment::<etna_client::generated::Client>(command)
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

/// `command` with one subcommand per operation of `C`.
pub fn augment<C: GeneratedClient>(command: Command) -> Command {
    C::OPERATIONS.iter().fold(
        command
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommand_value_name("OPERATION-ID")
            .subcommand_help_heading("Operations")
            .arg(
                Arg::new(SHOW_SECRETS)
                    .long(SHOW_SECRETS)
                    .action(ArgAction::SetTrue)
                    .global(true)
                    .help(
                        "Print the values of the answer's secret fields (format: password in the spec), shown as <secret> otherwise; `etna auth token` prints a stored session",
                    ),
            )
            .arg(
                Arg::new(ALL)
                    .long(ALL)
                    .action(ArgAction::SetTrue)
                    .global(true)
                    .help(
                        "For a paged operation: print every item of every page, following each page's link, one JSON object per line (NDJSON)",
                    ),
            ),
        |command, doc| command.subcommand(operation_command(doc)),
    )
}

fn operation_command(doc: &OperationSpec) -> Command {
    let mut command = Command::new(doc.id)
        .about(doc.summary)
        .long_about(format!(
            "{}\n\n{} {}",
            doc.summary, doc.method, doc.full_path
        ))
        .alias(doc.id.replace('_', "-"));
    for parameter in doc.parameters.iter().filter(|p| p.secret) {
        command = command.arg(
            Arg::new(stdin_flag(parameter.name))
                .long(stdin_flag(parameter.name))
                .action(ArgAction::SetTrue)
                .help(format!(
                    "Read the secret {} parameter {} from stdin (one line), instead of a prompt without echo",
                    parameter.location.as_str(),
                    parameter.name
                )),
        );
    }
    for parameter in doc.parameters.iter().filter(|p| !p.secret) {
        let help = parameter
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        command = command.arg(
            Arg::new(parameter.name)
                .long(parameter.name)
                .value_name(parameter.name.to_uppercase())
                .required(parameter.required)
                .help(format!(
                    "{help} ({} parameter)",
                    parameter.location.as_str()
                )),
        );
    }
    if let Some(body) = doc.body {
        let mut help = "The request body: JSON, @FILE, or - for stdin".to_owned();
        if !body.secret_properties.is_empty() {
            help.push_str(&format!(
                ". It has secret fields ({}): give it with @FILE or -, never inline",
                body.secret_properties.join(", ")
            ));
        }
        if !body.example.is_empty() {
            help.push_str(&format!(". Example: {}", body.example));
        }
        command = command.arg(
            Arg::new(BODY)
                .long(BODY)
                .value_name("JSON|@FILE|-")
                .required(body.required)
                .action(ArgAction::Set)
                .help(help),
        );
    }
    command
}

pub async fn run(cli: &Options, args: &ApiArgs) -> Result<(), Failure> {
    run_generated::<etna_client::generated::Client>(cli, args).await
}

/// Calls the chosen operation of `C` and prints the envelope on stdout.
pub async fn run_generated<C: Dispatch + GeneratedClient + Sync>(
    cli: &Options,
    args: &ApiArgs,
) -> Result<(), Failure> {
    let doc = C::OPERATIONS
        .iter()
        .find(|doc| doc.id == args.operation)
        .ok_or_else(|| Failure::new(Exit::Usage, format!("no operation {}", args.operation)))?;
    if args.all && !doc.paged {
        return Err(crate::pages::not_paged::<C>(doc.id));
    }
    let json_args = arguments::<C>(doc, &args.matches).await?;
    let target = connect_generated::<C>(cli).await?;
    // The session goes only to the operations whose security names Bearer;
    // with --mock it is the mock trader's, signed in for this command.
    match &target.mock {
        Some(mock) if doc.security.bearer == etna_client::Need::Required => {
            crate::connect::sign_in_to_mock(cli, mock, target.client.state()).await?;
        }
        Some(_) => {}
        None => {
            if let Some(which) = crate::sessions::attach(
                &target.base_url,
                target.client.state(),
                doc.security.bearer,
            )? {
                crate::output::verbose(cli, &format!("sending {which}"));
            }
        }
    }
    let mailed_before = target.mock.as_ref().map_or(0, |m| m.outbox().len());
    if args.all {
        let printed = crate::pages::print_all_items(
            &target.client,
            doc,
            &json_args,
            args.show_secrets,
            &target.base_url,
        )
        .await;
        print_mock_mail(&target.mock, mailed_before);
        target.finish().await;
        let printed = printed?;
        crate::output::verbose(cli, &format!("{printed} items"));
        return Ok(());
    }
    let reply = target.client.dispatch(doc.id, &json_args).await;
    let base_url = target.base_url.clone();
    print_mock_mail(&target.mock, mailed_before);
    target.finish().await;
    let reply = reply
        .ok_or_else(|| Failure::new(Exit::Usage, format!("no operation {}", doc.id)))?
        .map_err(|e| failure::from_call(&e, &base_url))?;
    match printed(doc, &reply.body_json, args.show_secrets) {
        Some(value) => crate::output::print_answer(cli, doc.answer_table.as_ref(), &value, None)?,
        None => crate::output::verbose(cli, &format!("HTTP {}: no body", reply.status)),
    }
    reply
        .outcome
        .map(drop)
        .map_err(|e| failure::from_call(&e, &base_url))
}

/// What stdout gets of an answer: its JSON (see `shown`) with every digit
/// the server sent, an array as an array; nothing for an answer without a
/// body (a 204), so that a script reads an empty output rather than `null`.
fn printed(doc: &OperationSpec, body_json: &str, show_secrets: bool) -> Option<Json> {
    Json::parse(body_json)
        .filter(|body| *body != Json::Null)
        .map(|body| shown(doc, body, show_secrets))
}

/// What is printed of an answer: its secret fields hidden unless asked for,
/// and then said on stderr, so that nobody takes `<secret>` for the value.
fn shown(doc: &OperationSpec, body: Json, show_secrets: bool) -> Json {
    if show_secrets {
        return body;
    }
    let secrets = &doc.answer_secrets;
    let redacted = body.clone().redacted(
        secrets.body,
        secrets.properties,
        etna_client::AnswerSecrets::SHOWN_AS,
    );
    if redacted != body {
        eprintln!(
            "etna: secret fields are shown as {}; --show-secrets prints them",
            etna_client::AnswerSecrets::SHOWN_AS
        );
    }
    redacted
}

/// The arguments as the dispatcher takes them, checked before anything is
/// sent.
async fn arguments<C: GeneratedClient>(
    doc: &OperationSpec,
    matches: &ArgMatches,
) -> Result<JsonArgs, Failure> {
    let mut parameters = serde_json::Map::new();
    for parameter in doc.parameters.iter().filter(|p| !p.secret) {
        if let Ok(Some(value)) = matches.try_get_one::<String>(parameter.name) {
            parameters.insert(parameter.name.to_owned(), Value::String(value.clone()));
        }
    }
    let given = doc.body.and_then(|_| matches.get_one::<String>(BODY));
    let secrets_on_stdin = doc
        .parameters
        .iter()
        .any(|p| p.secret && matches.get_flag(&stdin_flag(p.name)));
    if secrets_on_stdin && given.is_some_and(|g| g == "-") {
        return Err(Failure::new(
            Exit::Usage,
            "stdin cannot carry both secret parameters and the body; give the body with --body @FILE",
        ));
    }
    // In the spec's order, so that the lines of stdin follow it.
    for parameter in doc.parameters.iter().filter(|p| p.secret) {
        let value = if matches.get_flag(&stdin_flag(parameter.name)) {
            crate::prompt::stdin_line(parameter.name).await?
        } else if parameter.required && crate::prompt::interactive() {
            crate::prompt::hidden(parameter.name.to_owned()).await?
        } else if parameter.required {
            return Err(Failure::new(
                Exit::Usage,
                format!(
                    "{}: the secret parameter {} is required; give it on stdin with --{}",
                    doc.id,
                    parameter.name,
                    stdin_flag(parameter.name)
                ),
            ));
        } else {
            continue;
        };
        parameters.insert(
            parameter.name.to_owned(),
            Value::String(value.expose().to_owned()),
        );
    }
    let body = match (given, doc.body) {
        (Some(given), Some(body_doc)) => {
            let (text, inline) = read_body(given)?;
            let value: Value = serde_json::from_str(&text).map_err(|e| {
                Failure::new(
                    Exit::Usage,
                    format!("--body is not JSON ({e}); give a JSON object, @FILE or -"),
                )
            })?;
            if inline {
                let given: Vec<&str> = body_doc
                    .secret_properties
                    .iter()
                    .copied()
                    .filter(|name| has_property(&value, name))
                    .collect();
                if !given.is_empty() {
                    return Err(Failure::new(
                        Exit::Usage,
                        format!(
                            "--body carries the secret field(s) {} on the command line, where shell history and ps keep them; give the body with --body - (stdin) or --body @FILE",
                            given.join(", ")
                        ),
                    ));
                }
            }
            let problems = crate::validate::request_body_of::<C>(doc.id, &value)?;
            if !problems.is_empty() {
                return Err(Failure::new(
                    Exit::Usage,
                    format!("invalid --body: {}", problems.join("; ")),
                ));
            }
            Some((value, text))
        }
        _ => None,
    };
    // The body is sent as decoded from its text: a decimal keeps every
    // digit written (the `Value` checked above holds an `f64`).
    Ok(match body {
        Some((value, text)) => JsonArgs::new(parameters, Some(value)).with_body_text(text),
        None => JsonArgs::new(parameters, None),
    })
}

/// The flag that reads a secret parameter from stdin.
pub(crate) fn stdin_flag(name: &str) -> String {
    format!("{}-stdin", heck_kebab(name))
}

/// `VerificationCode` → `verification-code`.
fn heck_kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && !out.ends_with('-') {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The body's text, and whether it was written on the command line.
fn read_body(given: &str) -> Result<(String, bool), Failure> {
    let unreadable = |what: &str, e: std::io::Error| {
        Failure::new(
            Exit::Usage,
            format!("cannot read the body from {what}: {e}"),
        )
    };
    match given {
        "-" => std::io::read_to_string(std::io::stdin())
            .map(|text| (text, false))
            .map_err(|e| unreadable("stdin", e)),
        path if path.starts_with('@') => std::fs::read_to_string(&path[1..])
            .map(|text| (text, false))
            .map_err(|e| unreadable(&path[1..], e)),
        inline => Ok((inline.to_owned(), true)),
    }
}

fn has_property(value: &Value, name: &str) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(key, inner)| key == name || has_property(inner, name)),
        Value::Array(items) => items.iter().any(|item| has_property(item, name)),
        _ => false,
    }
}

/// With --mock the outbox dies with the command: what it "mailed" goes to
/// stderr, standing in for the trader's email.
pub fn print_mock_mail(mock: &Option<etna_mock::MockServer>, before: usize) {
    let Some(server) = mock else { return };
    for mail in server.outbox().into_iter().skip(before) {
        eprintln!(
            "etna: the mock mailed {} ({}) the confirmation code {}",
            mail.to, mail.login, mail.code
        );
    }
}

#[cfg(test)]
mod tests;
