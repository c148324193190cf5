//! The `etna` binary, run as a user would, against servers on 127.0.0.1.

mod exit_codes;
mod outputs;
mod secrets;
mod serve;
mod servers;

use assert_cmd::Command;
use serde_json::Value;

/// `etna` with a clean environment: no ETNA_* variable leaks in from the
/// machine running the tests.
fn etna() -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("etna");
    command
        .env_remove("ETNA_BASE_URL")
        .env_remove("ETNA_APP_KEY");
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

/// The token the mock answers the spec's example code with.
fn spec_token() -> String {
    spec_example("200", "success")["Model"]
        .as_str()
        .unwrap()
        .to_owned()
}
