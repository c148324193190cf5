//! JSON Pointers (RFC 6901) into the spec, as the linters print them (`#/paths/...`).

/// Appends one reference token to a pointer, escaping `~` and `/`.
pub(crate) fn push(base: &str, token: &str) -> String {
    format!("{base}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// The spec node a local reference (`#/components/...`) points to.
pub(crate) fn resolve_local<'a>(
    spec: &'a serde_json::Value,
    reference: &str,
) -> Option<&'a serde_json::Value> {
    spec.pointer(reference.strip_prefix('#')?)
}
