//! Every exit code, with what the command prints in each case.

use axum::http::StatusCode;
use etna_mock::MockServer;
use predicates::prelude::*;

use crate::servers::{Background, closed_port};
use crate::{etna, spec_example, token_line};

/// With the code the mock accepts on stdin (`CODE`).
const RESET: [&str; 4] = [
    "generate-reset-token",
    "--code-stdin",
    "--identifier",
    "reset-password",
];
const CODE: &str = "231408\n";

/// Our own errors are one line on stderr, starting with `error: `.
fn one_error_line(expected: &'static str) -> impl Predicate<str> {
    predicate::str::starts_with("error: ")
        .and(predicate::str::contains(expected))
        .and(predicate::function(|s: &str| {
            s.lines().count() == 1 && s.ends_with('\n')
        }))
}

#[test]
fn exit_0_the_mock_flag_prints_the_specs_token_alone() {
    etna()
        .arg("--mock")
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(0)
        .stdout(token_line())
        .stderr("");
}

#[test]
fn exit_0_the_specs_spellings_of_the_identifier_work_too() {
    for identifier in ["ResetPassword", "ResetPinCode", "reset-pin-code"] {
        etna()
            .args(["generate-reset-token", "--mock", "--code-stdin"])
            .write_stdin("231408\n")
            .args(["--identifier", identifier])
            .assert()
            .code(0)
            .stdout(token_line());
    }
}

#[test]
fn exit_0_against_a_server_named_by_environment_or_options() {
    let background = Background::new();
    let server = background.mock(MockServer::builder().app_key("team-key"));
    etna()
        .env("ETNA_BASE_URL", server.base_url())
        .env("ETNA_APP_KEY", "team-key")
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(0)
        .stdout(token_line())
        .stderr("");
    // The code is used now; a second server has it waiting again.
    let server = background.mock(MockServer::builder().app_key("team-key"));
    etna()
        .args(["--base-url", &server.base_url()])
        .env("ETNA_APP_KEY", "team-key")
        .args(["--api-version", "2.0", "--timeout", "5"])
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(0)
        .stdout(token_line());
}

#[test]
fn exit_1_a_refused_code_prints_the_reasons_on_stderr() {
    let refused = spec_example("200", "refused");
    let reason = refused["Errors"][0].as_str().unwrap().to_owned();
    let code = refused["ErrorsCode"][0].as_str().unwrap().to_owned();
    etna()
        .args(["--mock", "generate-reset-token", "--code-stdin"])
        .write_stdin("000000\n")
        .args(["--identifier", "reset-password"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            one_error_line("the API refused the request")
                .and(predicate::str::contains(reason))
                .and(predicate::str::contains(code))
                .and(predicate::str::contains("have a new code sent")),
        );
}

#[test]
fn exit_2_usage_errors_and_invalid_input() {
    let cases: [(&[&str], &str); 11] = [
        (
            &[
                "--mock",
                "generate-reset-token",
                "--identifier",
                "reset-password",
            ],
            "--code-stdin",
        ),
        (
            &[
                "--mock",
                "generate-reset-token",
                "--code-stdin",
                "--identifier",
                "reset-email",
            ],
            "reset-email",
        ),
        (
            &[
                "--mock",
                "generate-reset-token",
                "--code-stdin",
                "--identifier",
                "resetpassword",
            ],
            "possible values",
        ),
        (
            &[
                "--mock",
                "--timeout",
                "0",
                "generate-reset-token",
                "--code-stdin",
                "--identifier",
                "reset-password",
            ],
            "--timeout",
        ),
        (
            &[
                "--mock",
                "--timeout",
                "soon",
                "generate-reset-token",
                "--code-stdin",
                "--identifier",
                "reset-password",
            ],
            "--timeout",
        ),
        (
            &[
                "--mock",
                "--output",
                "xml",
                "generate-reset-token",
                "--code-stdin",
                "--identifier",
                "reset-password",
            ],
            "--output",
        ),
        (&["--mock"], "Usage"),
        (&["--mock", "reset-token"], "unrecognized subcommand"),
        (&["mock", "serve", "--port", "70000"], "--port"),
        (
            &[
                "--mock",
                "generate-reset-token",
                "--code-stdin",
                "--identifier",
                "reset-password",
                "--bogus",
            ],
            "--bogus",
        ),
        (&["mock"], "Usage"),
    ];
    for (args, mention) in cases {
        etna()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(mention));
    }
}

#[test]
fn exit_2_invalid_settings_say_what_to_change() {
    let with_mock = |code: &str| {
        let mut command = etna();
        command
            .args(["--mock", "generate-reset-token", "--code-stdin"])
            .write_stdin(format!("{}\n", code))
            .args(["--identifier", "reset-password"]);
        command
    };
    for (code, mention) in [
        ("231 408", "white space"),
        ("231408\t", "white space"),
        ("", "empty"),
    ] {
        with_mock(code)
            .assert()
            .code(2)
            .stdout("")
            .stderr(one_error_line("confirmation code").and(predicate::str::contains(mention)));
    }
    etna()
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(2)
        .stderr(one_error_line("ETNA_BASE_URL").and(predicate::str::contains("--mock")));
    etna()
        .args(["--base-url", "https://trader.example.com/api"])
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(2)
        .stderr(
            one_error_line("ETNA_APP_KEY").and(predicate::str::contains(format!(
                "to the {} your administrator issued",
                <etna_client::generated::Client as etna_client::GeneratedClient>::APP_KEY_HEADER
            ))),
        );
    etna()
        .args(["--base-url", "ftp://trader.example.com"])
        .env("ETNA_APP_KEY", "some-app-key")
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(2)
        .stderr(one_error_line("invalid base URL").and(predicate::str::contains("http or https")));
    etna()
        .args(["--mock", "--api-version", "1/0"])
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(2)
        .stderr(one_error_line("--api-version"));
    etna()
        .args(["--mock"])
        .env("ETNA_APP_KEY", " padded")
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(2)
        .stderr(one_error_line("invalid app key"));
}

