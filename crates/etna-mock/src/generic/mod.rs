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

mod checks;
mod from_spec;

pub(crate) use checks::bearer_token;
pub(crate) use from_spec::operations;

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
    /// The examples whose numbers are served as the spec writes them.
    written: crate::written::Written,
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
    /// Whether the schema is an array, so that a query parameter may be
    /// given more than once (`form`, exploded: OpenAPI's default style).
    repeatable: bool,
    validator: Option<Validator>,
}

pub(crate) struct Context {
    pub(crate) app_key: String,
    pub(crate) faults: FaultPlan,
    pub(crate) scenario: Option<Arc<dyn Scenario>>,
    pub(crate) sessions: Option<Arc<Sessions>>,
}

impl Served {
    /// The operation's id and its documented examples.
    pub(crate) fn examples(&self) -> (&str, &Documented) {
        (&self.id, &self.documented)
    }
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
            written: &self.written,
            kinds: &self.kinds,
            roles: self.roles.as_ref(),
            invalid_status: self.invalid_status,
        };
        let session = match self.authorize(context, headers) {
            Ok(session) => session,
            Err(refusal) => return *refusal,
        };
        let pairs: Vec<(String, String)> = uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let json = serde_json::from_slice::<Value>(body).ok();
        let inputs = checks::Inputs {
            query: &pairs,
            path,
            headers,
        };
        let reasons = self.problems(&inputs, body, json.as_ref());
        // Each name once, its last value: the checks refused a scalar
        // parameter given more than once.
        let query: BTreeMap<String, String> = pairs.into_iter().collect();
        if !reasons.is_empty() {
            return answers.invalid(reasons);
        }
        if let Some(scenario) = &context.scenario {
            let request = Request {
                query: &query,
                path,
                headers,
                body: json.as_ref(),
                raw_body: body,
                uri,
                session,
            };
            if let Some(answer) = scenario.answer(&self.id, &request, &answers) {
                return answer;
            }
        }
        answers.accepted(None)
    }
}
