//! Request bodies checked against the spec the client was generated from
//! ([`GeneratedClient::REQUEST_SPEC_JSON`]) before anything is sent, so that bad
//! input is a usage error (exit 2) with the spec's own words, not a round
//! trip. No message quotes the value: it may be a secret.

use etna_client::GeneratedClient;
use etna_openapi_schema::Schemas;
use serde_json::Value;

use crate::failure::{Exit, Failure};

/// [`request_body_of`] the ETNA client's spec.
pub fn request_body(operation_id: &str, body: &Value) -> Result<Vec<String>, Failure> {
    request_body_of::<etna_client::generated::Client>(operation_id, body)
}

/// The problems of `body` as the request body of `operation_id` in the spec
/// `C` was generated from, each as `Property: what is wrong (the spec's
/// description)`; empty when the body is valid or the operation documents
/// no JSON body. Fails closed: a spec that does not parse, a reference that
/// does not resolve or a schema that does not compile is an error, never
/// "no problems".
pub fn request_body_of<C: GeneratedClient>(
    operation_id: &str,
    body: &Value,
) -> Result<Vec<String>, Failure> {
    let cannot = |why: String| {
        Failure::new(
            Exit::Unexpected,
            format!(
                "cannot check the body of {operation_id} against the client's spec: {why}; nothing was sent"
            ),
        )
    };
    // Parsed per call: a command checks one body, and a cache in a generic
    // function would be one cache for every client.
    let spec: Value =
        serde_json::from_str(C::REQUEST_SPEC_JSON).map_err(|e| cannot(e.to_string()))?;
    let spec = &spec;
    let Some(operation) = etna_spec::operations(spec)
        .into_iter()
        .find(|op| op.id == operation_id)
    else {
        return Err(cannot("it has no such operation".to_owned()));
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

/// `value` with local `$ref`s followed; a broken reference reads as `null`
/// (nothing to check), which the spec's own lint reports.
fn follow(spec: &Value, value: &Value) -> Value {
    etna_spec::follow(spec, value)
        .cloned()
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use etna_test_fixtures::fixture;
    use serde_json::json;

    use super::*;

    /// `set_pin_code` is in the fixture client's spec only: its body is
    /// checked against that spec, not the ETNA client's.
    #[test]
    fn a_body_is_checked_against_the_spec_of_its_own_client() {
        let problems =
            request_body_of::<fixture::Client>("set_pin_code", &json!({"Token": "t", "Pin": "p"}))
                .unwrap();
        assert_eq!(problems, ["the body is missing a required property"]);
        let complete = json!({"Token": "t", "Pin": "p", "ImageName": "cat.png"});
        assert_eq!(
            request_body_of::<fixture::Client>("set_pin_code", &complete).unwrap(),
            Vec::<String>::new()
        );
        // The ETNA client's spec has no such operation: that is an error,
        // never a body waved through unchecked.
        let failure = request_body("set_pin_code", &complete).unwrap_err();
        assert!(
            failure.message.contains("has no such operation"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn the_etna_clients_bodies_are_checked_with_the_specs_words() {
        let body = json!({"Code": "23 14", "Identifier": "ResetPassword"});
        let problems = request_body("generate_reset_token", &body).unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("Code "), "{problems:?}");
    }
}
