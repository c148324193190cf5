//! What the mock server reads from the spec: the route, the app-key header, the
//! accepted code, the response examples and the request schema.

use std::collections::BTreeMap;

use axum::http::{HeaderName, Method};
use etna_openapi_schema::{ConvertError, Schemas, Validator, pointer};
use serde_json::Value;

use crate::error::{Error, spec};

/// The operation the mock server serves.
pub(crate) const OPERATION_ID: &str = "generate_reset_token";

/// Everything the mock server answers with, taken from the spec.
pub(crate) struct MockSpec {
    /// The path template, e.g. `/v{version}/users/identifiers/reset/code`.
    pub(crate) path: String,
    pub(crate) method: Method,
    pub(crate) app_key_header: HeaderName,
    /// `Code` of the request example: the one code the mock accepts.
    pub(crate) accepted_code: String,
    /// The request example, quoted when a body is not JSON.
    pub(crate) request_example: Value,
    /// The 200 example with `IsSucceed: true`.
    pub(crate) success: Value,
    /// The 200 example with `IsSucceed: false`.
    pub(crate) refused: Value,
    /// The 400 example, whose `Errors` and `ErrorsCode` are replaced by what is
    /// wrong with the body.
    pub(crate) invalid_request: Value,
    /// The 403 example.
    pub(crate) app_key_error: Value,
    pub(crate) request_schema: Validator,
    /// Every documented example by status, `(name, value)` in the spec's order.
    pub(crate) documented: BTreeMap<u16, Vec<(String, Value)>>,
}

impl MockSpec {
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let doc: Value = serde_yaml_ng::from_str(text)
            .map_err(|e| spec(format!("it is not valid YAML: {e}")))?;
        let (path, method, operation) = find_operation(&doc)?;
        let operation_at = pointer::push(&pointer::push("#/paths", path), method);
        check_path_template(path)?;
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| spec(format!("{method:?} is not an HTTP method")))?;

        let (body, body_at) = resolve_at(
            &doc,
            operation.get("requestBody"),
            pointer::push(&operation_at, "requestBody"),
            "the request body",
        )?;
        let (media, media_at) = json_media(&doc, body, body_at, "the request body")?;
        let request_example = examples(&doc, media)?.into_iter().next().ok_or_else(|| {
            spec("the request body has no example to take the accepted code from")
        })?;
        let accepted_code = request_example
            .get("Code")
            .and_then(Value::as_str)
            .ok_or_else(|| spec("the request example has no string `Code`"))?
            .to_owned();
        let request_schema = request_validator(&doc, media.get("schema"), &media_at)?;

        let ok = response_examples(&doc, operation, "200")?;
        let outcome = |succeeded: bool| {
            ok.iter()
                .find(|e| e.get("IsSucceed") == Some(&Value::Bool(succeeded)))
                .cloned()
                .ok_or_else(|| {
                    spec(format!(
                        "the 200 response has no example with `IsSucceed: {succeeded}`"
                    ))
                })
        };
        Ok(Self {
            path: format!("{}{path}", etna_spec::base_path(&doc)),
            method,
            app_key_header: app_key_header(&doc, operation)?,
            accepted_code,
            request_example,
            success: outcome(true)?,
            refused: outcome(false)?,
            invalid_request: first_response_example(&doc, operation, "400")?,
            app_key_error: first_response_example(&doc, operation, "403")?,
            request_schema,
            documented: crate::generic::documented(&doc, operation)?,
        })
    }
}

fn find_operation(doc: &Value) -> Result<(&str, &str, &Value), Error> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| spec("it has no `paths`"))?;
    for (path, item) in paths {
        for method in etna_spec::METHODS {
            let operation = item.get(method);
            if operation.and_then(|o| o.get("operationId")) == Some(&Value::from(OPERATION_ID)) {
                return Ok((path, method, operation.unwrap_or(&Value::Null)));
            }
        }
    }
    Err(spec(format!(
        "no operation has operationId {OPERATION_ID:?}"
    )))
}

