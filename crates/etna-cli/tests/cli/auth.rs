//! `etna auth`: sign-in flows against the mock, sessions kept in a 0600 file,
//! the keyring refusal, ETNA_TOKEN, status, token and logout, and the
//! session sent to Bearer operations only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use etna_mock::MockServer;

use crate::etna;
use crate::servers::Background;

const APP_KEY: &str = "auth-test-app-key";
/// robert.zak's password in the mock's accounts (data/accounts.yaml).
const PASSWORD: &str = "Passw0rd!";

/// `etna` keeping its sessions under `config`, with no keyring to reach.
fn etna_at(config: &Path) -> Command {
    let mut command = etna();
    command
        .env("XDG_CONFIG_HOME", config)
        // A bus that is not there: the keyring never answers here, whatever
        // the machine running the tests has.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    command
}

fn run(command: &mut Command, stdin: &str) -> (i32, String, String) {
    let output = command.write_stdin(stdin).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn session_file(config: &Path) -> PathBuf {
    config.join("etna/sessions.json")
}

/// A mock server of this test, and `etna` pointed at it.
struct Deployment {
    _background: Background,
    server: MockServer,
    config: tempfile::TempDir,
}

impl Deployment {
    fn new() -> Self {
        let background = Background::new();
        let server = background.mock(MockServer::builder().app_key(APP_KEY));
        Self {
            _background: background,
            server,
            config: tempfile::tempdir().unwrap(),
        }
    }

    fn etna(&self) -> Command {
        let mut command = etna_at(self.config.path());
        command
            .env("ETNA_BASE_URL", self.server.base_url())
            .env("ETNA_APP_KEY", APP_KEY);
        command
    }

    fn login(&self, user: &str, stdin: &str) -> (i32, String, String) {
        run(
            self.etna().args([
                "auth",
                "login",
                "--user",
                user,
                "--password-stdin",
                "--store",
                "file",
            ]),
            stdin,
        )
    }
}

#[test]
fn one_factor_with_the_mock_signs_in_and_stores_nothing() {
    let config = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(
        etna_at(config.path()).args([
            "--mock",
            "auth",
            "login",
            "--user",
            "robert.zak",
            "--password-stdin",
        ]),
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("Signed in as robert.zak to http://127.0.0.1:"),
        "{stdout}"
    );
    assert!(stdout.contains(" until 20"), "{stdout}");
    assert!(stderr.contains("with --mock nothing is stored"), "{stderr}");
    assert!(!session_file(config.path()).exists());
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
}

#[test]
fn two_factors_take_the_code_from_the_mock_outbox() {
    let (code, stdout, stderr) = run(
        etna_at(Path::new("/nonexistent")).args([
            "--mock",
            "auth",
            "login",
            "--user",
            "hello",
            "--password-stdin",
        ]),
        "Hell0-passw0rd!\n",
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("verification code"), "{stderr}");
    assert!(
        stderr.contains("took the code from the mock's outbox"),
        "{stderr}"
    );
    assert!(stdout.starts_with("Signed in as hello"), "{stdout}");
}

#[test]
fn an_expired_password_is_replaced_from_the_next_line_then_sign_in_goes_on() {
    let (code, stdout, stderr) = run(
        etna_at(Path::new("/nonexistent")).args([
            "--mock",
            "auth",
            "login",
            "--user",
            "old.timer",
            "--password-stdin",
        ]),
        "0ld-passw0rd!\nBrand-n3w-passw0rd!\n",
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("the password has expired"), "{stderr}");
    assert!(stderr.contains("the password was changed"), "{stderr}");
    assert!(stdout.starts_with("Signed in as old.timer"), "{stdout}");
    assert!(!stderr.contains("Brand-n3w-passw0rd!"), "{stderr}");
}

#[test]
fn a_wrong_password_is_refused_with_the_documented_reason() {
    let (code, stdout, stderr) = run(
        etna_at(Path::new("/nonexistent")).args([
            "--mock",
            "auth",
            "login",
            "--user",
            "robert.zak",
            "--password-stdin",
        ]),
        "Not-the-passw0rd\n",
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("sign-in refused at BaseAuthentication: Invalid credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains("Not-the-passw0rd"), "{stderr}");
}

#[test]
fn without_a_keyring_the_default_store_is_refused_before_anything_is_sent() {
    let config = tempfile::tempdir().unwrap();
    // Port 9 (discard) on 127.0.0.1: nothing listens; a network error would
    // mean something was sent.
    let (code, stdout, stderr) = run(
        etna_at(config.path())
            .env("ETNA_BASE_URL", "http://127.0.0.1:9")
            .env("ETNA_APP_KEY", APP_KEY)
            .args(["auth", "login", "--user", "robert.zak", "--password-stdin"]),
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("no OS keyring could keep the session"),
        "{stderr}"
    );
    assert!(stderr.contains("--store file"), "{stderr}");
    assert!(!session_file(config.path()).exists());
}

#[test]
fn a_session_in_a_file_is_private_sent_to_bearer_operations_shown_and_forgotten() {
    let deployment = Deployment::new();
    let (code, stdout, stderr) = deployment.login("robert.zak", &format!("{PASSWORD}\n"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let file = session_file(deployment.config.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().unwrap()), 0o700);
    }
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");

    let (code, status, stderr) = run(deployment.etna().args(["auth", "status"]), "");
    assert_eq!(code, 0, "{status}{stderr}");
    assert!(status.contains("login: robert.zak"), "{status}");
    assert!(
        status.contains("(current)") && status.contains("expires at"),
        "{status}"
    );

    let (code, token, _) = run(deployment.etna().args(["auth", "token"]), "");
    assert_eq!(code, 0);
    let token = token.trim_end().to_owned();
    assert!(token.len() >= 32, "{token}");
    assert!(!status.contains(&token), "status shows the token: {status}");

    // A Bearer operation gets the session...
    let (code, stdout, stderr) = run(deployment.etna().args(["api", "list_security_images"]), "");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("\"IsSucceed\": true"), "{stdout}");
    assert!(!stdout.contains(&token) && !stderr.contains(&token));

    let (code, stdout, stderr) = run(deployment.etna().args(["auth", "logout"]), "");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("The API has no logout"), "{stdout}");
    assert!(!std::fs::read_to_string(&file).unwrap().contains(&token));

    // ...and after logout there is none: refused before the call, exit 6.
    let (code, _, stderr) = run(deployment.etna().args(["api", "list_security_images"]), "");
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains("etna auth login"), "{stderr}");
    let (code, _, _) = run(deployment.etna().args(["auth", "status"]), "");
    assert_eq!(code, 6);
}

