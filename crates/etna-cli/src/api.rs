//! `etna api <operation-id>`: every operation of the spec as a command, built
//! at run time from the generated client's operation table
//! ([`GeneratedClient::OPERATIONS`]), so an operation added to the spec is a
//! command after `cargo xtask codegen`, with no line here. Parameters are
//! flags; the body is `--body JSON`, `--body @FILE` or `--body -`. A body
//! with a secret field (`format: password` in the spec) is refused on the
//! command line, where shell history and `ps` would keep it; a secret
//! parameter is never a flag's value: it is asked without echo on a
//! terminal, or read from stdin with `--NAME-stdin`.

use clap::{Arg, ArgAction, ArgMatches, Command};
use etna_client::dispatch::JsonArgs;
use etna_client::{Dispatch, GeneratedClient, OperationSpec};
use serde_json::Value;

use crate::connect::connect_generated;
use crate::failure::{self, Exit, Failure};
use crate::options::Options;
use crate::print_json;

const BODY: &str = "body";

/// The operation chosen on the command line and its arguments.
#[derive(Clone, Debug)]
pub struct ApiArgs {
    pub operation: String,
    pub matches: ArgMatches,
}

impl clap::FromArgMatches for ApiArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let (operation, matches) = matches
            .subcommand()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::MissingSubcommand))?;
        Ok(Self {
            operation: operation.to_owned(),
            matches: matches.clone(),
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
            .subcommand_help_heading("Operations"),
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
    let json_args = arguments(doc, &args.matches).await?;
    let target = connect_generated::<C>(cli).await?;
    // The session goes only to the operations whose security names Bearer;
    // with --mock there is none to send (nothing outlives the command).
    if target.mock.is_none()
        && let Some(which) =
            crate::sessions::attach(&target.base_url, target.client.state(), doc.security.bearer)?
    {
        crate::verbose(cli, &format!("sending {which}"));
    }
    let mailed_before = target.mock.as_ref().map_or(0, |m| m.outbox().len());
    let reply = target.client.dispatch(doc.id, &json_args).await;
    let base_url = target.base_url.clone();
    print_mock_mail(&target.mock, mailed_before);
    target.finish().await;
    let reply = reply
        .ok_or_else(|| Failure::new(Exit::Usage, format!("no operation {}", doc.id)))?
        .map_err(|e| failure::from_call(&e, &base_url))?;
    print_json(&reply.body)?;
    reply
        .outcome
        .map(drop)
        .map_err(|e| failure::from_call(&e, &base_url))
}

/// The arguments as the dispatcher takes them, checked before anything is
/// sent.
async fn arguments(doc: &OperationSpec, matches: &ArgMatches) -> Result<JsonArgs, Failure> {
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
            let problems = crate::validate::request_body(doc.id, &value)?;
            if !problems.is_empty() {
                return Err(Failure::new(
                    Exit::Usage,
                    format!("invalid --body: {}", problems.join("; ")),
                ));
            }
            Some(value)
        }
        _ => None,
    };
    Ok(JsonArgs::new(parameters, body))
}

