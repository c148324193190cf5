//! The corpus of `cargo xtask drift` under tests/drift/: one small spec change
//! per rule, each with the classification it must get (the format is in
//! tests/drift/README.md, the loader is `etna_drift::cases`). Every rule of
//! `etna_drift::Rule` has a case. Whether the rest of `cargo test` fails on
//! each change is checked by the workspace's tests crate, which knows those
//! tests.

use std::collections::BTreeSet;

use etna_codegen::{REPLACED_SCHEMAS, parse_spec, workspace_root};
use etna_drift::{
    CORPUS_BASE, CORPUS_DIR, Case, Change, Class, Options, Rule, STREAMING_CORPUS_DIR, cases,
    corpus_coverage, diff, diff_streaming,
};
use serde_json::Value;

/// The one file under tests/drift/ that is neither a case nor the base.
const README: &str = "README.md";

fn corpus() -> Vec<Case> {
    cases(&workspace_root().join(CORPUS_DIR)).unwrap_or_else(|e| panic!("{e}"))
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
        .filter(|name| name != CORPUS_BASE && name != README && name != "streaming")
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
        .flat_map(|c| c.expect.iter().map(|e| e.class))
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
    for case in corpus() {
        let name = &case.name;
        let changes = diff(&spec(&case.old, name), &spec(&case.new, name), &options);
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
    let spec = etna_codegen::load_spec(&root.join(CORPUS_DIR).join(CORPUS_BASE)).unwrap();
    assert_eq!(
        diff(&spec, &spec, &Options::with_replaced(REPLACED_SCHEMAS)),
        []
    );
}

/// The AsyncAPI document's corpus (tests/drift/streaming/): each case gets
/// exactly its expected classification from `diff_streaming`.
#[test]
fn every_streaming_case_gets_exactly_its_expected_classification() {
    let cases =
        cases(&workspace_root().join(STREAMING_CORPUS_DIR)).unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 10, "only {} streaming cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let changes = diff_streaming(&case.old, &case.new);
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
                "{}:\n  missing: {missing:?}\n  unexpected: {}\n  got:\n{}",
                case.name,
                unmatched.len(),
                got.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_unchanged_streaming_document_has_no_changes() {
    let root = workspace_root();
    let base = etna_spec::load(&root.join(STREAMING_CORPUS_DIR).join(CORPUS_BASE)).unwrap();
    assert_eq!(diff_streaming(&base, &base), []);
    let current = etna_spec::load(&root.join(etna_codegen::STREAMING_SPEC_PATH)).unwrap();
    assert_eq!(diff_streaming(&current, &current), []);
}
