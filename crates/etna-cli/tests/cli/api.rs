//! `etna api <operation-id>` as a user runs it: the spec's operations as
//! commands, bodies inline or from stdin or a file, secrets kept off the
//! command line and out of every output, and the documented exit codes.

use assert_cmd::assert::Assert;
use etna_mock::MockServer;
use predicates::prelude::*;
use serde_json::{Value, json};

use crate::servers::{Background, closed_port};
use crate::{etna, token_line};

const APP_KEY: &str = "sk-api-test-4b8e2d91";
const PASSWORD: &str = "N3w-api-passw0rd!";
/// The `hello` account's answer in the mock's accounts.
const ANSWER: &str = "Peterson";
const WRONG_ANSWER: &str = "answer-not-Peterson-5c1";

/// `(operationId, summary)` of every operation of the spec the mock follows.
fn spec_operations() -> Vec<(String, String)> {
    let spec: Value = serde_yaml_ng::from_str(etna_mock::SPEC).unwrap();
    etna_spec::operations(&spec)
        .into_iter()
        .map(|op| {
            let summary = op.operation["summary"].as_str().unwrap_or("");
            (op.id.to_owned(), summary.to_owned())
        })
        .collect()
}

fn stdout_json(assert: &Assert) -> Value {
    serde_json::from_slice(&assert.get_output().stdout).unwrap()
}

/// A file holding a body for `--body @FILE` (removed when dropped), and
/// the option's value that names it.
fn body_file(text: &str) -> (tempfile::NamedTempFile, String) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
    let arg = format!("@{}", file.path().display());
    (file, arg)
}

#[test]
fn help_lists_every_operation_of_the_spec_with_its_summary() {
    let assert = etna().args(["api", "--help"]).assert().code(0);
    let help = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    // The lines under "Operations:", up to clap's own `help`.
    let listed: Vec<(String, String)> = help
        .lines()
        .skip_while(|line| *line != "Operations:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let (id, summary) = line.trim().split_once(char::is_whitespace)?;
            (id != "help").then(|| (id.to_owned(), summary.trim().to_owned()))
        })
        .collect();
    let expected = spec_operations();
    assert!(!expected.is_empty(), "the spec has operations");
    assert_eq!(listed, expected, "{help}");
}

