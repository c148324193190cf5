//! The guided password reset as a person does it, in a real pseudo-terminal:
//! the prompts appear, typed secrets are not echoed, a mismatched
//! confirmation is asked again, Ctrl-C exits 130 and says what was done.

use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

const TIMEOUT_MS: u64 = 20_000;

/// `etna` with a clean environment, as `crate::etna` gives it, for a
/// pseudo-terminal (rexpect takes a std `Command`).
fn etna_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_etna"));
    command
        .env_remove("ETNA_BASE_URL")
        .env_remove("ETNA_APP_KEY")
        .env_remove("ETNA_TOKEN")
        .env_remove("ETNA_SESSION_STORE")
        .env("XDG_CONFIG_HOME", "/nonexistent/etna-cli-tests");
    command
}

fn guided(args: &[&str]) -> PtySession {
    let mut command = etna_command();
    command.args(["--mock", "password-reset"]).args(args);
    spawn_command(command, Some(TIMEOUT_MS)).unwrap()
}

fn exit_code(session: &PtySession) -> i32 {
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("etna did not exit normally: {other:?}"),
    }
}

#[test]
fn the_new_password_is_asked_twice_without_echo_and_again_on_a_mismatch() {
    let mut session = guided(&["--user", "robert.zak"]);
    let mut seen = session.exp_string("New password").unwrap();
    session.send_line("Typed-secret-1").unwrap();
    seen += &session.exp_string("The new password again").unwrap();
    session.send_line("Typed-secret-2").unwrap();
    seen += &session.exp_string("differ").unwrap();
    seen += &session.exp_string("New password").unwrap();
    session.send_line("Typed-secret-3").unwrap();
    seen += &session.exp_string("The new password again").unwrap();
    session.send_line("Typed-secret-3").unwrap();
    seen += &session.exp_string("the password was changed").unwrap();
    seen += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{seen}");
    assert!(seen.contains("a confirmation code was sent"), "{seen}");
    for typed in ["Typed-secret-1", "Typed-secret-2", "Typed-secret-3"] {
        assert!(!seen.contains(typed), "echoed {typed}: {seen}");
    }
}

#[test]
fn the_secret_question_is_shown_and_its_answer_asked_until_right() {
    let mut session = guided(&["--user", "hello"]);
    let mut seen = session
        .exp_string("What street did you live on in third grade?")
        .unwrap();
    seen += &session.exp_string("Answer").unwrap();
    session.send_line("Wrong-street").unwrap();
    seen += &session.exp_string("not right").unwrap();
    seen += &session.exp_string("Answer").unwrap();
    session.send_line("Peterson").unwrap();
    seen += &session.exp_string("New password").unwrap();
    session.send_line("Typed-secret-4").unwrap();
    seen += &session.exp_string("again").unwrap();
    session.send_line("Typed-secret-4").unwrap();
    seen += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{seen}");
    for typed in ["Wrong-street", "Peterson", "Typed-secret-4"] {
        assert!(!seen.contains(typed), "echoed {typed}: {seen}");
    }
}

#[test]
fn ctrl_c_at_a_prompt_exits_130_and_says_what_was_done() {
    let mut session = guided(&["--user", "robert.zak"]);
    session.exp_string("New password").unwrap();
    session.send_control('c').unwrap();
    let seen = session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 130, "{seen}");
    assert!(seen.contains("interrupted"), "{seen}");
    // The code was mailed: that is said, and it is not an error.
    assert!(seen.contains("step 1"), "{seen}");
    assert!(!seen.contains("error:"), "{seen}");
}

#[test]
fn ctrl_c_before_anything_was_sent_says_so() {
    let mut command = etna_command();
    command.args(["--mock", "password-reset", "finish"]);
    let mut session = spawn_command(command, Some(TIMEOUT_MS)).unwrap();
    session.exp_string("Confirmation code").unwrap();
    session.send_control('c').unwrap();
    let seen = session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 130, "{seen}");
    assert!(seen.contains("nothing was sent"), "{seen}");
}

