//! What the generator reads of an AsyncAPI 3.0 document's structure: the
//! messages `receive` operations list, with the server that sends each, and
//! the schemas marked with a role.

use etna_spec::KeyOrder;
use etna_spec::pointer::escape;
use serde_json::Value;

use crate::CodegenError;
use crate::preflight::Problem;

/// The role extension of a command's schema.
pub(super) const COMMAND: &str = "x-etna-command";
/// The role extension of the schema answering the connection.
pub(super) const SESSION_REPLY: &str = "x-etna-session-reply";
/// The extension of a pushed message that only its latest value matters.
pub(super) const LATEST_BY: &str = "x-etna-latest-by";
/// The extension naming what identifies the thing a pushed message
/// describes (a later message with the same value describes it anew).
pub(super) const IDENTITY: &str = "x-etna-identity";

/// A message some `receive` operation lists.
#[derive(Debug, Clone)]
pub(super) struct Received {
    /// `#/components/messages/<name>`.
    pub pointer: String,
    /// Its payload's component schema name.
    pub payload: String,
    /// The document's names of the servers of the channels it arrives on.
    pub servers: Vec<String>,
    /// `x-etna-latest-by`, when set.
    pub latest_by: Option<String>,
    /// `x-etna-identity`, when set.
    pub identity: Option<String>,
}

/// The document's structure, as the generator reads it.
#[derive(Debug, Default)]
pub(super) struct Doc {
    /// Every received message, once, in the order the operations list them.
    pub received: Vec<Received>,
}

impl Doc {
    /// The payload schemas of received messages.
    pub fn received_payloads(&self) -> impl Iterator<Item = &str> {
        self.received.iter().map(|r| r.payload.as_str())
    }
}

/// The target of a local `$ref`, followed.
/// `at` is the last reference followed (`#/...`), empty for no reference.
pub(super) fn local<'a>(value: &'a Value, node: &'a Value) -> Option<(&'a Value, String)> {
    node.get("$ref")?;
    etna_spec::follow_at(value, node, String::new()).ok()
}

/// The component schema name a `#/components/schemas/<name>` reference names.
pub(super) fn schema_name(reference: &str) -> Option<String> {
    match etna_spec::component(reference) {
        Some((section, name)) if section == "schemas" => Some(name),
        _ => None,
    }
}

pub(super) fn read(value: &Value, order: &KeyOrder) -> Result<Doc, CodegenError> {
    let mut doc = Doc::default();
    let mut problems = Vec::new();
    for name in order.keys("#/operations") {
        let at = format!("#/operations/{}", escape(&name));
        let operation = &value["operations"][&name];
        if operation.get("action").and_then(Value::as_str) != Some("receive") {
            continue;
        }
        let Some((channel, _)) = local(value, &operation["channel"]) else {
            problems.push(Problem {
                pointer: format!("{at}/channel"),
                message: "the operation's channel is no reference to a channel of this document"
                    .to_owned(),
            });
            continue;
        };
        let servers: Vec<String> = channel
            .get("servers")
            .and_then(Value::as_array)
            .map(|servers| {
                servers
                    .iter()
                    .filter_map(|s| s.get("$ref").and_then(Value::as_str))
                    .filter_map(|r| r.strip_prefix("#/servers/"))
                    .map(etna_spec::pointer::unescape)
                    .collect()
            })
            .unwrap_or_default();
        let messages = operation
            .get("messages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (index, message) in messages.iter().enumerate() {
            let here = format!("{at}/messages/{index}");
            let Some((message, message_at)) = local(value, message) else {
                problems.push(Problem {
                    pointer: here,
                    message: "no message of this document".to_owned(),
                });
                continue;
            };
            let Some(payload) = message
                .pointer("/payload/$ref")
                .and_then(Value::as_str)
                .and_then(schema_name)
            else {
                problems.push(Problem {
                    pointer: format!("{message_at}/payload"),
                    message: "a received message's payload must be a `$ref` to \
                              `#/components/schemas/<name>` (its type's name)"
                        .to_owned(),
                });
                continue;
            };
            if servers.len() != 1 {
                problems.push(Problem {
                    pointer: format!("{at}/channel"),
                    message: "a channel of received messages names exactly one server \
                              (the streaming client connects to it by name)"
                        .to_owned(),
                });
                continue;
            }
            let mut named = |extension: &str| match message.get(extension) {
                Some(Value::String(name)) => Some(name.clone()),
                Some(_) => {
                    problems.push(Problem {
                        pointer: format!("{message_at}/{extension}"),
                        message: "names the payload's property, as a string".to_owned(),
                    });
                    None
                }
                None => None,
            };
            let latest_by = named(LATEST_BY);
            let identity = named(IDENTITY);
            let pointer = message_at;
            match doc.received.iter_mut().find(|r| r.pointer == pointer) {
                Some(seen) => {
                    for server in &servers {
                        if !seen.servers.contains(server) {
                            seen.servers.push(server.clone());
                        }
                    }
                }
                None => doc.received.push(Received {
                    pointer,
                    payload,
                    servers: servers.clone(),
                    latest_by,
                    identity,
                }),
            }
        }
    }
    if problems.is_empty() {
        Ok(doc)
    } else {
        Err(CodegenError::Unsupported(problems))
    }
}
