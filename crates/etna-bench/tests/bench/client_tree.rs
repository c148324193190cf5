//! What etna-client costs a consumer to build, checked without building:
//! every normal dependency states its reason, and the tree adds no crate to
//! what reqwest, rustls and serde bring but the three that progenitor's
//! runtime needs, the value types' four (decimals and dates, issue 31) and
//! the streamers' WebSocket client's (issue 32).
//! `consumer_build_cost` in BENCHMARKS.md measures the time.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// The crates etna-client's tree may add to the baseline's (reqwest, rustls,
/// serde, serde_json): progenitor's runtime, which the generated code calls,
/// and the query encoder it brings; the decimal and date crates of
/// `format: decimal` and `format: date-time` (issue 31), with arrayvec and
/// num-traits, which they both bring.
const ALLOWED_EXTRA: [&str; 7] = [
    "progenitor-client",
    "ryu",
    "serde_urlencoded",
    "rust_decimal",
    "chrono",
    "arrayvec",
    "num-traits",
];

/// What the streamers' WebSocket client brings (issue 32, etna-client's
/// `stream`): tokio-tungstenite and tungstenite, the SHA-1 of the handshake's
/// accept key (sha1 and its digest crates), the frames' masks (rand and its
/// generator crates, zerocopy under them), the key's base64
/// (data-encoding), and tungstenite's error derive (thiserror).
const STREAM_EXTRA: [&str; 15] = [
    "tokio-tungstenite",
    "tungstenite",
    "sha1",
    "digest",
    "block-buffer",
    "crypto-common",
    "generic-array",
    "typenum",
    "cpufeatures",
    "rand",
    "rand_chacha",
    "rand_core",
    "ppv-lite86",
    "zerocopy",
    "data-encoding",
];

/// tungstenite's `thiserror` (its proc-macro half comes with it).
const STREAM_EXTRA_DERIVE: [&str; 2] = ["thiserror", "thiserror-impl"];

fn workspace_root() -> PathBuf {
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    PathBuf::from(dir).join("../..")
}

/// Every crate of etna-client's normal tree (from the lock file, without the
/// network), and those under its direct dependencies reqwest, rustls, serde
/// and serde_json, which the hand-written baseline crate depends on too.
fn client_tree() -> (BTreeSet<String>, BTreeSet<String>) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "etna-client",
            "-e",
            "normal",
        ])
        .args(["--no-dedupe", "--prefix", "depth", "--format", "{p}"])
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (mut all, mut baseline) = (BTreeSet::new(), BTreeSet::new());
    let mut under_baseline = false;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (depth, rest) = line.split_at(digits);
        let name = rest
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        if depth == "1" {
            under_baseline = ["reqwest", "rustls", "serde", "serde_json"].contains(&name.as_str());
        }
        if under_baseline && depth != "0" {
            baseline.insert(name.clone());
        }
        all.insert(name);
    }
    (all, baseline)
}

#[test]
fn the_client_adds_only_progenitors_runtime_to_reqwest_and_serde() {
    let (all, baseline) = client_tree();
    // Resolved with etna-client's features, which progenitor-client's needs
    // widen (reqwest's query encoding then counts as reqwest's): the check
    // errs towards passing, `consumer_build_cost` counts the baseline crate
    // alone.
    let extra: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|name| !baseline.contains(*name) && *name != "etna-client")
        .collect();
    assert!(
        extra.iter().all(|name| ALLOWED_EXTRA.contains(name)
            || STREAM_EXTRA.contains(name)
            || STREAM_EXTRA_DERIVE.contains(name)),
        "etna-client's normal tree adds {extra:?} to what reqwest, rustls and serde bring; \
         justify each in crates/etna-client/Cargo.toml and extend ALLOWED_EXTRA \
         (issue 14: three crates more than the baseline; issue 31: four for decimals and dates; \
         issue 32: the WebSocket client's)"
    );
    assert!(extra.contains(&"progenitor-client"), "{extra:?}");
}

#[test]
fn every_normal_dependency_of_the_client_states_its_reason() {
    let path = workspace_root().join("crates/etna-client/Cargo.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let manifest: toml_edit::DocumentMut = text.parse().unwrap();
    let dependencies = manifest["dependencies"]
        .as_table()
        .expect("a [dependencies] table");
    // A reason may cover the entries right below it (serde and serde_json);
    // a blank line ends its reach.
    let mut silent = Vec::new();
    let mut covered = false;
    for (name, item) in dependencies.iter() {
        // `name.workspace = true` is a dotted table: the comment above the
        // line sits on its first key.
        let key = match item {
            toml_edit::Item::Table(inner) => {
                inner.iter().next().and_then(|(first, _)| inner.key(first))
            }
            _ => dependencies.key(name),
        };
        let prefix = key
            .and_then(|key| key.leaf_decor().prefix())
            .and_then(|prefix| prefix.as_str())
            .unwrap_or("");
        covered = prefix.contains('#') || (covered && !prefix.contains('\n'));
        if !covered {
            silent.push(name.to_owned());
        }
    }
    assert!(
        silent.is_empty(),
        "dependencies of etna-client without a reason above them: {silent:?}"
    );
}
