//! Starting and stopping the server.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

use axum::http::HeaderValue;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::faults::{Fault, FaultPlan, Latency};
use crate::routes;
use crate::spec::MockSpec;

/// A running mock server on 127.0.0.1.
///
/// It stops when dropped (in-flight requests finish on their own), or when
/// [`shutdown`](Self::shutdown) is awaited, which also waits for them.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    accepted_code: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// The app key the server accepts unless configured otherwise. It is not a
    /// secret: the mock guards nothing.
    pub const APP_KEY: &str = "etna-mock-app-key";

    /// The largest request body accepted unless configured otherwise (64 KiB);
    /// larger ones get 413.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

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

    /// The API root to give a client, e.g. `http://127.0.0.1:43127`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The confirmation code that gets the success example: `Code` of the
    /// spec's request example.
    pub fn accepted_code(&self) -> &str {
        &self.accepted_code
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits until the open ones are done.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // A server task that failed has nothing left to stop.
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
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
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            spec: None,
            port: 0,
            app_key: MockServer::APP_KEY.to_owned(),
            max_body_bytes: MockServer::DEFAULT_MAX_BODY_BYTES,
            faults: FaultPlan::default(),
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
        let spec = MockSpec::parse(text)?;
        let doc: serde_json::Value = serde_yaml_ng::from_str(text)
            .map_err(|e| crate::error::spec(format!("it is not valid YAML: {e}")))?;
        let accepted_code = spec.accepted_code.clone();
        let router = routes::router(spec, &doc, self.app_key, self.max_body_bytes, self.faults)?;
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
            accepted_code,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

impl fmt::Debug for MockServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServerBuilder")
            .field("spec", &self.spec.as_ref().map(|_| "<custom>"))
            .field("port", &self.port)
            .field("app_key", &"<redacted>")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("faults", &self.faults)
            .finish()
    }
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
