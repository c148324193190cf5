//! The client consumers hold: the generated operations, with the session
//! and the settings the builder checked.

use std::fmt;
use std::ops::Deref;

use crate::Secret;
use crate::build_error::BuildError;
use crate::builder::ClientBuilder;
use crate::generated::Client as ApiClient;
use crate::hooks::ClientState;
use crate::session::Session;
use crate::table::{OperationSpec, ServerSpec};
/// What every client generated from a spec provides to the builder.
/// Implemented by `cargo xtask codegen`; never by hand.
pub trait GeneratedClient: Sized {
    /// The spec's servers after their leading `{variable}` (the API root the
    /// caller gives), the spec's root server first: e.g. `/v{version}`, and
    /// `` for an operation at the API root itself.
    const SERVERS: &'static [ServerSpec];
    /// The header of the spec's `apiKey` scheme (the application key).
    const APP_KEY_HEADER: &'static str;
    /// How long a session lasts, as the spec documents it for its Bearer
    /// scheme (`x-etna-lifetime-seconds`), in seconds.
    const SESSION_LIFETIME_SECONDS: Option<u64>;
    /// The JSON names of the properties the spec marks `format: password`.
    const SECRET_PROPERTIES: &'static [&'static str];
    /// Every operation of the spec.
    const OPERATIONS: &'static [OperationSpec];
    /// The part of the spec the client was generated from that checks a
    /// request, as JSON: each operation's `operationId` and `requestBody`,
    /// and the component `schemas` and `requestBodies`. For tools that check
    /// a body before sending it (the `etna` CLI); a constant, so only a
    /// binary that reads it carries it.
    const REQUEST_SPEC_JSON: &'static str;
    /// The generated client over a ready reqwest client.
    fn from_parts(baseurl: &str, client: reqwest::Client, inner: ClientState) -> Self;
    /// The settings the client was built with.
    fn state(&self) -> &ClientState;
}

/// A client of the ETNA Trader API.
///
/// It sends the app key on every request in the header the spec names
/// ([`GeneratedClient::APP_KEY_HEADER`], as a sensitive header), applies the
/// timeouts and the response-size cap to every request, and dereferences to the
/// generated client, so every operation of the spec is a method, e.g.
/// `client.get_secret_question().username("robert.zak").call().await`
/// (see [`Operation`](crate::Operation)).
#[derive(Clone)]
pub struct Client {
    pub(crate) api: ApiClient,
    pub(crate) base_url: String,
    pub(crate) api_version: String,
}

impl Client {
    /// A client with the default settings (see [`ClientBuilder`]).
    pub fn new(base_url: &str, app_key: &str) -> Result<Self, BuildError> {
        Self::builder().base_url(base_url).app_key(app_key).build()
    }

    /// Starts a [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The generated client, for callers who want the raw envelope.
    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    /// The API root the client was given, without a trailing slash and
    /// without the spec's base path (`/v{version}`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API version the client sends in the path (default `1.0`).
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Sets the session from a token sign-in just returned, replacing any
    /// other (see [`ClientState::set_session_token`]); every clone of this client
    /// sends it from the next call on.
    pub fn set_session_token(&self, token: impl Into<Secret>) -> Result<(), BuildError> {
        self.api.state().set_session_token(token)
    }

    /// Sets a session kept from earlier.
    pub fn set_session(&self, session: Session) {
        self.api.state().set_session(session);
    }

    /// The current session, if any.
    pub fn session(&self) -> Option<Session> {
        self.api.state().session()
    }

    /// Forgets the session locally (the API documents no logout).
    pub fn clear_session(&self) {
        self.api.state().clear_session();
    }
}

// `Deref` stays, on purpose. The Rust API guidelines keep `Deref` for smart
// pointers, and `Client` is close to one: a handle around the generated
// client that adds the session and the flows. What it buys is the design
// rule of this workspace: every operation the spec gains is a method of
// `Client` (`client.sign_in()`, `client.change_pin_code()`) with no
// hand-written line, and no call site pays an `.api()` prefix. What it
// costs: an inherent method of `Client` hides a generated one of the same
// name. `Client::sign_in(user, password)` does so on purpose, and the
// generated `sign_in()` builder stays reachable as `client.api().sign_in()`;
// any other inherent method must not take an operation id's name.
impl Deref for Client {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("api_version", &self.api_version)
            .field("limits", progenitor_client::ClientInfo::inner(&self.api))
            .finish()
    }
}