#[test]
fn etna_token_overrides_the_stored_session() {
    let deployment = Deployment::new();
    let (code, _, stderr) = deployment.login("robert.zak", &format!("{PASSWORD}\n"));
    assert_eq!(code, 0, "{stderr}");
    let (_, token, _) = run(deployment.etna().args(["auth", "token"]), "");
    // A token the mock never issued wins over the stored one: the API's 401.
    let (code, _, stderr) = run(
        deployment
            .etna()
            .env("ETNA_TOKEN", "not-a-token-the-mock-issued")
            .args(["api", "list_security_images"]),
        "",
    );
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains("refused the session"), "{stderr}");
    // The stored token given as ETNA_TOKEN, with no session file at all.
    let (code, stdout, stderr) = run(
        etna_at(Path::new("/nonexistent"))
            .env("ETNA_BASE_URL", deployment.server.base_url())
            .env("ETNA_APP_KEY", APP_KEY)
            .env("ETNA_TOKEN", token.trim_end())
            .args(["api", "list_security_images"]),
        "",
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn a_session_the_server_expired_is_exit_6_and_one_past_its_lifetime_is_refused_before_the_call() {
    let deployment = Deployment::new();
    let (code, _, stderr) = deployment.login("robert.zak", &format!("{PASSWORD}\n"));
    assert_eq!(code, 0, "{stderr}");
    deployment.server.advance_clock(Duration::from_secs(86_400));
    let (code, _, stderr) = run(deployment.etna().args(["api", "list_security_images"]), "");
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains("refused the session"), "{stderr}");

    // Issued two days ago as far as the file says: expired here, no request.
    let file = session_file(deployment.config.path());
    let mut contents: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let issued = contents["sessions"][0]["issued"].as_u64().unwrap();
    contents["sessions"][0]["issued"] = (issued - 2 * 86_400).into();
    std::fs::write(&file, contents.to_string()).unwrap();
    let (code, _, stderr) = run(deployment.etna().args(["api", "list_security_images"]), "");
    assert_eq!(code, 6, "{stderr}");
    assert!(
        stderr.contains("session expired") && stderr.contains("nothing was sent"),
        "{stderr}"
    );
    let (code, status, _) = run(deployment.etna().args(["auth", "status"]), "");
    assert_eq!(code, 6);
    assert!(status.contains("expired at"), "{status}");
    let (code, token, _) = run(deployment.etna().args(["auth", "token"]), "");
    assert_eq!((code, token.as_str()), (6, ""));
}

