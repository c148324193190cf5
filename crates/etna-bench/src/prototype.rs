//! The hand-written call rebuilt step by step into what the generated path
//! does, to find where etna-client's extra time goes. Each [`Steps`] flag adds
//! one thing that etna-client (its generated builder, its hooks, progenitor's
//! runtime) does and the hand-written call does not.

use std::time::Duration;

use etna_client::types::ResetTokenEnvelope;
use http_body_util::{BodyExt, Limited};
use reqwest::ResponseBuilderExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::caller::{CODE, CallFailed};
use crate::server::TOKEN;

/// Which of etna-client's steps a [`Prototype`] performs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Steps {
    /// Formats the URL and has reqwest parse it on every call, as the
    /// generated `send()` does (the hand-written call reuses a parsed `Url`).
    pub format_url: bool,
    /// Adds progenitor's `api-version` header through a second `HeaderMap`,
    /// which the `pre` hook then removes again.
    pub api_version_header: bool,
    /// Sets the timeout on the request (the `pre` hook) instead of only on the
    /// client.
    pub request_timeout: bool,
    /// Validates the code against the spec's pattern (`ResetCodeRequestCode`).
    pub validate_code: bool,
    /// Wraps the response body in `Limited` the way `hooks::cap_body` does:
    /// reqwest response → http response → re-wrapped reqwest response.
    pub cap_body: bool,
    /// The proposed fix: wrap the body only when its length is not declared
    /// or exceeds the cap. hyper never yields more than a declared
    /// `Content-Length`, so such a body cannot pass the cap unwrapped.
    pub cap_unless_length_fits: bool,
    /// Clones the response headers as progenitor's `ResponseValue` does.
    pub clone_headers: bool,
}

/// A variant of the hand-written call with some of etna-client's steps.
pub struct Prototype {
    /// Name in tables.
    pub name: &'static str,
    steps: Steps,
    http: reqwest::Client,
    base_url: String,
    url: reqwest::Url,
    app_key: HeaderValue,
    timeout: Duration,
    limit: usize,
}

impl Prototype {
    /// A prototype for the API root `base_url` with the given steps, built like
    /// etna-client's default client.
    pub fn new(name: &'static str, base_url: &str, steps: Steps) -> Result<Self, CallFailed> {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let timeout = Duration::from_secs(30);
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(timeout)
            .user_agent("etna-client/0.1.0")
            .build()
            .map_err(|e| CallFailed(format!("building the prototype client: {e}")))?;
        let mut app_key = HeaderValue::from_static("bench-app-key");
        app_key.set_sensitive(true);
        let url = format!("{base_url}/v1.0/users/identifiers/reset/code");
        Ok(Self {
            name,
            steps,
            http,
            base_url: base_url.to_owned(),
            url: url.parse().map_err(|e| CallFailed(format!("{url}: {e}")))?,
            app_key,
            timeout,
            limit: 1024 * 1024,
        })
    }

    /// One call; checks that the token came back.
    pub async fn call(&self) -> Result<(), CallFailed> {
        let fail = |e: &dyn std::fmt::Display| CallFailed(e.to_string());
        let steps = self.steps;
        let body = if steps.validate_code {
            serde_json::to_vec(&etna_client::types::ResetCodeRequest {
                code: CODE.into(),
                identifier: etna_client::types::ResetIdentifier::ResetPassword,
            })
        } else {
            serde_json::to_vec(&crate::handwritten::ResetCodeRequest {
                code: CODE,
                identifier: "ResetPassword",
            })
        }
        .map_err(|e| fail(&e))?;
        let mut builder = if steps.format_url {
            // The generated code converts the version with `to_string()`.
            #[allow(clippy::unnecessary_to_owned)]
            let url = format!(
                "{}/v{}/users/identifiers/reset/code",
                self.base_url,
                progenitor_client::encode_path(&"1.0".to_string())
            );
            self.http.post(url)
        } else {
            self.http.post(self.url.clone())
        };
        builder = builder
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body);
        if steps.api_version_header {
            let mut header_map = HeaderMap::with_capacity(1);
            header_map.append(
                HeaderName::from_static("api-version"),
                HeaderValue::from_static("1.0"),
            );
            builder = builder.headers(header_map);
        }
        let mut request = builder.build().map_err(|e| fail(&e))?;
        let headers = request.headers_mut();
        if steps.api_version_header {
            headers.remove("api-version");
        }
        headers.insert(HeaderName::from_static("et-app-key"), self.app_key.clone());
        if steps.request_timeout {
            *request.timeout_mut() = Some(self.timeout);
        }
        let mut response = self.http.execute(request).await.map_err(|e| fail(&e))?;
        let fits =
            |r: &reqwest::Response| r.content_length().is_some_and(|n| n <= self.limit as u64);
        if steps.cap_body || (steps.cap_unless_length_fits && !fits(&response)) {
            response = cap_body(response, self.limit);
        }
        let _headers = steps.clone_headers.then(|| response.headers().clone());
        let full = response.bytes().await.map_err(|e| fail(&e))?;
        let envelope: ResetTokenEnvelope = serde_json::from_slice(&full).map_err(|e| fail(&e))?;
        match envelope.model {
            Some(token) if envelope.is_succeed && token.expose() == TOKEN => Ok(()),
            _ => Err(CallFailed(
                "the answer did not carry the expected token".to_owned(),
            )),
        }
    }
}

/// A copy of etna-client's `hooks::cap_body`.
fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let capped = Limited::new(body, limit).map_err(move |e| {
        if e.is::<http_body_util::LengthLimitError>() {
            Box::new(CallFailed(format!(
                "the response body exceeds {limit} bytes"
            ))) as Box<dyn std::error::Error + Send + Sync>
        } else {
            e
        }
    });
    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(carrier.into_parts().0.extensions);
    }
    reqwest::Response::from(http::Response::from_parts(
        parts,
        reqwest::Body::wrap(capped),
    ))
}