#[test]
fn exit_3_a_rejected_app_key_says_to_check_it() {
    let background = Background::new();
    let server = background.mock(MockServer::builder());
    let message = spec_example("403", "app_key_missing_or_wrong")["error"]
        .as_str()
        .unwrap()
        .to_owned();
    etna()
        .env("ETNA_BASE_URL", server.base_url())
        .env("ETNA_APP_KEY", "not-the-mock-key")
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(3)
        .stdout("")
        .stderr(
            one_error_line("the API rejected the app key")
                .and(predicate::str::contains(message))
                .and(predicate::str::contains("check ETNA_APP_KEY")),
        );
}

#[test]
fn exit_4_nothing_listening() {
    let url = closed_port();
    etna()
        .args(["--base-url", &url, "--timeout", "5"])
        .env("ETNA_APP_KEY", "some-app-key")
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(4)
        .stdout("")
        .stderr(
            one_error_line("cannot reach the API at")
                .and(predicate::str::contains(url.as_str()))
                .and(predicate::str::contains("Connection refused"))
                .and(predicate::str::contains("check --base-url")),
        );
}

/// A GET is safe to repeat: its timeout is the network failure.
#[test]
fn exit_4_no_answer_within_the_timeout() {
    let background = Background::new();
    let url = background.silent();
    etna()
        .args(["--base-url", &url, "--timeout", "1"])
        .env("ETNA_APP_KEY", "some-app-key")
        .args(["api", "get_secret_question", "--username", "hello"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(
            one_error_line("did not answer within 1s")
                .and(predicate::str::contains("--timeout"))
                .and(predicate::str::contains("not retried")),
        );
}

/// A POST that may have been sent and got no answer is not exit 4's "try
/// again": the request may have taken effect.
#[test]
fn exit_7_a_post_without_an_answer_may_have_taken_effect() {
    let background = Background::new();
    let url = background.silent();
    etna()
        .args(["--base-url", &url, "--timeout", "1"])
        .env("ETNA_APP_KEY", "some-app-key")
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(7)
        .stdout("")
        .stderr(
            one_error_line("did not answer the POST within 1s")
                .and(predicate::str::contains("may or may not have taken effect"))
                .and(predicate::str::contains(
                    "check whether it took effect before sending it again",
                )),
        );
}

/// An order whose answer is lost: the message names the `ClientId` the
/// client filled in (the spec's `x-etna-client-id`) and where to look it up.
#[test]
fn exit_7_an_order_without_an_answer_names_its_client_id() {
    let background = Background::new();
    let url = background.silent();
    etna()
        .args(["--base-url", &url, "--timeout", "1"])
        .env("ETNA_APP_KEY", "some-app-key")
        .env("ETNA_TOKEN", "some-session-token")
        .args(["api", "place_order", "--accountId", "6303", "--body"])
        .arg(r#"{"Symbol": "AAPL", "Type": "Market", "Side": "Buy", "Quantity": 1}"#)
        .assert()
        .code(7)
        .stdout("")
        .stderr(
            one_error_line("may or may not have taken effect").and(
                predicate::str::is_match(
                    "sent with ClientId [0-9]{19}: look for it in list_orders",
                )
                .unwrap(),
            ),
        );
}

#[test]
fn exit_5_unexpected_responses() {
    let background = Background::new();
    let cases = [
        (
            background.answering(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/html",
                "<html><body>Oops</body></html>",
            ),
            "unexpected HTTP 500",
        ),
        (
            background.answering(StatusCode::OK, "text/html", "<html>login page</html>"),
            "not the documented shape",
        ),
        (
            background.answering(StatusCode::OK, "application/json", r#"{"IsSucceed": true}"#),
            "sent no `Model`",
        ),
        (
            background.answering(StatusCode::NOT_FOUND, "text/plain", "no such route"),
            "unexpected HTTP 404",
        ),
    ];
    for (url, mention) in cases {
        etna()
            .args(["--base-url", &url])
            .env("ETNA_APP_KEY", "some-app-key")
            .args(RESET)
            .write_stdin(CODE)
            .assert()
            .code(5)
            .stdout("")
            .stderr(one_error_line(mention).and(predicate::str::contains("check that --base-url")));
    }
}

#[test]
fn exit_5_a_base_url_past_the_api_root_gets_the_mocks_404() {
    let background = Background::new();
    let server = background.mock(MockServer::builder());
    etna()
        .args(["--base-url", &format!("{}/api", server.base_url())])
        .env("ETNA_APP_KEY", MockServer::APP_KEY)
        .args(RESET)
        .write_stdin(CODE)
        .assert()
        .code(5)
        .stderr(one_error_line("unexpected HTTP 404"));
}