/// The flag that reads a secret parameter from stdin.
fn stdin_flag(name: &str) -> String {
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

/// The client etna-client's tests generate from the spec plus one operation.
/// Declared here rather than in `tests`: a `#[path]` inside an inline module
/// of `api.rs` is taken from `src/api/tests/`, a directory that does not exist.
/// (Its `cfg_attr(feature = "json-schema", ..)` is declared to check-cfg in
/// Cargo.toml: an `#[allow]` here does not reach it.)
#[cfg(test)]
#[path = "../../etna-client/tests/client/fixture/mod.rs"]
mod fixture;

#[cfg(test)]
mod tests {
    //! An operation that only the fixture client has (`set_pin_code`, from
    //! etna-client's `tests/client/fixture/extra-operation.yaml`) becomes a
    //! command and a request with no line written for it: what `cargo xtask
    //! codegen` gives `etna api` when the spec gains an operation.

    use std::sync::{Arc, Mutex};

    use axum::http::StatusCode;
    use clap::{FromArgMatches, Parser};
    use etna_client::GeneratedClient;
    use serde_json::{Value, json};

    use super::fixture;
    use super::*;

    const OPERATION: &str = "set_pin_code";
    /// The spec addition the fixture client was generated with.
    const EXTRA: &str = include_str!("../../etna-client/tests/client/fixture/extra-operation.yaml");
    const APP_KEY: &str = "fixture-app-key";

    fn extra_spec() -> Value {
        serde_yaml_ng::from_str(EXTRA).unwrap()
    }

    /// The fixture operation's method, and the path the server sees
    /// (`/v1.0` + the spec's path).
    fn method_and_path() -> (String, String) {
        let spec = extra_spec();
        let operation = etna_spec::operations(&spec)
            .into_iter()
            .find(|op| op.id == OPERATION)
            .unwrap();
        let base = <fixture::Client as GeneratedClient>::SERVERS[0]
            .base_path
            .replace("{version}", "1.0");
        (
            operation.method.to_owned(),
            format!("{base}{}", operation.path),
        )
    }

    fn api_args(line: &[&str]) -> ApiArgs {
        let matches = augment::<fixture::Client>(Command::new("api"))
            .try_get_matches_from(std::iter::once("api").chain(line.iter().copied()))
            .unwrap();
        ApiArgs::from_arg_matches(&matches).unwrap()
    }

    /// The global options, as `etna --base-url URL --app-key KEY ...` gives
    /// them. The subcommand is only there to make the line complete: the real
    /// client's `api` has no fixture operation to parse.
    fn cli(base_url: &str) -> crate::cli::Cli {
        let line = ["etna", "--base-url", base_url, "--app-key", APP_KEY];
        crate::cli::Cli::try_parse_from(line.into_iter().chain(["mock", "serve"])).unwrap()
    }

    /// What the server was sent.
    #[derive(Debug)]
    struct Seen {
        method: String,
        path: String,
        app_key: Option<String>,
        body: Value,
    }

    /// A server on 127.0.0.1 that records every request and answers the
    /// fixture operation with a successful envelope (anything else: 404).
    async fn recording_server() -> (String, Arc<Mutex<Vec<Seen>>>) {
        let (method, path) = method_and_path();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = seen.clone();
        let router = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let (method, path, record) = (method.clone(), path.clone(), record.clone());
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, 64 * 1024)
                    .await
                    .unwrap_or_default();
                let answered = parts.method.as_str() == method && parts.uri.path() == path;
                record.lock().unwrap().push(Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_owned(),
                    app_key: parts
                        .headers
                        .get("Et-App-Key")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                });
                match answered {
                    true => (
                        StatusCode::OK,
                        axum::Json(json!({
                            "Model": {"Hint": "hint-from-server", "ImageName": "cat.png"},
                            "Errors": [],
                            "IsSucceed": true
                        })),
                    ),
                    false => (StatusCode::NOT_FOUND, axum::Json(json!({}))),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        (url, seen)
    }

    /// A file holding `body` (removed when dropped), and the `--body`
    /// value that names it.
    fn body_file(body: &Value) -> (tempfile::NamedTempFile, String) {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, body.to_string().as_bytes()).unwrap();
        let arg = format!("@{}", file.path().display());
        (file, arg)
    }

    fn pin_body() -> Value {
        json!({"Token": "token-from-step-3", "Pin": "pin-774411", "ImageName": "cat.png"})
    }

    #[test]
    fn a_new_operation_of_the_spec_is_a_command_with_its_summary_and_flags() {
        let spec = extra_spec();
        let operation = etna_spec::operations(&spec)
            .into_iter()
            .find(|op| op.id == OPERATION)
            .unwrap();
        let api = augment::<fixture::Client>(Command::new("api"));
        let command = api
            .find_subcommand(OPERATION)
            .expect("a set_pin_code command");
        assert_eq!(
            command.get_about().map(ToString::to_string).as_deref(),
            operation.operation["summary"].as_str()
        );
        // One flag per parameter, and --body, required as the spec says.
        let mut expected: Vec<(String, bool)> = operation
            .operation
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| {
                let required = p["required"].as_bool().unwrap_or(false);
                (p["name"].as_str().unwrap().to_owned(), required)
            })
            .collect();
        if let Some(body) = operation.operation.get("requestBody") {
            let required = body["required"].as_bool().unwrap_or(false);
            expected.push((BODY.to_owned(), required));
        }
        let flags: Vec<(String, bool)> = command
            .get_arguments()
            .filter_map(|arg| Some((arg.get_long()?.to_owned(), arg.is_required_set())))
            .collect();
        assert_eq!(flags, expected);
        // The --body help says which fields must not be given inline.
        let body_help = command
            .get_arguments()
            .find(|arg| arg.get_id() == BODY)
            .and_then(|arg| arg.get_help())
            .unwrap()
            .to_string();
        assert!(body_help.contains("Pin, Token"), "{body_help}");
        // The kebab spelling is an alias, as for the spec's own operations.
        assert!(api.find_subcommand("set-pin-code").is_some());
        // The command came from the fixture's table alone: the ETNA client's
        // has no such operation.
        let etna = augment::<etna_client::generated::Client>(Command::new("api"));
        assert!(etna.find_subcommand(OPERATION).is_none());
    }

    #[tokio::test]
    async fn a_new_operations_command_sends_its_request() {
        let (url, seen) = recording_server().await;
        let (_file, body) = body_file(&pin_body());
        let args = api_args(&[OPERATION, "--body", &body]);
        run_generated::<fixture::Client>(&cli(&url).options, &args)
            .await
            .expect("the fixture operation succeeds");
        let seen = seen.lock().unwrap();
        let [request] = seen.as_slice() else {
            panic!("one request expected, got {seen:?}");
        };
        let (method, path) = method_and_path();
        assert_eq!(request.method, method);
        assert_eq!(request.path, path);
        assert_eq!(request.app_key.as_deref(), Some(APP_KEY));
        assert_eq!(request.body, pin_body());
    }

    #[tokio::test]
    async fn a_new_operations_secret_fields_are_refused_inline_before_any_request() {
        let (url, seen) = recording_server().await;
        let inline = pin_body().to_string();
        let args = api_args(&["set-pin-code", "--body", &inline]);
        let failure = run_generated::<fixture::Client>(&cli(&url).options, &args)
            .await
            .expect_err("secret fields on the command line");
        assert_eq!(failure.exit, Exit::Usage);
        assert!(
            failure.message.contains("Pin, Token"),
            "{}",
            failure.message
        );
        for value in ["token-from-step-3", "pin-774411"] {
            assert!(!failure.message.contains(value), "{}", failure.message);
        }
        assert!(seen.lock().unwrap().is_empty(), "nothing is sent");
    }

    #[tokio::test]
    async fn an_operation_the_client_lacks_is_a_usage_error() {
        // Parsed with the fixture's commands, run with the ETNA client.
        let (url, seen) = recording_server().await;
        let (_file, body) = body_file(&pin_body());
        let args = api_args(&[OPERATION, "--body", &body]);
        let failure = run_generated::<etna_client::generated::Client>(&cli(&url).options, &args)
            .await
            .expect_err("no such operation");
        assert_eq!(failure.exit, Exit::Usage);
        assert!(seen.lock().unwrap().is_empty());
    }
}