#[cfg(unix)]
#[test]
fn a_session_file_others_can_read_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let deployment = Deployment::new();
    let (code, _, stderr) = deployment.login("robert.zak", &format!("{PASSWORD}\n"));
    assert_eq!(code, 0, "{stderr}");
    let file = session_file(deployment.config.path());
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, stdout, stderr) = run(deployment.etna().args(["auth", "token"]), "");
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("chmod 600"), "{stderr}");
}

#[test]
fn a_damaged_session_file_is_named_never_quoted_and_never_overwritten() {
    let deployment = Deployment::new();
    let file = session_file(deployment.config.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let damaged =
        r#"{"sessions": [{"deployment": "x", "token": 12, "login": "secret-looking-value"#;
    std::fs::write(&file, damaged).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (code, _, stderr) = deployment.login("robert.zak", &format!("{PASSWORD}\n"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&file.display().to_string()) && stderr.contains("damaged"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret-looking-value"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), damaged);
}

/// Two factors from stdin: the password line, then, once the mock has sent
/// the code, the code line (a script reading it from elsewhere does the same).
fn login_with_code(deployment: &Deployment, user: &str, password: &str) -> (i32, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let before = deployment.server.last_code_for(user);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_etna"))
        .env_remove("ETNA_TOKEN")
        .env_remove("ETNA_SESSION_STORE")
        .env("XDG_CONFIG_HOME", deployment.config.path())
        .env("ETNA_BASE_URL", deployment.server.base_url())
        .env("ETNA_APP_KEY", APP_KEY)
        .args([
            "auth",
            "login",
            "--user",
            user,
            "--password-stdin",
            "--store",
            "file",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{password}").unwrap();
    let code = (0..200)
        .find_map(|_| {
            let code = deployment
                .server
                .last_code_for(user)
                .filter(|c| Some(c) != before.as_ref());
            if code.is_none() {
                std::thread::sleep(Duration::from_millis(25));
            }
            code
        })
        .expect("the mock sent a code");
    writeln!(stdin, "{code}").unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn several_sessions_are_kept_and_the_last_one_is_current() {
    let deployment = Deployment::new();
    assert_eq!(
        deployment.login("robert.zak", &format!("{PASSWORD}\n")).0,
        0
    );
    let (code, stdout, stderr) = login_with_code(&deployment, "hello", "Hell0-passw0rd!");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, status, _) = run(deployment.etna().args(["auth", "status"]), "");
    assert_eq!(code, 0);
    assert_eq!(status.matches("login: ").count(), 2, "{status}");
    let current = status.split("\n\n").next().unwrap_or_default();
    let hello_block = status.find("login: hello").unwrap();
    let current_mark = status.find("(current)").unwrap();
    assert!(
        current_mark < hello_block
            && status[current_mark..hello_block].matches("login:").count() == 0,
        "{current}{status}"
    );
    let (_, robert, _) = run(
        deployment
            .etna()
            .args(["auth", "token", "--user", "robert.zak"]),
        "",
    );
    let (_, hello, _) = run(deployment.etna().args(["auth", "token"]), "");
    assert_ne!(robert, hello);
    assert_eq!(
        run(
            deployment
                .etna()
                .args(["auth", "logout", "--user", "hello"]),
            ""
        )
        .0,
        0
    );
    let (_, status, _) = run(
        deployment
            .etna()
            .args(["auth", "status", "--user", "robert.zak"]),
        "",
    );
    assert_eq!(status.matches("login: ").count(), 1, "{status}");
}

#[test]
fn a_trader_without_a_pin_sets_one_from_the_images_then_signs_in() {
    let deployment = Deployment::new();
    let images = tempfile::tempdir().unwrap();
    let login = |stdin: &str| {
        run(
            deployment
                .etna()
                .args([
                    "auth",
                    "login",
                    "--user",
                    "new.pin",
                    "--password-stdin",
                    "--store",
                    "file",
                    "--images-dir",
                ])
                .arg(images.path()),
            stdin,
        )
    };
    // A PIN with a leading zero would lose it as a number: refused, nothing sent.
    let (code, _, stderr) = login("N3w-p1n-passw0rd!\napple.png\nMy apple tree\n0481\n");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot start with 0"), "{stderr}");
    assert!(!stderr.contains("0481"), "{stderr}");
    let (code, _, stderr) = login("N3w-p1n-passw0rd!\nnot-an-image.png\nMy apple tree\n4817\n");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("is not one of the security images"),
        "{stderr}"
    );

    let (code, stdout, stderr) = login("N3w-p1n-passw0rd!\napple.png\nMy apple tree\n4817\n");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("PIN code is not init") && stderr.contains("the PIN is set"),
        "{stderr}"
    );
    assert!(stdout.starts_with("Signed in as new.pin"), "{stdout}");
    assert!(!stderr.contains("4817"), "{stderr}");
    let png = std::fs::read(images.path().join("apple.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let written = std::fs::read_dir(images.path()).unwrap().count();
    assert!(written >= 2, "{written} images written");
    // The PIN is set: the next sign-in asks for nothing more.
    let (code, _, stderr) = deployment.login("new.pin", "N3w-p1n-passw0rd!\n");
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("PIN"), "{stderr}");
}

#[test]
fn password_change_needs_the_session_checks_the_old_password_and_changes_what_sign_in_takes() {
    let deployment = Deployment::new();
    // No session: refused before anything is asked or sent.
    let (code, _, stderr) = run(
        deployment
            .etna()
            .args(["password", "change", "--password-stdin"]),
        "",
    );
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");

    assert_eq!(
        deployment.login("robert.zak", &format!("{PASSWORD}\n")).0,
        0
    );
    let (code, _, stderr) = run(
        deployment
            .etna()
            .args(["password", "change", "--password-stdin"]),
        "Wrong-0ld-passw0rd\nChanged-passw0rd-1\n",
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("the password was not changed"), "{stderr}");
    assert!(
        !stderr.contains("Wrong-0ld-passw0rd") && !stderr.contains("Changed-passw0rd-1"),
        "{stderr}"
    );

    let (code, stdout, stderr) = run(
        deployment
            .etna()
            .args(["password", "change", "--password-stdin"]),
        &format!("{PASSWORD}\nChanged-passw0rd-1\n"),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("The password was changed"), "{stdout}");
    assert_eq!(
        deployment.login("robert.zak", &format!("{PASSWORD}\n")).0,
        1,
        "the old password still signs in"
    );
    assert_eq!(deployment.login("robert.zak", "Changed-passw0rd-1\n").0, 0);
}

#[test]
fn pin_set_uses_the_stored_session() {
    let deployment = Deployment::new();
    let (code, _, stderr) = run(
        deployment.etna().args(["pin", "set", "--stdin"]),
        "apple.png\nPhrase\n4817\n",
    );
    assert_eq!(code, 6, "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    assert_eq!(
        deployment.login("robert.zak", &format!("{PASSWORD}\n")).0,
        0
    );
    let images = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(
        deployment
            .etna()
            .args(["pin", "set", "--stdin", "--images-dir"])
            .arg(images.path()),
        "baloon.png\nMy balloon\n4817\n",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("the PIN is set"), "{stderr}");
    assert!(images.path().join("baloon.png").exists());
}
