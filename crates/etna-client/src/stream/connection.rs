//! One connection to one streamer: the handshake and its session reply, the
//! subscriptions, the reader loop with its pings, and reconnecting.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, sleep_until, timeout};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::address::Checked;
use super::buffer::Shared;
use super::builder::{Resync, Settings, StreamItem, Subscriptions, Unlisted};
use super::error::Error;
use super::flow::{self, Server};
use super::protocol::{Protocol, SessionReply};
use crate::{Client, Secret};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A subscription change for a connection's task to send.
pub(crate) struct Command<E> {
    pub(crate) entity: E,
    pub(crate) keys: String,
    pub(crate) subscribe: bool,
}

/// A connection with its session: the socket and the id every command
/// carries.
pub(crate) struct Live {
    socket: Socket,
    session: Secret,
}

enum Handshaken {
    Ok(Box<Live>),
    Refused,
}

/// What reading a frame leads to.
enum Next {
    Go,
    /// The stream ended (overflow, or the consumer is gone).
    Stop,
    Dropped(String),
}

pub(crate) struct Connection<P: Protocol> {
    pub(crate) server: &'static Server,
    pub(crate) client: Client,
    pub(crate) address: Checked,
    pub(crate) user: String,
    /// The streamer session id (`get_streamers` or recovered).
    pub(crate) session: Secret,
    pub(crate) settings: Arc<Settings>,
    pub(crate) subscriptions: Arc<Mutex<Subscriptions<P::Entity>>>,
    pub(crate) shared: Arc<Shared<P>>,
}

impl<P: Protocol> Connection<P> {
    /// Connects with the streamer session id; when the streamer refuses it,
    /// recovers a new one once and tries again; then subscribes.
    pub(crate) async fn open(&mut self) -> Result<Live, Error> {
        let mut live = match self.handshake().await? {
            Handshaken::Ok(live) => *live,
            Handshaken::Refused => {
                self.session = flow::recover(&self.client, self.server).await?;
                match self.handshake().await? {
                    Handshaken::Ok(live) => *live,
                    Handshaken::Refused => {
                        return Err(Error::Refused {
                            server: self.server.name,
                        });
                    }
                }
            }
        };
        let subscriptions = {
            let subscriptions = self
                .subscriptions
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let server = self.server.name;
            subscriptions.joined(P::KEY_SEPARATOR, |entity| P::server(entity) == server)
        };
        for (entity, keys) in subscriptions {
            let command = P::subscribe(&live.session, entity, &keys);
            self.send(&mut live.socket, command, "subscribing").await?;
        }
        Ok(live)
    }

    async fn handshake(&self) -> Result<Handshaken, Error> {
        let server = self.server.name;
        let url = self
            .address
            .handshake(&P::HANDSHAKE, &self.user, &self.session);
        let limit = self.settings.timeout;
        let connector = connector(&self.address, server)?;
        tracing::debug!(server, address = ?url, "connecting to a streamer");
        let (mut socket, _) = timeout(
            limit,
            tokio_tungstenite::connect_async_tls_with_config(
                url.expose(),
                None,
                true,
                Some(connector),
            ),
        )
        .await
        .map_err(|_| Error::Timeout {
            server,
            what: "connection and WebSocket handshake",
            after: limit,
        })?
        .map_err(|e| Error::Connect {
            server,
            reason: describe(&e, &self.session),
        })?;
        let reply = timeout(limit, async {
            while let Some(frame) = socket.next().await {
                match frame {
                    Ok(Message::Text(text)) => {
                        if let Some(reply) = P::session_reply(text.as_str()) {
                            return Ok(reply);
                        }
                    }
                    Ok(Message::Close(_)) => break,
                    Ok(_) => {}
                    Err(e) => return Err(describe(&e, &self.session)),
                }
            }
            Err("the streamer closed the connection before its session reply".to_owned())
        })
        .await
        .map_err(|_| Error::Timeout {
            server,
            what: "session reply",
            after: limit,
        })?
        .map_err(|reason| Error::Connect { server, reason })?;
        match reply {
            SessionReply::Ok(session) => Ok(Handshaken::Ok(Box::new(Live { socket, session }))),
            SessionReply::Refused => {
                let _ = timeout(limit, socket.close(None)).await;
                Ok(Handshaken::Refused)
            }
        }
    }

