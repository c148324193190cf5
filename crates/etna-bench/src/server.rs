//! The server both request paths talk to: two routes on 127.0.0.1 (steps 3
//! and 4 of the reset flow) that answer every request with the same envelope,
//! so that the client side is what differs.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use tokio::sync::oneshot;

/// The route of step 3, under the base URL [`EnvelopeServer::base_url`].
pub const ROUTE: &str = "/api/v1.0/users/identifiers/reset/code";

/// The route of step 4 (with the trailing slash the spec's path has).
pub const PASSWORD_ROUTE: &str = "/api/v1.0/users/passwords/reset/";

/// The token in every answer.
pub const TOKEN: &str = "bench-reset-token-0123456789abcdef";

/// The fixed answer: a successful envelope as the API sends it.
pub const ENVELOPE: &str = concat!(
    r#"{"Model":"bench-reset-token-0123456789abcdef","Errors":[],"ErrorsCode":[],"#,
    r#""StatusCode":"OK","IsSucceed":true}"#
);

/// The fixed answer of step 4: the password was changed.
pub const DONE: &str = r#"{"Errors":[],"IsSucceed":true}"#;

/// A server on its own thread and single-threaded runtime; dropping it stops
/// the server and joins the thread.
pub struct EnvelopeServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl EnvelopeServer {
    /// Binds 127.0.0.1 on a free port and starts serving on a thread of its own.
    pub fn start() -> io::Result<Self> {
        Self::start_with_delay(Duration::ZERO)
    }

    /// Like [`start`](Self::start), answering each request after `delay`.
    pub fn start_with_delay(delay: Duration) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("bench-server".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    let app = app(delay);
                    // Not a graceful shutdown: that would wait for the clients'
                    // idle keep-alive connections to close.
                    tokio::select! {
                        served = axum::serve(listener, app) => served,
                        _ = stopped => Ok(()),
                    }
                })
            })?;
        Ok(Self {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The API root to give the clients, e.g. `http://127.0.0.1:4321/api`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }
}

impl Drop for EnvelopeServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A server task on the runtime of the caller: with a current-thread runtime,
/// client and server then share one thread, and a request costs no wake-up of
/// another core (on a virtual machine, those wake-ups vary from 30 to 100 µs
/// and drown the difference being measured). Dropping it stops the server.
pub struct LocalServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl LocalServer {
    /// Binds 127.0.0.1 on a free port and spawns the server on the current
    /// runtime; requests are answered after `delay`.
    pub async fn spawn(delay: Duration) -> io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move { axum::serve(listener, app(delay)).await });
        Ok(Self { addr, task })
    }

    /// The API root to give the clients.
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn app(delay: Duration) -> Router {
    let answer_after = move |envelope: &'static str| {
        move |headers: HeaderMap, body: Bytes| async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            answer(headers, body, envelope).await
        }
    };
    Router::new()
        .route(ROUTE, post(answer_after(ENVELOPE)))
        .route(PASSWORD_ROUTE, put(answer_after(DONE)))
}

/// Refuses a request without the app key, so that a client that forgets it
/// fails the benchmark instead of being timed; the body is read so that the
/// connection stays reusable.
async fn answer(headers: HeaderMap, _body: Bytes, envelope: &'static str) -> Response {
    if !headers.contains_key("et-app-key") {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"Application key is not defined or does not exist"}"#,
        )
            .into_response();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        envelope,
    )
        .into_response()
}
