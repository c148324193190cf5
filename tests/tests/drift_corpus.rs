//! The corpus of `cargo xtask drift` under tests/drift/: one small spec change
//! per rule, each with the classification it must get, and proof that the rest
//! of `cargo test` fails on every change that is not documentation only.
//!
//! Each case is a YAML file: `patch` (RFC 6902) turns the old spec into the new
//! one; the old spec is `tests/drift/base.yaml`, a frozen copy of the spec,
//! after `setup` (a patch too) when the rule needs something the base lacks. `expect` lists
//! every change drift must report: the rule that finds it, its class and a
//! substring of `location  message  [pointer]`. `guard` lists the other
//! workspace tests that see the change (see `guards`); `uncaught` explains an
//! empty list. Every rule of `etna_drift::Rule` has a case.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use etna_codegen::{REPLACED_SCHEMAS, generate_client, parse_spec, workspace_root};
use etna_drift::{CORPUS_BASE, CORPUS_DIR, Change, Class, Options, Rule, corpus_coverage, diff};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    summary: String,
    #[serde(default)]
    setup: Option<json_patch::Patch>,
    patch: json_patch::Patch,
    expect: Vec<Expected>,
    guard: BTreeSet<Guard>,
    #[serde(default)]
    uncaught: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: Rule,
    class: Class,
    contains: String,
    /// How many reported changes it matches: a change to a shared schema is
    /// reported once for each operation it reaches.
    #[serde(default = "one")]
    operations: usize,
}

fn one() -> usize {
    1
}

/// A workspace test, other than drift, that fails when the spec changes.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
enum Guard {
    /// The freshness test of `crates/etna-client/src/generated.rs` (tests/tests/codegen.rs).
    Codegen,
    /// `app_key_header_matches_the_spec` (tests/tests/snapshots.rs).
    AppKeyHeader,
    /// The snapshots of the request and response examples (tests/tests/snapshots.rs).
    ResponseExamples,
    /// The `spec_contract` snapshot: the spec without its documentation
    /// (tests/tests/snapshots.rs, `common::contract`).
    Contract,
}

/// The old side of every case, under tests/drift/.
const BASE: &str = CORPUS_BASE;

/// The one file under tests/drift/ that is neither a case nor the base.
const README: &str = "README.md";

struct Loaded {
    name: String,
    case: Case,
    old: Value,
    new: Value,
}

fn corpus() -> Vec<Loaded> {
    let root = workspace_root();
    let dir = root.join(CORPUS_DIR);
    let base: Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(dir.join(BASE)).unwrap()).unwrap();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.ends_with(BASE))
        .collect();
    paths.sort();
    paths.iter().map(|path| load(path, &base)).collect()
}

fn load(path: &Path, base: &Value) -> Loaded {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let case: Case = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(!case.summary.trim().is_empty(), "{name}: empty summary");
    let mut old = base.clone();
    if let Some(setup) = &case.setup {
        json_patch::patch(&mut old, setup).unwrap_or_else(|e| panic!("{name}: setup: {e}"));
    }
    let mut new = old.clone();
    json_patch::patch(&mut new, &case.patch).unwrap_or_else(|e| panic!("{name}: patch: {e}"));
    Loaded {
        name,
        case,
        old,
        new,
    }
}

fn spec(value: &Value, label: &str) -> openapiv3::OpenAPI {
    parse_spec(&serde_json::to_string(value).unwrap(), label).unwrap_or_else(|e| panic!("{e}"))
}

fn line(change: &Change) -> String {
    format!(
        "{}  {}  [{}]",
        change.location(),
        change.message,
        change.pointer
    )
}