    async fn send(
        &self,
        socket: &mut Socket,
        text: String,
        what: &'static str,
    ) -> Result<(), Error> {
        let server = self.server.name;
        let limit = self.settings.timeout;
        timeout(limit, socket.send(Message::text(text)))
            .await
            .map_err(|_| Error::Timeout {
                server,
                what,
                after: limit,
            })?
            .map_err(|e| Error::Connect {
                server,
                reason: format!("{what}: {}", describe(&e, &self.session)),
            })
    }

    /// The connection's task: reads until the connection drops, reconnects,
    /// and so on until the stream ends or reconnecting fails.
    pub(crate) async fn run(
        mut self,
        mut live: Live,
        mut commands: mpsc::UnboundedReceiver<Command<P::Entity>>,
    ) {
        loop {
            let dropped = match self.read(&mut live, &mut commands).await {
                Some(dropped) => dropped,
                None => return,
            };
            let since = SystemTime::now();
            tracing::debug!(server = self.server.name, %dropped, "a streamer connection dropped");
            match self.reconnect(&dropped, &mut commands).await {
                Ok((again, attempts)) => {
                    live = again;
                    let resync = Resync {
                        server: self.server.name,
                        since,
                        attempts,
                        dropped,
                    };
                    if !self.shared.push(Ok(StreamItem::Resync(resync))) {
                        return;
                    }
                }
                Err(error) => {
                    self.shared.fail(error);
                    return;
                }
            }
        }
    }

    /// Reads frames into the queue until the connection drops (`Some(why)`)
    /// or the stream ends (`None`). A connection silent for the ping
    /// interval is pinged; silent for the pong timeout after that, it is
    /// dropped.
    async fn read(
        &self,
        live: &mut Live,
        commands: &mut mpsc::UnboundedReceiver<Command<P::Entity>>,
    ) -> Option<String> {
        let settings = &self.settings;
        let mut deadline = Instant::now() + settings.ping_interval;
        let mut pinged = false;
        loop {
            tokio::select! {
                frame = live.socket.next() => {
                    match frame {
                        Some(Ok(Message::Text(text))) => match self.deliver(text.as_str()) {
                            Next::Go => {}
                            Next::Stop => return None,
                            Next::Dropped(why) => return Some(why),
                        },
                        Some(Ok(Message::Close(_))) | None => {
                            return Some("the streamer closed the connection".to_owned());
                        }
                        Some(Err(e)) => return Some(describe(&e, &self.session)),
                        // Pings are answered by tungstenite; pongs and
                        // binary frames only show the connection is alive.
                        Some(Ok(_)) => {}
                    }
                    deadline = Instant::now() + settings.ping_interval;
                    pinged = false;
                }
                () = sleep_until(deadline) => {
                    if pinged {
                        return Some(format!(
                            "no frame within {:?} of a ping",
                            settings.pong_timeout
                        ));
                    }
                    let ping = timeout(settings.timeout, live.socket.send(Message::Ping(Default::default())));
                    if !matches!(ping.await, Ok(Ok(()))) {
                        return Some("sending a ping failed".to_owned());
                    }
                    pinged = true;
                    deadline = Instant::now() + settings.pong_timeout;
                }
                Some(command) = commands.recv() => {
                    let text = if command.subscribe {
                        P::subscribe(&live.session, command.entity, &command.keys)
                    } else {
                        P::unsubscribe(&live.session, command.entity, &command.keys)
                    };
                    if let Err(error) = self.send(&mut live.socket, text, "a subscription change").await {
                        return Some(error.to_string());
                    }
                }
            }
            if !self.shared.is_open() {
                return None;
            }
        }
    }

    fn deliver(&self, text: &str) -> Next {
        let server = self.server.name;
        if let Some(reply) = P::session_reply(text) {
            return match reply {
                SessionReply::Ok(_) => Next::Go,
                SessionReply::Refused => Next::Dropped("the streamer ended the session".to_owned()),
            };
        }
        let queued = match serde_json::from_str::<P::Event>(text) {
            Ok(event) => self.shared.push_event(event),
            Err(error) => match P::unlisted(text) {
                Some(entity) => self.shared.push(Ok(StreamItem::Unlisted(Unlisted {
                    server,
                    entity,
                    text: text.to_owned(),
                }))),
                None => self.shared.push(Err(Error::Decode {
                    server,
                    reason: error.to_string(),
                })),
            },
        };
        if queued { Next::Go } else { Next::Stop }
    }