/// `generate-reset-token` asks for the emailed code without echo (it is no
/// argument any more) and prints the token; Ctrl-C at its prompt sends
/// nothing.
#[test]
fn generate_reset_token_asks_for_the_code_without_echo() {
    let reset = || {
        let mut command = etna_command();
        command.args([
            "--mock",
            "generate-reset-token",
            "--identifier",
            "reset-password",
        ]);
        spawn_command(command, Some(TIMEOUT_MS)).unwrap()
    };
    let mut session = reset();
    let mut seen = session
        .exp_string("Confirmation code from the email")
        .unwrap();
    // The code the mock accepts (the spec's example).
    session.send_line("231408").unwrap();
    seen += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{seen}");
    assert!(!seen.contains("231408"), "echoed the code: {seen}");
    let token = seen.lines().last().unwrap_or_default().trim();
    assert_eq!(token.len(), 36, "a token on the last line: {seen}");

    let mut session = reset();
    session.exp_string("Confirmation code").unwrap();
    session.send_control('c').unwrap();
    let seen = session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 130, "{seen}");
    assert!(seen.contains("nothing was sent"), "{seen}");
}

fn login(user: &str) -> PtySession {
    let mut command = etna_command();
    command.args(["--mock", "auth", "login", "--user", user]);
    spawn_command(command, Some(TIMEOUT_MS)).unwrap()
}

#[test]
fn sign_in_asks_the_password_without_echo_and_takes_the_code_from_the_mock() {
    let mut session = login("hello");
    let mut seen = session.exp_string("Password").unwrap();
    session.send_line("Hell0-passw0rd!").unwrap();
    seen += &session
        .exp_string("took the code from the mock's outbox")
        .unwrap();
    seen += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{seen}");
    assert!(seen.contains("Signed in as hello"), "{seen}");
    assert!(!seen.contains("Hell0-passw0rd!"), "echoed: {seen}");
}

#[test]
fn an_expired_password_is_replaced_on_the_terminal_then_sign_in_goes_on() {
    let mut session = login("old.timer");
    let mut seen = session.exp_string("Password").unwrap();
    session.send_line("0ld-passw0rd!").unwrap();
    seen += &session.exp_string("New password").unwrap();
    session.send_line("Typed-secret-5").unwrap();
    seen += &session.exp_string("The new password again").unwrap();
    session.send_line("Typed-secret-5").unwrap();
    seen += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{seen}");
    assert!(seen.contains("the password has expired"), "{seen}");
    assert!(seen.contains("Signed in as old.timer"), "{seen}");
    for typed in ["0ld-passw0rd!", "Typed-secret-5"] {
        assert!(!seen.contains(typed), "echoed {typed}: {seen}");
    }
}

#[test]
fn ctrl_c_at_the_password_prompt_exits_130_with_nothing_sent() {
    let mut session = login("robert.zak");
    session.exp_string("Password").unwrap();
    session.send_control('c').unwrap();
    let seen = session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 130, "{seen}");
    assert!(seen.contains("nothing was sent"), "{seen}");
}

