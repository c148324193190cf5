//! What the commands print: JSON envelopes, --verbose, --help, --version.

use etna_mock::MockServer;
use predicates::prelude::*;
use serde_json::{Value, json};

use crate::servers::{Background, closed_port};
use crate::{etna, spec_example, token_line};

fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn json_output_of_a_success_is_the_envelope_with_the_token() {
    let output = etna()
        .args(["--mock", "--output", "json", "generate-reset-token"])
        .args(["--code-stdin", "--identifier", "reset-password"])
        .write_stdin("231408\n")
        .assert()
        .code(0)
        .stderr("")
        .get_output()
        .clone();
    // The envelope as the server sent it: the spec's success example with
    // the mock's fresh token.
    let mut got = stdout_json(&output);
    let token = got["Model"].take();
    assert!(token_line().eval(&format!("{}\n", token.as_str().unwrap())));
    let mut success = spec_example("200", "success");
    success["Model"] = Value::Null;
    assert_eq!(got, success);
}

#[test]
fn json_output_of_a_refusal_is_the_envelope_with_the_reasons() {
    let output = etna()
        .args(["--mock", "--output", "json", "generate-reset-token"])
        .args(["--code-stdin", "--identifier", "reset-pin-code"])
        .write_stdin("999999\n")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: generate_reset_token: the API refused",
        ))
        .get_output()
        .clone();
    let refused = spec_example("200", "refused");
    assert_eq!(
        stdout_json(&output),
        json!({
            "Errors": refused["Errors"],
            "ErrorsCode": refused["ErrorsCode"],
            "StatusCode": refused["StatusCode"],
            "IsSucceed": false,
        })
    );
}

#[test]
fn json_output_of_other_failures_prints_nothing_on_stdout() {
    let background = Background::new();
    let server = background.mock(MockServer::builder());
    etna()
        .args(["--output", "json", "--base-url", &server.base_url()])
        .env("ETNA_APP_KEY", "wrong")
        .args([
            "generate-reset-token",
            "--code-stdin",
            "--identifier",
            "reset-password",
        ])
        .write_stdin("231408\n")
        .assert()
        .code(3)
        .stdout("");
    etna()
        .args(["--output", "json", "--base-url", &closed_port()])
        .env("ETNA_APP_KEY", "some-app-key")
        .args([
            "generate-reset-token",
            "--code-stdin",
            "--identifier",
            "reset-password",
        ])
        .write_stdin("231408\n")
        .assert()
        .code(4)
        .stdout("");
}

#[test]
fn verbose_says_what_is_called_on_stderr_only() {
    etna()
        .args(["--mock", "--verbose", "generate-reset-token"])
        .args(["--code-stdin", "--identifier", "reset-pin-code"])
        .write_stdin("231408\n")
        .assert()
        .code(0)
        .stdout(token_line())
        .stderr(
            predicate::str::contains("etna: started the embedded mock server at http://127.0.0.1:")
                .and(predicate::str::contains("API version 1.0, timeout 30 s"))
                .and(predicate::str::contains("ResetPinCode")),
        );
}

#[test]
fn global_options_may_follow_the_subcommand() {
    etna()
        .args([
            "generate-reset-token",
            "--code-stdin",
            "--identifier",
            "reset-password",
        ])
        .write_stdin("231408\n")
        .args(["--mock", "--output", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"IsSucceed\": true"));
}

#[test]
fn help_is_written_for_a_person() {
    etna().arg("--help").assert().code(0).stdout(
        predicate::str::contains("Calls the ETNA Trader API")
            .and(predicate::str::contains("--base-url <URL>"))
            .and(predicate::str::contains("[env: ETNA_BASE_URL"))
            .and(predicate::str::contains(
                "ETNA_APP_KEY   the application key",
            ))
            .and(predicate::str::contains("--app-key").not())
            .and(predicate::str::contains("--api-version <VERSION>"))
            .and(predicate::str::contains("[default: 1.0]"))
            .and(predicate::str::contains("--timeout <SECONDS>"))
            .and(predicate::str::contains("[default: 30]"))
            .and(predicate::str::contains("--output <OUTPUT>"))
            .and(predicate::str::contains("--mock"))
            .and(predicate::str::contains("generate-reset-token"))
            .and(predicate::str::contains("Exit codes:"))
            .and(predicate::str::contains("3  the API rejected the app key")),
    );
    etna()
        .args(["generate-reset-token", "--help"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("--code-stdin")
                .and(predicate::str::contains("--code ").not())
                .and(predicate::str::contains("reset-password"))
                .and(predicate::str::contains("reset-pin-code")),
        );
    etna()
        .args(["mock", "serve", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--port <PORT>").and(predicate::str::contains("Ctrl-C")));
}

#[test]
fn version_prints_the_package_version() {
    etna()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(format!("etna {}\n", env!("CARGO_PKG_VERSION")));
}
