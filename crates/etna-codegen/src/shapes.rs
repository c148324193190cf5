//! The answer and request shapes progenitor refuses but ETNA's own
//! generated schemas contain, rewritten in the copy of the spec that
//! progenitor reads (the spec model, the docs and every other reader keep
//! the spec as written). Progenitor takes one request media type, one
//! success type and one error type per operation (its issues #344, #950);
//! `preflight.rs` refuses what this cannot honour, with its pointer.
//!
//! - A request body offered as `application/json` and other JSON types
//!   (`text/json`) with one schema: only `application/json` is kept.
//! - 2xx answers of which some have a body and some none (cancel: 204, or
//!   200 with a body): every 2xx gets the body as an optional one, so the
//!   success type is `Option<T>` and an empty body decodes as `None`
//!   (etna-client's `decode.rs`); `.call()` returns an `Answer` with the
//!   status, since several 2xx are documented.
//! - Error answers with several body schemas: one schema,
//!   `<OperationId>ErrorBody`, a `oneOf` of every distinct body (each a
//!   component schema), so that typify makes one enum with a variant per
//!   body. Each status is then decoded as its own body and wrapped in its
//!   variant (`decode_by_status`, after `decode.rs`): by status, never by
//!   trying the shapes in turn, which would take a body whose properties
//!   are all optional (as in ETNA's data models) for the first variant.
//!
//! Nothing here names an operation, a schema or a property.

use std::collections::BTreeSet;

use etna_spec::pointer;
use proc_macro2::{Group, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use serde_json::{Map, Value, json};

use crate::CodegenError;
use crate::builders::Builder;
use crate::preflight::{Problem, is_json_media_type};
use crate::syntax::upper_camel;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An operation whose error answers share a synthesized union: its
/// builder, the union's name, and each documented status with the
/// component schema of its body.
/// Each documented error status with the component schema of its body.
type ByStatus = Vec<(u16, String)>;

/// What `one_error_body` made of an operation's error answers.
struct Union {
    /// The union's schema.
    schema: Value,
    by_status: ByStatus,
    /// Components for the inline bodies, by the name they get.
    inline: Vec<(String, Value)>,
}

#[derive(Debug)]
pub(crate) struct ErrorUnion {
    builder: String,
    name: String,
    by_status: ByStatus,
}

/// Rewrites `spec` (progenitor's copy) as the module documentation says;
/// the unions it made are for `decode_by_status`.
pub(crate) fn for_progenitor(spec: &mut Value) -> Result<Vec<ErrorUnion>, CodegenError> {
    let original = spec.clone();
    let mut added: Vec<(String, Value)> = Vec::new();
    let mut problems = Vec::new();
    let mut unions = Vec::new();
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(unions);
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                continue;
            };
            let at = pointer::join(&["paths", path.as_str(), method]);
            one_request_media_type(&original, op);
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            optional_success_body(&original, responses);
            let Some(id) = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
            else {
                continue;
            };
            let name = format!("{}ErrorBody", upper_camel(&id));
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            let union = match one_error_body(&original, responses, &name, &at) {
                Ok(Some(found)) => found,
                Ok(None) => continue,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            if original
                .pointer(&format!("/components/schemas/{name}"))
                .is_some()
            {
                problems.push(Problem {
                    pointer: format!("{at}/responses"),
                    message: format!(
                        "its error answers have several body schemas, and the generator names their union `{name}`, which `#/components/schemas/{name}` already is; rename that schema"
                    ),
                });
                continue;
            }
            unions.push(ErrorUnion {
                builder: upper_camel(&id),
                name: name.clone(),
                by_status: union.by_status,
            });
            added.push((name, union.schema));
            added.extend(union.inline);
        }
    }
    if !problems.is_empty() {
        return Err(CodegenError::Unsupported(problems));
    }
    if !added.is_empty() {
        let schemas = spec
            .as_object_mut()
            .map(|root| root.entry("components").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
            .map(|components| components.entry("schemas").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut);
        if let Some(schemas) = schemas {
            schemas.extend(added);
        }
    }
    Ok(unions)
}

