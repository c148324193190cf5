//! Checks for the spec constructs that make progenitor panic.
//!
//! Progenitor asserts, `todo!`s or `unwrap`s on several constructs it does not
//! support. Finding them first lets `cargo xtask codegen` name the spec location
//! and the fix instead of printing a panic backtrace. Anything these checks miss
//! is still caught as a panic by `generate_client` and reported as an error.
//! It also refuses what the client could not send safely: a secret
//! (`format: password`) parameter in the path or the query, that is, in the
//! URL.

use std::collections::BTreeSet;
use std::fmt;

use etna_spec::{RefError, pointer, typed};
use openapiv3::{
    MediaType, OpenAPI, Operation, Parameter, ParameterData, ParameterSchemaOrContent, ReferenceOr,
    Response, StatusCode,
};

/// One unsupported construct: where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer into the spec, e.g. `#/paths/~1users/post/responses`.
    pub pointer: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// Returns every construct in `spec` that progenitor is known to fail on.
pub fn preflight(spec: &OpenAPI) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in &spec.paths.paths {
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                problems.push(problem(
                    &["paths", path],
                    "a path item given by `$ref` is not supported; write the operations inline",
                ));
                continue;
            }
        };
        for (method, op) in item.iter() {
            let at = |rest: &[&str]| {
                let mut parts = vec!["paths", path.as_str(), method];
                parts.extend_from_slice(rest);
                parts.into_iter().map(str::to_owned).collect::<Vec<_>>()
            };
            match &op.operation_id {
                None => problems.push(problem(
                    &at(&[]),
                    "the operation has no `operationId`; add one in snake_case, it becomes the Rust method name",
                )),
                Some(id) if !operation_ids.insert(id.clone()) => problems.push(problem(
                    &at(&["operationId"]),
                    &format!("operationId `{id}` is used twice; operationIds must be unique"),
                )),
                Some(_) => {}
            }
            check_path_parameters(spec, path, op, &item.parameters, &at, &mut problems);
            check_request_body(spec, op, &at, &mut problems);
            check_responses(spec, op, &at, &mut problems);
        }
    }
    problems
}

fn check_path_parameters(
    spec: &OpenAPI,
    path: &str,
    op: &Operation,
    shared: &[ReferenceOr<Parameter>],
    at: &dyn Fn(&[&str]) -> Vec<String>,
    problems: &mut Vec<Problem>,
) {
    let mut declared = BTreeSet::new();
    for (i, param) in shared.iter().chain(&op.parameters).enumerate() {
        let param = match typed::follow(
            spec,
            param,
            pointer::join(&at(&["parameters", &i.to_string()])),
        ) {
            Ok((param, _)) => param,
            Err(e) => {
                problems.push(unresolved(e));
                continue;
            }
        };
        if let Parameter::Path { parameter_data, .. } | Parameter::Query { parameter_data, .. } =
            param
            && is_secret(spec, parameter_data)
        {
            let place = match param {
                Parameter::Path { .. } => "path",
                _ => "query",
            };
            problems.push(problem(
                &at(&["parameters", &i.to_string()]),
                &format!(
                    "{place} parameter `{}` is a secret (`format: password`), and a {place} parameter goes into the URL, which servers, proxies and logs keep; send it in a header or in the body instead",
                    parameter_data.name
                ),
            ));
        }
        if let Parameter::Path { parameter_data, .. } = param {
            if !parameter_data.required {
                problems.push(problem(
                    &at(&["parameters", &i.to_string()]),
                    &format!(
                        "path parameter `{}` must have `required: true`",
                        parameter_data.name
                    ),
                ));
            }
            declared.insert(parameter_data.name.clone());
        }
    }
    for name in template_names(path) {
        if !declared.contains(&name) {
            problems.push(problem(
                &at(&["parameters"]),
                &format!(
                    "`{{{name}}}` appears in the path but no `in: path` parameter declares it"
                ),
            ));
        }
    }
    for name in declared {
        if !path.contains(&format!("{{{name}}}")) {
            problems.push(problem(
                &at(&["parameters"]),
                &format!("path parameter `{name}` is declared but `{{{name}}}` is not in the path"),
            ));
        }
    }
}

/// Whether a parameter's schema is `format: password`, `$ref`s followed (a
/// broken one is reported where schemas are read).
fn is_secret(spec: &OpenAPI, data: &ParameterData) -> bool {
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return false;
    };
    typed::follow(spec, schema, String::new()).is_ok_and(|(schema, _)| {
        serde_json::to_value(schema).is_ok_and(|value| etna_spec::model::is_secret(&value))
    })
}

