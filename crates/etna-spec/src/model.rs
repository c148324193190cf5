//! The typed view of the spec's operations that codegen, the mock, the CLI
//! and drift read: each operation's effective server, its security
//! requirements resolved to schemes, its parameters by location and its
//! responses by status with the kind of body, and the envelope's roles,
//! read once. A construct this model cannot express is a [`ModelError`]
//! naming its JSON pointer, never a silent guess.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{follow, pointer};

/// A construct of the spec that the model cannot express.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    /// Where, as a JSON pointer.
    pub pointer: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl std::error::Error for ModelError {}

/// The whole spec as the generator, the mock and the CLI see it.
#[derive(Debug, Clone)]
pub struct Api<'a> {
    /// Every operation with an `operationId`, in the spec's order.
    pub operations: Vec<Operation<'a>>,
    /// The distinct servers, the spec's root server first (index 0).
    pub servers: Vec<Server>,
    /// `components/securitySchemes`, by name.
    pub schemes: BTreeMap<String, Scheme>,
    /// The envelope's roles (`x-etna-envelope`), when the spec declares them.
    pub envelope: Option<EnvelopeRoles>,
}

/// A server URL after the caller's API root: the spec writes every server
/// as `{root variable}` followed by a base path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// What follows the leading `{variable}`, e.g. `/v{version}` or ``.
    pub base_path: String,
    /// The variables of `base_path` with their defaults.
    pub variables: Vec<(String, String)>,
}

/// A security scheme the client knows how to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `type: apiKey, in: header`: a fixed key in the named header.
    ApiKeyHeader {
        /// The header, e.g. `Et-App-Key`.
        header: String,
    },
    /// `type: http, scheme: bearer`: `Authorization: Bearer <token>`.
    Bearer,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

impl Location {
    /// The spec's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
        }
    }
}

/// One parameter of an operation (path-item parameters included).
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name as sent.
    pub name: String,
    /// Where it goes.
    pub location: Location,
    /// Whether the spec requires it.
    pub required: bool,
    /// Whether its schema is `format: password`.
    pub secret: bool,
    /// Its description, trimmed.
    pub description: String,
    /// Where it is, as a JSON pointer.
    pub at: String,
}

/// What a documented answer carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    /// The envelope (its schema has or composes `x-etna-envelope`).
    Envelope,
    /// A JSON body of another shape.
    Plain,
    /// No body.
    Empty,
}

/// One documented answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// What it carries.
    pub kind: BodyKind,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// `operationId`.
    pub id: &'a str,
    /// The method, upper case.
    pub method: &'static str,
    /// The path as the spec writes it, after the server.
    pub path: &'a str,
    /// Where it is, as a JSON pointer.
    pub at: String,
    /// Index in [`Api::servers`] of its effective server (operation, path
    /// item, then the spec's root).
    pub server: usize,
    /// The alternatives of its security requirement, each the names of the
    /// schemes sent together; empty when it needs none.
    pub security: Vec<Vec<String>>,
    /// Its parameters, path-item ones first.
    pub parameters: Vec<Parameter>,
    /// Its documented answers, by status.
    pub responses: Vec<Response>,
    /// The raw operation object, for what the model does not cover
    /// (descriptions, examples, extensions).
    pub raw: &'a Value,
}

/// How much an operation needs a scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Every alternative names it.
    Required,
    /// Some alternatives name it.
    Optional,
    /// None does.
    None,
}

impl Operation<'_> {
    /// Whether the operation's security asks for `scheme`.
    pub fn needs(&self, scheme: &str) -> Need {
        let with = self
            .security
            .iter()
            .filter(|alternative| alternative.iter().any(|s| s == scheme))
            .count();
        match with {
            0 => Need::None,
            n if n == self.security.len() => Need::Required,
            _ => Need::Optional,
        }
    }

    /// The documented 2xx answers.
    pub fn successes(&self) -> impl Iterator<Item = &Response> {
        self.responses
            .iter()
            .filter(|r| (200..300).contains(&r.status))
    }
}

/// The envelope's property names by role (`x-etna-envelope`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeRoles {
    /// The schema that declares them.
    pub schema: String,
    /// The success flag.
    pub success: String,
    /// The reasons for people.
    pub errors: String,
    /// The reasons for programs.
    pub error_codes: String,
    /// The informational status name.
    pub status_code: String,
    /// The payload.
    pub model: String,
}

