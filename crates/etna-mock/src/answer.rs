//! The answer to a request that carries the right app key: the spec's example
//! that fits the body.

use axum::http::StatusCode;
use serde_json::Value;

use crate::spec::MockSpec;

/// The code put in `ErrorsCode` when the body is not JSON at all; for schema
/// violations it is the JSON Schema keyword that failed (`required`, `enum`...).
pub(crate) const NOT_JSON: &str = "InvalidJson";

impl MockSpec {
    pub(crate) fn answer(&self, body: &[u8]) -> (StatusCode, Value) {
        let request: Value = match serde_json::from_slice(body) {
            Ok(request) => request,
            Err(e) => {
                let reason = format!(
                    "the body is not JSON ({e}); send an object such as {}",
                    self.request_example
                );
                return self.invalid(vec![(reason, NOT_JSON.to_owned())]);
            }
        };
        let problems: Vec<(String, String)> = self
            .request_schema
            .problems(&request)
            .into_iter()
            .map(|problem| {
                let at = match problem.instance_path.as_str() {
                    "" => "body",
                    path => path,
                };
                (format!("{at}: {}", problem.message), problem.keyword)
            })
            .collect();
        if !problems.is_empty() {
            return self.invalid(problems);
        }
        let code = request.get("Code").and_then(Value::as_str);
        if code == Some(self.accepted_code.as_str()) {
            (StatusCode::OK, self.success.clone())
        } else {
            (StatusCode::OK, self.refused.clone())
        }
    }

    /// The spec's 400 example, with the reasons in `Errors` and `ErrorsCode`.
    fn invalid(&self, problems: Vec<(String, String)>) -> (StatusCode, Value) {
        let mut body = self.invalid_request.clone();
        if let Some(fields) = body.as_object_mut() {
            let (errors, codes): (Vec<String>, Vec<String>) = problems.into_iter().unzip();
            fields.insert("Errors".to_owned(), errors.into());
            fields.insert("ErrorsCode".to_owned(), codes.into());
        }
        (StatusCode::BAD_REQUEST, body)
    }
}
