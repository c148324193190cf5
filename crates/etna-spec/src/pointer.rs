//! JSON Pointers (RFC 6901) into the spec, in the `#/...` form the linters
//! print.

use serde_json::Value;

/// One reference token escaped: `~` as `~0`, `/` as `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// One reference token unescaped.
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends one reference token to a pointer.
pub fn push(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// A `#/...` pointer made of unescaped tokens.
pub fn join<S: AsRef<str>>(tokens: &[S]) -> String {
    tokens.iter().fold(String::from("#"), |pointer, token| {
        push(&pointer, token.as_ref())
    })
}

/// The unescaped reference tokens of a pointer (`#/...` or `/...`), the
/// inverse of [`join`].
pub fn tokens(pointer: &str) -> Vec<String> {
    let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
    pointer.split('/').skip(1).map(unescape).collect()
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
        assert_eq!(join(&["paths", "/v{version}/a~b"]), at);
        assert_eq!(unescape("~1v~0x"), "/v~x");
        assert_eq!(tokens(&at), ["paths", "/v{version}/a~b"]);
        assert!(tokens("#").is_empty());
        let spec = json!({ "paths": { "/v{version}/a~b": { "ok": 1 } } });
        assert_eq!(resolve_local(&spec, &at), Some(&json!({ "ok": 1 })));
        assert_eq!(resolve_local(&spec, "other.yaml#/paths"), None);
    }
}
