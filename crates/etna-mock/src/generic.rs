//! Every operation of the spec, served from the spec alone: the route and
//! method, the app-key header its security scheme names, its parameters and
//! body checked against their schemas, and its documented examples as
//! answers. Nothing here names an operation, a property or a path; the
//! envelope's `Errors`/`ErrorsCode` are found through the spec's
//! `x-etna-envelope` roles.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, Method, Uri};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};
use etna_openapi_schema::{Schemas, Validator};
use serde_json::{Value, json};

use crate::envelope::{Answers, Documented, Roles, roles};
use crate::error::{Error, spec};
use crate::faults::{FaultPlan, answer_with_faults};
use crate::scenario::{Request, Scenario};

/// One operation as the mock serves it.
pub(crate) struct Served {
    id: String,
    method: Method,
    /// The axum route: the server's base path, then the spec's path.
    pub(crate) route: String,
    /// Headers that must carry the app key (apiKey schemes in a header).
    key_headers: Vec<HeaderName>,
    parameters: Vec<Parameter>,
    body: Option<(bool, Validator)>,
    documented: Documented,
    /// The envelope's role names, for the reasons of a refusal.
    roles: Option<Roles>,
}

struct Parameter {
    name: String,
    location: String,
    required: bool,
    validator: Option<Validator>,
}

pub(crate) struct Context {
    pub(crate) app_key: String,
    pub(crate) faults: FaultPlan,
    pub(crate) scenario: Option<Arc<dyn Scenario>>,
}

