//! A raw streamer on 127.0.0.1 (tokio-tungstenite), the REST side of
//! streaming on wiremock, and a small `Protocol` shaped as the AsyncAPI
//! document's messages, for the streaming runtime's tests.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use etna_client::stream::{Handshake, Protocol, SessionReply};
use etna_client::{Client, Secret};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{APP_KEY, TOKEN};

/// The trader's user ID the REST side answers.
pub const USER_ID: i32 = 644;
/// What the streamers accept first; no output may contain them.
pub const DATA_SESSION: &str = "data-streamer-sess-41f0";
pub const QUOTE_SESSION: &str = "quote-streamer-sess-8c2d";
/// What `recover_streamer_session` answers.
pub const RECOVERED_SESSION: &str = "recovered-streamer-sess-55e1";
/// The id a streamer's session reply gives (every command carries it).
pub const REPLY_SESSION: &str = "6210cb85-c6bb-44f1-a53b-0e43669bd6f4";

/// Every streamer credential of these tests.
pub const STREAMER_SECRETS: [&str; 4] = [
    DATA_SESSION,
    QUOTE_SESSION,
    RECOVERED_SESSION,
    REPLY_SESSION,
];

pub fn assert_no_streamer_secrets(what: &str, text: &str) {
    crate::support::assert_no_secrets(what, text);
    for secret in STREAMER_SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret:?}: {text}");
    }
}

/// The hang guard of every wait: never a timed assertion.
pub const GUARD: Duration = Duration::from_secs(20);

pub async fn guard<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(GUARD, future)
        .await
        .unwrap_or_else(|_| panic!("hang guard: {what}"))
}

// The test protocol: the document's handshake, commands and session reply,
// and two of its messages, each with the fields a test reads.

pub struct Doc;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "EntityType")]
pub enum Event {
    Order {
        #[serde(rename = "Id")]
        id: String,
        #[serde(rename = "Status")]
        status: String,
    },
    Quote {
        #[serde(rename = "Key")]
        key: String,
        #[serde(rename = "Last")]
        last: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Order,
    Quote,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

fn command(cmd: &str, session: &Secret, entity: Entity, keys: &str) -> String {
    json!({
        "Cmd": cmd,
        "SessionId": session.expose(),
        "Keys": keys,
        "EntityType": entity.to_string(),
        "HttpClientType": "WebSocket",
    })
    .to_string()
}

impl Protocol for Doc {
    type Event = Event;
    type Entity = Entity;

    const HANDSHAKE: Handshake = Handshake {
        path: "/CreateSession.txt",
        user: "User",
        password: "Password",
        fixed: &[("HttpClientType", "WebSocket")],
    };

    const KEY_SEPARATOR: &'static str = ";";

    fn server(entity: Entity) -> &'static str {
        match entity {
            Entity::Order => "data",
            Entity::Quote => "quote",
        }
    }

    fn entity(event: &Event) -> Entity {
        match event {
            Event::Order { .. } => Entity::Order,
            Event::Quote { .. } => Entity::Quote,
        }
    }

    fn latest_key(event: &Event) -> Option<String> {
        match event {
            Event::Quote { key, .. } => Some(key.clone()),
            Event::Order { .. } => None,
        }
    }

    fn subscribe(session: &Secret, entity: Entity, keys: &str) -> String {
        command("Subscribe.txt", session, entity, keys)
    }

    fn unsubscribe(session: &Secret, entity: Entity, keys: &str) -> String {
        command("Unsubscribe.txt", session, entity, keys)
    }

    fn session_reply(frame: &str) -> Option<SessionReply> {
        let value: Value = serde_json::from_str(frame).ok()?;
        if value["Cmd"] != "CreateSession.txt" {
            return None;
        }
        Some(match (&value["StatusCode"], value["SessionId"].as_str()) {
            (status, Some(id)) if status == "Ok" => SessionReply::Ok(Secret::new(id)),
            _ => SessionReply::Refused,
        })
    }

    fn unlisted(frame: &str) -> Option<String> {
        let value: Value = serde_json::from_str(frame).ok()?;
        let entity = value["EntityType"].as_str()?;
        (!["Order", "Quote"].contains(&entity)).then(|| entity.to_owned())
    }
}

pub fn order(id: u32, status: &str) -> String {
    json!({"EntityType": "Order", "Id": id.to_string(), "Status": status, "Quantity": "100.00000"})
        .to_string()
}

pub fn quote(key: u32, last: &str) -> String {
    json!({"EntityType": "Quote", "Key": key.to_string(), "Last": last}).to_string()
}

// The raw streamer.

/// How the streamer treats connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The documented handshake and session reply.
    Normal,
    /// Accepts the WebSocket and never answers the session.
    NoReply,
    /// After the session reply, reads nothing more (no pong); the next
    /// connections are served as `Normal`.
    Silent,
    /// Answers the upgrade with HTTP 403.
    HttpRefusal,
}

