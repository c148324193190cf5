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
        check_media_types(&body.content, at, problems);
    }
    for (media, content) in &body.content {
        check_media_type(content, &at(&["requestBody", "content", media]), problems);
    }
}

/// Several media types for one request body. ETNA's .NET Swagger offers
/// every JSON body as `application/json` and `text/json` (and sometimes
/// `application/*+json`) with one schema: the generator sends
/// `application/json` and drops the others (`shapes.rs`). Any other mix, or
/// a JSON type with another schema, is refused: one of them would silently
/// never be sent.
fn check_media_types(
    content: &openapiv3::Content,
    at: &dyn Fn(&[&str]) -> Vec<String>,
    problems: &mut Vec<Problem>,
) {
    let types: Vec<_> = content.keys().map(String::as_str).collect();
    let Some(json) = content.get("application/json") else {
        problems.push(problem(
            &at(&["requestBody", "content"]),
            &format!(
                "the request body offers {} media types ({}) and none is `application/json`; progenitor supports one, so keep only `application/json`",
                types.len(),
                types.join(", ")
            ),
        ));
        return;
    };
    for (media, other) in content {
        if media == "application/json" {
            continue;
        }
        if !is_json_media_type(media) {
            problems.push(problem(
                &at(&["requestBody", "content", media]),
                &format!(
                    "the request body offers `{media}` beside `application/json`; the client sends JSON only, so keep only `application/json`"
                ),
            ));
        } else if other.schema != json.schema {
            problems.push(problem(
                &at(&["requestBody", "content", media, "schema"]),
                &format!(
                    "`{media}` has another schema than `application/json`; the client sends `application/json` only, so give both one schema or remove `{media}`"
                ),
            ));
        }
    }
}

/// A media type that carries JSON: `text/json`, `application/json` or a
/// `+json` suffix, parameters aside.
pub(crate) fn is_json_media_type(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json"
        || essence == "text/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
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
    // Progenitor takes one body type per side; the generator hands it a
    // copy of the spec (`shapes.rs`) in which a 2xx without a body beside
    // 2xx with one become one optional body, and several error bodies one
    // `oneOf` of them. What is left is refused: two different 2xx bodies,
    // and an error side that mixes JSON bodies with none or a raw one.
    let no_body = |k: &&String| *k == "(no body)" || *k == "(raw body)";
    for (what, set) in [("success", success), ("error", error)] {
        let kinds: BTreeSet<_> = set.iter().map(|(k, _)| k).collect();
        let bodies = kinds.iter().filter(|k| !no_body(k)).count();
        let taken = match what {
            "success" => bodies <= 1 && !kinds.contains(&&"(raw body)".to_owned()),
            _ => bodies == kinds.len(),
        };
        if kinds.len() > 1 && !taken {
            let labels: Vec<_> = set.iter().map(|(_, l)| l.as_str()).collect();
            let fix = match what {
                "success" => {
                    "the generator takes one body schema beside answers without a body: give the bodies one schema, e.g. a `oneOf` of the shapes"
                }
                _ => {
                    "the generator takes several JSON bodies (one type with a variant per body) but not beside answers without a JSON body: give those a schema"
                }
            };
            problems.push(problem(
                &at(&["responses"]),
                &format!(
                    "the {what} responses ({}) have {} different body schemas; {fix}",
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
