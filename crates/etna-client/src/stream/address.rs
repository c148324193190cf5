//! The credential rule for streamer addresses, and the handshake URL, which
//! carries the streamer session id and so never shows.

use std::fmt;

use reqwest::Url;

use super::protocol::Handshake;
use crate::Secret;

/// A streamer's address, checked against the API root: the only host a
/// streamer session id may go to.
#[derive(Clone)]
pub(crate) struct Checked(Url);

impl Checked {
    /// Reads `address` (from `get_streamers`) and checks it against `root`
    /// (the client's API root), before anything is sent to it.
    ///
    /// The rule (the AsyncAPI document's reading): the root's host, any
    /// port; `wss`, or `ws` only when the root is plain `http` (a local
    /// mock); no user info, query or fragment; no path but `/` or the
    /// handshake's own.
    pub(crate) fn new(address: &str, root: &Url, handshake: &Handshake) -> Result<Self, Refusal> {
        let url = Url::parse(address).map_err(|_| Refusal {
            shown: "(not a URL)".to_owned(),
            reason: "it is not a URL".to_owned(),
        })?;
        let shown = origin(&url);
        let refuse = |reason: String| Refusal {
            shown: shown.clone(),
            reason,
        };
        match (url.scheme(), root.scheme()) {
            ("wss", _) | ("ws", "http") => {}
            ("ws", _) => {
                return Err(refuse(format!(
                    "ws is plain text and the API root is {}: only wss",
                    root.scheme()
                )));
            }
            (other, _) => return Err(refuse(format!("the scheme {other} is no WebSocket's"))),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("it carries user info".to_owned()));
        }
        match (url.host(), root.host()) {
            (Some(host), Some(root_host)) if host == root_host => {}
            _ => {
                return Err(refuse(format!(
                    "another host than the API root's ({})",
                    root.host_str().unwrap_or("none")
                )));
            }
        }
        if !matches!(url.path(), "" | "/") && url.path() != handshake.path {
            return Err(refuse("it has a path of its own".to_owned()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse("it has a query or a fragment".to_owned()));
        }
        Ok(Self(url))
    }

    /// Whether it is plain `ws` (no TLS).
    pub(crate) fn is_plain(&self) -> bool {
        self.0.scheme() == "ws"
    }

    /// The address without anything secret, for messages.
    pub(crate) fn shown(&self) -> String {
        origin(&self.0)
    }

    /// The handshake's URL: the address, the handshake's path and its query.
    pub(crate) fn handshake(
        &self,
        handshake: &Handshake,
        user: &str,
        password: &Secret,
    ) -> HandshakeUrl {
        let mut url = self.0.clone();
        url.set_path(handshake.path);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair(handshake.user, user);
            query.append_pair(handshake.password, password.expose());
            for (name, value) in handshake.fixed {
                query.append_pair(name, value);
            }
        }
        HandshakeUrl {
            url: Secret::new(String::from(url)),
            shown: format!("{}{}", origin(&self.0), handshake.path),
        }
    }
}

impl fmt::Debug for Checked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

/// Why an address was refused; shows no user info, path or query.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) shown: String,
    pub(crate) reason: String,
}

/// The URL of a handshake. It holds the streamer session id: its `Debug`
/// shows the address and path only, and its text is read only through
/// [`HandshakeUrl::expose`].
pub(crate) struct HandshakeUrl {
    url: Secret,
    shown: String,
}

impl HandshakeUrl {
    pub(crate) fn expose(&self) -> &str {
        self.url.expose()
    }
}

impl fmt::Debug for HandshakeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}?<redacted>", self.shown)
    }
}

/// Scheme, host and port only.
fn origin(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANDSHAKE: Handshake = Handshake {
        path: "/CreateSession.txt",
        user: "User",
        password: "Password",
        fixed: &[("HttpClientType", "WebSocket")],
    };

    fn check(address: &str, root: &str) -> Result<Checked, Refusal> {
        Checked::new(address, &Url::parse(root).unwrap(), &HANDSHAKE)
    }

    #[test]
    fn the_roots_host_on_any_port_is_accepted() {
        for (address, root) in [
            (
                "wss://trader.example.com:9999",
                "https://trader.example.com/api",
            ),
            (
                "wss://trader.example.com:9995/",
                "https://trader.example.com",
            ),
            ("wss://TRADER.example.com", "https://trader.example.com"),
            ("ws://127.0.0.1:4001", "http://127.0.0.1:4000"),
            ("wss://127.0.0.1:4001", "http://127.0.0.1:4000"),
            (
                "ws://127.0.0.1:4001/CreateSession.txt",
                "http://127.0.0.1:4000",
            ),
        ] {
            assert!(check(address, root).is_ok(), "{address} for {root}");
        }
    }

    #[test]
    fn anything_else_is_refused_without_quoting_user_info_or_query() {
        for (address, root, why) in [
            (
                "ws://trader.example.com:9999",
                "https://trader.example.com",
                "plain text",
            ),
            (
                "wss://evil.example.com:9999",
                "https://trader.example.com",
                "another host",
            ),
            (
                "wss://example.com",
                "https://trader.example.com",
                "another host",
            ),
            ("wss://127.0.0.2:1", "http://127.0.0.1:4000", "another host"),
            (
                "wss://u:pw@trader.example.com",
                "https://trader.example.com",
                "user info",
            ),
            (
                "wss://trader.example.com/x/y",
                "https://trader.example.com",
                "a path",
            ),
            (
                "wss://trader.example.com/?a=1",
                "https://trader.example.com",
                "a query",
            ),
            (
                "https://trader.example.com",
                "https://trader.example.com",
                "no WebSocket",
            ),
            ("not a url", "https://trader.example.com", "not a URL"),
        ] {
            let refusal = check(address, root).expect_err(address);
            assert!(refusal.reason.contains(why), "{address}: {refusal:?}");
            assert!(!refusal.shown.contains("pw") && !refusal.shown.contains("a=1"));
        }
    }

    #[test]
    fn the_handshake_url_carries_the_session_id_and_never_shows_it() {
        let checked = check("ws://127.0.0.1:4001", "http://127.0.0.1:4000").unwrap();
        let url = checked.handshake(&HANDSHAKE, "7125", &Secret::new("s3cr3t id"));
        assert_eq!(
            url.expose(),
            "ws://127.0.0.1:4001/CreateSession.txt?User=7125&Password=s3cr3t+id&HttpClientType=WebSocket"
        );
        let shown = format!("{url:?} {checked:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(
            shown,
            "ws://127.0.0.1:4001/CreateSession.txt?<redacted> ws://127.0.0.1:4001"
        );
    }
}
