//! Reading the parts of an operation the model resolves: security schemes
//! and requirements, servers, parameters.

use std::collections::BTreeMap;

use serde_json::Value;

use super::*;

pub(super) fn problem(problems: &mut Vec<ModelError>, pointer: &str, message: &str) {
    problems.push(ModelError {
        pointer: pointer.to_owned(),
        message: message.to_owned(),
    });
}

pub(super) fn schemes(spec: &Value, problems: &mut Vec<ModelError>) -> BTreeMap<String, Scheme> {
    let mut out = BTreeMap::new();
    let Some(all) = spec
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (name, scheme) in all {
        let at = pointer::join(&["components", "securitySchemes", name.as_str()]);
        let scheme = follow(spec, scheme).unwrap_or(&Value::Null);
        let text = |key: &str| scheme.get(key).and_then(Value::as_str).unwrap_or("");
        let kind = match (
            text("type"),
            text("in"),
            text("scheme").to_ascii_lowercase().as_str(),
        ) {
            ("apiKey", "header", _) if !text("name").is_empty() => Scheme::ApiKeyHeader {
                header: text("name").to_owned(),
            },
            ("http", _, "bearer") => Scheme::Bearer,
            (kind, place, http) => {
                problem(
                    problems,
                    &at,
                    &format!(
                        "security scheme of type `{kind}`{} is not supported; use `type: apiKey, in: header` or `type: http, scheme: bearer`",
                        match (place, http) {
                            ("", "") => String::new(),
                            ("", http) => format!(" with scheme `{http}`"),
                            (place, _) => format!(" in `{place}`"),
                        }
                    ),
                );
                continue;
            }
        };
        out.insert(name.clone(), kind);
    }
    out
}

pub(super) fn security_of(
    security: Option<&Value>,
    at: &str,
    schemes: &BTreeMap<String, Scheme>,
    problems: &mut Vec<ModelError>,
) -> Vec<Vec<String>> {
    let Some(list) = security.and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, requirement) in list.iter().enumerate() {
        let names: Vec<String> = requirement
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| name.clone())
            .collect();
        for name in &names {
            if !schemes.contains_key(name) {
                problem(
                    problems,
                    &format!("{at}/{i}/{}", pointer::escape(name)),
                    &format!(
                        "the security scheme `{name}` is not declared (or not supported) in components/securitySchemes"
                    ),
                );
            }
        }
        out.push(names);
    }
    out
}

pub(super) fn server(server: &Value, at: &str, problems: &mut Vec<ModelError>) -> Server {
    let url = server.get("url").and_then(Value::as_str).unwrap_or("");
    let Some((_, base_path)) = url.strip_prefix('{').and_then(|rest| rest.split_once('}')) else {
        if server.is_null() {
            problem(
                problems,
                at,
                "no server is declared; add `servers: [{url: \"{apiURL}/v{version}\"}]` with the API root as a variable (the client takes the root from its caller)",
            );
            return Server {
                base_path: String::new(),
                variables: Vec::new(),
            };
        }
        problem(
            problems,
            at,
            &format!(
                "the server URL {url:?} does not start with the `{{variable}}` of the API root, e.g. `{{apiURL}}/v{{version}}`; the client takes the root from its caller"
            ),
        );
        return Server {
            base_path: String::new(),
            variables: Vec::new(),
        };
    };
    let declared = server.get("variables").and_then(Value::as_object);
    let mut variables = Vec::new();
    let mut rest = base_path;
    while let Some((_, after)) = rest.split_once('{') {
        let Some((name, tail)) = after.split_once('}') else {
            problem(
                problems,
                at,
                &format!("the server URL {url:?} has an unclosed `{{`"),
            );
            break;
        };
        match declared
            .and_then(|vars| vars.get(name))
            .and_then(|v| v.get("default"))
            .and_then(Value::as_str)
        {
            Some(default) => variables.push((name.to_owned(), default.to_owned())),
            None => problem(
                problems,
                &format!("{at}/variables"),
                &format!("the server variable `{name}` has no declared default"),
            ),
        }
        rest = tail;
    }
    Server {
        base_path: base_path.to_owned(),
        variables,
    }
}

pub(super) fn parameter(
    spec: &Value,
    raw: &Value,
    at: String,
    problems: &mut Vec<ModelError>,
) -> Option<Parameter> {
    let p = follow(spec, raw).unwrap_or(&Value::Null);
    let text = |key: &str| {
        p.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let location = match text("in").as_str() {
        "path" => Location::Path,
        "query" => Location::Query,
        "header" => Location::Header,
        other => {
            problem(
                problems,
                &at,
                &format!(
                    "parameters `in: {other}` are not supported; use a path, query or header parameter"
                ),
            );
            return None;
        }
    };
    let schema = p
        .get("schema")
        .map(|s| follow(spec, s).unwrap_or(&Value::Null))
        .unwrap_or(&Value::Null);
    Some(Parameter {
        name: text("name"),
        location,
        required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
        secret: is_secret(schema),
        description: text("description"),
        at,
    })
}

/// The scheme a documented answer says was refused (`x-etna-refuses`): one
/// the spec declares and the operation's security sends, or a problem.
pub(super) fn refuses(
    response: &Value,
    at: &str,
    schemes: &BTreeMap<String, Scheme>,
    security: &[Vec<String>],
    problems: &mut Vec<ModelError>,
) -> Option<String> {
    let value = response.get("x-etna-refuses")?;
    let at = pointer::push(at, "x-etna-refuses");
    let Some(name) = value.as_str() else {
        problem(
            problems,
            &at,
            "`x-etna-refuses` must name a security scheme of components/securitySchemes, e.g. `x-etna-refuses: EtAppKey`",
        );
        return None;
    };
    if !schemes.contains_key(name) {
        problem(
            problems,
            &at,
            &format!(
                "`x-etna-refuses` names `{name}`, which is not declared (or not supported) in components/securitySchemes"
            ),
        );
        return None;
    }
    if !security.iter().flatten().any(|s| s == name) {
        problem(
            problems,
            &at,
            &format!(
                "`x-etna-refuses` names `{name}`, which this operation's security does not send; remove the answer or add `{name}` to the operation's security"
            ),
        );
        return None;
    }
    Some(name.to_owned())
}
