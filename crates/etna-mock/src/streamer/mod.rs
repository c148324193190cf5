//! The mock's streamers, as `openapi/etna-streaming.yaml` describes them:
//! one WebSocket server per server of the document (`quote`, `data`), each
//! on its own port of 127.0.0.1, each with the handshake of its channel's
//! `ws` binding; the exchange's events go to the connections subscribed to
//! them (`hub.rs`), written from the document (`events.rs`).
//!
//! This module is also the scenario of the two REST operations of
//! streaming (`get_streamers`, `recover_streamer_session`): the one table
//! of their names is [`names`]. The commands and the answer to the
//! connection are read from the document (`x-etna-command`,
//! `x-etna-session-reply`).
//! Each trader has one live streamer session id per streamer, minted when
//! first asked for (32 bytes of the OS's randomness, as the mock's
//! tokens); recovering mints a new one and ends the old one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::response::Response;
use serde_json::Value;

use crate::envelope::{Answers, json_response};
use crate::error::{Error, spec};
use crate::scenario::{Request, Scenario};
use crate::sessions::random_token;

pub(crate) mod events;
pub(crate) mod hub;
mod socket;

pub(crate) use socket::serve;

use hub::{Hub, Kick};

/// The names of streaming's REST operations and what they carry, and the
/// status of a refused connection: the one place they are written (each
/// is checked against the documents by a test).
pub(crate) mod names {
    pub(crate) const GET_STREAMERS: &str = "get_streamers";
    pub(crate) const RECOVER: &str = "recover_streamer_session";
    /// `recover_streamer_session`'s query parameter.
    pub(crate) const SESSION_TYPE: &str = "sessionType";
    /// An entry of `get_streamers`' lists.
    pub(crate) const URL: &str = "Url";
    pub(crate) const ADDRESS_SESSION: &str = "SessionId";
    /// `recover_streamer_session`'s new id.
    pub(crate) const RECOVERED: &str = "Id";
    /// Each streamer (a server of the AsyncAPI document): the list of
    /// `get_streamers` that gives it, and its `sessionType`.
    pub(crate) const KINDS: [(&str, &str, &str); 2] = [
        ("quote", "QuoteAddresses", "1"),
        ("data", "DataAddresses", "0"),
    ];

    /// What the mock answers a refused connection with, in the reply's
    /// `x-etna-session-reply` status property: the documentation's value
    /// (the extension names only the one meaning success).
    pub(crate) const REFUSED: &str = "Error";
}

/// The handshake of the document's channels (their `ws` binding).
#[derive(Clone, Debug)]
pub(crate) struct Handshake {
    pub(crate) path: String,
    pub(crate) user: String,
    pub(crate) password: String,
    pub(crate) fixed: Vec<(String, String)>,
}

/// A command as the document's `x-etna-command` describes it.
#[derive(Clone, Debug)]
pub(crate) struct Command {
    /// Its `const` properties: a frame is this command when it has them all.
    pub(crate) fixed: Vec<(String, Value)>,
    pub(crate) session: String,
    pub(crate) entity: String,
    pub(crate) keys: String,
    pub(crate) separator: String,
}

/// The answer to the connection, as `x-etna-session-reply` describes it.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub(crate) fixed: Vec<(String, Value)>,
    pub(crate) status: String,
    pub(crate) ok: String,
    pub(crate) session: String,
}

/// The commands (`subscribe`, `unsubscribe`) and the reply of the document.
#[derive(Clone, Debug)]
pub(crate) struct Commands {
    pub(crate) subscribe: Command,
    pub(crate) unsubscribe: Command,
    pub(crate) reply: Reply,
}

