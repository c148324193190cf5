//! Starting and stopping the server.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

use crate::error::{Error, spec};
use crate::exchange::{Exchange, Quote};
use crate::faults::{Fault, FaultPlan, Latency};
use crate::flow::ResetFlow;
use crate::generic::Context;
use crate::outbox::{Mail, Outbox};
use crate::scenario::{Chain, Scenario};
use crate::sessions::Sessions;
use crate::sign_in::SignIn;
use crate::streamer::{Outlets, Streamers};
use crate::{accounts, routes};

/// A running mock server on 127.0.0.1.
///
/// It stops when dropped (in-flight requests finish on their own), or when
/// [`shutdown`](Self::shutdown) is awaited, which also waits for them.
pub struct MockServer {
    addr: SocketAddr,
    outbox: Arc<Outbox>,
    flow: Option<Arc<ResetFlow>>,
    sessions: Option<Arc<Sessions>>,
    exchange: Option<Arc<Exchange>>,
    streamers: Option<Arc<Streamers>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// The streamers' servers and the clock's ticks for them.
    streaming_tasks: Vec<JoinHandle<()>>,
}

impl MockServer {
    /// The app key the server accepts unless configured otherwise. It is not a
    /// secret: the mock guards nothing.
    pub const APP_KEY: &str = "etna-mock-app-key";

    /// The login of the mock trader the README's examples act as, one of the
    /// default accounts ([`ACCOUNTS`](crate::ACCOUNTS)): one factor, so a
    /// tool can sign in as it without asking anything (`etna --mock` does,
    /// for a command that needs a session).
    pub const TRADER: &str = "robert.zak";
    /// [`TRADER`](Self::TRADER)'s password in the default accounts: the
    /// mock's own, nobody's credential.
    pub const TRADER_PASSWORD: &str = "Passw0rd!";

    /// The largest request body accepted unless configured otherwise (64 KiB);
    /// larger ones get 413.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

    /// How many messages the outbox keeps unless configured otherwise; past
    /// it the oldest goes, so memory stays bounded however long it runs.
    pub const DEFAULT_OUTBOX_CAPACITY: usize = 1000;

    /// How many tokens (sessions and interim tokens) the session table holds
    /// at most unless configured otherwise; past it the one closest to its
    /// end goes. Each takes well under a kilobyte, so the table stays
    /// within tens of megabytes however long the server runs.
    pub const DEFAULT_MAX_SESSIONS: usize = 100_000;

    /// How long a session lasts when neither the spec's Bearer scheme
    /// (`x-etna-lifetime-seconds`) nor [`MockServerBuilder::token_lifetime`]
    /// says: 24 hours, as documented.
    pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

    /// Starts a server with the embedded spec, on a port the system picks, that
    /// accepts [`APP_KEY`](Self::APP_KEY).
    pub async fn start() -> Result<Self, Error> {
        Self::builder().start().await
    }

    /// Starts a server that follows the given spec text instead of the embedded
    /// one, otherwise with the defaults of [`start`](Self::start).
    pub async fn from_spec_str(spec: &str) -> Result<Self, Error> {
        Self::builder().spec(spec).start().await
    }

    /// Starts a [`MockServerBuilder`].
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The API root to give a client, e.g. `http://127.0.0.1:43127`: each
    /// operation is served at this root, then its server's base path
    /// (`/v1.0`, any version; nothing for sign-in's `/token`), then its path,
    /// as the client builds its URLs.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The codes sent so far (reset and sign-in codes), oldest first (at most
    /// [`DEFAULT_OUTBOX_CAPACITY`](Self::DEFAULT_OUTBOX_CAPACITY) or the
    /// builder's capacity; older ones are gone). `GET /_mock/outbox` answers
    /// the same as JSON.
    pub fn outbox(&self) -> Vec<Mail> {
        self.outbox.messages()
    }

    /// Empties the outbox and returns what it held, as `DELETE /_mock/outbox`
    /// does over HTTP.
    pub fn take_outbox(&self) -> Vec<Mail> {
        self.outbox.take()
    }

    /// The code last sent to the account `login` (its login or email): a
    /// reset code, or the verification code of a two-factor sign-in.
    pub fn last_code_for(&self, login: &str) -> Option<String> {
        self.outbox
            .newest(|mail| mail.login == login || mail.to == login)
            .map(|mail| mail.code)
    }

    /// Mail as it arrives, from now on. A receiver that falls more than 256
    /// messages behind gets `RecvError::Lagged`; the outbox still has them.
    pub fn subscribe_outbox(&self) -> broadcast::Receiver<Mail> {
        self.outbox.subscribe()
    }