/// `value`, or what its `$ref` (a local one, followed up to a few hops)
/// points at.
fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| spec.pointer(p)) {
                Some(target) => value = target,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

/// Keeps `application/json` alone when the other media types are JSON
/// with the same schema (preflight refuses any other mix). The body is
/// copied inline, so a shared `requestBodies` component stays as written.
fn one_request_media_type(spec: &Value, op: &mut Map<String, Value>) {
    let Some(body) = op.get("requestBody") else {
        return;
    };
    let body = resolve(spec, body);
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return;
    };
    let Some(json) = content.get("application/json") else {
        return;
    };
    let same = content.iter().all(|(media, other)| {
        media == "application/json"
            || (is_json_media_type(media) && other.get("schema") == json.get("schema"))
    });
    if content.len() > 1 && same {
        let mut body = body.clone();
        body["content"] = json!({ "application/json": json.clone() });
        op.insert("requestBody".to_owned(), body);
    }
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

fn is_error(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5') || status == "default"
}

/// The JSON body schema of a response, and whether it has any body.
fn body_schema<'a>(spec: &'a Value, response: &'a Value) -> (Option<&'a Value>, bool) {
    let response = resolve(spec, response);
    let content = response.get("content").and_then(Value::as_object);
    let json = content.and_then(|c| {
        c.iter()
            .find(|(media, _)| {
                *media == "application/json" || media.starts_with("application/json;")
            })
            .and_then(|(_, m)| m.get("schema"))
    });
    (json, content.is_some_and(|c| !c.is_empty()))
}

/// 2xx answers with one body schema beside 2xx answers without a body:
/// every 2xx answer gets the body as optional (see the module's doc).
fn optional_success_body(spec: &Value, responses: &mut Map<String, Value>) {
    let mut schema = None;
    let mut empty = false;
    for (_, response) in responses.iter().filter(|(s, _)| is_success(s)) {
        match body_schema(spec, response) {
            (Some(s), _) => schema = Some(s.clone()),
            (None, false) => empty = true,
            (None, true) => return,
        }
    }
    let (Some(schema), true) = (schema, empty) else {
        return;
    };
    let optional = nullable(&schema);
    for (status, response) in responses.iter_mut() {
        if !is_success(status) {
            continue;
        }
        let description = resolve(spec, &*response)
            .get("description")
            .cloned()
            .unwrap_or_else(|| json!(""));
        *response = json!({
            "description": description,
            "content": {"application/json": {"schema": optional.clone()}},
        });
    }
}

/// `schema` that also takes `null`: typify makes it an `Option`.
fn nullable(schema: &Value) -> Value {
    if schema.get("$ref").is_some() {
        // The siblings of a `$ref` are ignored: wrap it.
        json!({"allOf": [schema], "nullable": true})
    } else {
        let mut schema = schema.clone();
        if let Some(object) = schema.as_object_mut() {
            object.insert("nullable".to_owned(), Value::Bool(true));
        }
        schema
    }
}