impl<'a> Api<'a> {
    /// Reads the spec. Every construct the model cannot express is reported,
    /// all at once.
    pub fn read(spec: &'a Value) -> Result<Self, Vec<ModelError>> {
        let mut problems = Vec::new();
        let schemes = schemes(spec, &mut problems);
        let envelope = envelope_roles(spec, &mut problems);
        let root_security = security_of(
            spec.get("security"),
            &pointer::join(&["security"]),
            &schemes,
            &mut problems,
        );
        let mut servers = Vec::new();
        let root_server = spec.pointer("/servers/0").cloned().unwrap_or(Value::Null);
        servers.push(server(
            &root_server,
            &pointer::join(&["servers", "0"]),
            &mut problems,
        ));
        let mut operations = Vec::new();
        for op in crate::operations(spec) {
            if op.id.is_empty() {
                continue;
            }
            let item_at = pointer::join(&["paths", op.path]);
            let item = spec
                .get("paths")
                .and_then(|paths| paths.get(op.path))
                .cloned()
                .unwrap_or(Value::Null);
            let server_index = match (op.operation.get("servers"), item.get("servers")) {
                (Some(list), _) => Some((list, format!("{}/servers", op.at))),
                (None, Some(list)) => Some((list, format!("{item_at}/servers"))),
                (None, None) => None,
            }
            .map_or(0, |(list, at)| {
                let found = server(
                    list.get(0).unwrap_or(&Value::Null),
                    &format!("{at}/0"),
                    &mut problems,
                );
                match servers.iter().position(|s| *s == found) {
                    Some(i) => i,
                    None => {
                        servers.push(found);
                        servers.len() - 1
                    }
                }
            });
            let security = match op.operation.get("security") {
                Some(own) => security_of(
                    Some(own),
                    &format!("{}/security", op.at),
                    &schemes,
                    &mut problems,
                ),
                None => root_security.clone(),
            };
            let parameters = op
                .shared_parameters
                .iter()
                .enumerate()
                .map(|(i, p)| (p, format!("{item_at}/parameters/{i}")))
                .chain(
                    op.operation
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                        .map(|(i, p)| (p, format!("{}/parameters/{i}", op.at))),
                )
                .filter_map(|(p, at)| parameter(spec, p, at, &mut problems))
                .collect();
            let responses = op
                .operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(status, response)| {
                    let status: u16 = status.parse().ok()?;
                    let response = follow(spec, response).unwrap_or(&Value::Null);
                    let kind = body_kind(spec, response, envelope.as_ref());
                    Some(Response { status, kind })
                })
                .collect();
            operations.push(Operation {
                id: op.id,
                method: op.method,
                path: op.path,
                at: op.at,
                server: server_index,
                security,
                parameters,
                responses,
                raw: op.operation,
            });
        }
        if problems.is_empty() {
            Ok(Self {
                operations,
                servers,
                schemes,
                envelope,
            })
        } else {
            Err(problems)
        }
    }

    /// The operation with this id.
    pub fn operation(&self, id: &str) -> Option<&Operation<'a>> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The full path template of an operation: its server's base path, then
    /// its path (e.g. `/v{version}/users/password/reset`, `/token`).
    pub fn full_path(&self, op: &Operation<'_>) -> String {
        format!("{}{}", self.servers[op.server].base_path, op.path)
    }

    /// The name of the scheme of this kind, when the spec has one.
    pub fn scheme_named(&self, wanted: impl Fn(&Scheme) -> bool) -> Option<&str> {
        self.schemes
            .iter()
            .find(|(_, s)| wanted(s))
            .map(|(name, _)| name.as_str())
    }
}

fn problem(problems: &mut Vec<ModelError>, pointer: &str, message: &str) {
    problems.push(ModelError {
        pointer: pointer.to_owned(),
        message: message.to_owned(),
    });
}

