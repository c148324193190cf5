//! `etna password-reset` as scripts run it: no terminal, secrets on stdin,
//! each step on its own, the exit codes, and no secret in any output.

use etna_mock::MockServer;
use predicates::prelude::*;

use crate::etna;
use crate::servers::{Background, closed_port};

const KEY: &str = "sk-reset-flow-5e1d";
const PASSWORD: &str = "N3w-passw0rd!";

/// The README's main job: all four steps against the mock, no terminal.
#[test]
fn the_main_job_runs_the_four_steps_against_the_mock() {
    etna()
        .args([
            "--mock",
            "password-reset",
            "--user",
            "robert.zak",
            "--password-stdin",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains(
            "a confirmation code was sent to the trader's email",
        ))
        .stderr(predicate::str::contains("the password was changed"));
}

#[test]
fn json_output_is_the_envelope_of_the_last_step() {
    let output = etna()
        .args([
            "--mock",
            "--output",
            "json",
            "password-reset",
            "--user",
            "robert.zak",
        ])
        .arg("--password-stdin")
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .code(0)
        .get_output()
        .clone();
    let envelope: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(envelope["IsSucceed"], true, "{envelope}");
}

#[test]
fn a_secret_question_without_a_terminal_exits_1_with_the_question() {
    etna()
        .args([
            "--mock",
            "password-reset",
            "--user",
            "hello",
            "--password-stdin",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "What street did you live on in third grade?",
        ))
        .stderr(predicate::str::contains("--secret-answer-stdin"));
}

#[test]
fn the_secret_answer_comes_from_stdin_before_the_password() {
    etna()
        .args(["--mock", "password-reset", "--user", "hello"])
        .args(["--secret-answer-stdin", "--password-stdin"])
        .write_stdin(format!("Peterson\n{PASSWORD}\n"))
        .assert()
        .code(0);
    etna()
        .args(["--mock", "password-reset", "start", "--user", "hello"])
        .arg("--secret-answer-stdin")
        .write_stdin("Wrong\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not right"));
}

/// Bad input is found before anything is sent: these point at a port where
/// nothing listens, and still exit 2, not 4.
#[test]
fn exit_2_before_any_request() {
    let nowhere = closed_port();
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["password-reset", "--user", "robert.zak", "--code-stdin"],
            "",
            "--password-stdin",
        ),
        (
            &["password-reset", "--user", "robert.zak", "--password-stdin"],
            "",
            "--code-stdin",
        ),
        (
            &[
                "password-reset",
                "finish",
                "--code-stdin",
                "--password-stdin",
            ],
            "12 34\npw\n",
            "invalid confirmation code",
        ),
        (
            &[
                "password-reset",
                "finish",
                "--code-stdin",
                "--password-stdin",
            ],
            "1234\n\n",
            "empty",
        ),
        (
            &["password-reset", "finish", "--code-stdin"],
            "1234\n",
            "--password-stdin",
        ),
        (
            &["password-reset", "finish", "--password-stdin"],
            "",
            "--code-stdin",
        ),
    ];
    for (args, stdin, says) in cases {
        etna()
            .args(["--base-url", &nowhere])
            .env("ETNA_APP_KEY", KEY)
            .args(args)
            .write_stdin(stdin)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
    // A password is never an argument.
    etna()
        .args([
            "--mock",
            "password-reset",
            "finish",
            "--code-stdin",
            "--password",
            "x",
        ])
        .write_stdin("1\n")
        .assert()
        .code(2);
}

