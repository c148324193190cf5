//! The session token of a signed-in trader, as the client holds it: a
//! secret, with when it was issued and how long the spec says it lasts.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;

use crate::{BuildError, Secret};

/// A session: the token sign-in returned, sent as `Authorization: Bearer`
/// on every operation whose security names the spec's Bearer scheme.
///
/// `Debug` never shows the token. The lifetime is the one the spec
/// documents for the scheme (`x-etna-lifetime-seconds`), when it documents
/// one; there is no refresh, so an expired session means signing in again.
#[derive(Clone)]
pub struct Session {
    token: Secret,
    header: HeaderValue,
    issued: SystemTime,
    lifetime: Option<Duration>,
}

impl Session {
    /// A session from a token issued at `issued`, lasting `lifetime`
    /// (`None`: not known). Fails when the token cannot be sent in a header.
    pub fn new(
        token: impl Into<Secret>,
        issued: SystemTime,
        lifetime: Option<Duration>,
    ) -> Result<Self, BuildError> {
        let token = token.into();
        if token.is_empty() {
            return Err(BuildError::InvalidSessionToken("it is empty"));
        }
        // Visible ASCII only, as for the app key: servers decode other bytes
        // inconsistently.
        if !token.expose().bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BuildError::InvalidSessionToken(
                "it contains characters a header cannot carry (only visible ASCII is allowed)",
            ));
        }
        let mut header = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| BuildError::InvalidSessionToken("it cannot be sent in a header"))?;
        header.set_sensitive(true);
        Ok(Self {
            token,
            header,
            issued,
            lifetime,
        })
    }

    /// The token itself (for storing it; never log it).
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// When it was issued (as the client saw it: when sign-in answered).
    pub fn issued(&self) -> SystemTime {
        self.issued
    }

    /// How long it lasts, when the spec documents it.
    pub fn lifetime(&self) -> Option<Duration> {
        self.lifetime
    }

    /// When it expires, when its lifetime is known.
    pub fn expires(&self) -> Option<SystemTime> {
        self.lifetime.and_then(|l| self.issued.checked_add(l))
    }

    /// Whether it is past its known lifetime at `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expires().is_some_and(|expires| now >= expires)
    }

    pub(crate) fn header(&self) -> &HeaderValue {
        &self.header
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("token", &"<redacted>")
            .field("issued", &self.issued)
            .field("lifetime", &self.lifetime)
            .finish()
    }
}