    /// Whether `password` is the one sign-in accepts now for the account
    /// `login` (from the accounts file, or set since by step 4 of the reset
    /// flow or `change_password`). Always false for a server without state
    /// ([`MockServerBuilder::stateless`]).
    pub fn password_is(&self, login: &str, password: &str) -> bool {
        self.flow
            .as_ref()
            .is_some_and(|flow| flow.password_is(login, password))
    }

    /// Moves the server's clock forward by `by`: sessions and interim tokens
    /// expire as if that much time had passed, so tests need not wait. It
    /// never moves back. Nothing happens on a server without state.
    pub fn advance_clock(&self, by: Duration) {
        if let Some(sessions) = &self.sessions {
            sessions.advance_clock(by);
        }
        // Quotes moved with the clock: resting orders they cross fill now.
        if let Some(exchange) = &self.exchange {
            exchange.touch();
        }
    }

    /// Sets the quote of the security `symbol` (any case) until
    /// [`release_quote`](Self::release_quote): the exchange fills what it
    /// crosses at once, and fills market orders at it. `PUT
    /// /_mock/quotes/{symbol}` does the same over HTTP. False for an unknown
    /// symbol or a server without state.
    pub fn set_quote(&self, symbol: &str, quote: Quote) -> bool {
        self.exchange
            .as_ref()
            .is_some_and(|exchange| exchange.set_quote(symbol, Some(quote)))
    }

    /// Gives the quote of `symbol` back to the clock (`DELETE
    /// /_mock/quotes/{symbol}`). False for an unknown symbol or a server
    /// without state.
    pub fn release_quote(&self, symbol: &str) -> bool {
        self.exchange
            .as_ref()
            .is_some_and(|exchange| exchange.set_quote(symbol, None))
    }

    /// The quote of `symbol` now (the set one, or the clock's); `None` for
    /// an unknown symbol or a server without state.
    pub fn quote(&self, symbol: &str) -> Option<Quote> {
        self.exchange.as_ref()?.quote_of(symbol)
    }

    /// How many tokens the session table holds now, expired ones not yet
    /// purged included (at most [`DEFAULT_MAX_SESSIONS`](Self::DEFAULT_MAX_SESSIONS)
    /// or the builder's cap); 0 on a server without state.
    pub fn session_count(&self) -> usize {
        self.sessions.as_ref().map_or(0, |s| s.len())
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes every streamer connection at once, without a closing
    /// handshake, as a broken network would (`PUT /_mock/streamer/drop`):
    /// the streamer session ids stay good, so a client can reconnect.
    pub fn drop_streams(&self) {
        if let Some(streamers) = &self.streamers {
            streamers.drop_connections();
        }
    }

    /// Ends every streamer session id and closes every streamer connection
    /// (`PUT /_mock/streamer/expire`): a reconnect with an old id gets
    /// `"StatusCode":"Error"` until `recover_streamer_session` (or
    /// `get_streamers`) hands out a new one.
    pub fn expire_streams(&self) {
        if let Some(streamers) = &self.streamers {
            streamers.expire();
        }
    }

    /// The streamers' addresses (`ws://127.0.0.1:port`), the quote
    /// streamer's first, as `get_streamers` answers them; none on a server
    /// without state.
    pub fn streamer_urls(&self) -> Vec<String> {
        self.streamers
            .as_ref()
            .map_or(Vec::new(), |s| s.urls().to_vec())
    }

    /// How many streamer connections are open (both streamers).
    pub fn stream_connections(&self) -> usize {
        self.streamers.as_ref().map_or(0, |s| s.connections())
    }

    /// Stops accepting connections and waits until the open ones are done.
    pub async fn shutdown(mut self) {
        self.stop_streaming();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // A server task that failed has nothing left to stop.
            let _ = task.await;
        }
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("reset_flow", &self.flow.is_some())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    fn stop_streaming(&mut self) {
        for task in self.streaming_tasks.drain(..) {
            task.abort();
        }
        // The connections' own tasks end with their sockets.
        self.drop_streams();
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop_streaming();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Settings of a [`MockServer`].
#[derive(Clone)]
pub struct MockServerBuilder {
    spec: Option<String>,
    port: u16,
    app_key: String,
    max_body_bytes: usize,
    faults: FaultPlan,
    /// The accounts file of the reset flow; `None`: no flow.
    accounts: Option<String>,
    securities: String,
    outbox_capacity: usize,
    token_lifetime: Option<Duration>,
    max_sessions: usize,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            spec: None,
            port: 0,
            app_key: MockServer::APP_KEY.to_owned(),
            max_body_bytes: MockServer::DEFAULT_MAX_BODY_BYTES,
            faults: FaultPlan::default(),
            accounts: Some(accounts::ACCOUNTS.to_owned()),
            securities: crate::exchange::SECURITIES.to_owned(),
            outbox_capacity: MockServer::DEFAULT_OUTBOX_CAPACITY,
            token_lifetime: None,
            max_sessions: MockServer::DEFAULT_MAX_SESSIONS,
        }
    }
}

impl MockServerBuilder {
    /// The port on 127.0.0.1 (default 0: the system picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The app key the server accepts (default [`MockServer::APP_KEY`]).
    pub fn app_key(mut self, app_key: impl Into<String>) -> Self {
        self.app_key = app_key.into();
        self
    }

