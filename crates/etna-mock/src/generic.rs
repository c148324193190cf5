//! Every operation of the spec, served from the spec alone: the route (its
//! effective server's base path, then its path), the security its
//! requirement names (app-key headers, a bearer token whose validity the
//! session table decides), its parameters and
//! body checked against their schemas, and its documented examples as
//! answers. Nothing here names an operation, a property or a path; the
//! facts about servers, security and answers come from
//! [`etna_spec::model`], and the envelope's `Errors`/`ErrorsCode` are found
//! through the spec's `x-etna-envelope` roles.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, State};
use axum::http::{HeaderMap, HeaderName, Method, Uri, header};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};
use etna_openapi_schema::{Schemas, Validator};
use etna_spec::model::{Api, Location, Scheme};
use serde_json::Value;

use crate::envelope::{Answers, Documented, Kinds, Roles, roles};
use crate::error::{Error, spec};
use crate::faults::{FaultPlan, answer_with_faults};
use crate::scenario::{Request, Scenario};
use crate::sessions::{Session, Sessions};

/// One operation as the mock serves it.
pub(crate) struct Served {
    id: String,
    method: Method,
    /// The axum route: the effective server's base path (its variables as
    /// route segments), then the spec's path.
    pub(crate) route: String,
    /// The alternatives of the operation's security requirement; a request
    /// passes when it meets every scheme of one of them. Empty: no security.
    security: Vec<Vec<Check>>,
    /// The status of a refused app key, and of a refused bearer token.
    key_refusal: u16,
    bearer_refusal: u16,
    /// The status of an invalid request: one the operation documents.
    invalid_status: u16,
    parameters: Vec<Parameter>,
    body: Option<(bool, Validator)>,
    documented: Documented,
    kinds: Kinds,
    /// The envelope's role names, for the reasons of a refusal.
    roles: Option<Roles>,
}

/// One scheme of a security alternative, as the mock checks it.
#[derive(Clone, Debug)]
enum Check {
    /// The app key in this header.
    Key(HeaderName),
    /// `Authorization: Bearer <token>`: a live session of the session table
    /// that admits the operation; without a table (a stateless server, as
    /// Prism) any non-empty token.
    Bearer,
}

struct Parameter {
    name: String,
    location: Location,
    required: bool,
    validator: Option<Validator>,
}

pub(crate) struct Context {
    pub(crate) app_key: String,
    pub(crate) faults: FaultPlan,
    pub(crate) scenario: Option<Arc<dyn Scenario>>,
    pub(crate) sessions: Option<Arc<Sessions>>,
}