#[test]
fn an_operations_help_names_its_route_and_flags() {
    etna()
        .args(["api", "get_secret_question", "--help"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("GET /v{version}/users/password/secret-question")
                .and(predicate::str::contains("--username <USERNAME>"))
                .and(predicate::str::contains("(query parameter)")),
        );
    // A body with secret fields says how to give it.
    etna()
        .args(["api", "reset_password", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "secret fields (Password, PasswordConfirmation, Token): give it with @FILE or -",
        ));
}

#[test]
fn exit_0_a_parameter_is_a_flag_and_the_envelope_is_printed() {
    let assert = etna()
        .args([
            "--mock",
            "api",
            "get_secret_question",
            "--username",
            "hello",
        ])
        .assert()
        .code(0)
        .stderr("");
    let envelope = stdout_json(&assert);
    assert_eq!(
        envelope["Model"], "What street did you live on in third grade?",
        "{envelope}"
    );
    assert_eq!(envelope["IsSucceed"], true);
}

#[test]
fn exit_0_the_kebab_spelling_of_an_operation_id_works_too() {
    let assert = etna()
        .args([
            "--mock",
            "api",
            "get-secret-question",
            "--username",
            "hello",
        ])
        .assert()
        .code(0);
    assert_eq!(stdout_json(&assert)["IsSucceed"], true);
}

#[test]
fn exit_1_a_refusal_prints_the_envelope_and_the_reason_on_stderr() {
    let assert = etna()
        .args([
            "--mock",
            "api",
            "get_secret_question",
            "--username",
            "nobody",
        ])
        .assert()
        .code(1)
        .stderr(
            predicate::str::starts_with("error: get_secret_question: the API refused")
                .and(predicate::str::contains("UserNotFound")),
        );
    // The envelope as the server sent it, for scripts that read the reasons.
    let envelope = stdout_json(&assert);
    assert_eq!(envelope["IsSucceed"], false);
    assert_eq!(envelope["ErrorsCode"], json!(["UserNotFound"]));
}

#[test]
fn exit_0_step_1_with_the_mock_shows_the_mailed_code() {
    // Its documented success is `IsSucceed: false`, and the mock's outbox
    // dies with the command: the code it "mailed" is shown on stderr.
    let assert = etna()
        .args(["--mock", "api", "request_password_reset"])
        .args(["--body", r#"{"User":"robert.zak"}"#])
        .assert()
        .code(0)
        .stderr(
            predicate::str::is_match(
                r"^etna: the mock mailed robert\.zak@example\.com \(robert\.zak\) the confirmation code \S+\n$",
            )
            .unwrap(),
        );
    assert_eq!(stdout_json(&assert)["IsSucceed"], false);
}

#[test]
fn exit_0_a_body_with_secrets_from_stdin_or_a_file() {
    let body = r#"{"Code":"231408","Identifier":"ResetPassword"}"#;
    let (_file, arg) = body_file(body);
    for (how, stdin) in [("-", body), (arg.as_str(), "")] {
        let assert = etna()
            .args(["--mock", "api", "generate_reset_token", "--body", how])
            // The token is the answer's secret field: printed when asked for.
            .arg("--show-secrets")
            .write_stdin(stdin)
            .assert()
            .code(0)
            .stderr("");
        let envelope = stdout_json(&assert);
        let token = envelope["Model"].as_str().expect("a token in Model");
        assert!(token_line().eval(&format!("{token}\n")), "{envelope}");
    }
}

#[test]
fn exit_2_secret_fields_inline_are_refused_without_echoing_them() {
    let cases = [
        (
            "reset_password",
            json!({"Token": "token-inline-77", "Password": PASSWORD, "PasswordConfirmation": PASSWORD}),
            vec!["Password", "PasswordConfirmation", "Token"],
            vec!["token-inline-77", PASSWORD],
        ),
        (
            "generate_reset_token",
            json!({"Code": "code-inline-88", "Identifier": "ResetPassword"}),
            vec!["Code"],
            vec!["code-inline-88"],
        ),
    ];
    for (operation, body, fields, values) in cases {
        let assert = etna()
            .args(["--mock", "api", operation, "--body", &body.to_string()])
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicate::str::starts_with("error: --body carries the secret field(s) ")
                    .and(predicate::str::contains(fields.join(", ")))
                    .and(predicate::str::contains("--body -")),
            );
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        for value in values {
            assert!(
                !stderr.contains(value),
                "{operation} echoed {value}: {stderr}"
            );
        }
    }
}

#[test]
fn exit_2_a_body_that_is_not_json() {
    for (how, stdin) in [("{User: robert.zak}", ""), ("-", "not json")] {
        etna()
            .args(["--mock", "api", "request_password_reset", "--body", how])
            .write_stdin(stdin)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with("error: --body is not JSON"));
    }
}

#[test]
fn exit_2_a_body_against_the_schema_is_refused_before_any_request() {
    // Nothing listens there: a request would end in exit 4, not 2.
    let closed = closed_port();
    let (_file, arg) = body_file(r#"{"Code":"231 408","Identifier":"ResetPassword"}"#);
    let assert = etna()
        .args(["--base-url", &closed])
        .env("ETNA_APP_KEY", APP_KEY)
        .args(["api", "generate_reset_token", "--body", &arg])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::starts_with("error: invalid --body: Code does not match the pattern")
                .and(predicate::str::contains("never contains white space")),
        );
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains("231 408"), "the code was echoed: {stderr}");

    // A required property missing.
    etna()
        .args(["--base-url", &closed])
        .env("ETNA_APP_KEY", APP_KEY)
        .args(["api", "request_password_reset", "--body", "{}"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: invalid --body: the body is missing a required property",
        ));
}

#[test]
fn exit_2_a_required_flag_or_the_operation_missing() {
    let cases: [&[&str]; 4] = [
        &["--mock", "api", "get_secret_question"],
        &["--mock", "api", "generate_reset_token"],
        &["--mock", "api", "no_such_operation"],
        &["--mock", "api"],
    ];
    for args in cases {
        etna().args(args).assert().code(2).stdout("");
    }
}

