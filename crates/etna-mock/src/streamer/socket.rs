//! One streamer's WebSocket server: the handshake its channel's binding
//! describes, the answer to it, the commands, and the queue of events
//! written to the socket.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

use super::hub::{Joined, Kick, Out};
use super::{Command, Reply, Streamers, names};
use crate::exchange::Exchange;
use crate::sessions::random_token;

/// The largest command a client may send: a `Subscribe.txt` of a few
/// hundred keys fits many times over.
const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// How many keys one command may name; more are ignored.
const MAX_KEYS: usize = 1000;

struct Endpoint {
    kind: usize,
    streamers: Arc<Streamers>,
    exchange: Arc<Exchange>,
}

/// The router of streamer `kind` (the index of its hub).
pub(crate) fn serve(kind: usize, streamers: Arc<Streamers>, exchange: Arc<Exchange>) -> Router {
    let path = streamers.outlets.handshake.path.clone();
    let endpoint = Arc::new(Endpoint {
        kind,
        streamers,
        exchange,
    });
    Router::new().route(&path, get(handshake).with_state(endpoint))
}

async fn handshake(
    State(endpoint): State<Arc<Endpoint>>,
    uri: Uri,
    upgrade: WebSocketUpgrade,
) -> Response {
    let query: BTreeMap<String, String> = uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let trader = admit(&endpoint, &query);
    upgrade
        .max_message_size(MAX_COMMAND_BYTES)
        .on_upgrade(move |socket| run(socket, endpoint, trader))
}

/// The trader a handshake's query names, when its streamer session id is
/// that trader's live one for this streamer. `User` is the user ID alone:
/// the document's reading; `7125:<anything>` is refused.
fn admit(endpoint: &Endpoint, query: &BTreeMap<String, String>) -> Option<usize> {
    let handshake = &endpoint.streamers.outlets.handshake;
    for (name, value) in &handshake.fixed {
        if query.get(name) != Some(value) {
            return None;
        }
    }
    let user = query.get(&handshake.user)?;
    let password = query.get(&handshake.password)?;
    let trader = endpoint.exchange.trader_of_user(user)?;
    endpoint
        .streamers
        .admits(trader, endpoint.kind, password)
        .then_some(trader)
}

/// The answer to the connection, as the document's `x-etna-session-reply`
/// says: its `const`s, the status, and the session id when it is `Ok`.
fn reply(roles: &Reply, session: Option<&str>) -> Message {
    let mut reply: serde_json::Map<String, Value> = roles.fixed.iter().cloned().collect();
    match session {
        Some(id) => {
            reply.insert(roles.status.clone(), roles.ok.clone().into());
            reply.insert(roles.session.clone(), id.into());
        }
        None => {
            reply.insert(roles.status.clone(), names::REFUSED.into());
        }
    }
    Message::Text(Value::Object(reply).to_string().into())
}

async fn run(mut socket: WebSocket, endpoint: Arc<Endpoint>, trader: Option<usize>) {
    let outlets = &endpoint.streamers.outlets;
    let hub = &outlets.hubs[endpoint.kind].1;
    let joined = trader.and_then(|trader| Some((trader, hub.join()?)));
    let Some((trader, joined)) = joined else {
        let _ = socket.send(reply(&outlets.commands.reply, None)).await;
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code: close_code::POLICY,
                reason: "etna-mock: the streamer session id is not live for this user".into(),
            })))
            .await;
        return;
    };
    let Joined {
        id,
        mut rx,
        mut kick,
    } = joined;
    let session = random_token();
    let mut ended = socket
        .send(reply(&outlets.commands.reply, Some(&session)))
        .await
        .is_err();
    while !ended {
        tokio::select! {
            biased;
            why = &mut kick => {
                if why == Ok(Kick::Overrun) {
                    close_slowly(&mut socket).await;
                }
                // `Kick::Drop` (and a hub gone): the socket goes as it is,
                // without a closing handshake, as a broken network does.
                break;
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => command(&endpoint, trader, id, &session, &text),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => ended = true,
                Some(Ok(_)) => {}
            },
            out = rx.recv() => match out {
                Some(Out::One(text)) => ended = !send(&mut socket, &mut kick, Message::Text(text)).await,
                Some(Out::Many(texts)) => {
                    for text in texts {
                        if !send(&mut socket, &mut kick, Message::Text(text.into())).await {
                            ended = true;
                            break;
                        }
                    }
                }
                None => ended = true,
            },
        }
    }
    hub.leave(id);
}

/// Sends one message unless the hub ends the connection meanwhile (a
/// client that does not read would hold the send forever).
async fn send(
    socket: &mut WebSocket,
    kick: &mut tokio::sync::oneshot::Receiver<Kick>,
    message: Message,
) -> bool {
    tokio::select! {
        biased;
        _ = kick => false,
        sent = socket.send(message) => sent.is_ok(),
    }
}

/// Tells a client that read too slowly why it is disconnected, if its
/// socket takes the close frame within a moment.
async fn close_slowly(socket: &mut WebSocket) {
    let close = Message::Close(Some(CloseFrame {
        code: close_code::AGAIN,
        reason: "etna-mock: the client read too slowly; its queue of events was full".into(),
    }));
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), socket.send(close)).await;
}

fn command(endpoint: &Endpoint, trader: usize, conn: u64, session: &str, text: &str) {
    let Ok(Value::Object(frame)) = serde_json::from_str::<Value>(text) else {
        // The documentation gives no error message for a command: none.
        return;
    };
    let commands = &endpoint.streamers.outlets.commands;
    let is = |command: &Command| {
        command
            .fixed
            .iter()
            .all(|(name, value)| frame.get(name) == Some(value))
    };
    let (subscribe, command) = if is(&commands.subscribe) {
        (true, &commands.subscribe)
    } else if is(&commands.unsubscribe) {
        (false, &commands.unsubscribe)
    } else {
        return;
    };
    let field = |name: &str| frame.get(name).and_then(Value::as_str);
    if field(&command.session) != Some(session) {
        return;
    }
    let (Some(entity), Some(keys)) = (field(&command.entity), field(&command.keys)) else {
        return;
    };
    let Some((kind, hub)) = endpoint.streamers.outlets.hub_of(entity) else {
        return;
    };
    if kind != endpoint.kind {
        return;
    }
    let keys = keys
        .split(command.separator.as_str())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .take(MAX_KEYS);
    for key in keys {
        if subscribe {
            endpoint.exchange.subscribe(
                &endpoint.streamers.outlets,
                hub,
                conn,
                trader,
                entity,
                key,
            );
        } else {
            hub.unsubscribe(conn, &(entity.to_owned(), key.to_owned()));
        }
    }
}
