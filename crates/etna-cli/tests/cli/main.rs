//! The `etna` binary, run as a user would, against servers on 127.0.0.1.

mod api;
mod auth;
mod concurrent_sessions;
mod docs;
mod exchange;
mod exit_codes;
mod outputs;
mod password_reset;
#[cfg(unix)]
mod pty;
mod secrets;
mod serve;
mod servers;
mod trade;
#[cfg(unix)]
mod watch;

use assert_cmd::Command;
use serde_json::Value;

/// `etna` with a clean environment: no ETNA_* variable leaks in from the
/// machine running the tests, and no session of the person running them is
/// read (the config directory does not exist; tests that keep sessions set
/// their own).
fn etna() -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("etna");
    command
        .env_remove("ETNA_BASE_URL")
        .env_remove("ETNA_APP_KEY")
        .env_remove("ETNA_TOKEN")
        .env_remove("ETNA_SESSION_STORE")
        .env("XDG_CONFIG_HOME", "/nonexistent/etna-cli-tests");
    command
}

/// The example `name` of the `status` response of `generate_reset_token` in
/// the spec the mock follows.
fn spec_example(status: &str, name: &str) -> Value {
    let doc: Value = serde_yaml_ng::from_str(etna_mock::SPEC).unwrap();
    let response = doc
        .pointer(&format!(
            "/paths/~1users~1identifiers~1reset~1code/post/responses/{status}"
        ))
        .unwrap();
    etna_spec::follow(&doc, response)
        .unwrap()
        .pointer(&format!("/content/application~1json/examples/{name}/value"))
        .unwrap()
        .clone()
}

/// A token as the mock issues it (fresh each time, shaped like a UUID),
/// alone on its line.
fn token_line() -> predicates::str::RegexPredicate {
    predicates::str::is_match("^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\n$").unwrap()
}
