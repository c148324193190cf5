//! Several `etna auth` commands at once sharing one config directory, as a
//! script signing in to several deployments does: none loses another's
//! session, and a lock held too long is an error naming the lock file.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use etna_mock::MockServer;

use crate::servers::Background;

const APP_KEY: &str = "concurrent-sessions-app-key";
const USERS: [&str; 3] = ["trader.one", "trader.two", "trader.three"];

/// One-factor traders, so that every login is one line of stdin.
fn accounts() -> String {
    let accounts: String = USERS
        .iter()
        .map(|login| {
            format!("  - {{login: {login}, email: {login}@example.com, password: pw-{login}}}\n")
        })
        .collect();
    format!("accounts:\n{accounts}")
}

fn deployments(background: &Background, count: usize) -> Vec<MockServer> {
    (0..count)
        .map(|_| background.mock(MockServer::builder().app_key(APP_KEY).accounts(accounts())))
        .collect()
}

/// `etna auth ARGS` for `user` at `server`, keeping its sessions under
/// `config`, stdin piped and not yet written.
fn spawn(config: &Path, server: &MockServer, args: &[&str], user: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_etna"))
        .env_remove("ETNA_TOKEN")
        .env_remove("ETNA_SESSION_STORE")
        .env("XDG_CONFIG_HOME", config)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env("ETNA_BASE_URL", server.base_url())
        .env("ETNA_APP_KEY", APP_KEY)
        .arg("auth")
        .args(args)
        .args(["--user", user])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn spawn_login(config: &Path, server: &MockServer, user: &str) -> Child {
    spawn(
        config,
        server,
        &["login", "--password-stdin", "--store", "file"],
        user,
    )
}

/// Waits for every command, after all of them have started: each login
/// reads the session file before its sign-in and waits for its password, so
/// giving the passwords only now makes their sign-ins and writes overlap.
fn finish_all(children: Vec<(Child, Option<&str>)>) {
    let mut children: Vec<Child> = children
        .into_iter()
        .map(|(mut child, password)| {
            let mut stdin = child.stdin.take().unwrap();
            if let Some(password) = password {
                writeln!(stdin, "{password}").unwrap();
            }
            child
        })
        .collect();
    for child in children.drain(..) {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{:?}\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// `(deployment, login)` of every session in the file, each with a token.
fn stored(config: &Path) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(config.join("etna/sessions.json")).unwrap();
    let contents: serde_json::Value = serde_json::from_str(&text).unwrap();
    contents["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| {
            assert!(record["token"].is_string(), "{record}");
            (
                record["deployment"].as_str().unwrap().to_owned(),
                record["login"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `etna auth SUBCOMMAND --user user` at `server`: exit code and stdout.
fn auth(config: &Path, server: &MockServer, subcommand: &str, user: &str) -> (i32, String) {
    let output = spawn(config, server, &[subcommand], user)
        .wait_with_output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn expected(pairs: &[(&MockServer, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(server, user)| (server.base_url(), (*user).to_owned()))
        .collect()
}

#[test]
fn a_dozen_logins_at_once_to_four_deployments_keep_every_session() {
    let background = Background::new();
    let servers = deployments(&background, 4);
    let config = tempfile::tempdir().unwrap();
    let pairs: Vec<(&MockServer, &str)> = servers
        .iter()
        .flat_map(|server| USERS.iter().map(move |user| (server, *user)))
        .collect();
    assert_eq!(pairs.len(), 12);

    let passwords: Vec<String> = pairs.iter().map(|(_, user)| format!("pw-{user}")).collect();
    let children = pairs
        .iter()
        .zip(&passwords)
        .map(|((server, user), password)| {
            (
                spawn_login(config.path(), server, user),
                Some(password.as_str()),
            )
        })
        .collect();
    finish_all(children);

    assert_eq!(stored(config.path()), expected(&pairs));
    let mut tokens = BTreeSet::new();
    for (server, user) in &pairs {
        let (code, status) = auth(config.path(), server, "status", user);
        assert_eq!(code, 0, "{user} at {}: {status}", server.base_url());
        let (code, token) = auth(config.path(), server, "token", user);
        assert_eq!(code, 0, "{user} at {}", server.base_url());
        tokens.insert(token);
    }
    assert_eq!(tokens.len(), 12, "each session keeps its own token");
}

#[test]
fn logouts_and_logins_at_once_forget_only_what_was_logged_out() {
    let background = Background::new();
    let servers = deployments(&background, 3);
    let config = tempfile::tempdir().unwrap();
    // Two traders signed in everywhere, one after another.
    let before: Vec<(&MockServer, &str)> = servers
        .iter()
        .flat_map(|server| USERS[..2].iter().map(move |user| (server, *user)))
        .collect();
    for (server, user) in &before {
        finish_all(vec![(
            spawn_login(config.path(), server, user),
            Some(&format!("pw-{user}")),
        )]);
    }
    assert_eq!(stored(config.path()), expected(&before));

    // At once: the first trader logs out everywhere, the third logs in
    // everywhere, the second stays.
    let logouts = before.iter().filter(|(_, user)| *user == USERS[0]);
    let logins: Vec<(&MockServer, &str)> = servers.iter().map(|s| (s, USERS[2])).collect();
    let password = format!("pw-{}", USERS[2]);
    let mut children: Vec<(Child, Option<&str>)> = logouts
        .map(|(server, user)| (spawn(config.path(), server, &["logout"], user), None))
        .collect();
    children.extend(logins.iter().map(|(server, user)| {
        (
            spawn_login(config.path(), server, user),
            Some(password.as_str()),
        )
    }));
    finish_all(children);

    let after: Vec<(&MockServer, &str)> = servers
        .iter()
        .flat_map(|server| USERS[1..].iter().map(move |user| (server, *user)))
        .collect();
    assert_eq!(stored(config.path()), expected(&after));
    for server in &servers {
        let (code, _) = auth(config.path(), server, "status", USERS[0]);
        assert_eq!(
            code,
            6,
            "{} still signed in at {}",
            USERS[0],
            server.base_url()
        );
    }
}

#[test]
fn a_lock_held_too_long_is_an_error_naming_the_lock_file_and_changes_nothing() {
    let background = Background::new();
    let servers = deployments(&background, 1);
    let server = &servers[0];
    let config = tempfile::tempdir().unwrap();
    let session_file = config.path().join("etna/sessions.json");
    finish_all(vec![(
        spawn_login(config.path(), server, USERS[0]),
        Some("pw-trader.one"),
    )]);
    let before = std::fs::read(&session_file).unwrap();

    // Held as another etna stopped half-way through a change would hold it.
    let lock_path = config.path().join("etna/sessions.lock");
    let lock = std::fs::File::open(&lock_path).unwrap();
    fs4::FileExt::try_lock(&lock).unwrap();
    let mut logout = spawn(config.path(), server, &["logout"], USERS[0]);
    let mut login = spawn_login(config.path(), server, USERS[1]);
    drop(logout.stdin.take());
    writeln!(login.stdin.take().unwrap(), "pw-{}", USERS[1]).unwrap();
    for (child, what) in [(logout, "logout"), (login, "login")] {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(5), "{what}: {stdout}{stderr}");
        assert!(
            stderr.contains(&lock_path.display().to_string())
                && stderr.contains("the session file was not changed"),
            "{what}: {stderr}"
        );
        // The sign-in went through, and the message says it was not kept
        // instead of "Signed in" on stdout.
        if what == "login" {
            assert!(stdout.is_empty(), "{stdout}");
            assert!(
                stderr.contains("signed in as trader.two") && stderr.contains("was not kept"),
                "{stderr}"
            );
        }
    }
    assert_eq!(std::fs::read(&session_file).unwrap(), before);

    // Released: the same command goes through.
    drop(lock);
    let (code, stdout) = auth(config.path(), server, "logout", USERS[0]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stored(config.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_a_login_waiting_for_the_lock() {
    let background = Background::new();
    let servers = deployments(&background, 1);
    let server = &servers[0];
    let config = tempfile::tempdir().unwrap();
    finish_all(vec![(
        spawn_login(config.path(), server, USERS[0]),
        Some("pw-trader.one"),
    )]);
    let before = std::fs::read(config.path().join("etna/sessions.json")).unwrap();
    let lock = std::fs::File::open(config.path().join("etna/sessions.lock")).unwrap();
    fs4::FileExt::try_lock(&lock).unwrap();

    let signed_in = server.session_count();
    let mut login = spawn_login(config.path(), server, USERS[1]);
    writeln!(login.stdin.take().unwrap(), "pw-{}", USERS[1]).unwrap();
    // Once the mock has issued the session, the login is past its sign-in
    // and on its way to the lock, which it cannot have.
    let issued = (0..400).any(|_| {
        let issued = server.session_count() > signed_in;
        if !issued {
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        issued
    });
    assert!(issued, "the login never signed in");
    let sent = Command::new("kill")
        .args(["-INT", &login.id().to_string()])
        .status()
        .expect("the `kill` command (procps) is needed to send Ctrl-C");
    assert!(sent.success());
    let output = login.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stdout}{stderr}");
    assert!(stderr.contains("etna: interrupted"), "{stderr}");
    assert!(!stdout.contains("Signed in"), "{stdout}");
    assert_eq!(
        std::fs::read(config.path().join("etna/sessions.json")).unwrap(),
        before
    );
}