#[derive(Default)]
struct State {
    /// Every connection accepted at TCP level.
    accepted: usize,
    /// Each WebSocket handshake's query.
    handshakes: Vec<String>,
    /// Every text frame received, in order.
    commands: Vec<String>,
    /// Passwords accepted now.
    valid: HashSet<String>,
    /// The live connections' outboxes.
    outboxes: Vec<mpsc::UnboundedSender<Out>>,
    /// How the next connections are treated.
    mode: Option<Mode>,
    /// Live connections the client closed (or dropped).
    closed: usize,
}

enum Out {
    Text(String),
    /// A ping the test waits for the answer to.
    Sync(mpsc::UnboundedSender<()>),
    Close,
}

#[derive(Clone)]
pub struct Streamer {
    pub port: u16,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
}

impl Streamer {
    pub async fn start(valid: &str) -> Self {
        Self::start_on("127.0.0.1", valid).await
    }

    pub async fn start_on(ip: &str, valid: &str) -> Self {
        let listener = TcpListener::bind((ip, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            valid: HashSet::from([valid.to_owned()]),
            mode: Some(Mode::Normal),
            ..State::default()
        }));
        let changed = Arc::new(Notify::new());
        let streamer = Self {
            port,
            state,
            changed,
        };
        let server = streamer.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move { server.serve(stream).await });
            }
        });
        streamer
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    /// Ends every session id: the next handshakes are refused until
    /// `accept` names a new one.
    pub fn expire(&self) {
        self.state.lock().unwrap().valid.clear();
    }

    pub fn accept(&self, password: &str) {
        self.state.lock().unwrap().valid.insert(password.to_owned());
    }

    pub fn accepted(&self) -> usize {
        self.state.lock().unwrap().accepted
    }

    pub fn handshakes(&self) -> Vec<String> {
        self.state.lock().unwrap().handshakes.clone()
    }

    pub fn closed(&self) -> usize {
        self.state.lock().unwrap().closed
    }

    pub fn commands(&self) -> Vec<String> {
        self.state.lock().unwrap().commands.clone()
    }

    /// Waits (hang-guarded) until `done` holds of the state.
    pub async fn wait(&self, what: &str, done: impl Fn(&Streamer) -> bool) {
        guard(what, async {
            loop {
                let notified = self.changed.notified();
                if done(self) {
                    return;
                }
                notified.await;
            }
        })
        .await;
    }

    /// Sends frames to every live connection, then a ping, and waits for
    /// its pong: the client's reader has read every frame before it.
    pub async fn push_and_sync(&self, frames: &[String]) {
        self.wait("a live connection", |s| {
            !s.state.lock().unwrap().outboxes.is_empty()
        })
        .await;
        let outboxes = self.state.lock().unwrap().outboxes.clone();
        let mut answers = Vec::new();
        for outbox in &outboxes {
            for frame in frames {
                let _ = outbox.send(Out::Text(frame.clone()));
            }
            let (tx, rx) = mpsc::unbounded_channel();
            let _ = outbox.send(Out::Sync(tx));
            answers.push(rx);
        }
        for mut answer in answers {
            guard("the pong after the frames", answer.recv()).await;
        }
    }

    /// Closes every live connection.
    pub fn drop_connections(&self) {
        let outboxes = std::mem::take(&mut self.state.lock().unwrap().outboxes);
        for outbox in outboxes {
            let _ = outbox.send(Out::Close);
        }
    }

    fn note(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.state.lock().unwrap());
        self.changed.notify_waiters();
    }

    async fn serve(self, mut stream: TcpStream) {
        self.note(|s| s.accepted += 1);
        let mode = {
            let mut state = self.state.lock().unwrap();
            let mode = state.mode.unwrap_or(Mode::Normal);
            if mode == Mode::Silent {
                state.mode = Some(Mode::Normal);
            }
            mode
        };
        if mode == Mode::HttpRefusal {
            let _ = stream
                .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                .await;
            return;
        }
        let mut query = String::new();
        // tungstenite's callback type, whose error is an HTTP response.
        #[allow(clippy::result_large_err)]
        let callback = |request: &Request, response: Response| {
            query = format!(
                "{}?{}",
                request.uri().path(),
                request.uri().query().unwrap_or("")
            );
            Ok(response)
        };
        let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
            return;
        };
        let password = url_query(&query, "Password");
        self.note(|s| s.handshakes.push(query.clone()));
        if mode == Mode::NoReply {
            // Holds the socket open, reading, never answering.
            while socket.next().await.is_some() {}
            return;
        }
        let valid = self.state.lock().unwrap().valid.contains(&password);
        if !valid {
            let refused = json!({"Cmd": "CreateSession.txt", "StatusCode": "Error"});
            let _ = socket.send(Message::text(refused.to_string())).await;
            let _ = socket.close(None).await;
            return;
        }
        let reply =
            json!({"Cmd": "CreateSession.txt", "StatusCode": "Ok", "SessionId": REPLY_SESSION});
        if socket.send(Message::text(reply.to_string())).await.is_err() {
            return;
        }
        if mode == Mode::Silent {
            // Neither reads nor answers pings, holding the connection until
            // the client gives up on it.
            let _keep = socket;
            std::future::pending::<()>().await;
            return;
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        self.note(|s| s.outboxes.push(tx));
        let mut syncs: Vec<mpsc::UnboundedSender<()>> = Vec::new();
        loop {
            tokio::select! {
                out = rx.recv() => match out {
                    Some(Out::Text(text)) => {
                        if socket.send(Message::text(text)).await.is_err() { return; }
                    }
                    Some(Out::Sync(answer)) => {
                        syncs.push(answer);
                        if socket.send(Message::Ping("sync".into())).await.is_err() { return; }
                    }
                    Some(Out::Close) | None => {
                        let _ = socket.close(None).await;
                        return;
                    }
                },
                frame = socket.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        let text = text.to_string();
                        self.note(|s| s.commands.push(text));
                    }
                    Some(Ok(Message::Pong(payload))) if payload.as_ref() == b"sync" => {
                        for answer in syncs.drain(..) {
                            let _ = answer.send(());
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => {
                        self.note(|s| s.closed += 1);
                        return;
                    }
                },
            }
        }
    }
}