#[test]
fn exit_3_the_app_key_is_rejected() {
    let background = Background::new();
    let server = background.mock(MockServer::builder().app_key(APP_KEY));
    etna()
        .args(["--base-url", &server.base_url()])
        .env("ETNA_APP_KEY", "wrong-key-3f9a")
        .args(["api", "get_secret_question", "--username", "hello"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(
            predicate::str::starts_with("error: the API rejected the app key")
                .and(predicate::str::contains("ETNA_APP_KEY")),
        );
}

#[test]
fn exit_4_nothing_listens_at_the_base_url() {
    etna()
        .args(["--base-url", &closed_port()])
        .env("ETNA_APP_KEY", APP_KEY)
        .args(["api", "get_secret_question", "--username", "hello"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: cannot reach the API at",
        ));
}

/// One `etna api` run with the app key in ETNA_APP_KEY and `stdin`.
struct Run {
    args: Vec<String>,
    stdin: String,
    code: i32,
}

impl Run {
    fn new(args: &[&str], stdin: &str, code: i32) -> Self {
        Self {
            args: args.iter().map(|s| (*s).to_owned()).collect(),
            stdin: stdin.to_owned(),
            code,
        }
    }

    /// Runs it; no secret in either output, and `not_on_stderr` (a value
    /// that stdout may carry, such as a requested token) not on stderr.
    /// Returns stdout.
    fn check(&self, verbose: bool, not_on_stderr: &[&str]) -> String {
        let mut command = etna();
        command.env("ETNA_APP_KEY", APP_KEY);
        if verbose {
            command.arg("--verbose");
        }
        let output = command
            .args(&self.args)
            .write_stdin(self.stdin.as_str())
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        let what = format!("{:?} (verbose: {verbose})", self.args);
        assert_eq!(output.status.code(), Some(self.code), "{what}: {stderr}");
        for secret in [APP_KEY, PASSWORD, ANSWER, WRONG_ANSWER] {
            for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
                assert!(
                    !text.contains(secret),
                    "{what} printed {secret} on {stream}: {text}"
                );
            }
        }
        for value in not_on_stderr {
            assert!(
                !stderr.contains(value),
                "{what} printed {value} on stderr: {stderr}"
            );
        }
        // With --verbose the check saw the most there is to print.
        assert!(!verbose || !stderr.is_empty(), "{what}: nothing on stderr");
        stdout
    }
}

fn reset_body(token: &str, password: &str, confirmation: &str) -> String {
    json!({"Token": token, "Password": password, "PasswordConfirmation": confirmation}).to_string()
}

#[test]
fn no_command_prints_the_app_key_or_a_password_or_answer_given_on_stdin() {
    let background = Background::new();
    let server = background.mock(MockServer::builder().app_key(APP_KEY));
    let url = server.base_url();
    let rejecting = background.mock(MockServer::builder());
    let rejecting_url = rejecting.base_url();
    let closed = closed_port();
    let api = |base: &str, rest: &[&str]| -> Vec<String> {
        let mut args = vec!["--base-url".to_owned(), base.to_owned(), "api".to_owned()];
        args.extend(rest.iter().map(|s| (*s).to_owned()));
        args
    };
    let run = |args: Vec<String>, stdin: &str, code: i32| Run {
        args,
        stdin: stdin.to_owned(),
        code,
    };
    let answer =
        |answer: &str| json!({"User": "hello", "SecretQuestionAnswer": answer}).to_string();
    let body = ["--body", "-"];

    for verbose in [false, true] {
        // The whole flow against one server, secrets on stdin, the token
        // carried from step 3's stdout (--show-secrets) to step 4's stdin.
        let step_1 = ["request_password_reset", body[0], body[1]];
        run(api(&url, &step_1), &answer(WRONG_ANSWER), 1).check(verbose, &[]);
        run(api(&url, &step_1), &answer(ANSWER), 0).check(verbose, &[]);
        let code = server.last_code_for("hello").expect("a mailed code");
        let code_body = json!({"Code": code, "Identifier": "ResetPassword"}).to_string();
        let step_3 = ["generate_reset_token", body[0], body[1], "--show-secrets"];
        let stdout = run(api(&url, &step_3), &code_body, 0).check(verbose, &[&code]);
        let envelope: Value = serde_json::from_str(&stdout).unwrap();
        let token = envelope["Model"].as_str().unwrap().to_owned();
        let step_4 = ["reset_password", body[0], body[1]];
        let mismatch = reset_body(&token, PASSWORD, "N3w-other-passw0rd");
        run(api(&url, &step_4), &mismatch, 1).check(verbose, &[&token]);
        run(
            api(&url, &step_4),
            &reset_body(&token, PASSWORD, PASSWORD),
            0,
        )
        .check(verbose, &[&token]);
        assert!(server.password_is("hello", PASSWORD));
        // The token is used now.
        run(
            api(&url, &step_4),
            &reset_body(&token, PASSWORD, PASSWORD),
            1,
        )
        .check(verbose, &[&token]);
        run(
            api(&url, &["get_secret_question", "--username", "hello"]),
            "",
            0,
        )
        .check(verbose, &[]);

        // Failures: a rejected key, no server, a body against the schema.
        let password_body = reset_body("token-4d2", PASSWORD, PASSWORD);
        run(api(&rejecting_url, &step_4), &password_body, 3).check(verbose, &[]);
        run(api(&closed, &step_4), &password_body, 4).check(verbose, &[]);
        let no_token = json!({"Password": PASSWORD, "PasswordConfirmation": PASSWORD});
        run(api(&url, &step_4), &no_token.to_string(), 2).check(verbose, &[]);

        // The embedded mock, which takes ETNA_APP_KEY as its key.
        Run::new(
            &["--mock", "api", "request_password_reset", "--body", "-"],
            &answer(ANSWER),
            0,
        )
        .check(verbose, &[]);
        Run::new(
            &["--mock", "api", "reset_password", "--body", "-"],
            &password_body,
            1,
        )
        .check(verbose, &[]);
    }
}

/// `sign_in` answers with the session token: `etna api` prints it as
/// `<secret>` (the spec marks it `format: password`), says so on stderr, and
/// prints it only with --show-secrets. `etna auth token` is the command that
/// prints a stored session.
#[test]
fn exit_0_secret_answer_fields_print_as_secret_unless_asked_for() {
    // robert.zak's password in the mock's accounts (data/accounts.yaml).
    let password = "Passw0rd!";
    let sign_in = [
        "api",
        "sign_in",
        "--Username",
        "robert.zak",
        "--password-stdin",
    ];
    let hidden = etna()
        .arg("--mock")
        .args(sign_in)
        .write_stdin(format!("{password}\n"))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("--show-secrets"));
    let body = stdout_json(&hidden);
    assert_eq!(body["Token"], "<secret>", "{body}");
    assert_eq!(body["State"], "Succeeded", "{body}");
    let shown = etna()
        .arg("--mock")
        .args(sign_in)
        .arg("--show-secrets")
        .write_stdin(format!("{password}\n"))
        .assert()
        .code(0)
        .stderr("");
    let token = stdout_json(&shown)["Token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 16 && token != "<secret>", "{token}");
    // A secret that is an envelope's `Model` in one answer only.
    let reset = etna()
        .args(["--mock", "api", "generate_reset_token", "--body", "-"])
        .write_stdin(r#"{"Code": "231408", "Identifier": "ResetPassword"}"#)
        .assert()
        .code(0);
    assert_eq!(stdout_json(&reset)["Model"], "<secret>");
}

/// 26 significant digits: printed through an `f64`, they would be cut.
const EXACT: &str = "-0.05700775140829844330933239";

/// A server with two pages of positions for account 6303: the first links
/// to the second (which `pageNumber` says), the second ends with `""`. It
/// answers only requests with the app key and the session token.
fn two_pages(background: &Background) -> String {
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode, Uri};
    let root = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let router = axum::Router::new()
        .route(
            "/v1.0/accounts/6303/positions",
            axum::routing::get(
                |State(root): State<std::sync::Arc<std::sync::OnceLock<String>>>,
                 headers: HeaderMap,
                 uri: Uri| async move {
                    let credentials = headers.get("Et-App-Key").is_some_and(|v| v == APP_KEY)
                        && headers
                            .get("Authorization")
                            .is_some_and(|v| v == "Bearer cli-paging-token");
                    if !credentials {
                        return (StatusCode::UNAUTHORIZED, String::new());
                    }
                    let root = root.get().cloned().unwrap_or_default();
                    let first = uri
                        .query()
                        .is_some_and(|q| q.split('&').any(|p| p == "pageNumber=0"));
                    let body = match first {
                        true => format!(
                            r#"{{"Result": [{{"Id": 1, "CostBasis": {EXACT}}}, {{"Id": 2, "CostBasis": 100.00000}}], "NextPageLink": "{root}/v1.0/accounts/6303/positions?pageNumber=1&pageSize=2&sortField=Id&desc=false", "TotalCount": 3}}"#
                        ),
                        false => r#"{"Result": [{"Id": 3, "CostBasis": 1}], "NextPageLink": "", "TotalCount": 3}"#.to_owned(),
                    };
                    (StatusCode::OK, body)
                },
            ),
        )
        .with_state(root.clone());
    let url = background.serve(router);
    root.set(url.clone()).unwrap();
    url
}

#[test]
fn exit_0_all_prints_every_item_of_every_page_as_ndjson_with_every_digit() {
    let background = Background::new();
    let url = two_pages(&background);
    let assert = etna()
        .env("ETNA_APP_KEY", APP_KEY)
        .env("ETNA_TOKEN", "cli-paging-token")
        .args(["--base-url", &url, "api", "list_positions", "--all"])
        .args([
            "--accountId",
            "6303",
            "--pageNumber",
            "0",
            "--pageSize",
            "2",
        ])
        .args(["--sortField", "Id", "--desc", "false"])
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert_eq!(
        stdout,
        format!(
            "{{\"CostBasis\":{EXACT},\"Id\":1}}\n{{\"CostBasis\":100.00000,\"Id\":2}}\n{{\"CostBasis\":1,\"Id\":3}}\n"
        )
    );
}

#[test]
fn exit_2_all_on_an_operation_that_is_not_paged_names_the_paged_ones() {
    etna()
        .args([
            "--mock",
            "api",
            "get_secret_question",
            "--username",
            "hello",
        ])
        .arg("--all")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("get_secret_question answers in one piece")
                .and(predicate::str::contains("list_orders, list_positions")),
        );
}

