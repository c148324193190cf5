//! Building a client: validated settings, secrets kept out of `Debug`.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;

use crate::build_error::BuildError;
use crate::client::{Client, GeneratedClient};
use crate::generated::Client as ApiClient;
use crate::hooks::{ClientState, Parts, StaticUrls};
use crate::table::ServerSpec;

/// Settings of a [`Client`]. Every setting is checked in [`build`](Self::build),
/// before any network I/O.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: Option<String>,
    app_key: Option<String>,
    /// Values given for the spec's server variables, e.g. `("version", "2.0")`.
    server_variables: Vec<(String, String)>,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
    user_agent: String,
    http_client: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            app_key: None,
            server_variables: Vec::new(),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            timeout: Self::DEFAULT_TIMEOUT,
            max_response_bytes: Self::DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: concat!("etna-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            http_client: None,
        }
    }
}

impl ClientBuilder {
    /// Time allowed to open a connection.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Time allowed for a whole request, response body included.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The most response-body bytes read (1 MiB).
    pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

    /// The deployment's API root: an absolute `http` or `https` URL such as
    /// `https://trader.example.com/api`. Required.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The application key, sent in the header the spec's `apiKey` scheme
    /// names ([`GeneratedClient::APP_KEY_HEADER`]). Required.
    pub fn app_key(mut self, app_key: impl Into<String>) -> Self {
        self.app_key = Some(app_key.into());
        self
    }

    /// The API version, the spec's `{version}` server variable (default as
    /// the spec says, `1.0`). Set once here; no call repeats it.
    pub fn api_version(self, version: impl Into<String>) -> Self {
        self.server_variable("version", version)
    }

    /// A value for one of the variables of the spec's server URL after the
    /// API root (see [`GeneratedClient::SERVERS`]); checked in
    /// [`build`](Self::build).
    pub fn server_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.server_variables.retain(|(n, _)| *n != name);
        self.server_variables.push((name, value.into()));
        self
    }

    /// Time allowed to open a connection (default 10 s). Ignored with
    /// [`http_client`](Self::http_client), whose own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, body included (default 30 s). Applies
    /// to every request, with [`http_client`](Self::http_client) too.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most response-body bytes read before giving up (default 1 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The `User-Agent` (default `etna-client/<version>`). Ignored with
    /// [`http_client`](Self::http_client).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests through this `reqwest::Client` (for proxies, custom TLS
    /// roots, connection pools shared with other clients). The app key, the
    /// request timeout and the body cap still apply. Its retry policy is the
    /// caller's: reqwest's default resends after an HTTP/2 GOAWAY or
    /// REFUSED_STREAM, which the clients this builder makes never do; build
    /// it with `.retry(reqwest::retry::never())` to keep that guarantee.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks every setting and builds the client. Fails without network I/O.
    pub fn build(self) -> Result<Client, BuildError> {
        let base_url = parse_base_url(self.base_url.as_deref().ok_or(BuildError::MissingBaseUrl)?)?;
        let api_version = self
            .server_variables
            .iter()
            .find(|(name, _)| name == "version")
            .map(|(_, value)| value.clone())
            .or_else(|| variable_default::<ApiClient>("version"))
            .unwrap_or_default();
        let api = self.build_generated::<ApiClient>()?;
        Ok(Client {
            api,
            base_url,
            api_version,
        })
    }

    /// Builds a client generated from any spec with `cargo xtask codegen`,
    /// with the same settings and checks as [`build`](Self::build).
    pub fn build_generated<C: GeneratedClient>(self) -> Result<C, BuildError> {
        let root = parse_base_url(self.base_url.as_deref().ok_or(BuildError::MissingBaseUrl)?)?;
        check_variables::<C>(&self.server_variables)?;
        let bases = C::SERVERS
            .iter()
            .map(|server| {
                Ok(format!(
                    "{root}{}",
                    base_path(server, &self.server_variables)?
                ))
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
        // Progenitor's `baseurl`: the spec's root server, under which every
        // operation without a server of its own is.
        let base_url = bases.first().cloned().unwrap_or_else(|| root.clone());
        let static_urls = static_urls::<C>(&bases)?;
        let header = C::APP_KEY_HEADER;
        let app_key = self.app_key.ok_or(BuildError::MissingAppKey { header })?;
        let app_key_header = app_key_header(&app_key)
            .map_err(|reason| BuildError::InvalidAppKey { header, reason })?;
        let app_key_name =
            reqwest::header::HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                BuildError::InvalidAppKey {
                    header,
                    reason: "the spec's apiKey scheme names no valid header; fix the spec and run `cargo xtask codegen`",
                }
            })?;
        if self.timeout.is_zero() {
            return Err(BuildError::InvalidTimeout(
                "the request timeout is zero; give at least a second",
            ));
        }
        if self.connect_timeout.is_zero() {
            return Err(BuildError::InvalidTimeout(
                "the connect timeout is zero; give at least a second",
            ));
        }
        let timeout_per_request = self.http_client.is_some();
        let http = match self.http_client {
            Some(client) => client,
            None => {
                install_ring_provider();
                reqwest::Client::builder()
                    // reqwest 0.13 resends a request on its own after an
                    // HTTP/2 GOAWAY or REFUSED_STREAM, judged by the error
                    // alone: no copy is ever sent twice by this client. With
                    // no retry allowed reqwest also skips cloning each request
                    // for a possible retry.
                    .retry(reqwest::retry::never().max_retries_per_request(0))
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .user_agent(self.user_agent)
                    .build()
                    .map_err(BuildError::Http)?
            }
        };
        let limits = ClientState::new(Parts {
            app_key_name,
            app_key_header: header,
            app_key: app_key_header,
            app_key_text: app_key,
            timeout: self.timeout,
            timeout_per_request,
            max_response_bytes: self.max_response_bytes,
            secret_properties: C::SECRET_PROPERTIES,
            operations: C::OPERATIONS,
            session_lifetime: C::SESSION_LIFETIME_SECONDS.map(Duration::from_secs),
        })
        .with_static_urls(base_url.clone(), static_urls);
        // Checked by `parse_base_url` above; a root that no longer parses
        // leaves the client without one, and every page link is refused.
        let limits = match Url::parse(&root) {
            Ok(root) => limits.with_api_root(root),
            Err(_) => limits,
        };
        Ok(C::from_parts(&base_url, http, limits))
    }
}