    /// The text of the OpenAPI document to follow (default [`crate::SPEC`]).
    pub fn spec(mut self, spec: impl Into<String>) -> Self {
        self.spec = Some(spec.into());
        self
    }

    /// The largest request body accepted, in bytes (default
    /// [`MockServer::DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The accounts of the reset flow, as YAML in the format of
    /// [`ACCOUNTS`](crate::ACCOUNTS) (the default).
    pub fn accounts(mut self, yaml: impl Into<String>) -> Self {
        self.accounts = Some(yaml.into());
        self
    }

    /// The securities of the exchange, as YAML in the format of
    /// [`SECURITIES`](crate::SECURITIES) (the default).
    pub fn securities(mut self, yaml: impl Into<String>) -> Self {
        self.securities = yaml.into();
        self
    }

    /// No state (no accounts, sessions or reset flow): every operation
    /// answers its documented example and a Bearer operation takes any
    /// non-empty token, as Stoplight Prism does.
    pub fn stateless(mut self) -> Self {
        self.accounts = None;
        self
    }

    /// How many messages the outbox keeps (default
    /// [`MockServer::DEFAULT_OUTBOX_CAPACITY`]).
    pub fn outbox_capacity(mut self, messages: usize) -> Self {
        self.outbox_capacity = messages;
        self
    }

    /// How long a session token lasts (default: the spec's Bearer scheme's
    /// `x-etna-lifetime-seconds`, 86400 in the embedded spec, else
    /// [`MockServer::DEFAULT_TOKEN_LIFETIME`]). Interim tokens last the
    /// shorter of this and five minutes. At least a second.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = Some(lifetime.max(Duration::from_secs(1)));
        self
    }

    /// How many tokens the session table holds at most (default
    /// [`MockServer::DEFAULT_MAX_SESSIONS`]).
    pub fn max_sessions(mut self, tokens: usize) -> Self {
        self.max_sessions = tokens;
        self
    }

    /// Waits this long before every answer (see [`Latency`]); a request's
    /// `Prefer: delay=MS` overrides it.
    pub fn latency(mut self, latency: Latency) -> Self {
        self.faults.latency = Some(latency);
        self
    }

