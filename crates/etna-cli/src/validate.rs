//! Request bodies checked against the spec before anything is sent, so that
//! bad input is a usage error (exit 2) with the spec's own words, not a
//! round trip. No message quotes the value: it may be a secret.

use std::sync::OnceLock;

use etna_openapi_schema::Schemas;
use serde_json::Value;

use crate::failure::{Exit, Failure};

/// The problems of `body` as the request body of `operation_id` in the
/// embedded spec, each as `Property: what is wrong (the spec's description)`;
/// empty when the body is valid or the operation documents no JSON body.
/// Fails closed: a spec that does not parse, a reference that does not
/// resolve or a schema that does not compile is an error, never "no
/// problems". An operation the embedded spec does not have (a client
/// generated from another spec, as in this crate's tests) has nothing to be
/// checked against.
pub fn request_body(operation_id: &str, body: &Value) -> Result<Vec<String>, Failure> {
    let cannot = |why: String| {
        Failure::new(
            Exit::Unexpected,
            format!(
                "cannot check the body of {operation_id} against the embedded spec: {why}; nothing was sent"
            ),
        )
    };
    let spec = embedded_spec().map_err(|e| cannot(e.clone()))?;
    let Some(operation) = etna_spec::operations(spec)
        .into_iter()
        .find(|op| op.id == operation_id)
    else {
        return Ok(Vec::new());
    };
    let Some(request_body) = operation.operation.get("requestBody") else {
        return Ok(Vec::new());
    };
    let request_body = etna_spec::follow(spec, request_body).map_err(|e| cannot(e.to_string()))?;
    let Some(schema) = request_body
        .pointer("/content/application~1json/schema")
        .cloned()
    else {
        return Ok(Vec::new());
    };
    let (schemas, _) = Schemas::new(spec);
    let validator = schemas
        .validator(&schema, "#/requestBody")
        .map_err(|errors| {
            cannot(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.pointer, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    let spec = spec.clone();
    let resolved = follow(&spec, &schema);
    Ok(validator
        .problems(body)
        .into_iter()
        .map(|problem| {
            let property = problem.instance_path.trim_start_matches('/');
            let rule = follow(&spec, &resolved["properties"][property]);
            let what = match problem.keyword.as_str() {
                "pattern" => format!(
                    "does not match the pattern {}",
                    rule["pattern"].as_str().unwrap_or("of the spec")
                ),
                "minLength" => format!("is shorter than {} character(s)", rule["minLength"]),
                "maxLength" => format!("is longer than {} character(s)", rule["maxLength"]),
                "required" => "is missing a required property".to_owned(),
                other => format!("breaks the rule `{other}`"),
            };
            let why = rule["description"]
                .as_str()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            match (property.is_empty(), why.is_empty()) {
                (true, _) => format!("the body {what}"),
                (false, true) => format!("{property} {what}"),
                (false, false) => format!("{property} {what} ({why})"),
            }
        })
        .collect())
}

/// The embedded spec, parsed once per process.
fn embedded_spec() -> Result<&'static Value, &'static String> {
    static SPEC: OnceLock<Result<Value, String>> = OnceLock::new();
    SPEC.get_or_init(|| serde_yaml_ng::from_str(etna_mock::SPEC).map_err(|e| e.to_string()))
        .as_ref()
}

/// `value` with local `$ref`s followed; a broken reference reads as `null`
/// (nothing to check), which the spec's own lint reports.
fn follow(spec: &Value, value: &Value) -> Value {
    etna_spec::follow(spec, value)
        .cloned()
        .unwrap_or(Value::Null)
}
