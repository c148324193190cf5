//! The corpus of drift cases (tests/drift/, described in its README.md): one
//! loader for etna-drift's own corpus test, the workspace test that checks
//! every case's `guard` list and `cargo xtask drift --rules`, so that all three
//! read a case the same way and refuse the same mistakes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::change::Class;
use crate::rules::Rule;

/// The corpus, relative to the workspace root.
pub const CORPUS_DIR: &str = "tests/drift";

/// The corpus of the AsyncAPI document (`openapi/etna-streaming.yaml`),
/// compared with [`diff_streaming`](crate::diff_streaming): the same case
/// format, its own `base.yaml`.
pub const STREAMING_CORPUS_DIR: &str = "tests/drift/streaming";

/// The old side of every case, in [`CORPUS_DIR`]; not a case itself.
pub const CORPUS_BASE: &str = "base.yaml";

/// One case of the corpus: a spec change and what must be reported about it.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file name without `.yaml`.
    pub name: String,
    /// What changes, and why it gets its class.
    pub summary: String,
    /// [`CORPUS_BASE`] after the case's `setup` patch, if any.
    pub old: Value,
    /// The old side after the case's `patch`.
    pub new: Value,
    /// Every change drift must report, no more, no fewer.
    pub expect: Vec<Expected>,
    /// The names of the other workspace tests that fail on this change; the
    /// workspace's tests crate owns the list of names.
    pub guard: BTreeSet<String>,
    /// Why no test but drift sees the change, for a non-docs case with no guard.
    pub uncaught: Option<String>,
}

/// One change a case expects.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The rule that must report it.
    pub rule: Rule,
    /// The class it must get.
    pub class: Class,
    /// A substring of `location  message  [pointer]`.
    pub contains: String,
    /// How many reported changes it matches: a change to a shared schema is
    /// reported once for each operation it reaches.
    #[serde(default = "one")]
    pub operations: usize,
}

fn one() -> usize {
    1
}

/// A case file as written; the patches are applied when it is loaded.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    summary: String,
    #[serde(default)]
    setup: Option<json_patch::Patch>,
    patch: json_patch::Patch,
    expect: Vec<Expected>,
    guard: BTreeSet<String>,
    #[serde(default)]
    uncaught: Option<String>,
}

/// Every case of the corpus in `dir` (every `*.yaml` but [`CORPUS_BASE`]),
/// sorted by file name; an error names the file and what is wrong with it.
pub fn cases(dir: &Path) -> Result<Vec<Case>, String> {
    let base_path = dir.join(CORPUS_BASE);
    let base = etna_spec::load(&base_path).map_err(|e| format!("{}: {e}", base_path.display()))?;
    case_paths(dir)?
        .iter()
        .map(|path| {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            parse(name, &text, &base).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

fn case_paths(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", dir.display());
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(cannot)? {
        let path = entry.map_err(cannot)?.path();
        if path.extension().is_some_and(|e| e == "yaml") && !path.ends_with(CORPUS_BASE) {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

fn parse(name: String, text: &str, base: &Value) -> Result<Case, String> {
    let file: CaseFile = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    if file.summary.trim().is_empty() {
        return Err("empty summary".to_owned());
    }
    let mut old = base.clone();
    if let Some(setup) = &file.setup {
        json_patch::patch(&mut old, setup).map_err(|e| format!("setup: {e}"))?;
    }
    let mut new = old.clone();
    json_patch::patch(&mut new, &file.patch).map_err(|e| format!("patch: {e}"))?;
    Ok(Case {
        name,
        summary: file.summary,
        old,
        new,
        expect: file.expect,
        guard: file.guard,
        uncaught: file.uncaught,
    })
}

/// The cases of the corpus in `dir` (file names without `.yaml`, sorted) that
/// expect each rule; every rule of [`Rule::ALL`] is a key, with no case when
/// none expects it.
/// The AsyncAPI document's corpus (`streaming/` under `dir`) counts too.
pub fn corpus_coverage(dir: &Path) -> Result<BTreeMap<Rule, Vec<String>>, String> {
    let mut covering: BTreeMap<Rule, Vec<String>> =
        Rule::ALL.iter().map(|&rule| (rule, Vec::new())).collect();
    let mut all = cases(dir)?;
    let streaming = dir.join("streaming");
    if streaming.is_dir() {
        let mut more = cases(&streaming)?;
        for case in &mut more {
            case.name = format!("streaming/{}", case.name);
        }
        all.extend(more);
    }
    for case in all {
        for want in &case.expect {
            let names = covering.entry(want.rule).or_default();
            if names.last() != Some(&case.name) {
                names.push(case.name.clone());
            }
        }
    }
    Ok(covering)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = "
summary: A description changes.
patch: [{op: replace, path: /info/title, value: new}]
guard: []
";

    fn parsed(expect: &str) -> Result<Case, String> {
        let base = serde_json::json!({"info": {"title": "old"}});
        parse("case".to_owned(), &format!("{CASE}expect: {expect}"), &base)
    }

    #[test]
    fn every_expectation_names_a_known_rule() {
        let case = parsed(
            r#"[{rule: docs, class: docs, contains: ""},
                {rule: property-added, class: breaking, contains: "", operations: 2}]"#,
        )
        .unwrap();
        let rules: Vec<(Rule, usize)> =
            case.expect.iter().map(|e| (e.rule, e.operations)).collect();
        assert_eq!(rules, [(Rule::Docs, 1), (Rule::PropertyAdded, 2)]);
        assert_eq!(case.new["info"]["title"], "new");
        let unknown = parsed(r#"[{rule: nope, class: docs, contains: ""}]"#).unwrap_err();
        assert!(unknown.contains("unknown rule `nope`"), "{unknown}");
        let missing = parsed(r#"[{class: docs, contains: ""}]"#).unwrap_err();
        assert!(missing.contains("missing field `rule`"), "{missing}");
    }

    #[test]
    fn unknown_keys_and_failing_patches_are_errors() {
        let typo = parsed(r#"[{rule: docs, class: docs, contains: "", operation: 2}]"#);
        assert!(typo.unwrap_err().contains("unknown field `operation`"));
        let base = serde_json::json!({});
        let failing = parse("case".to_owned(), &format!("{CASE}expect: []"), &base);
        assert!(failing.unwrap_err().starts_with("patch: "));
    }
}