#[test]
fn every_file_of_the_corpus_is_a_case() {
    let cases = corpus();
    // A case misnamed `.yml` (or with no extension) would otherwise be skipped
    // without a word.
    let files: Vec<String> = std::fs::read_dir(workspace_root().join(CORPUS_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != BASE && name != README)
        .collect();
    assert_eq!(
        cases.len(),
        files.len(),
        "tests/drift/ holds files that are not cases (`*.yaml`): {:?}",
        files
            .iter()
            .filter(|f| !cases.iter().any(|c| **f == format!("{}.yaml", c.name)))
            .collect::<Vec<_>>()
    );
    let classes: BTreeSet<Class> = cases
        .iter()
        .flat_map(|c| c.case.expect.iter().map(|e| e.class))
        .collect();
    assert_eq!(classes.len(), 4, "every class has a case: {classes:?}");
}

/// The same reading of the corpus as `cargo xtask drift --rules`.
#[test]
fn every_rule_has_a_corpus_case() {
    let covering = corpus_coverage(&workspace_root().join(CORPUS_DIR)).unwrap();
    let uncovered: Vec<&str> = covering
        .iter()
        .filter(|(_, cases)| cases.is_empty())
        .map(|(rule, _)| rule.id())
        .collect();
    assert!(
        uncovered.is_empty(),
        "no case under tests/drift/ expects these rules; add one per rule (see tests/drift/README.md): {uncovered:?}"
    );
    assert_eq!(covering.len(), Rule::ALL.len());
}

#[test]
fn every_case_gets_exactly_its_expected_classification() {
    let options = Options::with_replaced(REPLACED_SCHEMAS);
    let mut failures = Vec::new();
    for Loaded {
        name,
        case,
        old,
        new,
    } in corpus()
    {
        let changes = diff(&spec(&old, &name), &spec(&new, &name), &options);
        let mut unmatched: Vec<&Change> = changes.iter().collect();
        let mut missing = Vec::new();
        for want in &case.expect {
            let matches = |c: &&Change| {
                c.rule == want.rule && c.class == want.class && line(c).contains(&want.contains)
            };
            let found = unmatched.iter().filter(|c| matches(c)).count();
            if found != want.operations {
                missing.push(format!(
                    "{} {} {:?} x{} (found {found})",
                    want.rule, want.class, want.contains, want.operations
                ));
            }
            unmatched.retain(|c| !matches(c));
        }
        if !missing.is_empty() || !unmatched.is_empty() {
            let got: Vec<String> = changes
                .iter()
                .map(|c| format!("    {:<10} {:<28} {}", c.class, c.rule, line(c)))
                .collect();
            failures.push(format!(
                "{name}:\n  missing: {missing:?}\n  unexpected: {}\n  got:\n{}",
                unmatched.len(),
                got.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_unchanged_spec_has_no_changes() {
    let root = workspace_root();
    let spec = etna_codegen::load_spec(&root.join(CORPUS_DIR).join(BASE)).unwrap();
    assert_eq!(
        diff(&spec, &spec, &Options::with_replaced(REPLACED_SCHEMAS)),
        []
    );
}

/// Which workspace tests would fail if the committed spec were changed from
/// `old` to `new`.
fn guards(old: &Value, new: &Value, name: &str) -> BTreeSet<Guard> {
    let mut seen = BTreeSet::new();
    // The freshness test regenerates from the spec and compares with the
    // committed file; a spec the generator refuses fails it as well.
    let before = generate_client(&spec(old, name))
        .unwrap_or_else(|e| panic!("{name}: the old spec generates: {e}"));
    match generate_client(&spec(new, name)) {
        Ok(after) if after == before => {}
        _ => {
            seen.insert(Guard::Codegen);
        }
    }
    // Progenitor ignores security schemes: the client names the header by hand
    // and a test compares it with this part of the spec.
    let scheme = &new["components"]["securitySchemes"]["EtAppKey"];
    if scheme["name"] != etna_client::APP_KEY_HEADER
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

/// The examples that tests/tests/snapshots.rs renders: the request example and
/// every response example of every operation, read with its helpers in
/// tests/tests/common/. `None` where those helpers would panic (a parameter
/// without an example), which fails those tests too.
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

#[test]
fn cargo_test_fails_on_every_change_that_is_not_docs_only() {
    let mut failures = Vec::new();
    for Loaded {
        name,
        case,
        old,
        new,
    } in corpus()
    {
        let seen = guards(&old, &new, &name);
        if seen != case.guard {
            failures.push(format!(
                "{name}: declared guards {:?}, but these see the change: {seen:?}",
                case.guard
            ));
        }
        let docs_only = case.expect.iter().all(|e| e.class == Class::Docs);
        match (&case.uncaught, seen.is_empty(), docs_only) {
            (None, true, false) => failures.push(format!(
                "{name}: no workspace test fails on this change; add a guard, or explain in `uncaught`"
            )),
            (Some(_), false, _) => failures.push(format!("{name}: says `uncaught`, but {seen:?} see it")),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