/// Every operation of `doc`; `order` says which example the text writes first.
pub(crate) fn operations(doc: &Value, order: &etna_spec::KeyOrder) -> Result<Vec<Served>, Error> {
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
            parameters.push(Parameter {
                name: parameter.name.clone(),
                location: parameter.location,
                required: parameter.required,
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
        let documented = documented(doc, order, op.raw, &op.at)?;
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
        // A refused app key: its 403 (the API's answer), else its 401.
        let key_refusal = first_documented(&statuses, &[403, 401]).unwrap_or(403);
        // A refused session: its 401 (as HTTP has it), else its 403.
        let bearer_refusal = first_documented(&statuses, &[401, 403]).unwrap_or(401);
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

/// The method router of one operation.
pub(crate) fn method_router(served: Served, context: Arc<Context>) -> Result<MethodRouter, Error> {
    let filter = MethodFilter::try_from(served.method.clone())
        .map_err(|_| spec(format!("the method {} cannot be routed", served.method)))?;
    let state = Arc::new((served, context));
    Ok(on(filter, answer).with_state(state))
}

async fn answer(
    State(state): State<Arc<(Served, Arc<Context>)>>,
    path: Result<RawPathParams, RawPathParamsRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (served, context) = &*state;
    // A parameter that is not UTF-8 is kept out; the route matched anyway.
    let path: BTreeMap<String, String> = path
        .map(|params| {
            params
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    answer_with_faults(
        &context.faults,
        &served.id,
        &headers,
        &served.documented,
        || served.respond(context, &uri, &path, &headers, &body),
    )
    .await
}

impl Served {
    fn respond(
        &self,
        context: &Context,
        uri: &Uri,
        path: &BTreeMap<String, String>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response {
        let answers = Answers {
            documented: &self.documented,
            kinds: &self.kinds,
            roles: self.roles.as_ref(),
            invalid_status: self.invalid_status,
        };
        let session = match self.authorize(context, headers) {
            Ok(session) => session,
            Err(refusal) => return *refusal,
        };
        let query: BTreeMap<String, String> = uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let json = serde_json::from_slice::<Value>(body).ok();
        let reasons = self.problems(&query, headers, body, json.as_ref());
        if !reasons.is_empty() {
            return answers.invalid(reasons);
        }
        if let Some(scenario) = &context.scenario {
            let request = Request {
                query: &query,
                path,
                headers,
                body: json.as_ref(),
                session,
            };
            if let Some(answer) = scenario.answer(&self.id, &request, &answers) {
                return answer;
            }
        }
        answers.accepted(None)
    }

    /// The session of the first alternative of the operation's security
    /// that the request meets (`None` when that alternative has no Bearer
    /// scheme), or the documented refusal of a request that meets none: a
    /// wrong or missing app key first, then a missing, unknown or expired
    /// bearer token (with `WWW-Authenticate: Bearer` on a 401).
    fn authorize(
        &self,
        context: &Context,
        headers: &HeaderMap,
    ) -> Result<Option<Session>, Box<Response>> {
        if self.security.is_empty() {
            return Ok(None);
        }
        let app_key = context.app_key.as_bytes();
        // Only where a Bearer scheme is named: elsewhere an `Authorization`
        // header means nothing to the API, so the table is not asked.
        let names_bearer = self
            .security
            .iter()
            .flatten()
            .any(|c| matches!(c, Check::Bearer));
        let token = bearer_token(headers).filter(|_| names_bearer);
        // Looked up once: the table's answer must not change between checks.
        let session = match (&context.sessions, token) {
            (Some(sessions), Some(token)) => sessions.admits(token, &self.id),
            _ => None,
        };
        let bearer_passes = match &context.sessions {
            Some(_) => session.is_some(),
            None => token.is_some(),
        };
        let passes = |check: &Check| match check {
            Check::Key(name) => headers.get(name).map(|v| v.as_bytes()) == Some(app_key),
            Check::Bearer => bearer_passes,
        };
        if let Some(alternative) = self.security.iter().find(|alt| alt.iter().all(passes)) {
            let with_bearer = alternative.iter().any(|c| matches!(c, Check::Bearer));
            return Ok(session.filter(|_| with_bearer));
        }
        let key_failed = self
            .security
            .iter()
            .all(|alt| alt.iter().any(|c| matches!(c, Check::Key(_)) && !passes(c)));
        let status = if key_failed {
            self.key_refusal
        } else {
            self.bearer_refusal
        };
        let mut response = crate::faults::documented_answer(status, &self.documented, None);
        if !key_failed && status == 401 {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        Err(Box::new(response))
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
            let given = match parameter.location {
                Location::Query => query.get(&parameter.name).cloned(),
                Location::Header => headers
                    .get(parameter.name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                // Path parameters are there, or the route would not match.
                Location::Path => continue,
            };
            match (given, &parameter.validator) {
                (None, _) if parameter.required => problems.push((
                    format!(
                        "the {} parameter `{}` is required",
                        parameter.location.as_str(),
                        parameter.name
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
                                parameter.location.as_str(),
                                parameter.name,
                                problem.keyword
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

/// The token of `Authorization: Bearer <non-empty token>`, if sent.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .map(|(_, token)| token.trim())
}

/// Every documented example of every response of the operation `raw` at
/// `op_at`, by status, named examples in the order the spec writes them.
fn documented(
    doc: &Value,
    order: &etna_spec::KeyOrder,
    raw: &Value,
    op_at: &str,
) -> Result<Documented, Error> {
    use etna_spec::pointer::push;
    let mut out = BTreeMap::new();
    let responses = raw.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        let Ok(code) = status.parse::<u16>() else {
            continue;
        };
        let at = push(&push(op_at, "responses"), status);
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
