//! Which corpus cases expect which rule. The corpus (tests/drift/, described
//! in its README.md and run by tests/tests/drift_corpus.rs) names the rule of
//! every expectation, and that test checks the names against what the engine
//! reports; reading only the names here lets `cargo xtask drift --rules` show
//! the coverage without running the corpus.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::rules::Rule;

/// The corpus, relative to the workspace root.
pub const CORPUS_DIR: &str = "tests/drift";

/// The old side of every case, in [`CORPUS_DIR`]; not a case itself.
pub const CORPUS_BASE: &str = "base.yaml";

/// The cases of the corpus in `dir` (file names without `.yaml`, sorted) that
/// expect each rule; every rule of [`Rule::ALL`] is a key, with no case when
/// none expects it.
pub fn corpus_coverage(dir: &Path) -> Result<BTreeMap<Rule, Vec<String>>, String> {
    let mut covering: BTreeMap<Rule, Vec<String>> =
        Rule::ALL.iter().map(|&rule| (rule, Vec::new())).collect();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "yaml") && !path.ends_with(CORPUS_BASE) {
            paths.push(path);
        }
    }
    paths.sort();
    for path in paths {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let case = etna_spec::load(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for rule in expected_rules(&case).map_err(|e| format!("{}: {e}", path.display()))? {
            let cases = covering.entry(rule).or_default();
            if cases.last() != Some(&name) {
                cases.push(name.clone());
            }
        }
    }
    Ok(covering)
}

/// The `rule` of every entry of the case's `expect` list, in order.
fn expected_rules(case: &Value) -> Result<Vec<Rule>, String> {
    let expect = case["expect"]
        .as_array()
        .ok_or("no `expect` list".to_owned())?;
    expect
        .iter()
        .enumerate()
        .map(|(i, want)| {
            let id = want["rule"]
                .as_str()
                .ok_or(format!("expectation {} has no `rule`", i + 1))?;
            Rule::from_id(id).ok_or(format!(
                "expectation {} names `{id}`, which is not a rule of crates/etna-drift/src/rules.rs",
                i + 1
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_expectation_names_a_known_rule() {
        let case = serde_json::json!({"expect": [
            {"rule": "docs", "class": "docs"},
            {"rule": "property-added", "class": "breaking"},
        ]});
        assert_eq!(
            expected_rules(&case).unwrap(),
            [Rule::Docs, Rule::PropertyAdded]
        );
        let unknown = serde_json::json!({"expect": [{"rule": "nope"}]});
        assert!(expected_rules(&unknown).unwrap_err().contains("`nope`"));
        let missing = serde_json::json!({"expect": [{"class": "docs"}]});
        assert_eq!(
            expected_rules(&missing).unwrap_err(),
            "expectation 1 has no `rule`"
        );
    }
}