#[test]
fn start_then_finish_as_a_script_with_the_code_from_the_outbox() {
    let background = Background::new();
    let server = background.mock(MockServer::builder().app_key(KEY));
    let url = server.base_url();
    server.take_outbox();
    etna()
        .args([
            "--base-url",
            &url,
            "password-reset",
            "start",
            "--user",
            "robert.zak",
        ])
        .env("ETNA_APP_KEY", KEY)
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("a confirmation code was sent"));
    let code = server.last_code_for("robert.zak").unwrap();
    let finish = || {
        etna()
            .args(["--base-url", &url, "password-reset", "finish"])
            .args(["--code-stdin", "--password-stdin"])
            .env("ETNA_APP_KEY", KEY)
            .write_stdin(format!("{code}\n{PASSWORD}\n"))
            .assert()
    };
    finish().code(0).stdout("");
    assert!(server.password_is("robert.zak", PASSWORD));
    // The code was used: a second try is refused, and says what to do.
    finish()
        .code(1)
        .stderr(predicate::str::contains("start again"));
}

#[test]
fn question_prints_the_question_or_says_there_is_none() {
    etna()
        .args([
            "--mock",
            "password-reset",
            "question",
            "--user",
            "hello@etnatrader.com",
        ])
        .assert()
        .code(0)
        .stdout("What street did you live on in third grade?\n");
    etna()
        .args([
            "--mock",
            "password-reset",
            "question",
            "--user",
            "robert.zak",
        ])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("no secret question"));
    etna()
        .args(["--mock", "password-reset", "start", "--user", "nobody"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("UserNotFound"));
}

#[test]
fn exit_3_and_4_follow_the_contract() {
    let background = Background::new();
    let server = background.mock(MockServer::builder().app_key(KEY));
    etna()
        .args(["--base-url", &server.base_url()])
        .env("ETNA_APP_KEY", "wrong")
        .args(["password-reset", "question", "--user", "hello"])
        .assert()
        .code(3);
    etna()
        .args(["--base-url", &closed_port()])
        .env("ETNA_APP_KEY", KEY)
        .args(["password-reset", "start", "--user", "hello"])
        .assert()
        .code(4);
}

/// No variant prints the app key, the code, the answer, the token or the
/// password, with --verbose or without.
#[test]
fn no_secret_reaches_stdout_or_stderr() {
    let background = Background::new();
    let server = background.mock(MockServer::builder().app_key(KEY));
    let url = server.base_url();
    let token_like = regex_lite();
    for verbose in [false, true] {
        server.take_outbox();
        let mut runs = Vec::new();
        let mut run = |args: &[&str], stdin: String| {
            let mut command = etna();
            command.args(["--base-url", &url]).env("ETNA_APP_KEY", KEY);
            if verbose {
                command.arg("--verbose");
            }
            let output = command.args(args).write_stdin(stdin).output().unwrap();
            runs.push((args.join(" "), output));
        };
        run(
            &[
                "password-reset",
                "start",
                "--user",
                "hello",
                "--secret-answer-stdin",
            ],
            "Peterson\n".into(),
        );
        let code = server.last_code_for("hello").unwrap();
        run(
            &[
                "password-reset",
                "finish",
                "--code-stdin",
                "--password-stdin",
            ],
            format!("{code}\n{PASSWORD}\n"),
        );
        run(
            &["--output", "json", "password-reset", "--user", "hello"],
            format!("Peterson\n{code}\n{PASSWORD}\n"),
        );
        run(
            &["password-reset", "--user", "hello", "--secret-answer-stdin"],
            format!("Peterson\n{PASSWORD}\n"),
        );
        for (args, output) in &runs {
            for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
                let text = String::from_utf8_lossy(bytes);
                for secret in [KEY, "Peterson", PASSWORD, code.as_str()] {
                    assert!(
                        !text.contains(secret),
                        "{args} printed a secret on {stream}: {text}"
                    );
                }
                assert!(
                    !token_like(&text),
                    "{args} printed a token on {stream}: {text}"
                );
            }
        }
    }
}

/// Whether `text` holds something shaped like the mock's tokens.
fn regex_lite() -> impl Fn(&str) -> bool {
    let pattern =
        predicates::str::is_match("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .unwrap();
    move |text| pattern.eval(text)
}
