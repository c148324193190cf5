//! What the client adds around every generated request: the app key, a
//! per-request timeout, a cap on the response body, and a tracing span. The
//! generated `ClientHooks` implementation calls [`pre`] and [`exec`].

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use http_body_util::{BodyExt, Limited};
use progenitor_client::OperationInfo;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{ResponseBuilderExt, Url};
use tracing::Instrument;

use crate::session::Session;
use crate::table::{Need, OperationSpec};
use crate::{BuildError, Error, Secret};

/// Everything a client applies to each call: the credentials (app key, the
/// session, which can change at run time), the timeout, the body cap, the
/// operation table and the URLs resolved at build time. The hooks read it
/// for every request, those sent through the generated builders' own `send`
/// included. Progenitor stores it in the generated client as its `inner`
/// value; cloning it is cheap, and clones share the session.
#[derive(Clone)]
pub struct ClientState(Arc<Settings>);

/// By index in `GeneratedClient::OPERATIONS`: for an operation whose path has
/// no parameter, that path after the base path and the URL it makes.
pub(crate) type StaticUrls = Box<[Option<(&'static str, Url)>]>;

#[derive(Clone)]
struct Settings {
    /// The spec's app-key header, lower case as HTTP/2 requires.
    app_key_name: HeaderName,
    /// The same header as the spec spells it, for messages.
    app_key_header: &'static str,
    app_key: HeaderValue,
    app_key_text: String,
    timeout: Duration,
    /// Whether `pre` must set the timeout on each request: only when the
    /// caller supplied the reqwest client, whose own timeout is unknown.
    timeout_per_request: bool,
    max_response_bytes: usize,
    secret_properties: &'static [&'static str],
    operations: &'static [OperationSpec],
    /// The base URL the generated client was given (base path included),
    /// which `static_urls` were resolved against.
    base_url: String,
    static_urls: StaticUrls,
    /// The API root the caller configured, which a page's link to the next
    /// page must stay under (`paging.rs`).
    api_root: Option<Url>,
    /// Shared by every clone of the client, so that a session set in one
    /// task serves the others.
    session: Arc<RwLock<Option<Session>>>,
    session_lifetime: Option<Duration>,
}

/// What [`ClientState::new`] takes: the client's whole per-call state.
pub(crate) struct Parts {
    pub(crate) app_key_name: HeaderName,
    pub(crate) app_key_header: &'static str,
    pub(crate) app_key: HeaderValue,
    pub(crate) app_key_text: String,
    pub(crate) timeout: Duration,
    pub(crate) timeout_per_request: bool,
    pub(crate) max_response_bytes: usize,
    pub(crate) secret_properties: &'static [&'static str],
    pub(crate) operations: &'static [OperationSpec],
    pub(crate) session_lifetime: Option<Duration>,
}

impl ClientState {
    pub(crate) fn new(parts: Parts) -> Self {
        Self(Arc::new(Settings {
            app_key_name: parts.app_key_name,
            app_key_header: parts.app_key_header,
            app_key: parts.app_key,
            app_key_text: parts.app_key_text,
            timeout: parts.timeout,
            timeout_per_request: parts.timeout_per_request,
            max_response_bytes: parts.max_response_bytes,
            secret_properties: parts.secret_properties,
            operations: parts.operations,
            base_url: String::new(),
            static_urls: Box::default(),
            api_root: None,
            session: Arc::default(),
            session_lifetime: parts.session_lifetime,
        }))
    }

    /// Sets the session from a token sign-in just returned (issued now,
    /// lasting what the spec documents), replacing any other: the two-factor
    /// sign-in's interim token, then the final one. Every clone of the
    /// client, in every task, sends it from the next call on.
    pub fn set_session_token(&self, token: impl Into<Secret>) -> Result<(), BuildError> {
        let session = Session::new(token, SystemTime::now(), self.0.session_lifetime)?;
        self.set_session(session);
        Ok(())
    }

    /// Sets a session kept from earlier (e.g. read from a session store).
    pub fn set_session(&self, session: Session) {
        *self.0.session.write().unwrap_or_else(|e| e.into_inner()) = Some(session);
    }