/// Rejects templates the router cannot take, so that a bad spec is an error
/// rather than a panic when the route is registered.
pub(crate) fn check_path_template(path: &str) -> Result<(), Error> {
    let bad = |why: &str| spec(format!("the path {path:?} {why}"));
    if !path.starts_with('/') {
        return Err(bad("does not start with '/'"));
    }
    for segment in path.split('/') {
        let opens = segment.matches('{').count();
        let closes = segment.matches('}').count();
        // axum 0.8 also refuses the `:name` and `*name` syntax of older versions.
        if opens > 1 || opens != closes || segment.contains('*') || segment.starts_with(':') {
            return Err(bad(
                "has a segment the router cannot take (at most one {name} per segment, no : or * syntax)",
            ));
        }
        if let (Some(open), Some(close)) = (segment.find('{'), segment.find('}')) {
            let name = segment.get(open + 1..close).unwrap_or_default();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad("has a parameter without a plain name"));
            }
        }
    }
    Ok(())
}

/// The header of the first security scheme the operation (or the document)
/// requires, which must be an `apiKey` in a header.
fn app_key_header(doc: &Value, operation: &Value) -> Result<HeaderName, Error> {
    let requirement = operation
        .get("security")
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array)
        .and_then(|all| all.first())
        .and_then(Value::as_object)
        .and_then(|r| r.keys().next())
        .ok_or_else(|| {
            spec("the operation requires no security scheme to take the app-key header from")
        })?;
    let scheme = resolve(
        doc,
        doc.pointer(&format!("/components/securitySchemes/{requirement}")),
        "the security scheme",
    )?;
    if scheme.get("type") != Some(&Value::from("apiKey"))
        || scheme.get("in") != Some(&Value::from("header"))
    {
        return Err(spec(format!(
            "the security scheme {requirement:?} is not an apiKey in a header"
        )));
    }
    let name = scheme
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| spec(format!("the security scheme {requirement:?} has no `name`")))?;
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| spec(format!("{name:?} is not a valid header name")))
}

fn response_examples(doc: &Value, operation: &Value, status: &str) -> Result<Vec<Value>, Error> {
    let what = format!("the {status} response");
    let response = resolve(
        doc,
        operation.get("responses").and_then(|r| r.get(status)),
        &what,
    )?;
    let (media, _) = json_media(doc, response, String::new(), &what)?;
    examples(doc, media)
}

fn first_response_example(doc: &Value, operation: &Value, status: &str) -> Result<Value, Error> {
    response_examples(doc, operation, status)?
        .into_iter()
        .next()
        .ok_or_else(|| spec(format!("the {status} response has no example")))
}

/// The `application/json` media type of a request body or response (found at
/// `at`), and where it is.
fn json_media<'a>(
    doc: &'a Value,
    holder: &'a Value,
    at: String,
    what: &str,
) -> Result<(&'a Value, String), Error> {
    resolve_at(
        doc,
        holder
            .get("content")
            .and_then(|c| c.get("application/json")),
        pointer::push(&pointer::push(&at, "content"), "application/json"),
        &format!("the application/json content of {what}"),
    )
}

/// A validator for the request schema, which sits in the media type at
/// `media_at`. Every schema of the document must convert, so that no part of
/// the request is left unchecked without saying so.
fn request_validator(
    doc: &Value,
    schema: Option<&Value>,
    media_at: &str,
) -> Result<Validator, Error> {
    let schema = schema.ok_or_else(|| spec("the request schema is missing"))?;
    let listed = |errors: Vec<ConvertError>| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (schemas, errors) = Schemas::new(doc);
    if !errors.is_empty() {
        return Err(spec(format!(
            "a component schema cannot be read as JSON Schema: {}",
            listed(errors)
        )));
    }
    schemas
        .validator(schema, &pointer::push(media_at, "schema"))
        .map_err(|errors| {
            spec(format!(
                "the request schema cannot be read as JSON Schema: {}",
                listed(errors)
            ))
        })
}

/// The examples of a media type: its `example`, or the values of its
/// `examples`, in the order written.
fn examples(doc: &Value, media: &Value) -> Result<Vec<Value>, Error> {
    if let Some(example) = media.get("example") {
        return Ok(vec![example.clone()]);
    }
    let Some(named) = media.get("examples").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    named
        .iter()
        .map(|(name, example)| {
            let example = resolve(doc, Some(example), &format!("the example {name:?}"))?;
            example
                .get("value")
                .cloned()
                .ok_or_else(|| spec(format!("the example {name:?} has no inline `value`")))
        })
        .collect()
}

/// Follows local `$ref`s (`#/...`) until a value that is not a reference.
fn resolve<'a>(doc: &'a Value, value: Option<&'a Value>, what: &str) -> Result<&'a Value, Error> {
    resolve_at(doc, value, String::new(), what).map(|(value, _)| value)
}

