//! The workspace's own spec rules (the part of `cargo xtask lint` that needs no
//! Node.js): the real spec passes them, and each rule catches the mistake it
//! is there for.

use etna_codegen::{SPEC_PATH, workspace_root};
use etna_spec_review::{load_spec, rules};
use serde_json::{Value, json};

const OPERATION: &str = "/paths/~1users~1identifiers~1reset~1code/post";
/// The one parameter of the spec, `username` of the secret-question step.
const PARAMETER: &str = "/paths/~1users~1password~1secret-question/get/parameters/0";
/// The shared answer to a wrong app key.
const APP_KEY_REJECTED: &str = "/components/responses/AppKeyRejected";

fn spec() -> Value {
    load_spec(&workspace_root().join(SPEC_PATH)).expect("the spec parses")
}

/// The spec with one change, and what the rules say about it as `(pointer, rule)`.
fn violations_after(change: impl FnOnce(&mut Value)) -> Vec<(String, &'static str)> {
    let mut spec = spec();
    change(&mut spec);
    rules::check(&spec)
        .into_iter()
        .map(|v| (v.pointer, v.rule.id()))
        .collect()
}

fn at<'a>(spec: &'a mut Value, pointer: &str) -> &'a mut Value {
    spec.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the spec has no {pointer}; update this test with the spec"))
}

fn set(spec: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let parent = at(spec, parent)
        .as_object_mut()
        .expect("an object to add to");
    parent.insert(etna_spec::pointer::unescape(key), value);
}

fn remove(spec: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let key = etna_spec::pointer::unescape(key);
    let removed = at(spec, parent)
        .as_object_mut()
        .and_then(|o| o.remove(&key));
    assert!(removed.is_some(), "nothing to remove at {pointer}");
}

#[test]
fn the_spec_passes_the_workspace_rules() {
    let violations = rules::check(&spec());
    let report: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        violations.is_empty(),
        "{SPEC_PATH} breaks the workspace's own rules (`cargo xtask lint` shows the same):\n{}",
        report.join("\n")
    );
}

#[test]
fn undocumented_operations_schemas_properties_and_parameters_are_reported() {
    let found = violations_after(|spec| {
        remove(spec, &format!("{OPERATION}/summary"));
        remove(spec, &format!("{OPERATION}/description"));
        remove(spec, &format!("{OPERATION}/operationId"));
        remove(spec, "/components/schemas/AppKeyError/description");
        remove(
            spec,
            "/components/schemas/Envelope/properties/IsSucceed/description",
        );
        remove(spec, &format!("{PARAMETER}/description"));
        // A bare `$ref` property borrows its target's description, so this
        // leaves the `Identifier` property undescribed too.
        remove(spec, "/components/schemas/ResetIdentifier/description");
    });
    let operation = format!("#{OPERATION}");
    let expected = [
        (operation.clone(), "operation-summary"),
        (operation.clone(), "operation-description"),
        (operation, "operation-operation-id"),
        (
            "#/components/schemas/AppKeyError".into(),
            "schema-description",
        ),
        (
            "#/components/schemas/ResetIdentifier".into(),
            "schema-description",
        ),
        (
            "#/components/schemas/ResetCodeRequest/properties/Identifier".into(),
            "property-description",
        ),
        (
            "#/components/schemas/Envelope/properties/IsSucceed".into(),
            "property-description",
        ),
        (format!("#{PARAMETER}"), "parameter-description"),
    ];
    for (pointer, rule) in &expected {
        assert!(
            found.iter().any(|(p, r)| p == pointer && r == rule),
            "{rule} at {pointer} not reported; got {found:#?}"
        );
    }
    assert_eq!(
        found.len(),
        expected.len(),
        "unexpected extra reports: {found:#?}"
    );
}

#[test]
fn missing_request_response_and_parameter_examples_are_reported() {
    let found = violations_after(|spec| {
        remove(
            spec,
            "/components/requestBodies/ResetCodeRequestBody/content/application~1json/example",
        );
        remove(
            spec,
            &format!("{APP_KEY_REJECTED}/content/application~1json/examples"),
        );
        remove(spec, &format!("{PARAMETER}/example"));
        remove(spec, &format!("{PARAMETER}/schema/example"));
    });
    assert_eq!(
        found,
        vec![
            (
                "#/components/requestBodies/ResetCodeRequestBody/content/application~1json"
                    .to_owned(),
                "request-example"
            ),
            (
                format!("#{APP_KEY_REJECTED}/content/application~1json"),
                "response-example"
            ),
            (format!("#{PARAMETER}"), "parameter-example"),
        ]
    );
}