/// By index in `C::OPERATIONS`: the URL of every operation whose path has no
/// parameter, parsed here once instead of by reqwest on every call, with its
/// path as progenitor formats it after the base URL. `bases` are the
/// servers' URLs, variables applied, by index in `C::SERVERS`.
fn static_urls<C: GeneratedClient>(bases: &[String]) -> Result<StaticUrls, BuildError> {
    C::OPERATIONS
        .iter()
        .map(|op| {
            if op.path.contains('{') {
                return Ok(None);
            }
            let base = bases.get(op.server).map_or("", String::as_str);
            let url = format!("{base}{}", op.path);
            match Url::parse(&url) {
                Ok(parsed) => Ok(Some((op.path, parsed))),
                Err(e) => Err(BuildError::InvalidOperationUrl {
                    operation: op.id,
                    url,
                    reason: e.to_string(),
                }),
            }
        })
        .collect()
}

fn variable_default<C: GeneratedClient>(name: &str) -> Option<String> {
    C::SERVERS
        .iter()
        .flat_map(|server| server.variables)
        .find(|(n, _)| *n == name)
        .map(|(_, default)| (*default).to_owned())
}

/// Every variable given is one a server of the spec declares.
fn check_variables<C: GeneratedClient>(given: &[(String, String)]) -> Result<(), BuildError> {
    for (name, _) in given {
        if variable_default::<C>(name).is_none() {
            let mut known: Vec<&str> = C::SERVERS
                .iter()
                .flat_map(|server| server.variables)
                .map(|(n, _)| *n)
                .collect();
            known.dedup();
            return Err(BuildError::UnknownServerVariable {
                name: name.clone(),
                known: known.join(", "),
            });
        }
    }
    Ok(())
}

/// A server's base path with every variable replaced by the value given, or
/// by the spec's default.
fn base_path(server: &ServerSpec, given: &[(String, String)]) -> Result<String, BuildError> {
    let mut path = server.base_path.to_owned();
    for (name, default) in server.variables {
        let value = given
            .iter()
            .find(|(n, _)| n == name)
            .map_or(*default, |(_, v)| v.as_str());
        check_path_segment(name, value)?;
        path = path.replace(&format!("{{{name}}}"), value);
    }
    Ok(path)
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("app_key", &self.app_key.as_ref().map(|_| "<redacted>"))
            .field("server_variables", &self.server_variables)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.is_some())
            .finish()
    }
}

