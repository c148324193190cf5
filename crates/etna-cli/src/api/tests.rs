//! An operation that only the fixture client has (`set_pin_code`, from
//! etna-test-fixtures' `fixture/extra-operation.yaml`) becomes a
//! command and a request with no line written for it: what `cargo xtask
//! codegen` gives `etna api` when the spec gains an operation.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use clap::{FromArgMatches, Parser};
use etna_client::GeneratedClient;
use serde_json::{Value, json};

use etna_test_fixtures::fixture;

use super::*;

const OPERATION: &str = "set_pin_code";
/// The spec addition the fixture client was generated with.
const EXTRA: &str = fixture::EXTRA_OPERATION;
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

/// The global options, as `ETNA_APP_KEY=KEY etna --base-url URL ...` gives
/// them. The subcommand is only there to make the line complete: the real
/// client's `api` has no fixture operation to parse.
fn cli(base_url: &str) -> crate::cli::Cli {
    let line = ["etna", "--base-url", base_url];
    let mut cli =
        crate::cli::Cli::try_parse_from(line.into_iter().chain(["mock", "serve"])).unwrap();
    // ETNA_APP_KEY's value, which a test cannot set without racing the others.
    cli.options.app_key = Some(APP_KEY.into());
    cli
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
    assert!(body_help.contains("Pin, Ticket, Token"), "{body_help}");
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

/// `Ticket` is a secret only through its `$ref` to a password schema: it is
/// refused inline as the inline `format: password` fields are.
#[tokio::test]
async fn a_secret_field_given_by_ref_is_refused_inline() {
    let (url, seen) = recording_server().await;
    let inline = json!({"ImageName": "cat.png", "Ticket": "ticket-55120"}).to_string();
    let args = api_args(&[OPERATION, "--body", &inline]);
    let failure = run_generated::<fixture::Client>(&cli(&url).options, &args)
        .await
        .expect_err("a secret field on the command line");
    assert_eq!(failure.exit, Exit::Usage);
    assert!(
        failure.message.contains("secret field(s) Ticket"),
        "{}",
        failure.message
    );
    assert!(
        !failure.message.contains("ticket-55120"),
        "{}",
        failure.message
    );
    assert!(seen.lock().unwrap().is_empty(), "nothing is sent");
}

/// The answer's secret fields (`Hint` by `$ref`) print as `<secret>` unless
/// asked for; the others as sent.
#[test]
fn answers_show_secret_fields_only_on_request() {
    let doc = fixture::Client::OPERATIONS
        .iter()
        .find(|op| op.id == OPERATION)
        .unwrap();
    let answer =
        json!({"Model": {"Hint": "hint-from-server", "ImageName": "cat.png"}, "IsSucceed": true});
    let answer = Json::parse(&answer.to_string()).unwrap();
    let shown_as =
        |show| serde_json::from_str::<Value>(&shown(doc, answer.clone(), show).compact()).unwrap();
    assert_eq!(
        shown_as(false),
        json!({"Model": {"Hint": "<secret>", "ImageName": "cat.png"}, "IsSucceed": true})
    );
    assert_eq!(
        shown_as(true),
        json!({"Model": {"Hint": "hint-from-server", "ImageName": "cat.png"}, "IsSucceed": true})
    );
    // Either place of the flag is read.
    for line in [
        &["--show-secrets", OPERATION, "--body", "-"][..],
        &[OPERATION, "--body", "-", "--show-secrets"],
    ] {
        assert!(api_args(line).show_secrets, "{line:?}");
    }
    assert!(!api_args(&[OPERATION, "--body", "-"]).show_secrets);
}

#[test]
fn the_arguments_debug_shows_no_value() {
    let inline = json!({"ImageName": "cat.png", "Pin": "pin-774411"}).to_string();
    let text = format!("{:?}", api_args(&[OPERATION, "--body", &inline]));
    assert!(!text.contains("pin-774411"), "{text}");
    assert!(text.contains(OPERATION) && text.contains("body"), "{text}");
}

/// A server on 127.0.0.1 that answers each `(method, path)` of `answers`
/// with its status and body (none for `None`), anything else 404.
async fn answering_server(
    answers: Vec<(&'static str, &'static str, u16, Option<Value>)>,
) -> String {
    let router = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let found = answers
            .iter()
            .find(|(method, path, ..)| {
                request.method().as_str() == *method && request.uri().path() == *path
            })
            .map(|(_, _, status, body)| (*status, body.clone()));
        async move {
            use axum::response::IntoResponse;
            match found {
                Some((status, Some(body))) => {
                    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
                }
                Some((status, None)) => StatusCode::from_u16(status).unwrap().into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}

/// An operation, its path parameters, what stdout gets, and whether the
/// answer is a success.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<Value>,
    bool,
);

/// The answer shapes of ETNA's generated schemas, through `etna api` with
/// no code of their own: a bare array prints as the array, a 204 prints
/// nothing (a 200 with a body prints it), and each of two documented error
/// bodies prints as sent and exits as a refusal.
#[tokio::test]
async fn each_answer_shape_prints_what_came() {
    let url = answering_server(vec![
        (
            "GET",
            "/v1.0/fixture/items",
            200,
            Some(json!([{"Value": "a"}, {"Value": "b"}])),
        ),
        ("DELETE", "/v1.0/fixture/items/gone", 204, None),
        (
            "DELETE",
            "/v1.0/fixture/items/kept",
            200,
            Some(json!({"Value": "stopped"})),
        ),
        (
            "POST",
            "/v1.0/fixture/items/big/check",
            400,
            Some(json!({"Accepted": false, "Reason": "too big"})),
        ),
        (
            "POST",
            "/v1.0/fixture/items/odd/check",
            422,
            Some(json!({"Message": "not readable"})),
        ),
    ])
    .await;
    let client = etna_client::ClientBuilder::default()
        .base_url(&url)
        .app_key(APP_KEY)
        .build_generated::<fixture::Client>()
        .unwrap();
    let cases: [Case; 5] = [
        (
            "fixture_list_items",
            &[],
            Some(json!([{"Value": "a"}, {"Value": "b"}])),
            true,
        ),
        ("fixture_stop_item", &[("itemID", "gone")], None, true),
        (
            "fixture_stop_item",
            &[("itemID", "kept")],
            Some(json!({"Value": "stopped"})),
            true,
        ),
        (
            "fixture_check_item",
            &[("itemID", "big")],
            Some(json!({"Accepted": false, "Reason": "too big"})),
            false,
        ),
        (
            "fixture_check_item",
            &[("itemID", "odd")],
            Some(json!({"Message": "not readable"})),
            false,
        ),
    ];
    for (id, parameters, expected, accepted) in cases {
        let doc = fixture::Client::OPERATIONS
            .iter()
            .find(|op| op.id == id)
            .unwrap();
        let arguments = parameters
            .iter()
            .map(|(name, value)| ((*name).to_owned(), json!(value)))
            .collect();
        let reply = etna_client::Dispatch::dispatch(&client, id, &JsonArgs::new(arguments, None))
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let printed = printed(doc, &reply.body_json, false)
            .map(|json| serde_json::from_str::<Value>(&json.compact()).unwrap());
        assert_eq!(printed, expected, "{id}");
        assert_eq!(reply.accepted, accepted, "{id}: {:?}", reply.outcome);
        // The command itself: the same outcome, the refusals' exit code.
        let mut line = vec![id.to_owned()];
        for (name, value) in parameters {
            line.extend([format!("--{name}"), (*value).to_owned()]);
        }
        let line: Vec<&str> = line.iter().map(String::as_str).collect();
        let outcome = run_generated::<fixture::Client>(&cli(&url).options, &api_args(&line)).await;
        match accepted {
            true => assert!(
                outcome.is_ok(),
                "{id}: {:?}",
                outcome.err().map(|f| f.message)
            ),
            false => assert_eq!(outcome.unwrap_err().exit, Exit::Refused, "{id}"),
        }
    }
}

/// `fixture_list_items`, a bare array only the fixture client has, is a
/// table with no line written for it: its item schema's scalar columns in
/// the spec's order, a secret field shown as `<secret>`.
#[test]
fn a_list_added_to_the_spec_is_a_table_of_its_items() {
    let doc = fixture::Client::OPERATIONS
        .iter()
        .find(|op| op.id == "fixture_list_items")
        .unwrap();
    let table = doc.answer_table.expect("a bare array is a list");
    assert_eq!(table.items, None);
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    assert_eq!(names, ["Value", "Secret"]);
    let body = shown(
        doc,
        Json::parse(r#"[{"Value":"a","Secret":"s3cr3t"},{"Value":"b"}]"#).unwrap(),
        false,
    );
    let rows = crate::tables::rows(&table, &body).unwrap();
    let text = crate::tables::render(&table, rows, None, Some(80)).text;
    assert!(text.starts_with(" Value"), "{text}");
    assert!(
        text.contains("<secret>") && !text.contains("s3cr3t"),
        "{text}"
    );
    // One object is not a list.
    let one = fixture::Client::OPERATIONS
        .iter()
        .find(|op| op.id == "fixture_holding")
        .unwrap();
    assert!(one.answer_table.is_none());
}