/// Error answers with several JSON body schemas: each now refers to the
/// union returned (to be added as `#/components/schemas/<name>`), with
/// each status's member, and the components to add for inline bodies (the
/// first status with such a body names it, `<name><status>`), so that each
/// member has a type to decode. A status that is a range or `default`
/// cannot be decoded by status: an error with its pointer.
fn one_error_body(
    spec: &Value,
    responses: &mut Map<String, Value>,
    name: &str,
    at: &str,
) -> Result<Option<Union>, Problem> {
    let mut members: Vec<String> = Vec::new();
    let mut inline: Vec<(String, Value)> = Vec::new();
    let mut by_status = Vec::new();
    let mut distinct = BTreeSet::new();
    for (_, response) in responses.iter().filter(|(s, _)| is_error(s)) {
        if let (Some(schema), _) = body_schema(spec, response) {
            distinct.insert(schema.to_string());
        }
    }
    if distinct.len() < 2 {
        return Ok(None);
    }
    for (status, response) in responses.iter().filter(|(s, _)| is_error(s)) {
        let (Some(schema), _) = body_schema(spec, response) else {
            continue;
        };
        let here = pointer::push(&pointer::push(at, "responses"), status);
        let member = match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(member) => member.to_owned(),
            None => match inline.iter().find(|(_, s)| s == schema) {
                Some((member, _)) => member.clone(),
                None => {
                    let member = format!("{name}{status}");
                    if spec
                        .pointer(&format!("/components/schemas/{member}"))
                        .is_some()
                    {
                        return Err(Problem {
                            pointer: here,
                            message: format!(
                                "the generator names this inline error body `{member}`, which `#/components/schemas/{member}` already is; give the body a `$ref` or rename that schema"
                            ),
                        });
                    }
                    inline.push((member.clone(), schema.clone()));
                    member
                }
            },
        };
        let member = member.as_str();
        let Ok(code) = status.parse::<u16>() else {
            return Err(Problem {
                pointer: here,
                message: "the operation's error answers have several body schemas, which the generator decodes by status: write the status as a number".to_owned(),
            });
        };
        if !members.iter().any(|m| m == member) {
            members.push(member.to_owned());
        }
        by_status.push((code, member.to_owned()));
    }
    let reference = json!({"$ref": format!("#/components/schemas/{name}")});
    for (status, response) in responses.iter_mut() {
        if !is_error(status) {
            continue;
        }
        let resolved = resolve(spec, &*response);
        let (Some(_), _) = body_schema(spec, resolved) else {
            continue;
        };
        let description = resolved
            .get("description")
            .cloned()
            .unwrap_or_else(|| json!(""));
        *response = json!({
            "description": description,
            "content": {"application/json": {"schema": reference.clone()}},
        });
    }
    let one_of: Vec<Value> = members
        .iter()
        .map(|m| json!({"$ref": format!("#/components/schemas/{m}")}))
        .collect();
    Ok(Some(Union {
        schema: json!({
            "description": "The error bodies the operation documents, one variant each, decoded by status (generated).",
            "oneOf": one_of,
        }),
        by_status,
        inline,
    }))
}

