//! The app key appears in no output of any command.

use axum::http::StatusCode;
use etna_mock::MockServer;

use crate::etna;
use crate::servers::{Background, closed_port};

const SECRET: &str = "sk-test-7f3a9c1e5b2d";

/// Runs `etna` with the secret as ETNA_APP_KEY, or as --app-key when `as_option`,
/// and checks that neither stdout nor stderr contains it.
fn assert_secret_kept(args: &[&str], as_option: bool) {
    let mut command = etna();
    if as_option {
        command.args(["--app-key", SECRET]);
    } else {
        command.env("ETNA_APP_KEY", SECRET);
    }
    let output = command.args(args).output().unwrap();
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

    let reset = |code: &'static str| {
        [
            "generate-reset-token",
            "--code",
            code,
            "--identifier",
            "reset-password",
        ]
    };
    let accepting_url = accepting.base_url();
    let rejecting_url = rejecting.base_url();
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["--help"],
        vec!["generate-reset-token", "--help"],
        vec!["mock", "--help"],
        vec!["mock", "serve", "--help"],
        vec!["--version"],
        vec!["--verbose"],
        vec!["--mock", "--verbose", "--bogus"],
    ];
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
                run.extend(reset(code));
                runs.push(run);
            }
        }
    }
    for output in ["text", "json"] {
        for code in ["231408", "000000", "bad code", ""] {
            let mut run = vec!["--mock", "--verbose", "--output", output];
            run.extend(reset(code));
            runs.push(run);
        }
    }
    let mut without_url = vec!["--verbose"];
    without_url.extend(reset("231408"));
    runs.push(without_url);
    let mut bad_version = vec!["--verbose", "--mock", "--api-version", "x y"];
    bad_version.extend(reset("231408"));
    runs.push(bad_version);

    for run in &runs {
        assert_secret_kept(run, false);
        assert_secret_kept(run, true);
    }
}
