//! The checks of one request against its operation: its security (app key,
//! Bearer session) and its parameters and body against their schemas.

use super::*;

impl Served {
    /// The session of the first alternative of the operation's security
    /// that the request meets (`None` when that alternative has no Bearer
    /// scheme), or the documented refusal of a request that meets none: a
    /// wrong or missing app key first, then a missing, unknown or expired
    /// bearer token (with `WWW-Authenticate: Bearer` on a 401).
    pub(super) fn authorize(
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
    pub(super) fn problems(
        &self,
        inputs: &Inputs<'_>,
        body: &[u8],
        json: Option<&Value>,
    ) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        for parameter in &self.parameters {
            let where_ = || {
                format!(
                    "the {} parameter `{}`",
                    parameter.location.as_str(),
                    parameter.name
                )
            };
            let given: Vec<&str> = match parameter.location {
                Location::Query => inputs
                    .query
                    .iter()
                    .filter(|(name, _)| *name == parameter.name)
                    .map(|(_, value)| value.as_str())
                    .collect(),
                Location::Header => inputs
                    .headers
                    .get(parameter.name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .into_iter()
                    .collect(),
                // There, or the route would not match; checked like the others,
                // since the route takes any text in the segment.
                Location::Path => inputs
                    .path
                    .get(&parameter.name)
                    .map(String::as_str)
                    .into_iter()
                    .collect(),
            };
            if given.len() > 1 && !parameter.repeatable {
                // Which of the values would count is nowhere documented, so
                // none is taken.
                problems.push((
                    format!("{} is given more than once", where_()),
                    "repeated".to_owned(),
                ));
                continue;
            }
            match (given.last(), &parameter.validator) {
                (None, _) if parameter.required => {
                    problems.push((format!("{} is required", where_()), "required".to_owned()))
                }
                (Some(_), Some(validator)) => {
                    let instance = instance(&given, parameter.repeatable, validator);
                    for problem in validator.problems(&instance) {
                        problems.push((
                            format!("{} breaks `{}`", where_(), problem.keyword),
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

/// What a request gives for its parameters.
pub(super) struct Inputs<'a> {
    /// The query's pairs, in order, a name as often as it is given.
    pub(super) query: &'a [(String, String)],
    pub(super) path: &'a BTreeMap<String, String>,
    pub(super) headers: &'a HeaderMap,
}

/// A parameter's values as the instance its schema checks: an array of them
/// when the schema is one, else the value. A value is text; a number or
/// boolean schema reads it as JSON. The reading that fits the schema is
/// taken, else the typed one, so that the problems name the bound or format
/// broken rather than `type` (`2147483648` for an `int32` breaks `maximum`).
fn instance(values: &[&str], repeatable: bool, validator: &Validator) -> Value {
    let typed = |v: &&str| {
        serde_json::from_str::<Value>(v)
            .ok()
            .filter(|v| !v.is_string())
            .unwrap_or_else(|| Value::String((*v).to_owned()))
    };
    let text = |v: &&str| Value::String((*v).to_owned());
    let (typed, text) = if repeatable {
        (
            Value::Array(values.iter().map(typed).collect()),
            Value::Array(values.iter().map(text).collect()),
        )
    } else {
        let last = values.last().unwrap_or(&"");
        (typed(last), text(last))
    };
    if !validator.is_valid(&typed) && validator.is_valid(&text) {
        text
    } else {
        typed
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