fn url_query(path_and_query: &str, name: &str) -> String {
    let query = path_and_query.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded_pairs(query)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The query of a recorded handshake, as pairs.
pub fn handshake_pairs(recorded: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = recorded.split_once('?').unwrap_or((recorded, ""));
    (path.to_owned(), form_urlencoded_pairs(query))
}

// The REST side.

/// The API's REST side on wiremock: `get_streamers` answering `data` and
/// `quote` (the data address with or without its session id), the user's
/// info, and `recover_streamer_session`.
pub struct Rest {
    pub server: MockServer,
}

impl Rest {
    pub async fn start(data: &str, data_session: Option<&str>, quote: &str) -> Self {
        let server = MockServer::start().await;
        let mut data_address = json!({"Url": data, "Type": "Delayed"});
        if let Some(session) = data_session {
            data_address["SessionId"] = json!(session);
        }
        Mock::given(method("GET"))
            .and(path("/v1.0/streamers"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "QuoteAddresses": [{"Url": quote, "Type": "Delayed", "SessionId": QUOTE_SESSION}],
                "DataAddresses": [data_address],
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1.0/users/@me/info"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"UserId": USER_ID, "Login": "robert.zak"})),
            )
            .mount(&server)
            .await;
        for session_type in ["0", "1"] {
            Mock::given(method("PUT"))
                .and(path("/v1.0/streamers/session/recover"))
                .and(query_param("sessionType", session_type))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(json!({"Id": RECOVERED_SESSION})),
                )
                .mount(&server)
                .await;
        }
        Self { server }
    }

    /// How often `recover_streamer_session` was called with `session_type`.
    pub async fn recoveries(&self, session_type: &str) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| {
                r.url.path() == "/v1.0/streamers/session/recover"
                    && r.url
                        .query_pairs()
                        .any(|(k, v)| k == "sessionType" && v == session_type)
            })
            .count()
    }

    /// A signed-in client of this API, with a short timeout.
    pub fn client(&self, timeout: Duration) -> Client {
        let client = Client::builder()
            .base_url(self.server.uri())
            .app_key(APP_KEY)
            .timeout(timeout)
            .build()
            .unwrap();
        client.set_session_token(TOKEN).unwrap();
        client
    }
}
