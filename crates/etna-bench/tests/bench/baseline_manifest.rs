//! The comparison crate cannot inherit workspace dependencies (it is not a
//! member), so its versions and features are written out; this test keeps them
//! equal to the root Cargo.toml's, or the build-cost comparison would compare
//! different crates.

use toml_edit::{DocumentMut, Item, Value};

fn read(path: &str) -> DocumentMut {
    // Cargo sets CARGO_MANIFEST_DIR for test processes; read it at run time so
    // that a binary reused from another clone reads this clone's files.
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    let path = format!("{dir}/{path}");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {path}: {e}"))
        .parse()
        .unwrap_or_else(|e| panic!("parse {path}: {e}"))
}

/// A dependency entry as comparable text: `"1.0"` and `{ version = "1.0" }` alike.
fn normalise(item: &Item) -> String {
    let mut entries: Vec<String> = match item {
        Item::Value(Value::String(version)) => vec![format!("version={}", version.value())],
        Item::Value(Value::InlineTable(inline)) => inline
            .iter()
            .map(|(key, value)| format!("{key}={}", text(value)))
            .collect(),
        _ => panic!("a dependency entry is neither a version nor an inline table"),
    };
    entries.sort();
    entries.join(", ")
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.value().clone(),
        Value::Boolean(b) => b.value().to_string(),
        Value::Integer(i) => i.value().to_string(),
        Value::Array(items) => {
            let items: Vec<_> = items.iter().map(text).collect();
            format!("[{}]", items.join(", "))
        }
        _ => panic!("unexpected value in a dependency entry"),
    }
}

#[test]
fn baseline_dependencies_match_the_workspace() {
    let root = read("../../Cargo.toml");
    let baseline = read("baseline/Cargo.toml");
    let workspace = &root["workspace"]["dependencies"];
    let client = read("../etna-client/Cargo.toml");
    let dependencies = baseline["dependencies"].as_table().expect("[dependencies]");
    assert!(!dependencies.is_empty());
    for (name, entry) in dependencies.iter() {
        assert_eq!(
            normalise(entry),
            normalise(&workspace[name]),
            "baseline/Cargo.toml's `{name}` differs from [workspace.dependencies]; copy the root entry"
        );
        assert!(
            client["dependencies"].get(name).is_some(),
            "`{name}` is not a dependency of etna-client, so the comparison would not be like for like"
        );
    }
    for needed in ["reqwest", "rustls", "serde", "serde_json"] {
        assert!(
            dependencies.contains_key(needed),
            "baseline lacks `{needed}`"
        );
    }
    let profile = |manifest: &toml_edit::DocumentMut| {
        let table = manifest["profile"]["dev"]["package"]["*"]
            .as_table()
            .expect("a [profile.dev.package.\"*\"] table");
        table
            .iter()
            .map(|(key, value)| {
                let value = value.as_value().expect("a plain profile setting");
                (key.to_owned(), text(value))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        profile(&baseline),
        profile(&root),
        "the baseline's dev profile for dependencies must match the workspace's for the cold builds to compare"
    );
}