/// [`resolve`], also following where the value is: `at` where `value` was
/// found, the last reference followed otherwise.
fn resolve_at<'a>(
    doc: &'a Value,
    value: Option<&'a Value>,
    at: String,
    what: &str,
) -> Result<(&'a Value, String), Error> {
    let value = value.ok_or_else(|| spec(format!("{what} is missing")))?;
    etna_spec::follow_at(doc, value, at).map_err(|e| spec(format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_spec_drives_the_mock() {
        let spec = MockSpec::parse(crate::SPEC).unwrap();
        assert_eq!(spec.path, "/v{version}/users/identifiers/reset/code");
        assert_eq!(spec.method, Method::POST);
        assert_eq!(spec.app_key_header, "et-app-key");
        assert_eq!(spec.accepted_code, "231408");
        assert_eq!(spec.success["IsSucceed"], true);
        assert_eq!(spec.refused["IsSucceed"], false);
        assert_eq!(spec.invalid_request["IsSucceed"], false);
        assert!(spec.app_key_error["error"].is_string());
    }

    #[test]
    fn a_spec_without_the_operation_is_refused_with_a_reason() {
        let text = crate::SPEC.replace("operationId: generate_reset_token", "operationId: other");
        let error = MockSpec::parse(&text).err().unwrap().to_string();
        assert!(error.contains("generate_reset_token"), "{error}");
    }

    #[test]
    fn a_spec_without_a_success_example_is_refused_with_a_reason() {
        let text = crate::SPEC.replace("IsSucceed: true", "IsSucceed: false");
        let error = MockSpec::parse(&text).err().unwrap().to_string();
        assert!(error.contains("IsSucceed: true"), "{error}");
    }

    #[test]
    fn broken_references_and_yaml_are_errors_not_panics() {
        let text = crate::SPEC.replace(
            "$ref: \"#/components/requestBodies/ResetCodeRequestBody\"",
            "$ref: \"#/components/requestBodies/Nope\"",
        );
        let error = MockSpec::parse(&text).err().unwrap().to_string();
        assert!(error.contains("Nope"), "{error}");
        assert!(MockSpec::parse("paths: [").is_err());
        assert!(MockSpec::parse("").is_err());
    }

    #[test]
    fn request_rules_come_through_references() {
        let request = MockSpec::parse(crate::SPEC).unwrap().request_schema;
        assert!(
            request.is_valid(&serde_json::json!({ "Code": "1", "Identifier": "ResetPinCode" }))
        );
        for invalid in [
            serde_json::json!({ "Code": "1 2", "Identifier": "ResetPinCode" }),
            serde_json::json!({ "Code": "", "Identifier": "ResetPinCode" }),
            serde_json::json!({ "Code": "1", "Identifier": "Other" }),
            serde_json::json!({ "Code": "1" }),
        ] {
            assert!(!request.is_valid(&invalid), "{invalid}");
        }
    }

    #[test]
    fn unconvertible_schema_references_are_errors_that_say_where() {
        let text = crate::SPEC.replace(
            "$ref: \"#/components/schemas/ResetIdentifier\"",
            "$ref: \"#/components/schemas/Gone\"",
        );
        let error = MockSpec::parse(&text).err().unwrap().to_string();
        assert!(
            error.contains("#/components/schemas/ResetCodeRequest/properties/Identifier/$ref"),
            "{error}"
        );
        assert!(error.contains("Gone"), "{error}");

        // A request schema that refers to something other than a schema: the
        // pointer follows the operation's `$ref` to the request body.
        let text = crate::SPEC.replace(
            "$ref: \"#/components/schemas/ResetCodeRequest\"",
            "$ref: \"#/components/requestBodies/ResetCodeRequestBody\"",
        );
        let error = MockSpec::parse(&text).err().unwrap().to_string();
        assert!(
            error.contains(
                "#/components/requestBodies/ResetCodeRequestBody/content/application~1json/schema/$ref"
            ),
            "{error}"
        );
        assert!(error.contains("not supported"), "{error}");
    }

    #[test]
    fn path_templates_the_router_cannot_take_are_errors() {
        for path in ["v1/x", "/{a}{b}", "/{", "/{}", "/{a b}", "/*rest", "/:id"] {
            assert!(check_path_template(path).is_err(), "{path}");
        }
        check_path_template("/v{version}/users/identifiers/reset/code").unwrap();
    }
}