/// Every operation of `doc`; `order` says which example the text writes first.
pub(crate) fn operations(doc: &Value, order: &etna_spec::KeyOrder) -> Result<Vec<Served>, Error> {
    let (schemas, errors) = Schemas::new(doc);
    if let Some(error) = errors.first() {
        return Err(spec(format!(
            "a component schema cannot be read as JSON Schema: {error}"
        )));
    }
    let roles = roles(doc);
    let base = etna_spec::base_path(doc);
    let mut out = Vec::new();
    for op in etna_spec::operations(doc) {
        if op.id.is_empty() {
            continue;
        }
        let at = op.at.clone();
        let follow = |value| -> Result<&Value, Error> {
            etna_spec::follow(doc, value).map_err(|e| spec(format!("{at}: {e}")))
        };
        let own = op.operation.get("parameters").and_then(Value::as_array);
        let mut parameters = Vec::new();
        for parameter in op.shared_parameters.iter().chain(own.into_iter().flatten()) {
            let parameter = follow(parameter)?;
            let validator = match parameter.get("schema") {
                Some(schema) => Some(
                    schemas
                        .validator(schema, &op.at)
                        .map_err(|e| spec(format!("{}: a parameter schema: {e:?}", op.at)))?,
                ),
                None => None,
            };
            parameters.push(Parameter {
                name: text(parameter, "name"),
                location: text(parameter, "in"),
                required: parameter
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                validator,
            });
        }
        let body = match op.operation.get("requestBody") {
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
        out.push(Served {
            id: op.id.to_owned(),
            method: Method::from_bytes(op.method.as_bytes())
                .map_err(|_| spec(format!("{}: not an HTTP method", op.at)))?,
            route: format!("{base}{}", op.path),
            key_headers: key_headers(doc, op.operation)?,
            parameters,
            body,
            documented: documented(doc, order, &op)?,
            roles: roles.clone(),
        });
    }
    Ok(out)
}

/// The method router of one operation.
pub(crate) fn method_router(served: Served, context: Arc<Context>) -> Result<MethodRouter, Error> {
    let filter = MethodFilter::try_from(served.method.clone())
        .map_err(|_| spec(format!("the method {} cannot be routed", served.method)))?;
    let state = Arc::new((served, context));
    Ok(on(filter, answer).with_state(state))
}

async fn answer(
    State(state): State<Arc<(Served, Arc<Context>)>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (served, context) = &*state;
    answer_with_faults(
        &context.faults,
        &served.id,
        &headers,
        &served.documented,
        || served.respond(context, &uri, &headers, &body),
    )
    .await
}

impl Served {
    fn respond(&self, context: &Context, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Response {
        let app_key = context.app_key.as_bytes();
        let key_ok = self
            .key_headers
            .iter()
            .all(|name| headers.get(name).map(|v| v.as_bytes()) == Some(app_key));
        if !key_ok {
            let status = [401, 403]
                .into_iter()
                .find(|s| self.documented.contains_key(s))
                .unwrap_or(401);
            return crate::faults::documented_answer(status, &self.documented, None);
        }
        let query: BTreeMap<String, String> = uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let json = serde_json::from_slice::<Value>(body).ok();
        let reasons = self.problems(&query, headers, body, json.as_ref());
        let answers = Answers {
            documented: &self.documented,
            roles: self.roles.as_ref(),
        };
        if !reasons.is_empty() {
            return answers.invalid(reasons);
        }
        if let Some(scenario) = &context.scenario {
            let request = Request {
                query: &query,
                body: json.as_ref(),
            };
            if let Some(answer) = scenario.answer(&self.id, &request, &answers) {
                return answer;
            }
        }
        answers.accepted(None)
    }

    /// What is wrong with the request, as `(reason, code)`; never quotes a value.
    fn problems(
        &self,
        query: &BTreeMap<String, String>,
        headers: &HeaderMap,
        body: &[u8],
        json: Option<&Value>,
    ) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        for parameter in &self.parameters {
            let given = match parameter.location.as_str() {
                "query" => query.get(&parameter.name).cloned(),
                "header" => headers
                    .get(parameter.name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                // Path parameters are there, or the route would not match.
                _ => continue,
            };
            match (given, &parameter.validator) {
                (None, _) if parameter.required => problems.push((
                    format!(
                        "the {} parameter `{}` is required",
                        parameter.location, parameter.name
                    ),
                    "required".to_owned(),
                )),
                (Some(value), Some(validator)) => {
                    // A query value is text; a number or boolean schema reads it as JSON.
                    let instance = serde_json::from_str::<Value>(&value)
                        .ok()
                        .filter(|v| !v.is_string() && validator.is_valid(v))
                        .unwrap_or(Value::String(value));
                    for problem in validator.problems(&instance) {
                        problems.push((
                            format!(
                                "the {} parameter `{}` breaks `{}`",
                                parameter.location, parameter.name, problem.keyword
                            ),
                            problem.keyword,
                        ));
                    }
                }
                _ => {}
            }
        }
        if let Some((required, validator)) = &self.body {
            if body.is_empty() {
                if *required {
                    problems.push((
                        "the request body is required".to_owned(),
                        "required".to_owned(),
                    ));
                }
            } else {
                match json {
                    None => {
                        problems.push(("the body is not JSON".to_owned(), "InvalidJson".to_owned()))
                    }
                    Some(json) => {
                        for problem in validator.problems(json) {
                            let at = if problem.instance_path.is_empty() {
                                "the body".to_owned()
                            } else {
                                format!("`{}` of the body", problem.instance_path)
                            };
                            // A `required` message names the missing property, which is
                            // no value; other messages may quote one, so they stay out.
                            let detail = match problem.keyword.as_str() {
                                "required" => format!(": {}", problem.message),
                                _ => String::new(),
                            };
                            problems.push((
                                format!("{at} breaks `{}`{detail}", problem.keyword),
                                problem.keyword,
                            ));
                        }
                    }
                }
            }
        }
        problems
    }
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// The header names of the apiKey-in-header schemes the operation requires.
fn key_headers(doc: &Value, operation: &Value) -> Result<Vec<HeaderName>, Error> {
    let requirement = operation
        .get("security")
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array)
        .and_then(|all| all.first())
        .and_then(Value::as_object);
    let mut out = Vec::new();
    for name in requirement.into_iter().flat_map(|r| r.keys()) {
        let at = etna_spec::pointer::join(&["components", "securitySchemes", name]);
        let Some(scheme) = etna_spec::pointer::resolve_local(doc, &at)
            .and_then(|s| etna_spec::follow(doc, s).ok())
        else {
            return Err(spec(format!("the security scheme {name:?} is not defined")));
        };
        if scheme.get("type") == Some(&json!("apiKey"))
            && scheme.get("in") == Some(&json!("header"))
        {
            let header = text(scheme, "name");
            out.push(
                HeaderName::from_bytes(header.as_bytes())
                    .map_err(|_| spec(format!("{header:?} is not a valid header name")))?,
            );
        }
    }
    Ok(out)
}

/// Every documented example of every response of `op`, by status, named
/// examples in the order the spec writes them.
fn documented(
    doc: &Value,
    order: &etna_spec::KeyOrder,
    op: &etna_spec::Operation<'_>,
) -> Result<Documented, Error> {
    use etna_spec::pointer::push;
    let mut out = BTreeMap::new();
    let responses = op.operation.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        let Ok(code) = status.parse::<u16>() else {
            continue;
        };
        let at = push(&push(&op.at, "responses"), status);
        let (response, at) = etna_spec::follow_at(doc, response, at)
            .map_err(|e| spec(format!("the {status} response: {e}")))?;
        let written = order.keys(&push(
            &push(&push(&at, "content"), "application/json"),
            "examples",
        ));
        let Some(media) = response.pointer("/content/application~1json") else {
            out.insert(code, Vec::new());
            continue;
        };
        let mut examples = Vec::new();
        if let Some(example) = media.get("example") {
            examples.push(("example".to_owned(), example.clone()));
        }
        let mut named = Vec::new();
        for (name, example) in media
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let example = etna_spec::follow(doc, example)
                .map_err(|e| spec(format!("the example {name:?}: {e}")))?;
            if let Some(value) = example.get("value") {
                named.push((name.clone(), value.clone()));
            }
        }
        named.sort_by_key(|(name, _)| written.iter().position(|w| w == name));
        examples.extend(named);
        out.insert(code, examples);
    }
    Ok(out)
}