    /// Attempts to reconnect, with backoff, until one succeeds or the
    /// policy's attempts or time run out.
    async fn reconnect(
        &mut self,
        dropped: &str,
        commands: &mut mpsc::UnboundedReceiver<Command<P::Entity>>,
    ) -> Result<(Live, u32), Error> {
        let policy = self.settings.reconnect.clone();
        let started = Instant::now();
        let mut last = None;
        let mut attempts = 0;
        while attempts < policy.max_attempts {
            let wait = backoff(&policy, attempts);
            if started.elapsed() + wait > policy.max_elapsed {
                break;
            }
            sleep(wait).await;
            attempts += 1;
            // Every subscription is renewed from the shared list: the
            // changes sent before this point are in it.
            while commands.try_recv().is_ok() {}
            match self.open().await {
                Ok(live) => return Ok((live, attempts)),
                Err(error) => {
                    tracing::debug!(server = self.server.name, %error, attempts, "reconnecting failed");
                    last = Some(error);
                }
            }
        }
        Err(Error::Reconnect {
            server: self.server.name,
            dropped: dropped.to_owned(),
            attempts,
            elapsed: started.elapsed(),
            last: Box::new(last.unwrap_or(Error::Timeout {
                server: self.server.name,
                what: "reconnect attempt before the time allowed ran out",
                after: policy.max_elapsed,
            })),
        })
    }
}

/// The wait before attempt `done + 1`: the initial delay doubled per
/// attempt made, capped, drawn between half of it and all of it.
fn backoff(policy: &super::builder::Reconnect, done: u32) -> Duration {
    let full = policy
        .initial_delay
        .saturating_mul(1u32.checked_shl(done.min(30)).unwrap_or(u32::MAX))
        .min(policy.max_delay);
    let half = full / 2;
    let spread = (full - half).as_nanos() as u64;
    let jitter = if spread == 0 {
        0
    } else {
        random() % (spread + 1)
    };
    half + Duration::from_nanos(jitter)
}

/// A number for the jitter: std's randomly keyed hasher over a counter (no
/// crate for one random number per reconnect).
fn random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// Plain TCP for `ws`; for `wss`, rustls with the platform's certificates,
/// as reqwest checks them.
fn connector(address: &Checked, server: &'static str) -> Result<Connector, Error> {
    if address.is_plain() {
        return Ok(Connector::Plain);
    }
    crate::builder::install_ring_provider();
    use rustls_platform_verifier::ConfigVerifierExt;
    let config = rustls::ClientConfig::with_platform_verifier().map_err(|e| Error::Connect {
        server,
        reason: format!("no TLS configuration: {e}"),
    })?;
    Ok(Connector::Rustls(Arc::new(config)))
}

/// A tungstenite error in words, without the URL (an HTTP refusal as its
/// status) and with the streamer session id scrubbed, should a message
/// ever quote it.
fn describe(error: &tungstenite::Error, session: &Secret) -> String {
    let text = match error {
        tungstenite::Error::Http(response) => {
            format!("the streamer answered HTTP {}", response.status())
        }
        tungstenite::Error::Url(_) => "the address is not a WebSocket URL".to_owned(),
        other => other.to_string(),
    };
    if session.is_empty() {
        text
    } else {
        text.replace(session.expose(), "<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Reconnect;

    #[test]
    fn the_backoff_doubles_with_jitter_up_to_its_cap() {
        let policy = Reconnect {
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..Reconnect::default()
        };
        for _ in 0..50 {
            let first = backoff(&policy, 0);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = backoff(&policy, 2);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = backoff(&policy, 40);
            assert!(late >= Duration::from_millis(500) && late <= Duration::from_secs(1));
        }
        let waits: std::collections::HashSet<_> = (0..20).map(|_| backoff(&policy, 3)).collect();
        assert!(waits.len() > 1, "jitter: {waits:?}");
    }
}