#[test]
fn examples_that_contradict_their_schema_are_reported_at_every_level() {
    let found = violations_after(|spec| {
        // Media-type level: a request code with a space (against `pattern`),
        // a named response example of the wrong shape.
        *at(
            spec,
            "/components/requestBodies/ResetCodeRequestBody/content/application~1json/example/Code",
        ) = json!("231 408");
        *at(
            spec,
            &format!(
                "{APP_KEY_REJECTED}/content/application~1json/examples/app_key_missing_or_wrong/value"
            ),
        ) = json!({ "error": 403 });
        // Schema level: on a component schema and on a property.
        *at(spec, "/components/schemas/ResetIdentifier/example") = json!("ResetEverything");
        set(
            spec,
            "/components/schemas/Envelope/properties/Errors/example",
            json!("not an array"),
        );
        // Parameter level.
        *at(spec, &format!("{PARAMETER}/example")) = json!(1.0);
    });
    let pointers: Vec<&str> = found
        .iter()
        .inspect(|(_, rule)| assert_eq!(*rule, "example-valid", "{found:#?}"))
        .map(|(pointer, _)| pointer.as_str())
        .collect();
    let expected_403 = format!(
        "#{APP_KEY_REJECTED}/content/application~1json/examples/app_key_missing_or_wrong/value"
    );
    let expected_parameter = format!("#{PARAMETER}/example");
    for expected in [
        "#/components/requestBodies/ResetCodeRequestBody/content/application~1json/example",
        expected_403.as_str(),
        "#/components/schemas/ResetIdentifier/example",
        "#/components/schemas/Envelope/properties/Errors/example",
        expected_parameter.as_str(),
    ] {
        assert!(
            pointers.contains(&expected),
            "{expected} not reported; got {found:#?}"
        );
    }
}

#[test]
fn nullable_means_or_null_and_required_means_present() {
    // `Model: null` is valid (nullable) but dropping the required `IsSucceed` is not.
    let found = violations_after(|spec| {
        remove(
            spec,
            &format!(
                "{OPERATION}/responses/200/content/application~1json/examples/refused/value/IsSucceed"
            ),
        );
    });
    assert_eq!(
        found,
        vec![(
            format!("#{OPERATION}/responses/200/content/application~1json/examples/refused/value"),
            "example-valid"
        )]
    );
    let message = rules::check(&{
        let mut spec = spec();
        remove(
            &mut spec,
            &format!("{OPERATION}/responses/200/content/application~1json/examples/refused/value/IsSucceed"),
        );
        spec
    })[0]
        .message
        .clone();
    assert!(
        message.contains("IsSucceed"),
        "the message names the missing field: {message}"
    );
}

#[test]
fn dangling_references_are_reported_not_ignored() {
    let found = violations_after(|spec| {
        *at(
            spec,
            "/components/schemas/ResetCodeRequest/properties/Identifier/$ref",
        ) = json!("#/components/schemas/NoSuchSchema");
        *at(spec, &format!("{OPERATION}/requestBody/$ref")) =
            json!("#/components/requestBodies/Nope");
    });
    assert!(
        found.contains(&(
            "#/components/schemas/ResetCodeRequest/properties/Identifier/$ref".to_owned(),
            "reference"
        )),
        "{found:#?}"
    );
    assert!(
        found.contains(&(format!("#{OPERATION}/requestBody/$ref"), "reference")),
        "{found:#?}"
    );
}

#[test]
fn a_credential_without_its_marked_refusal_is_reported() {
    let found = violations_after(|spec| {
        remove(spec, &format!("{APP_KEY_REJECTED}/x-etna-refuses"));
        // The session's answer names a scheme the spec does not declare.
        *at(spec, "/components/responses/SessionRejected/x-etna-refuses") = json!("Cookie");
    });
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|(_, rule)| *rule == "credential-refusal"),
        "{found:#?}"
    );
    // Model errors come alone: every use of the shared answer is reported.
    assert!(
        found
            .iter()
            .all(|(pointer, _)| pointer.ends_with("/responses/401/x-etna-refuses")),
        "{found:#?}"
    );

    let found =
        violations_after(|spec| remove(spec, &format!("{APP_KEY_REJECTED}/x-etna-refuses")));
    let operations = rules_spec_operations();
    // Every operation but sign-in, whose 403 is its own (marked) answer.
    assert_eq!(found.len(), operations - 1, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|(pointer, rule)| *rule == "credential-refusal" && pointer.ends_with("/responses")),
        "{found:#?}"
    );
}

fn rules_spec_operations() -> usize {
    etna_spec::operations(&spec()).len()
}