fn check_request_body(
    spec: &OpenAPI,
    op: &Operation,
    at: &dyn Fn(&[&str]) -> Vec<String>,
    problems: &mut Vec<Problem>,
) {
    let Some(body) = &op.request_body else { return };
    let body = match typed::follow(spec, body, pointer::join(&at(&["requestBody"]))) {
        Ok((body, _)) => body,
        Err(e) => {
            problems.push(unresolved(e));
            return;
        }
    };
    if body.content.len() > 1 {
        let types: Vec<_> = body.content.keys().map(String::as_str).collect();
        problems.push(problem(
            &at(&["requestBody", "content"]),
            &format!(
                "the request body offers {} media types ({}); progenitor supports one, so keep only `application/json`",
                types.len(),
                types.join(", ")
            ),
        ));
    }
    for (media, content) in &body.content {
        check_media_type(content, &at(&["requestBody", "content", media]), problems);
    }
}

fn check_responses(
    spec: &OpenAPI,
    op: &Operation,
    at: &dyn Fn(&[&str]) -> Vec<String>,
    problems: &mut Vec<Problem>,
) {
    // Progenitor builds one success type and one error type per operation, and
    // asserts that there is no more than one of each.
    let mut success = BTreeSet::new();
    let mut error = BTreeSet::new();
    let mut responses: Vec<(String, Option<&StatusCode>, &ReferenceOr<Response>)> = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| (code.to_string(), Some(code), r))
        .collect();
    if let Some(default) = &op.responses.default {
        responses.push(("default".to_owned(), None, default));
    }
    for (label, code, response) in responses {
        let response =
            match typed::follow(spec, response, pointer::join(&at(&["responses", &label]))) {
                Ok((response, _)) => response,
                Err(e) => {
                    problems.push(unresolved(e));
                    continue;
                }
            };
        let json = response.content.iter().find(|(media, _)| {
            media.as_str() == "application/json" || media.starts_with("application/json;")
        });
        let kind = match json {
            Some((media, content)) => {
                let pointer = at(&["responses", &label, "content", media]);
                check_media_type(content, &pointer, problems);
                match &content.schema {
                    Some(schema) => serde_json::to_string(schema).unwrap_or_default(),
                    None => {
                        problems.push(problem(
                            &pointer,
                            "a JSON response needs a `schema`; progenitor cannot type it otherwise",
                        ));
                        continue;
                    }
                }
            }
            None if response.content.is_empty() => "(no body)".to_owned(),
            None => "(raw body)".to_owned(),
        };
        let class = match code {
            Some(StatusCode::Code(c)) => c / 100,
            Some(StatusCode::Range(r)) => *r,
            None => 0,
        };
        if class == 2 || class == 0 {
            success.insert((kind.clone(), label.clone()));
        }
        if class == 4 || class == 5 || class == 0 {
            error.insert((kind, label));
        }
    }
    for (what, set) in [("success", success), ("error", error)] {
        let kinds: BTreeSet<_> = set.iter().map(|(k, _)| k).collect();
        if kinds.len() > 1 {
            let labels: Vec<_> = set.iter().map(|(_, l)| l.as_str()).collect();
            problems.push(problem(
                &at(&["responses"]),
                &format!(
                    "the {what} responses ({}) have {} different body schemas; progenitor supports one {what} type per operation (its issues #344, #950): give them one schema, e.g. a `oneOf` of the shapes",
                    labels.join(", "),
                    kinds.len()
                ),
            ));
        }
    }
}

fn check_media_type(content: &MediaType, pointer: &[String], problems: &mut Vec<Problem>) {
    if !content.encoding.is_empty() {
        let mut p = pointer.to_vec();
        p.push("encoding".to_owned());
        problems.push(problem(
            &p,
            "`encoding` is not supported by progenitor; remove it (it only applies to multipart and form bodies)",
        ));
    }
}

fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// Progenitor follows chains of `$ref`s too, but panics on one that leads
/// nowhere and recurses without end on a cycle; this names the failing `$ref`.
fn unresolved(e: RefError) -> Problem {
    Problem {
        pointer: pointer::push(&e.at, "$ref"),
        message: e.problem.to_string(),
    }
}

fn problem<S: AsRef<str>>(parts: &[S], message: &str) -> Problem {
    Problem {
        pointer: pointer::join(parts),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chained_refs_resolve_and_broken_ones_name_their_ref() {
        let spec = crate::parse_spec(
            r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      operationId: get_a
      parameters: [{$ref: "#/components/parameters/Id"}]
      responses:
        "200": {$ref: "#/components/responses/Gone"}
        "404": {$ref: "#/components/schemas/Id"}
components:
  parameters:
    Id: {$ref: "#/components/parameters/IdItself"}
    IdItself: {name: id, in: path, required: true, schema: {type: string}}
  schemas:
    Id: {type: string}
"##,
            "inline",
        )
        .unwrap();
        let shown: Vec<String> = preflight(&spec).iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "#/paths/~1a~1{id}/get/responses/200/$ref: `#/components/responses/Gone` refers to nothing in the spec",
                "#/paths/~1a~1{id}/get/responses/404/$ref: `#/components/schemas/Id` does not point at #/components/responses/<name>",
            ]
        );
    }
}
