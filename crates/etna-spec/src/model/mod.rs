//! The typed view of the spec's operations that codegen, the mock, the CLI
//! and drift read: each operation's effective server, its security
//! requirements resolved to schemes, its parameters by location and its
//! responses by status with the kind of body, and the envelope's roles,
//! read once. A construct this model cannot express is a [`ModelError`]
//! naming its JSON pointer, never a silent guess.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{follow, pointer};

mod bodies;
mod read;
#[cfg(test)]
mod tests;

use bodies::{body_kind, envelope_roles, page_roles};
pub use bodies::{composes, is_secret, is_secret_schema, secret_properties};
use read::{parameter, problem, refuses, schemes, security_of, server};

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
    /// The page envelope's roles (`x-etna-page`), when the spec declares them.
    pub page: Option<PageRoles>,
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
    /// The security scheme whose credential this answer says was refused
    /// (`x-etna-refuses`, e.g. the app key's 403): OpenAPI cannot tie a
    /// response to a scheme, so the spec says it with this extension.
    pub refuses: Option<String>,
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

    /// The status of the documented answer that says the credential of
    /// `scheme` was refused (`x-etna-refuses`), if any.
    pub fn refusal_of(&self, scheme: &str) -> Option<u16> {
        self.responses
            .iter()
            .find(|r| r.refuses.as_deref() == Some(scheme))
            .map(|r| r.status)
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

/// The page envelope's property names by role (`x-etna-page`): what a
/// generic pager reads of any answer that composes the marked schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRoles {
    /// The schema that declares them.
    pub schema: String,
    /// The array of the page's items.
    pub items: String,
    /// The absolute URL of the next page (empty or null on the last); a
    /// page without it is always the last.
    pub next: Option<String>,
    /// The absolute URL of the previous page, when the spec names it.
    pub previous: Option<String>,
    /// The count of the items of all pages, when the spec names it.
    pub total: Option<String>,
}

impl<'a> Api<'a> {
    /// Reads the spec. Every construct the model cannot express is reported,
    /// all at once.
    pub fn read(spec: &'a Value) -> Result<Self, Vec<ModelError>> {
        let mut problems = Vec::new();
        let schemes = schemes(spec, &mut problems);
        let envelope = envelope_roles(spec, &mut problems);
        let page = page_roles(spec, &mut problems);
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
                    let code: u16 = status.parse().ok()?;
                    let response = follow(spec, response).unwrap_or(&Value::Null);
                    let kind = body_kind(spec, response, envelope.as_ref());
                    let at = pointer::push(&pointer::push(&op.at, "responses"), status);
                    let refuses = refuses(response, &at, &schemes, &security, &mut problems);
                    Some(Response {
                        status: code,
                        kind,
                        refuses,
                    })
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
                page,
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