fn parse_base_url(raw: &str) -> Result<String, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidBaseUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(raw).map_err(|e| {
        invalid(&format!(
            "{e}; give an absolute URL such as https://trader.example.com/api"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "remove the query string or fragment; give only the API root",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "remove the user name and password; the API authenticates with the app key",
        ));
    }
    // Generated paths start with '/', so the root must not end with one.
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The key as a sensitive header value, or what is wrong with it.
fn app_key_header(key: &str) -> Result<HeaderValue, &'static str> {
    const NOT_ASCII: &str =
        "it contains characters a header cannot carry (only visible ASCII is allowed)";
    if key.is_empty() {
        return Err("it is empty; pass the key your administrator issued");
    }
    if key.trim() != key {
        return Err("it starts or ends with white space; remove it");
    }
    // HeaderValue accepts obsolete non-ASCII bytes too, which servers decode
    // inconsistently; an app key is plain visible ASCII.
    if !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Err(NOT_ASCII);
    }
    let mut value = HeaderValue::from_str(key).map_err(|_| NOT_ASCII)?;
    value.set_sensitive(true);
    Ok(value)
}

fn check_path_segment(name: &str, value: &str) -> Result<(), BuildError> {
    let ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    ok.then_some(())
        .ok_or_else(|| BuildError::InvalidServerVariable {
            name: name.to_owned(),
            value: value.to_owned(),
        })
}

