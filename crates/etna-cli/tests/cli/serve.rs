//! `etna mock serve`: prints its URL, serves until Ctrl-C.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use predicates::prelude::*;

use crate::{etna, token_line};

const KEY: &str = "serve-test-key-41d9";

fn spawn_serve(app_key: Option<&str>, args: &[&str]) -> Child {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("etna"));
    command.env_remove("ETNA_APP_KEY");
    if let Some(key) = app_key {
        command.env("ETNA_APP_KEY", key);
    }
    command
        .args(["mock", "serve"])
        .args(args)
        .env_remove("ETNA_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIGINT, as Ctrl-C in a terminal does, and waits (boundedly) for the exit.
fn interrupt(child: &mut Child) -> ExitStatus {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("the `kill` command (procps) is needed to send Ctrl-C");
    assert!(sent.success());
    for _ in 0..400 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("`etna mock serve` did not stop on Ctrl-C");
}

/// The status and body of `METHOD path` with the app key and these header
/// lines, over a bare connection (the CLI has no sign-in command).
fn request(port: u16, method_and_path: &str, headers: &str) -> (u16, String) {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method_and_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nEt-App-Key: {KEY}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

/// The body of `POST /token` for this login.
fn sign_in(port: u16, login: &str, password: &str) -> String {
    let headers = format!("Username: {login}\r\nPassword: {password}\r\n");
    request(port, "POST /token", &headers).1
}

/// The token of a sign-in answer.
fn token_of(body: &str) -> &str {
    body.split(r#""Token":""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
}

#[test]
fn mock_serve_prints_its_url_serves_and_stops_on_ctrl_c() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut child = spawn_serve(Some(KEY), &["--port", &port.to_string()]);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    let url = url.trim_end().to_owned();
    assert_eq!(url, format!("http://127.0.0.1:{port}"));

    etna()
        .env("ETNA_BASE_URL", &url)
        .env("ETNA_APP_KEY", KEY)
        .args([
            "generate-reset-token",
            "--code-stdin",
            "--identifier",
            "reset-password",
        ])
        .write_stdin("231408\n")
        .assert()
        .code(0)
        .stdout(token_line());
    etna()
        .env("ETNA_BASE_URL", &url)
        .env("ETNA_APP_KEY", etna_mock::MockServer::APP_KEY)
        .args([
            "generate-reset-token",
            "--code-stdin",
            "--identifier",
            "reset-password",
        ])
        .write_stdin("231408\n")
        .assert()
        .code(3);
    // Sign-in: a session token (one factor) and an interim one (two
    // factors, whose code is printed as mailed); neither token is printed.
    let session = sign_in(port, "robert.zak", "Passw0rd!");
    let interim = sign_in(port, "hello", "Hell0-passw0rd!");
    assert!(session.contains(r#""State":"Succeeded""#), "{session}");
    assert!(interim.contains(r#""State":"Expecting""#), "{interim}");
    let tokens = [token_of(&session), token_of(&interim)];

    let status = interrupt(&mut child);
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(rest, "", "only the URL goes to stdout");
    assert!(stderr.contains("press Ctrl-C to stop"), "{stderr}");
    assert!(
        stderr.contains("streamers at ws://127.0.0.1:") && stderr.contains(" and ws://127.0.0.1:"),
        "{stderr}"
    );
    // The code waiting for robert.zak, as if mailed before the start.
    assert!(
        stderr.contains("mail to robert.zak@example.com (robert.zak): confirmation code 231408"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mail to hello@etnatrader.com (hello): confirmation code "),
        "{stderr}"
    );
    for token in tokens {
        assert!(!stderr.contains(token), "a token was printed: {stderr}");
    }
    assert!(stderr.contains("mock server stopped"), "{stderr}");
    assert!(
        !stderr.contains(KEY) && !url.contains(KEY),
        "the app key was printed: {stderr}"
    );
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn mock_serve_without_a_key_names_the_default_one() {
    let mut child = spawn_serve(None, &[]);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    etna()
        .args(["--base-url", url.trim_end()])
        .env("ETNA_APP_KEY", etna_mock::MockServer::APP_KEY)
        .args([
            "generate-reset-token",
            "--code-stdin",
            "--identifier",
            "reset-password",
        ])
        .write_stdin("231408\n")
        .assert()
        .code(0);
    assert!(interrupt(&mut child).success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains(etna_mock::MockServer::APP_KEY), "{stderr}");
}

#[test]
fn mock_serve_on_a_taken_port_fails_with_exit_4() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    etna()
        .args(["mock", "serve", "--port", &port])
        .assert()
        .code(4)
        .stdout("")
        .stderr(
            predicate::str::starts_with("error: cannot listen")
                .and(predicate::str::contains("choose another port")),
        );
}

/// `--spec`, `--fault` and `--latency` as a tester uses them: an edited spec
/// is served as edited, a fault answers every call, bad values are usage errors.
#[test]
fn mock_serve_takes_another_spec_and_faults() {
    let edited = etna_mock::SPEC.replace(
        "Model: 7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "Model: token-from-an-edited-spec",
    );
    assert_ne!(edited, etna_mock::SPEC);
    let dir = std::env::temp_dir().join(format!("etna-serve-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("edited.yaml");
    std::fs::write(&file, edited).unwrap();
    let call = |url: &str| {
        etna()
            .env("ETNA_BASE_URL", url)
            .env("ETNA_APP_KEY", KEY)
            .args(["--timeout", "5", "generate-reset-token", "--code-stdin"])
            .write_stdin("231408\n")
            .args(["--identifier", "reset-password"])
            .assert()
    };
    let start = |args: &[&str]| {
        let mut child = spawn_serve(Some(KEY), args);
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        (child, url.trim_end().to_owned())
    };

    let (mut child, url) = start(&["--spec", file.to_str().unwrap(), "--stateless"]);
    call(&url).code(0).stdout("token-from-an-edited-spec\n");
    assert!(interrupt(&mut child).success());

    let (mut child, url) = start(&["--fault", "generate_reset_token:403"]);
    call(&url).code(3);
    assert!(interrupt(&mut child).success());

    // Sessions of one second: alive at once, refused a little later.
    let (mut child, url) = start(&["--token-lifetime", "1"]);
    call(&url).code(0);
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let session = sign_in(port, "robert.zak", "Passw0rd!");
    let bearer = format!("Authorization: Bearer {}\r\n", token_of(&session));
    let images = "GET /v1.0/assets/security-images";
    assert_eq!(request(port, images, &bearer).0, 200);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(request(port, images, &bearer).0, 401);
    assert!(interrupt(&mut child).success());

    // The POST was acted on and its answer lost: exit 7, not 4's "try again".
    let (mut child, url) = start(&["--fault", "drop", "--latency", "10-50"]);
    call(&url).code(7);
    assert!(interrupt(&mut child).success());

    let (mut child, url) = start(&["--fault", "generate_reset_token:hangup"]);
    call(&url)
        .code(7)
        .stderr(predicate::str::contains("may or may not have taken effect"));
    assert!(interrupt(&mut child).success());

    for bad in [
        ["--latency", "soon"],
        ["--fault", "fire"],
        ["--spec", "/no/such/spec.yaml"],
        ["--token-lifetime", "0"],
        ["--token-lifetime", "soon"],
    ] {
        etna()
            .args(["mock", "serve"])
            .args(bad)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with("error: "));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
