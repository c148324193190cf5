//! Request bodies checked against the spec before anything is sent, so that
//! bad input is a usage error (exit 2) with the spec's own words, not a
//! round trip. No message quotes the value: it may be a secret.

use etna_openapi_schema::Schemas;
use serde_json::Value;

/// The problems of `body` as the request body of `operation_id` in the
/// embedded spec, each as `Property: what is wrong (the spec's description)`.
/// Empty when the body is valid, or when the spec gives no schema to check.
pub fn request_body(operation_id: &str, body: &Value) -> Vec<String> {
    let Ok(spec) = serde_yaml_ng::from_str::<Value>(etna_mock::SPEC) else {
        return Vec::new();
    };
    let Some(schema) = body_schema(&spec, operation_id) else {
        return Vec::new();
    };
    let (schemas, _) = Schemas::new(&spec);
    let Ok(validator) = schemas.validator(&schema, "#/requestBody") else {
        return Vec::new();
    };
    let resolved = follow(&spec, &schema);
    validator
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
        .collect()
}

fn body_schema(spec: &Value, operation_id: &str) -> Option<Value> {
    let operation = etna_spec::operations(spec)
        .into_iter()
        .find(|op| op.id == operation_id)?;
    let body = follow(spec, operation.operation.get("requestBody")?);
    body.pointer("/content/application~1json/schema").cloned()
}

/// `value` with local `$ref`s followed; a broken reference reads as `null`
/// (nothing to check), which the spec's own lint reports.
fn follow(spec: &Value, value: &Value) -> Value {
    etna_spec::follow(spec, value)
        .cloned()
        .unwrap_or(Value::Null)
}
