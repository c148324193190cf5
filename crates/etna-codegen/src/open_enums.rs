//! Open enumerations in answers: every reference to a string enum schema
//! from a schema an answer can hold becomes `etna_client::Open<E>` (typify's
//! `x-rust-type` with the enum as its parameter), so a value the spec does
//! not list decodes as `Open::Unlisted` and keeps its text. Schemas only
//! requests use keep the closed enum. Every enum schema also gets
//! `etna_client::Listed` (its name and listed values), which `Open` names
//! when it refuses to send an unlisted value. An inline enum that is a
//! property of a component an answer can hold is first made a component of
//! progenitor's copy of the spec, named as typify would name it
//! (`EnvelopeChannel` for `Envelope.Channel`); one anywhere else fails
//! generation at its pointer, asking for a component.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Value, json};

use crate::CodegenError;
use crate::preflight::Problem;
use crate::syntax::{enums, module, module_mut, upper_camel};

const SCHEMAS: &str = "#/components/schemas/";

/// The string enum component schemas: name and listed values.
fn enum_schemas(spec: &Value) -> BTreeMap<String, Vec<String>> {
    let Some(Value::Object(schemas)) = spec.pointer("/components/schemas") else {
        return BTreeMap::new();
    };
    schemas
        .iter()
        .filter_map(|(name, schema)| string_enum(schema).map(|values| (name.clone(), values)))
        .collect()
}

/// The listed values of a `type: string` schema with `enum`.
fn string_enum(schema: &Value) -> Option<Vec<String>> {
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    let values = schema.get("enum")?.as_array()?;
    Some(
        values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// Wraps the enum references of every schema an answer can hold; an inline
/// string enum there (which `Open` could not name) is a problem at its
/// pointer.
pub(crate) fn mark_open_enums(spec: &mut Value) -> Vec<Problem> {
    // No early return without enum components: an inline enum in an answer
    // is still a problem.
    let enums = enum_schemas(spec);
    // Roots: every response's schemas; then the components they reach.
    let mut roots: Vec<String> = Vec::new();
    if let Some(Value::Object(paths)) = spec.get("paths") {
        for (path, item) in paths {
            let Value::Object(item) = item else { continue };
            for (method, operation) in item {
                if operation.get("responses").is_some() {
                    roots.push(format!(
                        "/paths/{}/{}/responses",
                        etna_spec::pointer::escape(path),
                        etna_spec::pointer::escape(method)
                    ));
                }
            }
        }
    }
    if spec.pointer("/components/responses").is_some() {
        roots.push("/components/responses".to_owned());
    }
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    for root in &roots {
        if let Some(value) = spec.pointer(root) {
            refs_in(value, &mut pending);
        }
    }
    while let Some(name) = pending.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = spec.pointer(&format!(
            "/components/schemas/{}",
            etna_spec::pointer::escape(&name)
        )) {
            refs_in(schema, &mut pending);
        }
    }
    let mut found = Found::default();
    for root in roots {
        if let Some(value) = spec.pointer_mut(&root) {
            wrap(value, &enums, &mut root.clone(), &mut found, false);
        }
    }
    for name in &reached {
        if enums.contains_key(name) {
            continue;
        }
        let pointer = format!("/components/schemas/{}", etna_spec::pointer::escape(name));
        if let Some(schema) = spec.pointer_mut(&pointer) {
            wrap(schema, &enums, &mut pointer.clone(), &mut found, false);
        }
    }
    let Found {
        hoisted,
        mut problems,
    } = found;
    for (name, schema) in hoisted {
        let Some(Value::Object(schemas)) = spec.pointer_mut("/components/schemas") else {
            break;
        };
        if schemas.contains_key(&name) {
            problems.push(Problem {
                pointer: format!("#/components/schemas/{}", etna_spec::pointer::escape(&name)),
                message: "this name is taken by the open enum the client makes of an inline \
                          enum of an answer (component, then property); rename one"
                    .to_owned(),
            });
        } else {
            schemas.insert(name, schema);
        }
    }
    problems
}

/// The component names `value` refers to.
fn refs_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref")
                && let Some(name) = target.strip_prefix(SCHEMAS)
            {
                out.push(etna_spec::pointer::unescape(name));
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "example" | "examples") {
                    refs_in(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs_in(item, out)),
        _ => {}
    }
}

/// What the walk found: inline enums to name, and what it cannot take.
#[derive(Default)]
struct Found {
    /// `(component name, schema)` of each inline enum moved to a component.
    hoisted: Vec<(String, Value)>,
    problems: Vec<Problem>,
}