impl Commands {
    fn read(doc: &Value) -> Result<Self, Error> {
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .ok_or_else(|| spec("the streaming document has no #/components/schemas"))?;
        let mut subscribe = None;
        let mut unsubscribe = None;
        let mut reply = None;
        for (name, schema) in schemas {
            let at = format!("#/components/schemas/{}", etna_spec::pointer::escape(name));
            let fixed = consts(schema);
            if let Some(command) = schema.get("x-etna-command") {
                let role = |role: &str| {
                    command
                        .get(role)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| spec(format!("{at}/x-etna-command/{role} is needed")))
                };
                let read = Command {
                    fixed,
                    session: role("session")?,
                    entity: role("entity")?,
                    keys: role("keys")?,
                    separator: role("separator")?,
                };
                match role("action")?.as_str() {
                    "subscribe" => subscribe = Some(read),
                    "unsubscribe" => unsubscribe = Some(read),
                    other => {
                        return Err(spec(format!(
                            "{at}/x-etna-command/action: {other:?} is not subscribe or unsubscribe"
                        )));
                    }
                }
            } else if let Some(roles) = schema.get("x-etna-session-reply") {
                let role = |role: &str| {
                    roles
                        .get(role)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| spec(format!("{at}/x-etna-session-reply/{role} is needed")))
                };
                reply = Some(Reply {
                    fixed,
                    status: role("status")?,
                    ok: role("ok")?,
                    session: role("session")?,
                });
            }
        }
        let missing = |what: &str| spec(format!("the streaming document has no {what}"));
        Ok(Self {
            subscribe: subscribe.ok_or_else(|| missing("x-etna-command with action subscribe"))?,
            unsubscribe: unsubscribe
                .ok_or_else(|| missing("x-etna-command with action unsubscribe"))?,
            reply: reply.ok_or_else(|| missing("x-etna-session-reply"))?,
        })
    }
}

/// The `const` properties of a schema.
fn consts(schema: &Value) -> Vec<(String, Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, property)| Some((name.clone(), property.get("const")?.clone())))
        .collect()
}

/// What the exchange's events need: the document's messages, and a hub per
/// streamer.
pub(crate) struct Outlets {
    pub(crate) messages: events::Messages,
    /// By server name, in the order of [`names::KINDS`].
    pub(crate) hubs: Vec<(String, Hub)>,
    /// The server of each message (entity type).
    entity_server: HashMap<String, usize>,
    pub(crate) handshake: Handshake,
    pub(crate) commands: Commands,
}

impl Outlets {
    pub(crate) fn read(text: &str) -> Result<Self, Error> {
        let (doc, order) =
            etna_spec::parse_with_order(text).map_err(|e| spec(format!("etna-streaming: {e}")))?;
        let messages = events::Messages::read(&doc, &order)?;
        let commands = Commands::read(&doc)?;
        let hubs: Vec<(String, Hub)> = names::KINDS
            .iter()
            .map(|(server, _, _)| ((*server).to_owned(), Hub::default()))
            .collect();
        let mut entity_server = HashMap::new();
        let mut handshake = None;
        let channels = doc
            .get("channels")
            .and_then(Value::as_object)
            .ok_or_else(|| spec("the streaming document has no channels"))?;
        for (name, channel) in channels {
            let at = format!("#/channels/{}", etna_spec::pointer::escape(name));
            let server = channel
                .pointer("/servers/0/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/servers/"))
                .ok_or_else(|| spec(format!("{at}/servers: a $ref to a server is needed")))?;
            let Some(index) = hubs.iter().position(|(s, _)| s == server) else {
                return Err(spec(format!(
                    "{at}/servers: the mock knows the servers {:?} only",
                    names::KINDS.map(|k| k.0)
                )));
            };
            for message in channel
                .get("messages")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values())
            {
                if let Some(name) = follow(&doc, message).and_then(|m| m.get("name")) {
                    entity_server.insert(name.as_str().unwrap_or_default().to_owned(), index);
                }
            }
            if handshake.is_none() {
                handshake = Some(read_handshake(&doc, channel, &at)?);
            }
        }
        Ok(Self {
            messages,
            hubs,
            entity_server,
            handshake: handshake.ok_or_else(|| spec("the streaming document has no channel"))?,
            commands,
        })
    }

    /// The hub of the streamer that sends `entity`'s messages.
    pub(crate) fn hub_of(&self, entity: &str) -> Option<(usize, &Hub)> {
        let index = *self.entity_server.get(entity)?;
        Some((index, &self.hubs[index].1))
    }

    /// Queues the message `entity` (written from REST's `rest` JSON text
    /// and `given`) for `key`'s subscribers, when there are any.
    pub(crate) fn publish(
        &self,
        entity: &str,
        key: &str,
        rest: impl FnOnce() -> Option<(String, Vec<(&'static str, String)>)>,
    ) {
        let Some((_, hub)) = self.hub_of(entity) else {
            return;
        };
        if !hub.listened(entity, key) {
            return;
        }
        if let Some((rest, given)) = rest()
            && let Some(text) = self.messages.write(entity, &rest, &given)
        {
            hub.publish(entity, key, text.into());
        }
    }

    /// Whether any streamer has a connection.
    pub(crate) fn anyone(&self) -> bool {
        self.hubs.iter().any(|(_, hub)| hub.len() > 0)
    }
}

fn follow<'a>(doc: &'a Value, value: &'a Value) -> Option<&'a Value> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(target) => follow(doc, doc.pointer(target.strip_prefix('#')?)?),
        None => Some(value),
    }
}

