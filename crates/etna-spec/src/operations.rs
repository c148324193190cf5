//! The operations of the spec.

use serde_json::Value;

use crate::pointer;

/// The HTTP methods a path item may hold, in OpenAPI 3.0's order.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// `operationId` (empty when the spec gives none).
    pub id: &'a str,
    /// The method, upper case.
    pub method: &'static str,
    /// The path template as the spec writes it (without the server's base path).
    pub path: &'a str,
    /// `#/paths/<path>/<method>`.
    pub at: String,
    /// The operation object.
    pub operation: &'a Value,
    /// The path item's own `parameters`, shared by its operations.
    pub shared_parameters: &'a [Value],
}

/// Every operation, in the spec's path order (as the JSON value keeps it),
/// methods in [`METHODS`] order.
pub fn operations(spec: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (method, upper) in METHODS.iter().zip(UPPER) {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let at = pointer::join(&["paths", path.as_str(), method]);
            out.push(Operation {
                id: operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
                method: upper,
                path,
                at,
                operation,
                shared_parameters: shared,
            });
        }
    }
    out
}

const UPPER: [&str; 8] = [
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
];
