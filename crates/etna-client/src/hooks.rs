//! What the client adds around every generated request: the app key, a
//! per-request timeout, a cap on the response body, and a tracing span. The
//! generated `ClientHooks` implementation calls [`pre`] and [`exec`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Limited};
use progenitor_client::OperationInfo;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{ResponseBuilderExt, Url};
use tracing::Instrument;

/// The header that identifies the calling application.
pub const APP_KEY_HEADER: &str = "Et-App-Key";

/// [`APP_KEY_HEADER`] as the lower-case name HTTP/2 requires, checked at
/// compile time rather than on every request.
const APP_KEY_NAME: HeaderName = HeaderName::from_static("et-app-key");

/// Per-client settings that the hooks apply to every request, including those
/// sent through the generated builders' own `send`. Progenitor stores it in
/// the generated client as its `inner` value; cloning it is cheap.
#[derive(Clone)]
pub struct Limits(Arc<Settings>);

/// By index in `GeneratedClient::OPERATIONS`: for an operation whose path has
/// no parameter, that path after the base path and the URL it makes.
pub(crate) type StaticUrls = Box<[Option<(&'static str, Url)>]>;

#[derive(Clone)]
struct Settings {
    app_key: HeaderValue,
    app_key_text: String,
    timeout: Duration,
    /// Whether `pre` must set the timeout on each request: only when the
    /// caller supplied the reqwest client, whose own timeout is unknown.
    timeout_per_request: bool,
    max_response_bytes: usize,
    secret_properties: &'static [&'static str],
    /// `(operationId, method, path template)` of every operation.
    operations: &'static [(&'static str, &'static str, &'static str)],
    /// The base URL the generated client was given (base path included),
    /// which `static_urls` were resolved against.
    base_url: String,
    static_urls: StaticUrls,
}

impl Limits {
    pub(crate) fn new(
        app_key: HeaderValue,
        app_key_text: String,
        timeout: Duration,
        timeout_per_request: bool,
        max_response_bytes: usize,
        secret_properties: &'static [&'static str],
        operations: &'static [(&'static str, &'static str, &'static str)],
    ) -> Self {
        Self(Arc::new(Settings {
            app_key,
            app_key_text,
            timeout,
            timeout_per_request,
            max_response_bytes,
            secret_properties,
            operations,
            base_url: String::new(),
            static_urls: Box::default(),
        }))
    }

    /// The settings with the URLs of the operations without path parameters,
    /// resolved once against `base_url` (see [`static_url`](Self::static_url)).
    pub(crate) fn with_static_urls(mut self, base_url: String, static_urls: StaticUrls) -> Self {
        // Unshared while the builder assembles the client, so nothing is
        // copied.
        let settings = Arc::make_mut(&mut self.0);
        settings.base_url = base_url;
        settings.static_urls = static_urls;
        self
    }

    /// The URL `base_url` + `path` of operation `index` in
    /// [`GeneratedClient::OPERATIONS`](crate::GeneratedClient::OPERATIONS),
    /// whose path has no parameter: the generated `send` calls this instead
    /// of formatting the string that reqwest would parse on every call.
    ///
    /// The cached URL is used only when it was resolved from the same base
    /// URL and path: settings handed to a generated client of another spec,
    /// or with another base URL (`new_with_client`), are resolved as
    /// progenitor would. The error is a URL that does not parse, which
    /// [`ClientBuilder`](crate::ClientBuilder) rules out before any call.
    #[doc(hidden)]
    #[inline]
    pub fn static_url(&self, index: usize, base_url: &str, path: &str) -> Result<Url, String> {
        if let Some(url) = self.cached_static_url(index, base_url, path) {
            return Ok(url.clone());
        }
        let text = format!("{base_url}{path}");
        Url::parse(&text).map_err(|e| format!("the URL {text:?} is not valid: {e}"))
    }

    pub(crate) fn cached_static_url(
        &self,
        index: usize,
        base_url: &str,
        path: &str,
    ) -> Option<&Url> {
        match self.0.static_urls.get(index) {
            Some(Some((cached_path, url)))
                if *cached_path == path && self.0.base_url == base_url =>
            {
                Some(url)
            }
            _ => None,
        }
    }

    /// The time allowed for a whole request.
    pub fn timeout(&self) -> Duration {
        self.0.timeout
    }

    /// The most response-body bytes read.
    pub fn max_response_bytes(&self) -> usize {
        self.0.max_response_bytes
    }

    /// `text` without the app key and the values of secret properties.
    pub(crate) fn scrub(&self, text: &str) -> String {
        crate::secret::scrub(text, &self.0.app_key_text, self.0.secret_properties)
    }

    fn describe(&self, operation_id: &str) -> (&'static str, &'static str) {
        self.0
            .operations
            .iter()
            .find(|(id, _, _)| *id == operation_id)
            .map_or(("?", "?"), |(_, method, path)| (method, path))
    }
}