fn wrap(
    value: &mut Value,
    enums: &BTreeMap<String, Vec<String>>,
    pointer: &mut String,
    found: &mut Found,
    nested: bool,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let is_enum = target
                    .strip_prefix(SCHEMAS)
                    .is_some_and(|name| enums.contains_key(&etna_spec::pointer::unescape(name)));
                if is_enum {
                    *value = open(&target.clone());
                }
                return;
            }
            if nested && string_enum(&Value::Object(map.clone())).is_some() {
                // A property of a component: named as typify would name it
                // (component, then property), in progenitor's copy only.
                match hoisted_name(pointer) {
                    Some(name) => {
                        let schema = Value::Object(map.clone());
                        *value = open(&format!("{SCHEMAS}{}", etna_spec::pointer::escape(&name)));
                        found.hoisted.push((name, schema));
                        return;
                    }
                    None => found.problems.push(Problem {
                        pointer: format!("#{pointer}"),
                        message: "an enum an answer can hold is open in the client \
                                  (`etna_client::Open`), which needs it named: move it to \
                                  `#/components/schemas` and refer to it"
                            .to_owned(),
                    }),
                }
            }
            for (key, child) in map.iter_mut() {
                if matches!(key.as_str(), "example" | "examples") {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&etna_spec::pointer::escape(key));
                wrap(child, enums, pointer, found, true);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{index}"));
                wrap(item, enums, pointer, found, true);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// `etna_client::Open` of the enum schema at `target`.
fn open(target: &str) -> Value {
    // `type` too: typify reads it to see that the branches of an `anyOf`
    // exclude each other.
    json!({"type": "string", "x-rust-type": {
        "crate": "etna-client",
        "version": "*",
        "path": "etna_client::Open",
        "parameters": [{"$ref": target}]
    }})
}

/// `EnvelopeChannel` for `/components/schemas/Envelope/properties/Channel`;
/// `None` for an inline enum anywhere else.
fn hoisted_name(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/components/schemas/")?;
    let (component, property) = rest.split_once("/properties/")?;
    if component.contains('/') || property.contains('/') {
        return None;
    }
    Some(format!(
        "{}{}",
        upper_camel(&etna_spec::pointer::unescape(component)),
        upper_camel(&etna_spec::pointer::unescape(property))
    ))
}

/// `impl etna_client::Listed` for the enum typify generated for every
/// string enum schema, in `mod types`; a schema without its enum fails
/// generation at the schema's pointer.
pub(crate) fn listed_impls(spec: &Value, file: &mut syn::File) -> Result<(), CodegenError> {
    let schemas = enum_schemas(spec);
    let generated = module(file, "types").map(enums).unwrap_or_default();
    let mut items: Vec<TokenStream> = Vec::new();
    let mut problems = Vec::new();
    for (name, values) in &schemas {
        let ident = upper_camel(name);
        if !generated.contains_key(&ident) {
            problems.push(Problem {
                pointer: format!("#/components/schemas/{}", etna_spec::pointer::escape(name)),
                message: format!("no generated enum `{ident}` for this enum schema"),
            });
            continue;
        }
        let ident = format_ident!("{ident}");
        items.push(quote! {
            impl ::etna_client::Listed for #ident {
                const NAME: &'static str = #name;
                const VALUES: &'static [&'static str] = &[#(#values),*];
            }
        });
    }
    if !problems.is_empty() {
        return Err(CodegenError::Unsupported(problems));
    }
    let types = module_mut(file, "types")
        .and_then(|m| m.content.as_mut())
        .ok_or_else(|| CodegenError::Syntax("no `mod types`".to_owned()))?;
    for item in items {
        types
            .1
            .push(syn::parse2(item).map_err(|e| CodegenError::Syntax(e.to_string()))?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        json!({
            "paths": {"/orders": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}}}},
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderRequest"}}}},
                    "responses": {"204": {"description": "none"}}
                }
            }},
            "components": {"schemas": {
                "Status": {"type": "string", "enum": ["New", "Filled"]},
                "Order": {"type": "object", "properties": {
                    "Status": {"$ref": "#/components/schemas/Status"},
                    "History": {"type": "array", "items": {"$ref": "#/components/schemas/Status"}}
                }},
                "OrderRequest": {"type": "object", "properties": {
                    "Status": {"$ref": "#/components/schemas/Status"}
                }}
            }}
        })
    }

    #[test]
    fn references_from_answers_are_open_and_from_requests_closed() {
        let mut spec = spec();
        assert!(mark_open_enums(&mut spec).is_empty());
        let order = &spec["components"]["schemas"]["Order"]["properties"];
        assert_eq!(order["Status"]["x-rust-type"]["path"], "etna_client::Open");
        assert_eq!(
            order["Status"]["x-rust-type"]["parameters"][0]["$ref"],
            "#/components/schemas/Status"
        );
        assert_eq!(
            order["History"]["items"]["x-rust-type"]["path"],
            "etna_client::Open"
        );
        let request = &spec["components"]["schemas"]["OrderRequest"]["properties"];
        assert_eq!(request["Status"]["$ref"], "#/components/schemas/Status");
    }

    #[test]
    fn an_inline_enum_property_of_an_answer_is_named_and_open() {
        let mut spec = spec();
        spec["components"]["schemas"]["Order"]["properties"]["Side"] =
            json!({"type": "string", "enum": ["Buy"]});
        assert!(mark_open_enums(&mut spec).is_empty());
        let side = &spec["components"]["schemas"]["Order"]["properties"]["Side"];
        assert_eq!(
            side["x-rust-type"]["parameters"][0]["$ref"],
            "#/components/schemas/OrderSide"
        );
        assert_eq!(
            spec["components"]["schemas"]["OrderSide"]["enum"],
            json!(["Buy"])
        );
    }

    #[test]
    fn an_inline_enum_elsewhere_in_an_answer_is_refused_at_its_pointer() {
        let mut spec = spec();
        spec["components"]["schemas"]["Order"]["properties"]["Sides"] =
            json!({"type": "array", "items": {"type": "string", "enum": ["Buy"]}});
        let problems = mark_open_enums(&mut spec);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].pointer,
            "#/components/schemas/Order/properties/Sides/items"
        );
    }
}