/// reqwest is built without a default crypto provider (aws-lc-sys would double
/// the cold build); use ring unless the process already chose one.
pub(crate) fn install_ring_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::OperationSpec;

    /// A generated client reduced to what the builder reads; `BAD` has an
    /// operation whose URL does not parse.
    struct Fake<const BAD: bool>(ClientState);

    const fn row(id: &'static str, server: usize, path: &'static str) -> OperationSpec {
        OperationSpec {
            id,
            method: "GET",
            server,
            path,
            full_path: path,
            security: crate::table::Security {
                app_key: crate::table::Need::Required,
                bearer: crate::table::Need::None,
            },
            paged: false,
            statuses: &[200],
            refusals: &[],
            summary: "",
            parameters: &[],
            body: None,
            answer_secrets: crate::table::AnswerSecrets {
                body: false,
                properties: &[],
            },
            answer_table: None,
        }
    }

    impl<const BAD: bool> GeneratedClient for Fake<BAD> {
        const SERVERS: &'static [ServerSpec] = if BAD {
            &[ServerSpec {
                base_path: "",
                variables: &[],
            }]
        } else {
            &[
                ServerSpec {
                    base_path: "/v{version}",
                    variables: &[("version", "1.0")],
                },
                ServerSpec {
                    base_path: "",
                    variables: &[],
                },
            ]
        };
        const APP_KEY_HEADER: &'static str = "X-Fake-Key";
        const SESSION_LIFETIME_SECONDS: Option<u64> = None;
        const SECRET_PROPERTIES: &'static [&'static str] = &[];
        const OPERATIONS: &'static [OperationSpec] = if BAD {
            // Right after the host, a port out of range.
            &[row("bad", 0, ":99999/things")]
        } else {
            &[
                row("with_parameter", 0, "/things/{id}"),
                row("plain", 0, "/things"),
                row("at_root", 1, "/token"),
            ]
        };
        const REQUEST_SPEC_JSON: &'static str = "{}";
        fn from_parts(_: &str, _: reqwest::Client, inner: ClientState) -> Self {
            Self(inner)
        }
        fn state(&self) -> &ClientState {
            &self.0
        }
    }

    #[test]
    fn the_urls_of_operations_without_path_parameters_are_resolved_once() {
        let limits = ClientBuilder::default()
            .base_url("http://h/api/")
            .app_key("k")
            .api_version("2.0")
            .build_generated::<Fake<false>>()
            .unwrap()
            .0;
        let base = "http://h/api/v2.0";
        assert!(limits.cached_static_url(0, base, "/things/{id}").is_none());
        let cached = limits.cached_static_url(1, base, "/things").unwrap();
        assert_eq!(cached.as_str(), "http://h/api/v2.0/things");
        assert_eq!(limits.static_url(1, base, "/things").unwrap(), *cached);
        // An operation on its own server: the API root, without the version.
        let root = limits.cached_static_url(2, base, "/token").unwrap();
        assert_eq!(root.as_str(), "http://h/api/token");
        // Never the root server's URL for it, whatever is asked.
        assert!(limits.static_url(2, "http://other/api", "/token").is_err());
        // Any other index, base URL or path: the URL they make, never another
        // operation's and never a panic.
        for (index, base, path) in [
            (0, base, "/things"),
            (7, base, "/things"),
            (1, "http://other/api/v2.0", "/things"),
            (1, base, "/other"),
        ] {
            assert!(limits.cached_static_url(index, base, path).is_none());
            let url = limits.static_url(index, base, path).unwrap();
            assert_eq!(url.as_str(), format!("{base}{path}"));
        }
        let error = limits.static_url(1, "not a URL", "/things").unwrap_err();
        assert!(error.contains("\"not a URL/things\""), "{error}");
    }

    /// What the generated `send`s pass (codegen checks that their paths
    /// are these) finds the cached URL: the fallback is for foreign settings
    /// only, not a silent slow path.
    #[test]
    fn the_generated_client_finds_every_cached_url() {
        let client = Client::new("http://h/api", "k").unwrap();
        let limits = client.api().state();
        let mut cached = 0;
        for (index, op) in ApiClient::OPERATIONS.iter().enumerate() {
            let path = op.path;
            let url = limits.cached_static_url(index, &client.api().baseurl, path);
            assert_eq!(url.is_some(), !path.contains('{'), "{}", op.id);
            cached += usize::from(url.is_some());
        }
        // The spec has operations without path parameters (sign-in among
        // them): the loop above checked them, not an empty list.
        let without_parameters = ApiClient::OPERATIONS
            .iter()
            .filter(|op| !op.path.contains('{'))
            .count();
        assert_eq!(cached, without_parameters);
        assert!(without_parameters >= 1, "sign-in's /token has no parameter");
    }

    /// A spec that names another app-key header: every message names it,
    /// the builder's and the refused key's alike (no hand-written name).
    #[test]
    fn messages_name_the_app_key_header_of_the_clients_spec() {
        let builder = || ClientBuilder::default().base_url("http://h");
        for built in [
            builder().build_generated::<Fake<false>>(),
            builder().app_key("").build_generated::<Fake<false>>(),
        ] {
            let text = built.err().expect("no key, or an empty one").to_string();
            assert!(text.contains("X-Fake-Key"), "{text}");
        }
        let limits = builder()
            .app_key("k")
            .build_generated::<Fake<false>>()
            .unwrap()
            .0;
        let body: crate::types::ErrorBody =
            serde_json::from_value(serde_json::json!({"error": "no such key"})).unwrap();
        const REFUSED: OperationSpec = OperationSpec {
            refusals: &[(403, crate::table::Credential::AppKey)],
            ..row("refused", 0, "/things")
        };
        let status = reqwest::StatusCode::FORBIDDEN;
        let error = crate::operation::from_error_body(&REFUSED, status, &body, &limits);
        let text = error.to_string();
        assert!(matches!(
            error,
            crate::Error::AppKeyRejected {
                header: "X-Fake-Key",
                ..
            }
        ));
        assert!(text.contains("check the X-Fake-Key"), "{text}");
    }

    #[test]
    fn an_operation_url_that_does_not_parse_is_a_build_error() {
        let built = ClientBuilder::default()
            .base_url("http://h")
            .app_key("k")
            .build_generated::<Fake<true>>();
        match built {
            Err(e @ BuildError::InvalidOperationUrl { .. }) => {
                let text = e.to_string();
                assert!(text.contains("`bad`"), "{text}");
                assert!(text.contains("\"http://h:99999/things\""), "{text}");
            }
            Err(other) => panic!("expected InvalidOperationUrl, got {other}"),
            Ok(_) => panic!("expected InvalidOperationUrl, got a client"),
        }
    }
}