/// The body is sent as decoded from the text given: a price with more
/// digits than an `f64` holds, and a scale, reach the server as written;
/// the empty `ClientId` is filled (the spec's `x-etna-client-id`).
#[test]
fn exit_0_a_body_keeps_every_digit_it_was_given_and_the_client_id_is_filled() {
    use std::sync::{Arc, Mutex};
    let background = Background::new();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let router = axum::Router::new().route(
        "/v1.0/accounts/6303/orders",
        axum::routing::post(move |body: String| {
            let record = record.clone();
            async move {
                record.lock().unwrap().push(body);
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    r#"{"Id": 1, "Status": "New"}"#,
                )
            }
        }),
    );
    let url = background.serve(router);
    etna()
        .env("ETNA_APP_KEY", APP_KEY)
        .env("ETNA_TOKEN", "cli-order-token")
        .args(["--base-url", &url, "api", "place_order", "--accountId", "6303"])
        .args(["--body", &format!(r#"{{"Symbol": "AAPL", "Type": "Limit", "Side": "Buy", "Quantity": 100.00000, "Price": {}, "ClientId": ""}}"#, EXACT.trim_start_matches('-'))])
        .assert()
        .code(0);
    let sent = seen.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let digits = EXACT.trim_start_matches('-');
    assert!(
        sent[0].contains(&format!("\"Price\":{digits}")),
        "{}",
        sent[0]
    );
    assert!(sent[0].contains("\"Quantity\":100.00000"), "{}", sent[0]);
    let body: Value = serde_json::from_str(&sent[0]).unwrap();
    let client_id = body["ClientId"].as_str().unwrap();
    assert!(
        client_id.len() == 19 && client_id.bytes().all(|b| b.is_ascii_digit()),
        "{client_id}"
    );
}
