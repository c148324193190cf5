//! Servers on 127.0.0.1 for the commands to talk to: the mock, and servers that
//! misbehave.

use axum::Router;
use axum::http::{StatusCode, header};
use etna_mock::{MockServer, MockServerBuilder};
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;

/// A runtime on its own thread, serving while the test runs commands.
pub struct Background {
    runtime: tokio::runtime::Runtime,
}

impl Background {
    pub fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        Self { runtime }
    }

    pub fn mock(&self, builder: MockServerBuilder) -> MockServer {
        self.runtime.block_on(builder.start()).unwrap()
    }

    /// A server that answers every request with this status and body.
    pub fn answering(
        &self,
        status: StatusCode,
        content_type: &'static str,
        body: &'static str,
    ) -> String {
        let router = Router::new().fallback(move || async move {
            (status, [(header::CONTENT_TYPE, content_type)], body)
        });
        let listener = self.listener();
        let url = base_url(&listener);
        self.runtime.spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        url
    }

    /// A server that answers with `router`.
    pub fn serve(&self, router: Router) -> String {
        let listener = self.listener();
        let url = base_url(&listener);
        self.runtime.spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        url
    }

    /// A server that accepts connections and never answers.
    pub fn silent(&self) -> String {
        let listener = self.listener();
        let url = base_url(&listener);
        self.runtime.spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        url
    }

    /// A server that records each request (`METHOD /path`) and answers
    /// the first of `answers` whose method matches and whose path the
    /// request's ends with, with its status and JSON body; 404 otherwise.
    pub fn recording(
        &self,
        answers: Vec<(&'static str, &'static str, StatusCode, String)>,
    ) -> (String, Arc<Mutex<Vec<String>>>) {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let record = seen.clone();
        let answers = Arc::new(answers);
        let router = Router::new().fallback(move |request: axum::extract::Request| {
            let (record, answers) = (record.clone(), answers.clone());
            async move {
                let (method, path) = (
                    request.method().to_string(),
                    request.uri().path().to_owned(),
                );
                record.lock().unwrap().push(format!("{method} {path}"));
                let found = answers
                    .iter()
                    .find(|(m, end, _, _)| *m == method && path.ends_with(end));
                match found {
                    Some((_, _, status, body)) => (
                        *status,
                        [(header::CONTENT_TYPE, "application/json")],
                        body.clone(),
                    ),
                    None => (
                        StatusCode::NOT_FOUND,
                        [(header::CONTENT_TYPE, "application/json")],
                        "{}".to_owned(),
                    ),
                }
            }
        });
        let listener = self.listener();
        let url = base_url(&listener);
        self.runtime.spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        (url, seen)
    }

    /// Runs `work` on the background runtime.
    pub fn block_on<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(work)
    }

    fn listener(&self) -> TcpListener {
        self.runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .unwrap()
    }
}

fn base_url(listener: &TcpListener) -> String {
    format!("http://{}", listener.local_addr().unwrap())
}

/// The URL of a port on 127.0.0.1 where nothing listens.
pub fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}