/// In the `send` of each builder with an error union, every error arm
/// `NNNu16 => Err(Error::ErrorResponse(error_value(response).await?))`
/// (as `decode.rs` leaves it, braced or not) decodes its status's own body
/// and wraps it in the union's variant (`error_value_as::<Member, Union,
/// _>`); returns how many arms. An arm not found fails codegen: decoding by
/// shape would be wrong silently.
pub(crate) fn decode_by_status(
    unions: &[ErrorUnion],
    builders: &mut [Builder<'_>],
) -> Result<usize, CodegenError> {
    let mut rewritten = 0;
    for union in unions {
        let Some(builder) = builders.iter_mut().find(|b| b.name == union.builder) else {
            return Err(CodegenError::UnexpectedShape(format!(
                "shapes.rs: no builder `{}` for the error union `{}`",
                union.builder, union.name
            )));
        };
        let mut done = Vec::new();
        let tokens = by_status(builder.send.block.to_token_stream(), union, None, &mut done);
        for (status, _) in &union.by_status {
            if !done.contains(status) {
                return Err(CodegenError::UnexpectedShape(format!(
                    "shapes.rs: the `send` of `{}` has no arm `{status}u16 => .. error_value(..)` to decode by status",
                    union.builder
                )));
            }
        }
        builder.send.block = syn::parse2(tokens).map_err(|e| {
            CodegenError::UnexpectedShape(format!(
                "shapes.rs: a rewritten `send` does not parse: {e}"
            ))
        })?;
        rewritten += done.len();
    }
    Ok(rewritten)
}

/// The tokens with `error_value` replaced inside the arm of each status of
/// `union`; `arm` is the status whose arm the tokens are in. An arm starts
/// after `NNNu16 =>` and ends at the next `,` of its level (or the next
/// arm).
fn by_status(
    tokens: TokenStream,
    union: &ErrorUnion,
    arm: Option<u16>,
    done: &mut Vec<u16>,
) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut current = arm;
    for (i, token) in tokens.iter().enumerate() {
        if let Some(
            [
                TokenTree::Literal(code),
                TokenTree::Punct(eq),
                TokenTree::Punct(gt),
            ],
        ) = i.checked_sub(3).map(|j| &tokens[j..i])
            && eq.as_char() == '='
            && gt.as_char() == '>'
            && let Some(code) = code
                .to_string()
                .strip_suffix("u16")
                .and_then(|c| c.parse().ok())
        {
            current = Some(code);
        }
        match token {
            TokenTree::Punct(comma) if comma.as_char() == ',' => {
                current = arm;
                out.push(token.clone());
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(
                    group.delimiter(),
                    by_status(group.stream(), union, current, done),
                );
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            TokenTree::Ident(ident) if ident == "error_value" => {
                let member = current.and_then(|code| {
                    union
                        .by_status
                        .iter()
                        .find(|(c, _)| *c == code)
                        .map(|(_, m)| (code, m))
                });
                match member {
                    Some((code, member)) => {
                        let member = format_ident!("{member}");
                        let name = format_ident!("{}", union.name);
                        out.extend(quote!(error_value_as::<types::#member, types::#name, _>));
                        done.push(code);
                    }
                    None => out.push(token.clone()),
                }
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra_schema: Option<&str>) -> Value {
        let mut spec = json!({
            "openapi": "3.0.3",
            "paths": {"/things/{id}": {"delete": {
                "operationId": "stop_thing",
                "requestBody": {"$ref": "#/components/requestBodies/Thing"},
                "responses": {
                    "200": {"description": "stopped", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "204": {"description": "stopped, no body"},
                    "400": {"description": "own", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}},
                    "403": {"$ref": "#/components/responses/Shared"},
                    "500": {"$ref": "#/components/responses/Shared"}
                }
            }}},
            "components": {
                "requestBodies": {"Thing": {"content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}},
                    "text/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                }}},
                "responses": {"Shared": {"description": "shared", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}},
                "schemas": {
                    "Thing": {"type": "object"},
                    "Refusal": {"type": "object"},
                    "KeyError": {"type": "object"},
                    "ErrorBody": {"oneOf": [{"$ref": "#/components/schemas/KeyError"}, {"$ref": "#/components/schemas/Refusal"}]}
                }
            }
        });
        if let Some(name) = extra_schema {
            spec["components"]["schemas"][name] = json!({"type": "object"});
        }
        spec
    }

    #[test]
    fn the_three_shapes_become_one_of_each_and_shared_components_stay() {
        let original = spec(None);
        let mut copy = original.clone();
        let unions = for_progenitor(&mut copy).unwrap();
        let op = &copy["paths"]["/things/{id}"]["delete"];
        let content = op["requestBody"]["content"].as_object().unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json"]);
        let optional = json!({"allOf": [{"$ref": "#/components/schemas/Thing"}], "nullable": true});
        for status in ["200", "204"] {
            assert_eq!(
                op["responses"][status]["content"]["application/json"]["schema"], optional,
                "{status}"
            );
        }
        let union = json!({"$ref": "#/components/schemas/StopThingErrorBody"});
        for status in ["400", "403", "500"] {
            assert_eq!(
                op["responses"][status]["content"]["application/json"]["schema"], union,
                "{status}"
            );
        }
        // A variant per distinct body, in the order met; each status's.
        assert_eq!(
            copy["components"]["schemas"]["StopThingErrorBody"]["oneOf"],
            json!([
                {"$ref": "#/components/schemas/Refusal"},
                {"$ref": "#/components/schemas/ErrorBody"}
            ])
        );
        let [union] = unions.as_slice() else {
            panic!("one union expected");
        };
        assert_eq!(
            (union.builder.as_str(), union.name.as_str()),
            ("StopThing", "StopThingErrorBody")
        );
        assert_eq!(
            union.by_status,
            [
                (400, "Refusal".to_owned()),
                (403, "ErrorBody".to_owned()),
                (500, "ErrorBody".to_owned())
            ]
        );
        // Shared components are left as written for other operations.
        assert_eq!(
            copy["components"]["requestBodies"],
            original["components"]["requestBodies"]
        );
        assert_eq!(
            copy["components"]["responses"],
            original["components"]["responses"]
        );
    }

    #[test]
    fn an_inline_error_body_gets_a_component_named_by_its_first_status() {
        let mut copy = spec(None);
        let inline = json!({"type": "object", "properties": {"Why": {"type": "string"}}});
        copy["paths"]["/things/{id}"]["delete"]["responses"]["400"]["content"]["application/json"]
            ["schema"] = inline.clone();
        let unions = for_progenitor(&mut copy).unwrap();
        assert_eq!(
            copy["components"]["schemas"]["StopThingErrorBody400"],
            inline
        );
        assert_eq!(
            unions[0].by_status[0],
            (400, "StopThingErrorBody400".to_owned())
        );
        assert_eq!(
            copy["components"]["schemas"]["StopThingErrorBody"]["oneOf"][0],
            json!({"$ref": "#/components/schemas/StopThingErrorBody400"})
        );
        // A component of that name already: refused, with the pointer.
        let mut taken = spec(Some("StopThingErrorBody400"));
        taken["paths"]["/things/{id}"]["delete"]["responses"]["400"]["content"]["application/json"]
            ["schema"] = inline;
        match for_progenitor(&mut taken) {
            Err(CodegenError::Unsupported(problems)) => {
                assert_eq!(
                    problems[0].pointer,
                    "#/paths/~1things~1{id}/delete/responses/400"
                );
                assert!(
                    problems[0].message.contains("rename that schema"),
                    "{}",
                    problems[0].message
                );
            }
            other => panic!("expected a refusal, got {:?}", other.map(|u| u.len())),
        }
    }

    #[test]
    fn a_status_range_among_several_error_bodies_is_refused_with_its_pointer() {
        let mut copy = spec(None);
        let responses = &mut copy["paths"]["/things/{id}"]["delete"]["responses"];
        responses["5XX"] = responses["500"].take();
        responses.as_object_mut().unwrap().remove("500");
        match for_progenitor(&mut copy) {
            Err(CodegenError::Unsupported(problems)) => {
                assert_eq!(
                    problems[0].pointer,
                    "#/paths/~1things~1{id}/delete/responses/5XX"
                );
                assert!(
                    problems[0].message.contains("as a number"),
                    "{}",
                    problems[0].message
                );
            }
            other => panic!("expected a refusal, got {:?}", other.map(|u| u.len())),
        }
    }

    /// Each status's arm decodes its own body into the union; an arm the
    /// pass cannot find fails codegen.
    #[test]
    fn each_error_arm_decodes_its_status_body() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> StopThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::StopThingErrorBody>> {
                        match response.status().as_u16() {
                            204u16 => Ok(ResponseValue::empty(response)),
                            400u16 => { Err(Error::ErrorResponse(::etna_client::__private::error_value(response).await?)) }
                            403u16 => Err(Error::ErrorResponse(::etna_client::__private::error_value(response).await?)),
                            404u16 => Err(Error::ErrorResponse(::etna_client::__private::error_value(response).await?)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        };
        let union = ErrorUnion {
            builder: "StopThing".to_owned(),
            name: "StopThingErrorBody".to_owned(),
            by_status: vec![(400, "Refusal".to_owned()), (403, "ErrorBody".to_owned())],
        };
        let (mut builders, _) = crate::builders::walk(&mut file);
        assert_eq!(
            decode_by_status(std::slice::from_ref(&union), &mut builders).unwrap(),
            2
        );
        let text = builders[0]
            .send
            .to_token_stream()
            .to_string()
            .replace(' ', "");
        assert!(text.contains("400u16=>{Err(Error::ErrorResponse(::etna_client::__private::error_value_as::<types::Refusal,types::StopThingErrorBody,_>(response)"), "{text}");
        assert!(text.contains("403u16=>Err(Error::ErrorResponse(::etna_client::__private::error_value_as::<types::ErrorBody,types::StopThingErrorBody,_>(response)"), "{text}");
        // Not the union's status: left as it was.
        assert!(
            text.contains(
                "404u16=>Err(Error::ErrorResponse(::etna_client::__private::error_value(response)"
            ),
            "{text}"
        );
        let missing = ErrorUnion {
            by_status: vec![(409, "Refusal".to_owned())],
            ..union
        };
        let (mut builders, _) = crate::builders::walk(&mut file);
        assert!(matches!(
            decode_by_status(&[missing], &mut builders),
            Err(CodegenError::UnexpectedShape(m)) if m.contains("409u16")
        ));
    }

    #[test]
    fn a_schema_already_named_like_the_union_is_refused_with_its_pointer() {
        let mut copy = spec(Some("StopThingErrorBody"));
        match for_progenitor(&mut copy) {
            Err(CodegenError::Unsupported(problems)) => {
                assert_eq!(
                    problems[0].pointer,
                    "#/paths/~1things~1{id}/delete/responses"
                );
                assert!(
                    problems[0].message.contains("rename that schema"),
                    "{}",
                    problems[0].message
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
