//! The engine on the real spec and the three output formats.

use etna_codegen::{REPLACED_SCHEMAS, SPEC_PATH, parse_spec, workspace_root};
use etna_drift::{Advice, Bump, Class, Format, Options, Report, diff};
use serde_json::Value;

fn real() -> Value {
    let text = std::fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

fn report(old: &Value, new: &Value) -> Report {
    let parse = |v: &Value| parse_spec(&serde_json::to_string(v).unwrap(), "test").unwrap();
    let changes = diff(
        &parse(old),
        &parse(new),
        &Options::with_replaced(REPLACED_SCHEMAS),
    );
    let version = semver::Version::new(0, 1, 0);
    let advice = Advice::new(&changes, Some(&version), Some(&version));
    Report::new("old -> new", changes, advice)
}

/// The real spec with the request property `Code` optional (breaking for Rust)
/// and a new description (docs).
fn changed() -> Value {
    let mut new = real();
    new["components"]["schemas"]["ResetCodeRequest"]["required"] =
        serde_json::json!(["Identifier"]);
    new["components"]["schemas"]["ResetIdentifier"]["description"] = "What is reset.".into();
    new
}

#[test]
fn an_unchanged_spec_says_no_changes() {
    let spec = real();
    let report = report(&spec, &spec);
    assert!(report.changes.is_empty());
    assert_eq!(report.render(Format::Text), "no changes\n");
    assert_eq!(report.advice.bump, Bump::None);
}

#[test]
fn text_has_one_line_per_change_and_the_advice() {
    let report = report(&real(), &changed());
    let classes: Vec<Class> = report.changes.iter().map(|c| c.class).collect();
    assert_eq!(classes, [Class::Breaking, Class::Docs]);
    let text = report.render(Format::Text);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("BREAKING    POST /users/identifiers/reset/code  request body: property `Code` of `ResetCodeRequest` is no longer required"),
        "{first}"
    );
    assert!(
        first.ends_with("[#/components/schemas/ResetCodeRequest/properties/Code]"),
        "{first}"
    );
    assert!(
        text.contains("summary: 1 breaking, 0 warning, 0 compatible, 1 docs"),
        "{text}"
    );
    assert!(text.contains("etna-client: minor bump"), "{text}");
    assert!(text.contains("bump it to 0.2.0"), "{text}");
}

#[test]
fn markdown_is_a_table_for_a_review_comment() {
    let markdown = report(&real(), &changed()).render(Format::Markdown);
    assert!(
        markdown.starts_with("### API drift: 1 breaking, 0 warning, 0 compatible, 1 docs"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Class | Operation | Change | Where |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **breaking** | `POST /users/identifiers/reset/code` |"),
        "{markdown}"
    );
    assert!(markdown.contains("| docs | `(spec)` |"), "{markdown}");
}

#[test]
fn json_carries_every_field() {
    let json: Value =
        serde_json::from_str(&report(&real(), &changed()).render(Format::Json)).unwrap();
    let first = &json["changes"][0];
    assert_eq!(first["class"], "breaking");
    assert_eq!(first["rule"], "property-optionality");
    assert_eq!(first["operation"], "POST /users/identifiers/reset/code");
    assert_eq!(
        first["pointer"],
        "#/components/schemas/ResetCodeRequest/properties/Code"
    );
    assert_eq!(json["summary"]["breaking"], 1);
    assert_eq!(json["advice"]["bump"], "minor");
    assert_eq!(json["advice"]["target"], "0.2.0");
    assert_eq!(json["advice"]["reflected"], false);
}

#[test]
fn the_replaced_schemas_exist_in_the_spec() {
    let spec = real();
    for (name, _) in REPLACED_SCHEMAS {
        assert!(
            spec["components"]["schemas"].get(name).is_some(),
            "{name} is replaced but not in the spec"
        );
    }
}
