//! Finds the parts of a spec that the rules look at, following `$ref`s so that
//! each rule sees the node that is really used, at the pointer where it is defined.

use serde_json::Value;

use super::{Rule, Violation};
use crate::pointer;

/// Where a media type sits, which decides the rule for its missing example.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaOf {
    Request,
    Response,
    Parameter,
}

pub(super) struct Operation<'a> {
    /// `POST /v{version}/...`, for messages.
    pub(super) label: String,
    pub(super) node: &'a Value,
    pub(super) at: String,
}

/// A parameter or a response header (a header is a parameter without `name`/`in`).
pub(super) struct Parameter<'a> {
    pub(super) label: String,
    pub(super) node: &'a Value,
    pub(super) at: String,
}

pub(super) struct Media<'a> {
    pub(super) of: MediaOf,
    pub(super) node: &'a Value,
    pub(super) at: String,
}

pub(super) struct SchemaRoot<'a> {
    pub(super) node: &'a Value,
    pub(super) at: String,
    /// A component schema (which needs its own description), not an inline one.
    pub(super) named: bool,
}

/// Everything the rules check, found once.
pub(super) struct Parts<'a> {
    pub(super) operations: Vec<Operation<'a>>,
    pub(super) parameters: Vec<Parameter<'a>>,
    pub(super) media: Vec<Media<'a>>,
    pub(super) schemas: Vec<SchemaRoot<'a>>,
}

impl<'a> Parts<'a> {
    pub(super) fn collect(spec: &'a Value, out: &mut Vec<Violation>) -> Self {
        let mut parts = Parts {
            operations: Vec::new(),
            parameters: Vec::new(),
            media: Vec::new(),
            schemas: Vec::new(),
        };
        if let Some(schemas) = spec
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, node) in schemas {
                parts.schemas.push(SchemaRoot {
                    node,
                    at: pointer::push("#/components/schemas", name),
                    named: true,
                });
            }
        }
        for (path, item) in spec
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let at = pointer::push("#/paths", path);
            let Some((item, item_at)) = resolve(spec, item, at, out) else {
                continue;
            };
            let shared = item.get("parameters");
            for method in etna_spec::METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let at = pointer::push(&item_at, method);
                parts.add_parameters(spec, shared, &pointer::push(&item_at, "parameters"), out);
                parts.add_parameters(
                    spec,
                    operation.get("parameters"),
                    &pointer::push(&at, "parameters"),
                    out,
                );
                if let Some(body) = operation.get("requestBody")
                    && let Some((body, body_at)) =
                        resolve(spec, body, pointer::push(&at, "requestBody"), out)
                {
                    parts.add_content(body, &body_at, MediaOf::Request);
                }
                let responses = operation.get("responses").and_then(Value::as_object);
                for (status, response) in responses.into_iter().flatten() {
                    let response_at = pointer::push(&pointer::push(&at, "responses"), status);
                    let Some((response, response_at)) = resolve(spec, response, response_at, out)
                    else {
                        continue;
                    };
                    parts.add_content(response, &response_at, MediaOf::Response);
                    let headers = response.get("headers").and_then(Value::as_object);
                    for (name, header) in headers.into_iter().flatten() {
                        let header_at =
                            pointer::push(&pointer::push(&response_at, "headers"), name);
                        if let Some((header, header_at)) = resolve(spec, header, header_at, out) {
                            parts.add_parameter(
                                format!("response header `{name}`"),
                                header,
                                header_at,
                            );
                        }
                    }
                }
                parts.operations.push(Operation {
                    label: format!("{} {path}", method.to_uppercase()),
                    node: operation,
                    at,
                });
            }
        }
        parts
    }

    fn add_parameters(
        &mut self,
        spec: &'a Value,
        list: Option<&'a Value>,
        at: &str,
        out: &mut Vec<Violation>,
    ) {
        for (i, parameter) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some((parameter, at)) =
                resolve(spec, parameter, pointer::push(at, &i.to_string()), out)
            else {
                continue;
            };
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = parameter.get("in").and_then(Value::as_str).unwrap_or("?");
            self.add_parameter(format!("{place} parameter `{name}`"), parameter, at);
        }
    }

    fn add_parameter(&mut self, label: String, node: &'a Value, at: String) {
        if let Some(schema) = node.get("schema") {
            self.schemas.push(SchemaRoot {
                node: schema,
                at: pointer::push(&at, "schema"),
                named: false,
            });
        }
        self.add_content(node, &at, MediaOf::Parameter);
        self.parameters.push(Parameter { label, node, at });
    }

    fn add_content(&mut self, holder: &'a Value, at: &str, of: MediaOf) {
        let content = holder.get("content").and_then(Value::as_object);
        for (mime, media) in content.into_iter().flatten() {
            let at = pointer::push(&pointer::push(at, "content"), mime);
            if let Some(schema) = media.get("schema") {
                self.schemas.push(SchemaRoot {
                    node: schema,
                    at: pointer::push(&at, "schema"),
                    named: false,
                });
            }
            self.media.push(Media {
                of,
                node: media,
                at,
            });
        }
    }
}

/// Follows `$ref` (to `#/...` only) until a node that is not a reference;
/// a reference that leads nowhere is a violation at that `$ref`.
pub(super) fn resolve<'a>(
    spec: &'a Value,
    node: &'a Value,
    at: String,
    out: &mut Vec<Violation>,
) -> Option<(&'a Value, String)> {
    match etna_spec::follow_at(spec, node, at) {
        Ok(found) => Some(found),
        Err(e) => {
            let (pointer, message) = match &e.problem {
                etna_spec::RefProblem::Cycle(_) => (
                    e.at.clone(),
                    "`$ref`s here form a cycle; make the chain end at a real object".to_owned(),
                ),
                etna_spec::RefProblem::External(reference)
                | etna_spec::RefProblem::Dangling(reference)
                | etna_spec::RefProblem::NotComponent(reference, _) => (
                    pointer::push(&e.at, "$ref"),
                    format!(
                        "`$ref: {reference}` points to nothing in this file; refer to an existing `#/components/...` entry"
                    ),
                ),
            };
            out.push(Violation {
                pointer,
                rule: Rule::Reference,
                message,
            });
            None
        }
    }
}

/// Calls `visit` on a schema and on every schema nested in it, without
/// following `$ref` (each component schema is a root of its own).
pub(super) fn each_schema<'a>(node: &'a Value, at: &str, visit: &mut dyn FnMut(&'a Value, &str)) {
    let Some(object) = node.as_object() else {
        return;
    };
    visit(node, at);
    if object.contains_key("$ref") {
        return;
    }
    for (key, value) in object {
        let child = pointer::push(at, key);
        match key.as_str() {
            "properties" => {
                for (name, schema) in value.as_object().into_iter().flatten() {
                    each_schema(schema, &pointer::push(&child, name), visit);
                }
            }
            "items" | "not" | "additionalProperties" => each_schema(value, &child, visit),
            "allOf" | "anyOf" | "oneOf" => {
                for (i, schema) in value.as_array().into_iter().flatten().enumerate() {
                    each_schema(schema, &pointer::push(&child, &i.to_string()), visit);
                }
            }
            _ => {}
        }
    }
}