#[test]
fn password_change_asks_the_old_password_and_the_new_one_twice_without_echo() {
    let background = crate::servers::Background::new();
    let server = background.mock(etna_mock::MockServer::builder().app_key("pty-app-key"));
    let config = tempfile::tempdir().unwrap();
    let with_deployment = |command: &mut Command| {
        command
            .env("XDG_CONFIG_HOME", config.path())
            .env("ETNA_SESSION_STORE", "file")
            .env("ETNA_BASE_URL", server.base_url())
            .env("ETNA_APP_KEY", "pty-app-key");
    };
    let mut sign_in = etna_command();
    with_deployment(&mut sign_in);
    let mut sign_in = sign_in
        .args(["auth", "login", "--user", "robert.zak", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(sign_in.stdin.as_mut().unwrap(), b"Passw0rd!\n").unwrap();
    assert!(sign_in.wait().unwrap().success());

    let mut command = etna_command();
    with_deployment(&mut command);
    command.args(["password", "change"]);
    let mut session = spawn_command(command, Some(TIMEOUT_MS)).unwrap();
    let mut seen = session.exp_string("Current password").unwrap();
    session.send_line("Passw0rd!").unwrap();
    seen += &session.exp_string("New password").unwrap();
    session.send_line("Typed-secret-6").unwrap();
    seen += &session.exp_string("The new password again").unwrap();
    session.send_line("Typed-secret-6").unwrap();
    seen += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{seen}");
    assert!(seen.contains("The password was changed"), "{seen}");
    for typed in ["Passw0rd!", "Typed-secret-6"] {
        assert!(!seen.contains(typed), "echoed {typed}: {seen}");
    }
}

#[test]
fn a_missing_pin_is_set_on_the_terminal_the_pin_asked_twice_without_echo() {
    let images = tempfile::tempdir().unwrap();
    let mut command = etna_command();
    command
        .args([
            "--mock",
            "auth",
            "login",
            "--user",
            "new.pin",
            "--images-dir",
        ])
        .arg(images.path());
    let mut session = spawn_command(command, Some(TIMEOUT_MS)).unwrap();
    let mut seen = session.exp_string("Password").unwrap();
    session.send_line("N3w-p1n-passw0rd!").unwrap();
    seen += &session.exp_string("Image (").unwrap();
    session.send_line("apple.png").unwrap();
    seen += &session.exp_string("Personal phrase").unwrap();
    session.send_line("An apple a day").unwrap();
    seen += &session.exp_string("New PIN").unwrap();
    session.send_line("4817").unwrap();
    seen += &session.exp_string("The new PIN again").unwrap();
    session.send_line("4817").unwrap();
    seen += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{seen}");
    assert!(
        seen.contains("the PIN is set") && seen.contains("Signed in as new.pin"),
        "{seen}"
    );
    assert!(
        !seen.contains("4817") && !seen.contains("N3w-p1n-passw0rd!"),
        "echoed: {seen}"
    );
    assert!(images.path().join("apple.png").exists());
}

/// `etna order place` on a terminal, against a deployment that records what
/// it is sent: the preview is shown, then the question; what was answered
/// decides whether the order is sent.
fn place_on_a_terminal(url: &str) -> PtySession {
    let mut command = etna_command();
    command
        .env("ETNA_BASE_URL", url)
        .env("ETNA_APP_KEY", "pty-app-key")
        .env("ETNA_TOKEN", "pty-session")
        .args([
            "order",
            "place",
            "--symbol",
            "AAPL",
            "--side",
            "buy",
            "--quantity",
            "10",
        ]);
    spawn_command(command, Some(TIMEOUT_MS)).unwrap()
}

const PLACE_REQUEST: &str = "POST /v1.0/accounts/7/orders";

#[test]
fn order_place_asks_before_placing_and_yes_places_it() {
    let background = crate::servers::Background::new();
    let (url, seen) = crate::trade::trading_server(
        &background,
        crate::trade::PREVIEW_OK,
        (axum::http::StatusCode::OK, crate::trade::PLACED),
    );
    let mut session = place_on_a_terminal(&url);
    let mut shown = session.exp_string("commission 1.00000001").unwrap();
    shown += &session.exp_string("Place this order?").unwrap();
    assert!(
        !seen.lock().unwrap().iter().any(|r| r == PLACE_REQUEST),
        "placed before the answer"
    );
    session.send("y").unwrap();
    session.flush().unwrap();
    shown += &session
        .exp_string("Placed order 901 (ClientId mine-1): PendingNew")
        .unwrap();
    shown += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{shown}");
    let sent = seen.lock().unwrap().clone();
    assert_eq!(
        sent.iter().filter(|r| *r == PLACE_REQUEST).count(),
        1,
        "{sent:?}"
    );
}

#[test]
fn order_place_answered_no_or_ctrl_c_sends_nothing_more() {
    let background = crate::servers::Background::new();
    for answer in ["n", "ctrl-c"] {
        let (url, seen) = crate::trade::trading_server(
            &background,
            crate::trade::PREVIEW_OK,
            (axum::http::StatusCode::OK, crate::trade::PLACED),
        );
        let mut session = place_on_a_terminal(&url);
        let mut shown = session.exp_string("Place this order?").unwrap();
        match answer {
            "n" => {
                session.send("n").unwrap();
                session.flush().unwrap();
            }
            _ => session.send_control('c').unwrap(),
        }
        shown += &session.exp_eof().unwrap();
        let code = exit_code(&session);
        match answer {
            "n" => {
                assert_eq!(code, 0, "{shown}");
                assert!(shown.contains("not placed"), "{shown}");
            }
            _ => {
                assert_eq!(code, 130, "{shown}");
                assert!(shown.contains("previewed, not placed"), "{shown}");
                assert!(!shown.contains("was sent"), "{shown}");
            }
        }
        let sent = seen.lock().unwrap().clone();
        assert!(
            !sent.iter().any(|r| r == PLACE_REQUEST),
            "{answer}: {sent:?}"
        );
        assert!(
            sent.iter().any(|r| r.ends_with("/preview/orders")),
            "{answer}: {sent:?}"
        );
    }
}

/// On a terminal, with no `--output`, a list is a table: the columns of the
/// item schema, a rule under them, no JSON.
#[test]
fn a_list_on_a_terminal_is_a_table() {
    let mut command = etna_command();
    command.args(["--mock", "api", "list_user_accounts", "--userId", "@me"]);
    let mut session = spawn_command(command, Some(TIMEOUT_MS)).unwrap();
    let seen = session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{seen}");
    let lines: Vec<&str> = seen.lines().collect();
    assert!(lines[0].trim_start().starts_with("Id"), "{seen}");
    assert!(lines[0].contains("ClearingAccount"), "{seen}");
    // The rule (rexpect reads bytes one by one, so not as '─').
    assert!(
        !lines[1].trim().is_empty()
            && !lines[1]
                .chars()
                .any(|c| c.is_ascii_alphanumeric() || c == ' '),
        "{seen}"
    );
    assert!(!seen.contains('{'), "{seen}");
}

/// `etna watch` on a terminal: a table of the latest quote, its columns the
/// message's filled properties in the document's order, redrawn in place;
/// Ctrl-C ends it with 130.
#[test]
fn watch_on_a_terminal_is_a_live_table_and_ctrl_c_exits_130() {
    let mut command = etna_command();
    command.args(["--mock", "watch", "quotes", "AAPL"]);
    let mut session = spawn_command(command, Some(TIMEOUT_MS)).unwrap();
    // The header, its columns in the document's order (Ask, Bid, ... Key).
    let (mut seen, header) = session.exp_regex("Ask.*Bid.*Key").unwrap();
    seen += &header;
    // The row under it: the security's ID (AAPL is 4 on the mock).
    seen += &session.exp_regex(r"\s4\s").unwrap().0;
    // The next quote redraws the table over the last drawing: the cursor
    // moves up and the old lines are cleared (escape sequences), then the
    // header again; one row, never a growing list.
    let (before, _) = session.exp_regex("Ask.*Bid.*Key").unwrap();
    assert!(
        before.contains('\u{1b}'),
        "not redrawn in place: {before:?}"
    );
    seen += &before;
    session.send_control('c').unwrap();
    seen += &session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 130, "{seen}");
    assert!(seen.contains("interrupted"), "{seen}");
    assert!(!seen.contains('{'), "{seen}");
}