fn schemes(spec: &Value, problems: &mut Vec<ModelError>) -> BTreeMap<String, Scheme> {
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

fn security_of(
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

fn server(server: &Value, at: &str, problems: &mut Vec<ModelError>) -> Server {
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

fn parameter(
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

/// A `format: password` schema: a credential.
pub fn is_secret(schema: &Value) -> bool {
    matches!(
        schema.get("type").and_then(Value::as_str),
        Some("string" | "integer")
    ) && schema.get("format").and_then(Value::as_str) == Some("password")
}

fn body_kind(spec: &Value, response: &Value, roles: Option<&EnvelopeRoles>) -> BodyKind {
    let Some(media) = response.pointer("/content/application~1json") else {
        return BodyKind::Empty;
    };
    let schema = media.get("schema").unwrap_or(&Value::Null);
    match roles {
        Some(roles) if is_envelope(spec, schema, &roles.schema, 0) => BodyKind::Envelope,
        _ => BodyKind::Plain,
    }
}

/// Whether `schema` is the envelope schema or composes it with `allOf`.
fn is_envelope(spec: &Value, schema: &Value, envelope: &str, depth: usize) -> bool {
    if depth > crate::MAX_HOPS {
        return false;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
        && crate::component(reference).is_some_and(|(_, name)| name == envelope)
    {
        return true;
    }
    let schema = follow(spec, schema).unwrap_or(&Value::Null);
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|part| is_envelope(spec, part, envelope, depth + 1))
}

fn envelope_roles(spec: &Value, problems: &mut Vec<ModelError>) -> Option<EnvelopeRoles> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)?;
    let marked: Vec<(&String, &Value)> = schemas
        .iter()
        .filter_map(|(name, schema)| schema.get("x-etna-envelope").map(|roles| (name, roles)))
        .collect();
    let (name, roles) = marked.first().copied()?;
    if let Some((other, _)) = marked.iter().find(|(_, r)| *r != roles) {
        problem(
            problems,
            &pointer::join(&["components", "schemas", other.as_str(), "x-etna-envelope"]),
            &format!(
                "it names other roles than the one on `{name}`; declare the envelope's roles once"
            ),
        );
        return None;
    }
    let at = pointer::join(&["components", "schemas", name.as_str(), "x-etna-envelope"]);
    let mut missing = false;
    let mut role = |key: &str| match roles.get(key).and_then(Value::as_str) {
        Some(value) => value.to_owned(),
        None => {
            missing = true;
            problem(
                problems,
                &at,
                &format!(
                    "`{key}` is missing; name the property that plays this role, e.g. `{key}: Name`"
                ),
            );
            String::new()
        }
    };
    let roles = EnvelopeRoles {
        schema: name.clone(),
        success: role("success"),
        errors: role("errors"),
        error_codes: role("errorCodes"),
        status_code: role("statusCode"),
        model: role("model"),
    };
    (!missing).then_some(roles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({
            "servers": [{"url": "{root}/v{version}", "variables": {"root": {"default": "x"}, "version": {"default": "1.0"}}}],
            "security": [{"Key": []}],
            "components": {
                "securitySchemes": {
                    "Key": {"type": "apiKey", "in": "header", "name": "K"},
                    "Session": {"type": "http", "scheme": "bearer"}
                },
                "schemas": {
                    "Env": {"type": "object", "x-etna-envelope": {"success": "Ok", "errors": "E", "errorCodes": "C", "statusCode": "S", "model": "M"}},
                    "Wrapped": {"allOf": [{"$ref": "#/components/schemas/Env"}, {"type": "object"}]}
                }
            },
            "paths": {
                "/at-root": {"post": {
                    "operationId": "root_op",
                    "servers": [{"url": "{root}", "variables": {"root": {"default": "x"}}}],
                    "security": [{"Key": []}, {"Key": [], "Session": []}],
                    "parameters": [{"name": "Secret", "in": "header", "schema": {"type": "string", "format": "password"}}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}, "202": {"content": {"application/json": {"schema": {"type": "object"}}}}}
                }},
                "/things/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "put": {
                        "operationId": "bearer_op",
                        "security": [{"Key": [], "Session": []}],
                        "responses": {"200": {"description": "none"}, "400": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Wrapped"}}}}}
                    }
                }
            }
        })
    }

    #[test]
    fn reads_servers_security_parameters_and_response_kinds() {
        let spec = spec();
        let api = Api::read(&spec).unwrap();
        assert_eq!(api.servers.len(), 2);
        assert_eq!(api.servers[0].base_path, "/v{version}");
        assert_eq!(
            api.servers[0].variables,
            [("version".to_owned(), "1.0".to_owned())]
        );
        let root = api.operation("root_op").unwrap();
        assert_eq!(api.full_path(root), "/at-root");
        assert_eq!(root.needs("Session"), Need::Optional);
        assert_eq!(root.needs("Key"), Need::Required);
        assert_eq!(root.parameters[0].location, Location::Header);
        assert!(root.parameters[0].secret);
        assert_eq!(root.successes().count(), 2);
        assert!(root.responses.iter().all(|r| r.kind == BodyKind::Plain));
        let bearer = api.operation("bearer_op").unwrap();
        assert_eq!(api.full_path(bearer), "/v{version}/things/{id}");
        assert_eq!(bearer.needs("Session"), Need::Required);
        assert_eq!(bearer.parameters[0].location, Location::Path);
        assert_eq!(bearer.responses[0].kind, BodyKind::Empty);
        assert_eq!(bearer.responses[1].kind, BodyKind::Envelope);
        assert_eq!(api.schemes["Session"], Scheme::Bearer);
    }

    #[test]
    fn what_the_model_cannot_express_is_an_error_with_its_pointer() {
        let mut spec = spec();
        spec["components"]["securitySchemes"]["Cookie"] =
            json!({"type": "apiKey", "in": "cookie", "name": "c"});
        spec["paths"]["/at-root"]["post"]["parameters"][0]["in"] = json!("cookie");
        spec["paths"]["/at-root"]["post"]["servers"][0]["url"] = json!("https://fixed.example");
        let problems = Api::read(&spec).unwrap_err();
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        assert!(
            pointers.contains(&"#/components/securitySchemes/Cookie"),
            "{problems:?}"
        );
        assert!(
            pointers.contains(&"#/paths/~1at-root/post/parameters/0"),
            "{problems:?}"
        );
        assert!(
            pointers.contains(&"#/paths/~1at-root/post/servers/0"),
            "{problems:?}"
        );
    }
}
