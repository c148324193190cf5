//! `etna watch`, piped, against the mock's streamers: each change of an
//! order placed while it runs is a JSON line with every digit, a reconnect
//! is a `Resync` line; Ctrl-C (SIGINT) ends it with 130.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use etna_mock::MockServer;
use serde_json::Value;

use crate::etna;
use crate::servers::Background;
use crate::trade::mock_token;

/// A hang guard, never a timing assertion: every line awaited comes well
/// before it.
const GUARD: Duration = Duration::from_secs(30);

/// `etna watch ARGS` against `server`, stdout piped, its lines sent to the
/// receiver as they come.
pub(crate) fn watch(
    server: &MockServer,
    token: &str,
    args: &[&str],
) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_etna"))
        .env_remove("ETNA_SESSION_STORE")
        .env("XDG_CONFIG_HOME", "/nonexistent/etna-cli-tests")
        .env("ETNA_APP_KEY", MockServer::APP_KEY)
        .env("ETNA_TOKEN", token)
        .args(["--base-url", &server.base_url(), "watch"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    (child, received)
}

/// The next line that `wanted` accepts (the others are kept in `seen`).
pub(crate) fn line_where(
    lines: &mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    loop {
        let line = lines
            .recv_timeout(GUARD)
            .unwrap_or_else(|e| panic!("no such line ({e}); so far: {seen:#?}"));
        seen.push(line.clone());
        let value: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if wanted(&value) {
            return value;
        }
    }
}

pub(crate) fn interrupt(child: &mut Child) -> i32 {
    // SAFETY: kill(2) on the child's own pid, which it still is: it has
    // not been waited for.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    child
        .wait()
        .unwrap()
        .code()
        .expect("etna exited, not killed")
}

#[test]
fn piped_it_prints_each_change_of_a_placed_order_as_a_json_line_and_ctrl_c_is_130() {
    let background = Background::new();
    let server = background.mock(MockServer::builder());
    let token = mock_token(&background, &server);
    let (mut child, lines) = watch(&server, &token, &["orders"]);
    let place = |args: &[&str]| {
        let output = etna()
            .args(["--base-url", &server.base_url()])
            .env("ETNA_APP_KEY", MockServer::APP_KEY)
            .env("ETNA_TOKEN", &token)
            .args([
                "order", "place", "--symbol", "AAPL", "--side", "buy", "--yes",
            ])
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(output.status.success(), "{stdout}");
        // "Placed order 80000 (ClientId ...): Filled"
        stdout
            .strip_prefix("Placed order ")
            .and_then(|rest| rest.split(' ').next())
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    // Placed before or after the subscription took: the streamer sends every
    // order of the account on subscribing, then each change.
    let filled = place(&["--quantity", "10"]);
    let mut seen = Vec::new();
    let fill = line_where(&lines, &mut seen, |v| {
        v["Id"] == filled && v["Status"] == "Filled"
    });
    assert_eq!(fill["EntityType"], "Order");
    assert_eq!(fill["Symbol"], "AAPL");
    assert_eq!(fill["ExecutedQuantity"], 10);
    let resting = place(&[
        "--quantity",
        "5",
        "--type",
        "limit",
        "--limit-price",
        "1.2500",
        "--time-in-force",
        "gtc",
    ]);
    let new = line_where(&lines, &mut seen, |v| v["Id"] == resting);
    assert_eq!(new["Status"], "New");
    // The decimal as the streamer sent it (the mock writes the limit
    // price as `"1.25"`), a JSON number in the line's own text.
    let text = seen.last().unwrap();
    assert!(text.contains("\"Price\":1.25,"), "{text}");
    // A dropped connection: reconnected, and said in the stream's own
    // format, since updates may have been missed meanwhile.
    server.drop_streams();
    let resync = line_where(&lines, &mut seen, |v| v.get("Resync").is_some());
    assert_eq!(resync["Resync"]["Server"], "data");
    let after = place(&["--quantity", "1"]);
    line_where(&lines, &mut seen, |v| {
        v["Id"] == after && v["Status"] == "Filled"
    });
    // Nothing but JSON objects, one a line.
    assert!(seen.iter().all(|l| l.starts_with('{') && l.ends_with('}')));
    assert_eq!(interrupt(&mut child), 130);
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!stderr.contains(&token), "{stderr}");
}
