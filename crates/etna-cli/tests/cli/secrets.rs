//! The app key appears in no output of any command; options that took a
//! secret on the command line are refused, naming what replaced them.

use axum::http::StatusCode;
use etna_mock::MockServer;
use predicates::prelude::*;

use crate::etna;
use crate::servers::{Background, closed_port};

const SECRET: &str = "sk-test-7f3a9c1e5b2d";

/// Runs `etna` with the secret as ETNA_APP_KEY, or as the removed --app-key
/// when `as_option`, `stdin` on its stdin, and checks that neither stdout
/// nor stderr contains it.
fn assert_secret_kept(args: &[&str], stdin: &str, as_option: bool) {
    let mut command = etna();
    if as_option {
        command.args(["--app-key", SECRET]);
    } else {
        command.env("ETNA_APP_KEY", SECRET);
    }
    let output = command.args(args).write_stdin(stdin).output().unwrap();
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(SECRET),
            "{args:?} printed the app key on {stream}: {text}"
        );
    }
    // The command ran (a help text, a token or an error), so the check saw output.
    assert!(
        !output.stdout.is_empty() || !output.stderr.is_empty(),
        "{args:?} printed nothing"
    );
}

#[test]
fn the_app_key_is_never_printed() {
    let background = Background::new();
    let accepting = background.mock(MockServer::builder().app_key(SECRET));
    let rejecting = background.mock(MockServer::builder());
    // Servers that echo the key they were sent, as a careless API might.
    let echo_403: &'static str =
        Box::leak(format!(r#"{{"error": "unknown key {SECRET}"}}"#).into_boxed_str());
    let echo_500: &'static str =
        Box::leak(format!("<html>bad key {SECRET}</html>").into_boxed_str());
    let echoing_403 = background.answering(StatusCode::FORBIDDEN, "application/json", echo_403);
    let echoing_500 =
        background.answering(StatusCode::INTERNAL_SERVER_ERROR, "text/html", echo_500);
    let closed = closed_port();

    let reset = [
        "generate-reset-token",
        "--code-stdin",
        "--identifier",
        "reset-password",
    ];
    let accepting_url = accepting.base_url();
    let rejecting_url = rejecting.base_url();
    let mut runs: Vec<(Vec<&str>, String)> = [
        vec!["--help"],
        vec!["generate-reset-token", "--help"],
        vec!["mock", "--help"],
        vec!["mock", "serve", "--help"],
        vec!["--version"],
        vec!["--verbose"],
        vec!["--mock", "--verbose", "--bogus"],
    ]
    .into_iter()
    .map(|run| (run, String::new()))
    .collect();
    for url in [
        accepting_url.as_str(),
        &rejecting_url,
        &echoing_403,
        &echoing_500,
        &closed,
    ] {
        for output in ["text", "json"] {
            for code in ["231408", "000000"] {
                let mut run = vec!["--verbose", "--output", output, "--base-url", url];
                run.extend(reset);
                runs.push((run, format!("{code}\n")));
            }
        }
    }
    for output in ["text", "json"] {
        for code in ["231408", "000000", "bad code", ""] {
            let mut run = vec!["--mock", "--verbose", "--output", output];
            run.extend(reset);
            runs.push((run, format!("{code}\n")));
        }
    }
    let mut without_url = vec!["--verbose"];
    without_url.extend(reset);
    runs.push((without_url, "231408\n".to_owned()));
    let mut bad_version = vec!["--verbose", "--mock", "--api-version", "x y"];
    bad_version.extend(reset);
    runs.push((bad_version, "231408\n".to_owned()));

    for (run, stdin) in &runs {
        assert_secret_kept(run, stdin, false);
        assert_secret_kept(run, stdin, true);
    }
}

/// `--app-key` and `--code` took a secret as an argument, where shell history
/// and `ps` keep it. Old scripts get a usage error that names the
/// replacement, before anything is read or sent, and never see the value
/// quoted back.
#[test]
fn options_that_took_a_secret_are_refused_with_their_replacement() {
    let value = "s3cret-on-argv";
    let cases: [(&[&str], &str); 6] = [
        (
            &["--app-key", value, "--mock", "api", "get_secret_question"],
            "ETNA_APP_KEY",
        ),
        (
            &[
                "--mock",
                "generate-reset-token",
                "--identifier",
                "reset-password",
                "--app-key",
                value,
            ],
            "ETNA_APP_KEY",
        ),
        (
            &[
                "--mock",
                "generate-reset-token",
                "--code",
                value,
                "--identifier",
                "reset-password",
            ],
            "--code-stdin",
        ),
        (
            &[
                "--mock",
                "generate-reset-token",
                "--identifier",
                "reset-password",
                "--code=-12",
            ],
            "--code-stdin",
        ),
        (
            &[
                "--mock",
                "password-reset",
                "finish",
                "--code",
                value,
                "--password-stdin",
            ],
            "--code-stdin",
        ),
        (
            &["--mock", "password-reset", "finish", "--code"],
            "--code-stdin",
        ),
    ];
    for (args, replacement) in cases {
        let name = args
            .iter()
            .find(|a| a.starts_with("--app-key") || a.starts_with("--code"))
            .unwrap();
        etna()
            .args(args)
            // Were the option still read, the command would go on to read
            // this and succeed against the mock.
            .write_stdin("231408\nN3w-passw0rd!\n")
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicate::str::contains(format!(
                    "{} was removed",
                    name.split('=').next().unwrap()
                ))
                .and(predicate::str::contains(replacement))
                .and(predicate::str::contains(value).not())
                .and(predicate::str::contains("-12").not()),
            );
    }
}

/// The emailed code comes from stdin or a prompt; without a terminal and
/// without --code-stdin, the command says how to give it and sends nothing.
#[test]
fn generate_reset_token_takes_the_code_from_stdin_only() {
    etna()
        .args([
            "--mock",
            "generate-reset-token",
            "--identifier",
            "reset-password",
            "--code-stdin",
        ])
        .write_stdin("231408\n")
        .assert()
        .code(0)
        .stdout(crate::token_line());
    etna()
        .args([
            "--base-url",
            &closed_port(),
            "generate-reset-token",
            "--identifier",
            "reset-password",
        ])
        .env("ETNA_APP_KEY", SECRET)
        .write_stdin("231408\n")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no terminal").and(predicate::str::contains("--code-stdin")),
        );
}
