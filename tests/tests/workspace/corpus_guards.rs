//! Proof that the rest of `cargo test` fails on every change of the drift
//! corpus (tests/drift/) that is not documentation only: each case lists in
//! `guard` the tests of this binary that see its change, or explains in
//! `uncaught` why none does. etna-drift's own tests check the classification
//! of the same cases.

use std::collections::{BTreeSet, HashMap};

use etna_codegen::{generate_client, parse_spec, workspace_root};
use etna_drift::{CORPUS_DIR, Case, Class, cases};
use serde::Deserialize;
use serde_json::Value;

use crate::common;

/// A workspace test, other than drift, that fails when the spec changes.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
enum Guard {
    /// The freshness test of `crates/etna-client/src/generated.rs` (codegen.rs).
    Codegen,
    /// `app_key_header_matches_the_spec` (snapshots.rs).
    AppKeyHeader,
    /// The snapshots of the request and response examples (snapshots.rs).
    ResponseExamples,
    /// The `spec_contract` snapshot: the spec without its documentation
    /// (snapshots.rs, `common::contract`).
    Contract,
}

/// The guards a case declares; etna-drift reads them as plain names because
/// only this crate knows the tests they stand for.
fn declared(case: &Case) -> BTreeSet<Guard> {
    case.guard
        .iter()
        .map(|name| {
            serde_json::from_value(Value::String(name.clone())).unwrap_or_else(|e| {
                panic!(
                    "{}: guard `{name}` is not a test of tests/tests/workspace/: {e}",
                    case.name
                )
            })
        })
        .collect()
}

fn spec(value: &Value, label: &str) -> openapiv3::OpenAPI {
    parse_spec(&serde_json::to_string(value).unwrap(), label).unwrap_or_else(|e| panic!("{e}"))
}

/// Which workspace tests would fail if the committed spec were changed from
/// `old` (which generates `before`) to `new`.
fn guards(old: &Value, before: &str, new: &Value, name: &str) -> BTreeSet<Guard> {
    let mut seen = BTreeSet::new();
    // The freshness test regenerates from the spec and compares with the
    // committed file; a spec the generator refuses fails it as well.
    match generate_client(&spec(new, name)) {
        Ok(after) if after == before => {}
        _ => {
            seen.insert(Guard::Codegen);
        }
    }
    // Progenitor ignores security schemes: the client sends the header the
    // generated APP_KEY_HEADER names, and a test compares it with the spec.
    let scheme = &new["components"]["securitySchemes"]["EtAppKey"];
    if scheme["name"]
        != <etna_client::generated::Client as etna_client::GeneratedClient>::APP_KEY_HEADER
        || scheme["in"] != "header"
        || scheme["type"] != "apiKey"
    {
        seen.insert(Guard::AppKeyHeader);
    }
    // Progenitor ignores examples: the snapshots render every request and
    // response example of the operation.
    if examples(old) != examples(new) {
        seen.insert(Guard::ResponseExamples);
    }
    // Everything but documentation; catches what progenitor ignores.
    if common::contract(old) != common::contract(new) {
        seen.insert(Guard::Contract);
    }
    seen
}

/// The examples that snapshots.rs renders: the request example and every
/// response example of every operation, read with its helpers in common.rs.
/// `None` where those helpers would panic (a parameter without an example),
/// which fails those tests too.
fn examples(spec: &Value) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (id, at, operation) in common::operations_at(spec) {
        let has_examples = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| common::resolve(spec, p))
            .all(|p| p.get("example").is_some() || p["schema"].get("example").is_some());
        if !has_examples {
            return None;
        }
        out.push((
            format!("{id} request {at}"),
            format!("{:?}", common::request_example(spec, operation)),
        ));
        for (status, name, body) in common::response_examples(spec, operation) {
            out.push((format!("{id} {status} {name}"), body.to_string()));
        }
    }
    Some(out)
}

/// What is wrong with one case's `guard` and `uncaught`, if anything.
fn check(case: &Case, before: &str) -> Vec<String> {
    let name = &case.name;
    let declared = declared(case);
    let seen = guards(&case.old, before, &case.new, name);
    let mut failures = Vec::new();
    if seen != declared {
        failures.push(format!(
            "{name}: declared guards {declared:?}, but these see the change: {seen:?}"
        ));
    }
    let docs_only = case.expect.iter().all(|e| e.class == Class::Docs);
    match (&case.uncaught, seen.is_empty(), docs_only) {
        (None, true, false) => failures.push(format!(
            "{name}: no workspace test fails on this change; add a guard, or explain in `uncaught`"
        )),
        (Some(_), false, _) => {
            failures.push(format!("{name}: says `uncaught`, but {seen:?} see it"))
        }
        _ => {}
    }
    failures
}

#[test]
fn cargo_test_fails_on_every_change_that_is_not_docs_only() {
    let cases = cases(&workspace_root().join(CORPUS_DIR)).unwrap_or_else(|e| panic!("{e}"));
    // Code generation is most of this test's time: most cases share the base
    // as their old side, so each distinct old side is generated once, and the
    // cases, which are independent, are spread over the cores.
    let olds: Vec<String> = cases.iter().map(|case| case.old.to_string()).collect();
    let mut generated: HashMap<&str, String> = HashMap::new();
    for (case, old) in cases.iter().zip(&olds) {
        generated.entry(old).or_insert_with(|| {
            generate_client(&spec(&case.old, &case.name))
                .unwrap_or_else(|e| panic!("{}: the old spec generates: {e}", case.name))
        });
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = cases.len().div_ceil(threads).max(1);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = cases
            .chunks(per_thread)
            .zip(olds.chunks(per_thread))
            .map(|(chunk, olds)| {
                let generated = &generated;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .zip(olds)
                        .flat_map(|(case, old)| check(case, &generated[old.as_str()]))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a corpus worker panicked"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same proof for the AsyncAPI document's corpus
/// (tests/drift/streaming/): a change that is not docs only changes the
/// generated message types (or fails their generation), which the freshness
/// test sees, or says in `uncaught` why it cannot.
#[test]
fn cargo_test_fails_on_every_streaming_change_that_is_not_docs_only() {
    let root = workspace_root();
    let cases =
        cases(&root.join(etna_drift::STREAMING_CORPUS_DIR)).unwrap_or_else(|e| panic!("{e}"));
    // Cross-document references are read beside the real document.
    let beside = root.join("openapi");
    let generate = |value: &Value, name: &str| {
        etna_codegen::generate_messages_from(&value.to_string(), name, &beside)
    };
    let mut failures = Vec::new();
    for case in &cases {
        let before = generate(&case.old, &case.name)
            .unwrap_or_else(|e| panic!("{}: the old document generates: {e}", case.name));
        let mut seen = BTreeSet::new();
        if generate(&case.new, &case.name).ok().as_deref() != Some(before.as_str()) {
            seen.insert(Guard::Codegen);
        }
        let declared = declared(case);
        if seen != declared {
            failures.push(format!(
                "{}: declared guards {declared:?}, but these see the change: {seen:?}",
                case.name
            ));
        }
        let docs_only = case.expect.iter().all(|e| e.class == Class::Docs);
        match (&case.uncaught, seen.is_empty(), docs_only) {
            (None, true, false) => failures.push(format!(
                "{}: no workspace test fails on this change; add a guard, or explain in `uncaught`",
                case.name
            )),
            (Some(_), false, _) => failures.push(format!(
                "{}: says `uncaught`, but {seen:?} see it",
                case.name
            )),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
