//! Reading each operation the mock serves from the spec: its route, the
//! checks of its security, its parameters' and body's validators, and its
//! documented examples.

use super::*;
use crate::written::{Node, Written};

/// Every operation of `doc`; `order` says which example the text writes first.
/// `written` is the spec read with its numbers as written, for the examples
/// whose numbers the JSON model rounds.
pub(crate) fn operations(
    doc: &Value,
    order: &etna_spec::KeyOrder,
    written: Option<&Node>,
) -> Result<Vec<Served>, Error> {
    let (schemas, errors) = Schemas::new(doc);
    if let Some(error) = errors.first() {
        return Err(spec(format!(
            "a component schema cannot be read as JSON Schema: {error}"
        )));
    }
    let api = Api::read(doc).map_err(|problems| {
        spec(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let roles = roles(doc);
    let mut out = Vec::new();
    for op in &api.operations {
        let at = op.at.clone();
        let follow = |value| -> Result<&Value, Error> {
            etna_spec::follow(doc, value).map_err(|e| spec(format!("{at}: {e}")))
        };
        let mut parameters = Vec::new();
        for parameter in &op.parameters {
            let raw = etna_spec::pointer::resolve_local(doc, &parameter.at)
                .ok_or_else(|| spec(format!("{}: the parameter is gone", parameter.at)))?;
            let raw = follow(raw)?;
            let validator = match raw.get("schema") {
                Some(schema) => Some(
                    schemas
                        .validator(schema, &op.at)
                        .map_err(|e| spec(format!("{}: a parameter schema: {e:?}", op.at)))?,
                ),
                None => None,
            };
            let repeatable = match raw.get("schema") {
                Some(schema) => follow(schema)?.get("type") == Some(&Value::from("array")),
                None => false,
            };
            parameters.push(Parameter {
                name: parameter.name.clone(),
                location: parameter.location,
                required: parameter.required,
                repeatable,
                validator,
            });
        }
        let body = match op.raw.get("requestBody") {
            Some(body) => {
                let body = follow(body)?;
                let schema = body.pointer("/content/application~1json/schema");
                match schema {
                    Some(schema) => Some((
                        body.get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        schemas
                            .validator(schema, &op.at)
                            .map_err(|e| spec(format!("{}: the body schema: {e:?}", op.at)))?,
                    )),
                    None => None,
                }
            }
            None => None,
        };
        let security = security(&api, op)?;
        let (documented, exact) = documented(doc, order, written, op.raw, &op.at)?;
        let kinds: Kinds = op
            .responses
            .iter()
            .map(|r| (r.status, r.kind.clone()))
            .collect();
        let statuses: Vec<u16> = kinds.keys().copied().collect();
        let needs = |bearer: bool| {
            !security.is_empty()
                && security
                    .iter()
                    .all(|alt| alt.iter().any(|c| matches!(c, Check::Bearer) == bearer))
        };
        // The answer the spec marks as refusing the credential
        // (`x-etna-refuses`); a spec that marks none gets HTTP's habit: 403
        // then 401 for a key, 401 then 403 for a session.
        let marked = |kind: fn(&Scheme) -> bool| {
            op.responses
                .iter()
                .find(|r| {
                    r.refuses
                        .as_ref()
                        .and_then(|n| api.schemes.get(n))
                        .is_some_and(kind)
                })
                .map(|r| r.status)
        };
        let key_refusal = marked(|s| matches!(s, Scheme::ApiKeyHeader { .. }))
            .or_else(|| first_documented(&statuses, &[403, 401]))
            .unwrap_or(403);
        let bearer_refusal = marked(|s| matches!(s, Scheme::Bearer))
            .or_else(|| first_documented(&statuses, &[401, 403]))
            .unwrap_or(401);
        let mut reserved = Vec::new();
        if needs(false) {
            reserved.push(key_refusal);
        }
        if needs(true) {
            reserved.push(bearer_refusal);
        }
        out.push(Served {
            id: op.id.to_owned(),
            method: Method::from_bytes(op.method.as_bytes())
                .map_err(|_| spec(format!("{}: not an HTTP method", op.at)))?,
            route: route(&api, op),
            security,
            key_refusal,
            bearer_refusal,
            invalid_status: invalid_status(&statuses, &reserved),
            parameters,
            body,
            documented,
            written: exact,
            kinds,
            roles: roles.clone(),
        });
    }
    Ok(out)
}

/// The route of `op`: its server's base path, then its path. The server's
/// variables stay route segments (`/v{version}`), so that any version is
/// served; an operation whose server has no base path (sign-in at
/// `{apiURL}/token`) is at the mock's root.
fn route(api: &Api<'_>, op: &etna_spec::model::Operation<'_>) -> String {
    api.full_path(op)
}

/// The checks of each alternative of `op`'s security requirement.
fn security(api: &Api<'_>, op: &etna_spec::model::Operation<'_>) -> Result<Vec<Vec<Check>>, Error> {
    op.security
        .iter()
        .map(|alternative| {
            alternative
                .iter()
                .map(|name| match api.schemes.get(name) {
                    Some(Scheme::ApiKeyHeader { header }) => {
                        HeaderName::from_bytes(header.as_bytes())
                            .map(Check::Key)
                            .map_err(|_| spec(format!("{header:?} is not a valid header name")))
                    }
                    Some(Scheme::Bearer) => Ok(Check::Bearer),
                    None => Err(spec(format!("the security scheme {name:?} is not defined"))),
                })
                .collect()
        })
        .collect()
}

/// The first of `wanted` that `statuses` has.
fn first_documented(statuses: &[u16], wanted: &[u16]) -> Option<u16> {
    wanted.iter().copied().find(|s| statuses.contains(s))
}

/// The status of an invalid request: 400 or 422 when documented; else the
/// first documented 4xx that does not say "refused credentials" (`reserved`),
/// e.g. a sign-in's 401 refusal; else any documented 4xx. Only an operation
/// that documents no 4xx at all gets an undocumented 400.
fn invalid_status(statuses: &[u16], reserved: &[u16]) -> u16 {
    let client_errors = || statuses.iter().copied().filter(|s| (400..500).contains(s));
    first_documented(statuses, &[400, 422])
        .or_else(|| client_errors().find(|s| !reserved.contains(s)))
        .or_else(|| client_errors().next())
        .unwrap_or(400)
}

/// Every documented example of every response of the operation `raw` at
/// `op_at`, by status: the media type's `example` first, then its named
/// examples in the order the spec writes them, else its schema's `example`.
/// With them, the JSON text of those whose numbers the JSON model rounds
/// (an inline example of the media type, read from `written`).
fn documented(
    doc: &Value,
    order: &etna_spec::KeyOrder,
    written: Option<&Node>,
    raw: &Value,
    op_at: &str,
) -> Result<(Documented, Written), Error> {
    use etna_spec::pointer::push;
    let mut out = BTreeMap::new();
    let mut exact = Written::new();
    let responses = raw.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        let Ok(code) = status.parse::<u16>() else {
            continue;
        };
        let at = push(&push(op_at, "responses"), status);
        let (response, at) = etna_spec::follow_at(doc, response, at)
            .map_err(|e| spec(format!("the {status} response: {e}")))?;
        let written_order = order.keys(&push(
            &push(&push(&at, "content"), "application/json"),
            "examples",
        ));
        let Some(media) = response.pointer("/content/application~1json") else {
            out.insert(code, Vec::new());
            continue;
        };
        // Every form OpenAPI allows: the media type's `example`, its named
        // `examples` (in the order the spec writes them), else its schema's.
        let mut examples = etna_spec::media_examples(doc, media)
            .map_err(|e| spec(format!("{at}: an example: {e}")))?;
        examples.sort_by_key(|(name, _)| written_order.iter().position(|w| w == name));
        let media_at = push(&push(&at, "content"), "application/json");
        for (name, value) in &examples {
            let at = if name == etna_spec::MEDIA_EXAMPLE {
                push(&media_at, "example")
            } else {
                push(&push(&push(&media_at, "examples"), name), "value")
            };
            let text = written.and_then(|w| w.at(&at)).map(Node::to_json);
            // Where the text differs from the JSON model's (a number with
            // more digits than a double, keys in the order written) and is
            // the same value; a `$ref`'d or schema example is not at `at`.
            let as_read = value.to_string();
            if let Some(text) = text
                && text != as_read
                && serde_json::from_str::<Value>(&text).ok().as_ref() == Some(value)
            {
                exact.insert((code, name.clone()), text);
            }
        }
        out.insert(code, examples);
    }
    Ok((out, exact))
}