fn read_handshake(doc: &Value, channel: &Value, at: &str) -> Result<Handshake, Error> {
    let path = channel
        .get("address")
        .and_then(Value::as_str)
        .ok_or_else(|| spec(format!("{at}/address is needed")))?
        .to_owned();
    let query = channel
        .get("bindings")
        .and_then(|b| follow(doc, b))
        .and_then(|b| b.pointer("/ws/query"))
        .and_then(|q| follow(doc, q))
        .ok_or_else(|| {
            spec(format!(
                "{at}/bindings: a ws binding with a query is needed"
            ))
        })?;
    let properties = query
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| spec(format!("{at}/bindings/ws/query: properties are needed")))?;
    let mut password = None;
    let mut user = None;
    let mut fixed = Vec::new();
    for (name, schema) in properties {
        if let Some(value) = schema.get("const").and_then(Value::as_str) {
            fixed.push((name.clone(), value.to_owned()));
        } else if schema.get("format").and_then(Value::as_str) == Some("password") {
            password = Some(name.clone());
        } else {
            user = Some(name.clone());
        }
    }
    match (user, password) {
        (Some(user), Some(password)) => Ok(Handshake {
            path,
            user,
            password,
            fixed,
        }),
        _ => Err(spec(format!(
            "{at}/bindings/ws/query: one `format: password` parameter and one other (the user) are needed"
        ))),
    }
}

/// The streamers' state beside the exchange: their addresses and each
/// trader's streamer session ids.
pub(crate) struct Streamers {
    pub(crate) outlets: Arc<Outlets>,
    /// `ws://127.0.0.1:port` of each streamer, in the order of the hubs.
    urls: Vec<String>,
    /// The live streamer session id of each (trader, streamer).
    ids: Mutex<HashMap<(usize, usize), String>>,
}

impl Streamers {
    pub(crate) fn new(outlets: Arc<Outlets>, urls: Vec<String>) -> Self {
        Self {
            outlets,
            urls,
            ids: Mutex::new(HashMap::new()),
        }
    }

    fn ids(&self) -> std::sync::MutexGuard<'_, HashMap<(usize, usize), String>> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The trader's live id for streamer `kind`, minted if it has none.
    fn id_of(&self, trader: usize, kind: usize) -> String {
        self.ids()
            .entry((trader, kind))
            .or_insert_with(random_token)
            .clone()
    }

    /// Whether `id` is the trader's live id for streamer `kind`.
    pub(crate) fn admits(&self, trader: usize, kind: usize, id: &str) -> bool {
        self.ids()
            .get(&(trader, kind))
            .is_some_and(|live| live == id)
    }

    /// Ends every streamer session id and every connection.
    pub(crate) fn expire(&self) {
        self.ids().clear();
        self.drop_connections();
    }

    pub(crate) fn urls(&self) -> &[String] {
        &self.urls
    }

    pub(crate) fn connections(&self) -> usize {
        self.outlets.hubs.iter().map(|(_, hub)| hub.len()).sum()
    }

    pub(crate) fn drop_connections(&self) {
        for (_, hub) in &self.outlets.hubs {
            hub.kick_all(Kick::Drop);
        }
    }

    fn streamers(&self, trader: usize, answers: &Answers<'_>) -> Response {
        let mut body = answers
            .documented
            .get(&200)
            .and_then(|examples| examples.first())
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| Value::Object(Default::default()));
        if let Some(object) = body.as_object_mut() {
            for (kind, (_, list, _)) in names::KINDS.iter().enumerate() {
                let mut entry = object
                    .get(*list)
                    .and_then(|l| l.get(0))
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Default::default()));
                if let Some(entry) = entry.as_object_mut() {
                    entry.insert(names::URL.into(), self.urls[kind].clone().into());
                    entry.insert(
                        names::ADDRESS_SESSION.into(),
                        self.id_of(trader, kind).into(),
                    );
                }
                object.insert((*list).to_owned(), Value::Array(vec![entry]));
            }
        }
        json_response(200, &body)
    }

    fn recover(&self, trader: usize, request: &Request<'_>, answers: &Answers<'_>) -> Response {
        let given = request
            .query
            .get(names::SESSION_TYPE)
            .map(String::as_str)
            .unwrap_or_default();
        let Some(kind) = names::KINDS.iter().position(|(_, _, t)| *t == given) else {
            return answers.invalid(vec![(
                "sessionType is 0 (data) or 1 (quote).".into(),
                "InvalidSessionType".into(),
            )]);
        };
        let id = random_token();
        self.ids().insert((trader, kind), id.clone());
        let mut body = answers
            .documented
            .get(&200)
            .and_then(|examples| examples.first())
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| Value::Object(Default::default()));
        if let Some(object) = body.as_object_mut() {
            object.insert(names::RECOVERED.into(), id.into());
        }
        json_response(200, &body)
    }
}

