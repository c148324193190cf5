//! The server URL: the deployment's root, then the base path of every
//! operation.

use serde_json::Value;

/// The part of the first server URL after its leading `{variable}` (the
/// deployment's root, which a caller gives as the base URL), e.g.
/// `/v{version}`; empty when the URL does not start with a variable.
pub fn base_path(spec: &Value) -> String {
    let url = spec
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or("");
    match url.strip_prefix('{').and_then(|rest| rest.split_once('}')) {
        Some((_, rest)) => rest.to_owned(),
        None => String::new(),
    }
}

/// The variables that [`base_path`] uses, with their defaults, in the spec's
/// order.
pub fn server_variables(spec: &Value) -> Vec<(String, String)> {
    let base = base_path(spec);
    spec.pointer("/servers/0/variables")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| base.contains(&format!("{{{name}}}")))
        .map(|(name, variable)| {
            let default = variable
                .get("default")
                .and_then(Value::as_str)
                .unwrap_or("");
            (name.clone(), default.to_owned())
        })
        .collect()
}
