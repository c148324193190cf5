//! JSON Pointers (RFC 6901) into the spec, in the `#/...` form the linters
//! print and [`ConvertError::pointer`](crate::ConvertError::pointer) uses.

use serde_json::Value;

/// Appends one reference token to a pointer, escaping `~` and `/`.
pub fn push(base: &str, token: &str) -> String {
    format!("{base}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// The spec node a local reference (`#/components/...`) points to.
pub fn resolve_local<'a>(spec: &'a Value, reference: &str) -> Option<&'a Value> {
    spec.pointer(reference.strip_prefix('#')?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_escaped_and_local_references_resolve() {
        let at = push("#/paths", "/v{version}/a~b");
        assert_eq!(at, "#/paths/~1v{version}~1a~0b");
        let spec = json!({ "paths": { "/v{version}/a~b": { "ok": 1 } } });
        assert_eq!(resolve_local(&spec, &at), Some(&json!({ "ok": 1 })));
        assert_eq!(resolve_local(&spec, "other.yaml#/paths"), None);
    }
}