impl Scenario for Streamers {
    fn answer(
        &self,
        operation: &str,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Option<Response> {
        if operation != names::GET_STREAMERS && operation != names::RECOVER {
            return None;
        }
        // The generic layer checked the Bearer session; without one (a
        // stateless server) the example answers.
        let trader = request.session.as_ref()?.account;
        Some(if operation == names::GET_STREAMERS {
            self.streamers(trader, answers)
        } else {
            self.recover(trader, request, answers)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_are_the_documents() {
        let (doc, _) = etna_spec::parse_with_order(crate::STREAMING_SPEC).unwrap();
        let codes = doc
            .pointer("/components/schemas/CreateSessionReply/properties/StatusCode/examples")
            .unwrap();
        assert!(codes.as_array().unwrap().contains(&names::REFUSED.into()));
        for (server, _, _) in names::KINDS {
            assert!(doc["servers"][server].is_object(), "{server}");
        }

        let rest = etna_spec::parse(crate::SPEC).unwrap();
        let operations: Vec<String> = etna_spec::operations(&rest)
            .into_iter()
            .map(|op| op.id.to_owned())
            .collect();
        assert!(operations.iter().any(|id| id == names::GET_STREAMERS));
        assert!(operations.iter().any(|id| id == names::RECOVER));
        let addresses = &rest["components"]["schemas"]["StreamerAddresses"]["properties"];
        for (_, list, _) in names::KINDS {
            assert!(addresses[list].is_object(), "{list}");
        }
        let address = &rest["components"]["schemas"]["StreamerAddress"]["properties"];
        assert!(address[names::URL].is_object());
        assert!(address[names::ADDRESS_SESSION].is_object());
        assert!(
            rest["components"]["schemas"]["StreamerSession"]["properties"][names::RECOVERED]
                .is_object()
        );
        let recover = serde_json::to_string(&rest["paths"]["/streamers/session/recover"]).unwrap();
        assert!(recover.contains(&format!("\"name\":\"{}\"", names::SESSION_TYPE)));
    }

    #[test]
    fn the_handshake_and_the_servers_of_the_messages_come_from_the_document() {
        let outlets = Outlets::read(crate::STREAMING_SPEC).unwrap();
        let handshake = &outlets.handshake;
        assert_eq!(handshake.path, "/CreateSession.txt");
        assert_eq!(
            (handshake.user.as_str(), handshake.password.as_str()),
            ("User", "Password")
        );
        assert_eq!(
            handshake.fixed,
            vec![("HttpClientType".to_owned(), "WebSocket".to_owned())]
        );
        assert_eq!(outlets.hub_of("Quote").unwrap().0, 0);
        assert_eq!(outlets.hub_of("Order").unwrap().0, 1);
        assert!(outlets.hub_of("Nope").is_none());
        let commands = &outlets.commands;
        let cmd = |c: &Command| c.fixed.iter().find(|(n, _)| n == "Cmd").unwrap().1.clone();
        assert_eq!(cmd(&commands.subscribe), "Subscribe.txt");
        assert_eq!(cmd(&commands.unsubscribe), "Unsubscribe.txt");
        let subscribe = &commands.subscribe;
        assert_eq!(
            (
                &*subscribe.session,
                &*subscribe.entity,
                &*subscribe.keys,
                &*subscribe.separator
            ),
            ("SessionId", "EntityType", "Keys", ";")
        );
        let reply = &commands.reply;
        assert_eq!(
            (&*reply.status, &*reply.ok, &*reply.session),
            ("StatusCode", "Ok", "SessionId")
        );
        assert_eq!(
            reply.fixed,
            vec![("Cmd".to_owned(), "CreateSession.txt".into())]
        );
    }
}