impl fmt::Debug for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limits")
            .field("app_key", &"<redacted>")
            .field("timeout", &self.0.timeout)
            .field("max_response_bytes", &self.0.max_response_bytes)
            .finish()
    }
}

/// Error in the body stream when the server sends more than the cap.
#[derive(Debug)]
pub(crate) struct BodyTooLarge {
    pub(crate) limit: usize,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response body exceeds {} bytes", self.limit)
    }
}

impl std::error::Error for BodyTooLarge {}

/// Before a request is sent: the app key as a sensitive header, and the
/// timeout when the caller's reqwest client has its own. (Progenitor's
/// `api-version` header is never built: etna-codegen drops it from the
/// generated `send` bodies.)
#[doc(hidden)]
pub fn pre(limits: &Limits, request: &mut reqwest::Request, _info: &OperationInfo) {
    let headers = request.headers_mut();
    headers.insert(APP_KEY_NAME, limits.0.app_key.clone());
    if limits.0.timeout_per_request {
        *request.timeout_mut() = Some(limits.0.timeout);
    }
}

/// Sends the request inside a span `etna_client.request` (operation, method,
/// path template) and reports the status and the time to the response
/// headers, or the kind of failure. Never records a header, a body or the URL,
/// so no secret and no app key can reach tracing. Caps the response body.
#[doc(hidden)]
pub async fn exec(
    client: &reqwest::Client,
    limits: &Limits,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    let response = if tracing::enabled!(tracing::Level::WARN) {
        traced(client, limits, request, info).await?
    } else {
        // No subscriber wants even the failures: no span, no clock reads.
        client.execute(request).await?
    };
    let limit = limits.0.max_response_bytes;
    // hyper never yields more than a declared Content-Length, so such a body
    // is already bounded; skipping the re-wrap saves ~0.5 µs a call
    // (BENCHMARKS.md).
    if response.content_length().is_some_and(|n| n <= limit as u64) {
        return Ok(response);
    }
    Ok(cap_body(response, limit))
}

/// `client.execute` inside the span, with its events.
async fn traced(
    client: &reqwest::Client,
    limits: &Limits,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    let (method, path) = limits.describe(info.operation_id);
    let span = tracing::info_span!(
        "etna_client.request",
        operation = info.operation_id,
        method,
        path
    );
    let started = Instant::now();
    let result = client.execute(request).instrument(span.clone()).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Err(error) => {
            let kind = if error.is_timeout() {
                "timeout"
            } else if error.is_connect() {
                "connect"
            } else {
                "transport"
            };
            tracing::warn!(parent: &span, error = kind, elapsed_ms, "request failed");
            Err(error)
        }
        Ok(response) => {
            tracing::info!(
                parent: &span,
                status = response.status().as_u16(),
                elapsed_ms,
                "response"
            );
            Ok(response)
        }
    }
}

/// Wraps the body so that reading more than `limit` bytes fails with
/// [`BodyTooLarge`] instead of buffering without bound.
fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let capped = Limited::new(body, limit).map_err(move |e| {
        if e.is::<http_body_util::LengthLimitError>() {
            Box::new(BodyTooLarge { limit }) as Box<dyn std::error::Error + Send + Sync>
        } else {
            e
        }
    });
    // reqwest keeps the response URL in a private extension; a builder is the
    // only way to set it, so carry its extensions over.
    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(carrier.into_parts().0.extensions);
    }
    reqwest::Response::from(http::Response::from_parts(
        parts,
        reqwest::Body::wrap(capped),
    ))
}
