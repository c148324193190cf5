//! Rules that requests, responses and parameters carry examples, and that
//! every example (on a schema, a media type or a parameter) fits its schema.

use etna_openapi_schema::Schemas;
use serde_json::Value;

use super::walk::{MediaOf, Parts, each_schema, resolve};
use super::{Rule, Violation};
use crate::pointer;

pub(super) fn check(
    spec: &Value,
    schemas: &Schemas<'_>,
    parts: &Parts<'_>,
    out: &mut Vec<Violation>,
) {
    for media in &parts.media {
        let examples = examples_of(spec, media.node, &media.at, out);
        if examples.is_empty() {
            let (rule, whose) = match media.of {
                MediaOf::Request => (Rule::RequestExample, "request body"),
                MediaOf::Response => (Rule::ResponseExample, "response"),
                // A parameter's example may sit on the parameter itself; checked below.
                MediaOf::Parameter => continue,
            };
            out.push(Violation {
                pointer: media.at.clone(),
                rule,
                message: format!(
                    "{whose} has no example: add `example` (or named `examples`) so that readers of the reference see a real {whose}"
                ),
            });
        }
        if let Some(schema) = media.node.get("schema") {
            validate(
                schemas,
                schema,
                &pointer::push(&media.at, "schema"),
                &examples,
                out,
            );
        }
    }
    for parameter in &parts.parameters {
        let examples = examples_of(spec, parameter.node, &parameter.at, out);
        let in_schema = parameter
            .node
            .get("schema")
            .and_then(|schema| resolve(spec, schema, String::new(), &mut Vec::new()))
            .is_some_and(|(schema, _)| schema.get("example").is_some());
        let in_content = parameter
            .node
            .get("content")
            .and_then(Value::as_object)
            .is_some_and(|content| {
                content
                    .values()
                    .any(|m| m.get("example").is_some() || m.get("examples").is_some())
            });
        if examples.is_empty() && !in_schema && !in_content {
            out.push(Violation {
                pointer: parameter.at.clone(),
                rule: Rule::ParameterExample,
                message: format!(
                    "{} has no example: add `example` to it or to its schema",
                    parameter.label
                ),
            });
        }
        if let Some(schema) = parameter.node.get("schema") {
            validate(
                schemas,
                schema,
                &pointer::push(&parameter.at, "schema"),
                &examples,
                out,
            );
        }
    }
    for root in &parts.schemas {
        each_schema(root.node, &root.at, &mut |schema, at| {
            if let Some(example) = schema.get("example") {
                let example_at = pointer::push(at, "example");
                validate(schemas, schema, at, &[(example, example_at)], out);
            }
        });
    }
}

/// The examples written on a media type or parameter: `example`, or the
/// `value`s of the Example Objects in `examples`, each with its pointer.
fn examples_of<'a>(
    spec: &'a Value,
    holder: &'a Value,
    at: &str,
    out: &mut Vec<Violation>,
) -> Vec<(&'a Value, String)> {
    let mut found = Vec::new();
    if let Some(example) = holder.get("example") {
        found.push((example, pointer::push(at, "example")));
    }
    let named = holder.get("examples").and_then(Value::as_object);
    for (name, example) in named.into_iter().flatten() {
        let example_at = pointer::push(&pointer::push(at, "examples"), name);
        let Some((example, example_at)) = resolve(spec, example, example_at, out) else {
            continue;
        };
        if let Some(value) = example.get("value") {
            found.push((value, pointer::push(&example_at, "value")));
        } else {
            let message = if example.get("externalValue").is_some() {
                "an `externalValue` example cannot be checked against its schema; put the example inline under `value`"
            } else {
                "Example Object has no `value`; add the example under `value`"
            };
            out.push(Violation {
                pointer: example_at,
                rule: Rule::Reference,
                message: message.to_owned(),
            });
        }
    }
    found
}

fn validate(
    schemas: &Schemas<'_>,
    schema: &Value,
    schema_at: &str,
    examples: &[(&Value, String)],
    out: &mut Vec<Violation>,
) {
    if examples.is_empty() {
        return;
    }
    let validator = match schemas.validator(schema, schema_at) {
        Ok(validator) => validator,
        Err(errors) => {
            out.extend(errors.into_iter().map(|e| Violation {
                pointer: e.pointer,
                rule: Rule::Reference,
                message: e.message,
            }));
            return;
        }
    };
    for (example, example_at) in examples {
        out.extend(validator.problems(example).into_iter().map(|problem| {
            let path = if problem.instance_path.is_empty() {
                "the example itself"
            } else {
                &problem.instance_path
            };
            Violation {
                pointer: example_at.clone(),
                rule: Rule::ExampleValid,
                message: format!(
                    "example does not match its schema ({schema_at}): at {path}: {}",
                    problem.message
                ),
            }
        }));
    }
}
