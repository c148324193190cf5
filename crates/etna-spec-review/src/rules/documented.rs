//! Rules that every operation, parameter, schema and property is documented.

use serde_json::Value;

use super::walk::{Parts, each_schema};
use super::{Rule, Violation};
use crate::pointer;

pub(super) fn check(spec: &Value, parts: &Parts<'_>, out: &mut Vec<Violation>) {
    for operation in &parts.operations {
        for (field, rule, why) in [
            (
                "operationId",
                Rule::OperationId,
                "it names the generated client method; add a snake_case `operationId`",
            ),
            (
                "summary",
                Rule::OperationSummary,
                "it is the heading of the operation in the rendered reference; add a one-line `summary`",
            ),
            (
                "description",
                Rule::OperationDescription,
                "it is the doc comment of the client method; add a `description` saying what the call does and when to use it",
            ),
        ] {
            if !has_text(operation.node, field) {
                out.push(Violation {
                    pointer: operation.at.clone(),
                    rule,
                    message: format!("{} has no `{field}`: {why}", operation.label),
                });
            }
        }
    }
    for parameter in &parts.parameters {
        if !has_text(parameter.node, "description") {
            out.push(Violation {
                pointer: parameter.at.clone(),
                rule: Rule::ParameterDescription,
                message: format!(
                    "{} has no `description`: say what it means and which values to send",
                    parameter.label
                ),
            });
        }
    }
    for root in &parts.schemas {
        if root.named && !has_text(root.node, "description") {
            out.push(Violation {
                pointer: root.at.clone(),
                rule: Rule::SchemaDescription,
                message: "schema has no `description`: it becomes the doc comment of the generated type; add one"
                    .to_owned(),
            });
        }
        each_schema(root.node, &root.at, &mut |schema, at| {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, property) in properties.into_iter().flatten() {
                if !described(spec, property) {
                    out.push(Violation {
                        pointer: pointer::push(&pointer::push(at, "properties"), name),
                        rule: Rule::PropertyDescription,
                        message: format!(
                            "property `{name}` has no `description`: add one (to describe a `$ref`, wrap it as `allOf: [$ref]` beside the `description`)"
                        ),
                    });
                }
            }
        });
    }
}

/// A property is described by its own `description`, or, when it is a bare
/// `$ref` (whose siblings OpenAPI 3.0 ignores), by its target's.
fn described(spec: &Value, property: &Value) -> bool {
    if has_text(property, "description") {
        return true;
    }
    property
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|target| pointer::resolve_local(spec, target))
        .is_some_and(|target| has_text(target, "description"))
}

fn has_text(node: &Value, field: &str) -> bool {
    node.get(field)
        .and_then(Value::as_str)
        .is_some_and(|text| !text.trim().is_empty())
}
