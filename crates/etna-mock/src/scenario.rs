//! The seam between the generic layer and a scenario with state: the generic
//! layer validates a request against the spec (and, for an operation whose
//! security requires a Bearer token, finds its live session), then asks the
//! scenario for the answer before falling back to the documented example.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::Value;

use crate::envelope::Answers;
use crate::sessions::Session;

/// A request that the spec's schemas and security have accepted.
pub(crate) struct Request<'a> {
    pub(crate) query: &'a BTreeMap<String, String>,
    /// The path's parameters, decoded.
    pub(crate) path: &'a BTreeMap<String, String>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: Option<&'a Value>,
    /// The body as sent: what reads its numbers with every digit (`body`'s
    /// are `f64`).
    pub(crate) raw_body: &'a [u8],
    /// The request's path and query, for links to other pages of a list.
    pub(crate) uri: &'a Uri,
    /// The session of the Bearer token the operation's security required;
    /// `None` when it required none, or the server keeps no sessions.
    pub(crate) session: Option<Session>,
}

impl Request<'_> {
    /// A header's value as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub(crate) trait Scenario: Send + Sync {
    /// The answer to a valid request of `operation`, or `None` to answer with
    /// the documented example.
    fn answer(
        &self,
        operation: &str,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Option<Response>;
}

/// Several scenarios, each with its own operations: the first that answers.
pub(crate) struct Chain(pub(crate) Vec<Arc<dyn Scenario>>);

impl Scenario for Chain {
    fn answer(
        &self,
        operation: &str,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Option<Response> {
        self.0
            .iter()
            .find_map(|scenario| scenario.answer(operation, request, answers))
    }
}