    /// The current session, if any (its `Debug` never shows the token).
    pub fn session(&self) -> Option<Session> {
        self.0
            .session
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Forgets the session. (The API documents no logout: the token stays
    /// valid on the server until it expires.)
    pub fn clear_session(&self) {
        *self.0.session.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// How long a session lasts, as the spec documents it.
    pub fn session_lifetime(&self) -> Option<Duration> {
        self.0.session_lifetime
    }

    /// The `Authorization` value of the current session, or why there is
    /// none to send.
    pub(crate) fn session_header(&self, operation: &'static str) -> Result<HeaderValue, Error> {
        let guard = self.0.session.read().unwrap_or_else(|e| e.into_inner());
        let session = guard.as_ref().ok_or(Error::SessionMissing { operation })?;
        if session.is_expired_at(SystemTime::now()) {
            return Err(Error::SessionExpired {
                operation,
                expired_at: session.expires().unwrap_or(session.issued()),
            });
        }
        Ok(session.header().clone())
    }

    fn operation(&self, operation_id: &str) -> Option<&'static OperationSpec> {
        self.0.operations.iter().find(|op| op.id == operation_id)
    }

    /// The settings with the URLs of the operations without path parameters,
    /// resolved once against `base_url` (see `static_url`).
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
    #[inline]
    pub(crate) fn static_url(
        &self,
        index: usize,
        base_url: &str,
        path: &str,
    ) -> Result<Url, String> {
        if let Some(url) = self.cached_static_url(index, base_url, path) {
            return Ok(url.clone());
        }
        // Only the root server's operations are under the base URL a
        // generated client holds; another server's URL is known only from
        // the settings' own table.
        if self
            .0
            .operations
            .get(index)
            .is_some_and(|op| op.server != 0)
        {
            return Err(format!(
                "the operation at index {index} is not under {base_url:?}; build the client with etna_client::ClientBuilder"
            ));
        }
        let text = format!("{base_url}{path}");
        Url::parse(&text).map_err(|e| format!("the URL {text:?} is not valid: {e}"))
    }

    /// The settings with the API root the caller configured.
    pub(crate) fn with_api_root(mut self, root: Url) -> Self {
        Arc::make_mut(&mut self.0).api_root = Some(root);
        self
    }

    /// The API root the caller configured, when the client was built by
    /// [`ClientBuilder`](crate::ClientBuilder).
    pub(crate) fn api_root(&self) -> Option<&Url> {
        self.0.api_root.as_ref()
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
    /// The app key's header as the spec spells it (e.g. `Et-App-Key`).
    pub(crate) fn app_key_header(&self) -> &'static str {
        self.0.app_key_header
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        crate::secret::scrub(text, &self.0.app_key_text, self.0.secret_properties)
    }

    fn describe(&self, operation_id: &str) -> (&'static str, &'static str) {
        self.operation(operation_id)
            .map_or(("?", "?"), |op| (op.method, op.full_path))
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field("app_key", &"<redacted>")
            .field("session", &self.session())
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

/// Before a request is sent: the credentials the operation's security
/// names (the app key, the session when required or, when optional, when
/// the client has one), each as a sensitive header, and the timeout when
/// the caller's reqwest client has its own. (Progenitor's `api-version`
/// header is never built: etna-codegen drops it from the generated `send`
/// bodies.) The error says why a required session cannot be sent.
#[doc(hidden)]
pub fn pre(
    limits: &ClientState,
    request: &mut reqwest::Request,
    info: &OperationInfo,
) -> Result<(), String> {
    let security = limits.operation(info.operation_id).map(|op| op.security);
    let (app_key, bearer) =
        security.map_or((Need::Required, Need::None), |s| (s.app_key, s.bearer));
    if limits.0.timeout_per_request {
        *request.timeout_mut() = Some(limits.0.timeout);
    }
    let headers = request.headers_mut();
    if app_key != Need::None {
        headers.insert(limits.0.app_key_name.clone(), limits.0.app_key.clone());
    }
    match bearer {
        Need::Required => {
            let value = limits
                .session_header(info.operation_id)
                .map_err(|e| e.to_string())?;
            headers.insert(AUTHORIZATION, value);
        }
        Need::Optional => {
            if let Ok(value) = limits.session_header("") {
                headers.insert(AUTHORIZATION, value);
            }
        }
        Need::None => {}
    }
    Ok(())
}

/// `ClientState::static_url`, for the generated `send`s.
#[inline]
pub fn static_url(
    limits: &ClientState,
    index: usize,
    base_url: &str,
    path: &str,
) -> Result<Url, String> {
    limits.static_url(index, base_url, path)
}

/// A `format: password` header parameter's value: the secret itself, marked
/// sensitive so that reqwest and hyper never show it. (progenitor sends
/// header values with `to_string()`, which a `Secret` answers with
/// `<redacted>`; etna-codegen calls this instead.)
#[doc(hidden)]
pub fn secret_header(value: &Secret) -> Result<HeaderValue, reqwest::header::InvalidHeaderValue> {
    let mut header = HeaderValue::from_str(value.expose())?;
    header.set_sensitive(true);
    Ok(header)
}

/// Sends the request inside a span `etna_client.request` (operation, method,
/// path template) and reports the status and the time to the response
/// headers, or the kind of failure. Never records a header, a body or the URL,
/// so no secret and no app key can reach tracing. Caps the response body.
#[doc(hidden)]
pub async fn exec(
    client: &reqwest::Client,
    limits: &ClientState,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    let response = if tracing::enabled!(tracing::Level::WARN) {
        // Boxed: the span makes the traced future several hundred bytes
        // larger, and every call would otherwise carry (and move) them.
        Box::pin(traced(client, limits, request, info)).await?
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
    limits: &ClientState,
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