    /// Answers every request with this fault (see [`Fault`]); a request's
    /// `Prefer: code=..`/`fault=..` overrides it.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.fault = Some(fault);
        self
    }

    /// Latency for one operation (by `operationId`), instead of the one for all.
    pub fn latency_for(mut self, operation: impl Into<String>, latency: Latency) -> Self {
        self.faults
            .per_operation
            .entry(operation.into())
            .or_default()
            .0 = Some(latency);
        self
    }

    /// A fault for one operation (by `operationId`), instead of the one for all.
    pub fn fault_for(mut self, operation: impl Into<String>, fault: Fault) -> Self {
        self.faults
            .per_operation
            .entry(operation.into())
            .or_default()
            .1 = Some(fault);
        self
    }

    /// Reads the spec, binds the port and starts serving. Must be called within
    /// a tokio runtime, which runs the server.
    pub async fn start(self) -> Result<MockServer, Error> {
        check_app_key(&self.app_key)?;
        let text = self.spec.as_deref().unwrap_or(crate::SPEC);
        let (doc, order) = etna_spec::parse_with_order(text).map_err(|e| spec(e.to_string()))?;
        if !doc.is_object() {
            return Err(spec(
                "it is not an OpenAPI document (a YAML or JSON object)",
            ));
        }
        let outbox = Arc::new(Outbox::new(self.outbox_capacity));
        let parsed = match &self.accounts {
            Some(yaml) => Some(accounts::parse(yaml)?),
            None => None,
        };
        let flow = parsed
            .as_ref()
            .map(|accounts| Arc::new(ResetFlow::new(accounts.clone(), outbox.clone())));
        let lifetime = self
            .token_lifetime
            .or_else(|| spec_lifetime(&doc))
            .unwrap_or(MockServer::DEFAULT_TOKEN_LIFETIME);
        let sessions = flow
            .as_ref()
            .map(|_| Arc::new(Sessions::new(lifetime, self.max_sessions)));
        let outlets = Arc::new(Outlets::read(crate::STREAMING_SPEC)?);
        let exchange = match (&parsed, &sessions) {
            (Some(accounts), Some(sessions)) => Some(Arc::new(Exchange::new(
                accounts,
                &self.securities,
                sessions.clock(),
                outlets.clone(),
            )?)),
            _ => None,
        };
        let mut streaming_tasks = Vec::new();
        let streamers = match &exchange {
            Some(exchange) => {
                let (streamers, tasks) = start_streamers(outlets, exchange.clone()).await?;
                streaming_tasks = tasks;
                Some(streamers)
            }
            None => None,
        };
        let scenario = match (&flow, &sessions, &exchange, &streamers) {
            (Some(flow), Some(sessions), Some(exchange), Some(streamers)) => {
                Some(Arc::new(Chain(vec![
                    Arc::new(SignIn::new(flow.clone(), sessions.clone())),
                    flow.clone(),
                    exchange.clone(),
                    streamers.clone(),
                ])) as Arc<dyn Scenario>)
            }
            _ => None,
        };
        let context = Arc::new(Context {
            app_key: self.app_key,
            faults: self.faults,
            scenario,
            sessions: sessions.clone(),
        });
        let written = crate::written::read(text, &doc);
        let router = routes::router(
            &doc,
            &order,
            written.as_ref(),
            context,
            outbox.clone(),
            exchange.clone().zip(streamers.clone()),
            self.max_body_bytes,
        )?;
        let bind_error = |source| Error::Bind {
            port: self.port,
            source,
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                // A dropped sender means the handle is gone: stop as well.
                let _ = stopped.await;
            });
            // axum retries failed accepts itself; nothing is left to report.
            let _ = serve.await;
        });
        Ok(MockServer {
            addr,
            outbox,
            flow,
            sessions,
            exchange,
            streamers,
            stop: Some(stop),
            task: Some(task),
            streaming_tasks,
        })
    }
}

/// Binds a port of 127.0.0.1 for each streamer and serves it; with them,
/// the clock's ticks that move the subscribed quotes.
async fn start_streamers(
    outlets: Arc<Outlets>,
    exchange: Arc<Exchange>,
) -> Result<(Arc<Streamers>, Vec<JoinHandle<()>>), Error> {
    let mut listeners = Vec::new();
    for _ in &outlets.hubs {
        let bind_error = |source| Error::Bind { port: 0, source };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        listeners.push((listener, format!("ws://{addr}")));
    }
    let urls = listeners.iter().map(|(_, url)| url.clone()).collect();
    let streamers = Arc::new(Streamers::new(outlets, urls));
    let mut tasks = Vec::new();
    for (kind, (listener, _)) in listeners.into_iter().enumerate() {
        let router = crate::streamer::serve(kind, streamers.clone(), exchange.clone());
        tasks.push(tokio::spawn(async move {
            // axum retries failed accepts itself; nothing is left to report.
            let _ = axum::serve(listener, router).await;
        }));
    }
    tasks.push(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(crate::exchange::TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            exchange.tick();
        }
    }));
    Ok((streamers, tasks))
}

impl fmt::Debug for MockServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServerBuilder")
            .field("spec", &self.spec.as_ref().map(|_| "<custom>"))
            .field("port", &self.port)
            .field("app_key", &"<redacted>")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("faults", &self.faults)
            .field("accounts", &self.accounts.as_ref().map(|_| "<given>"))
            .field("outbox_capacity", &self.outbox_capacity)
            .field("token_lifetime", &self.token_lifetime)
            .field("max_sessions", &self.max_sessions)
            .finish()
    }
}

/// The session lifetime the spec's Bearer scheme gives, in
/// `x-etna-lifetime-seconds`.
fn spec_lifetime(doc: &serde_json::Value) -> Option<Duration> {
    doc.pointer("/components/securitySchemes")?
        .as_object()?
        .values()
        .filter(|scheme| {
            scheme.get("type").and_then(|v| v.as_str()) == Some("http")
                && scheme
                    .get("scheme")
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
        })
        .find_map(|scheme| scheme.get("x-etna-lifetime-seconds")?.as_u64())
        .filter(|seconds| *seconds > 0)
        .map(Duration::from_secs)
}

fn check_app_key(key: &str) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::InvalidAppKey("it is empty; give a non-empty key"));
    }
    if key.trim() != key || HeaderValue::from_str(key).is_err() {
        return Err(Error::InvalidAppKey(
            "a header cannot carry it; use visible ASCII without leading or trailing spaces",
        ));
    }
    Ok(())
}
