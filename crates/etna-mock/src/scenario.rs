//! The seam between the generic layer and a scenario with state: the generic
//! layer validates a request against the spec, then asks the scenario for
//! the answer before falling back to the documented example.

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::Value;

use crate::envelope::Answers;

/// A request that the spec's schemas have accepted.
pub(crate) struct Request<'a> {
    pub(crate) query: &'a BTreeMap<String, String>,
    pub(crate) body: Option<&'a Value>,
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
