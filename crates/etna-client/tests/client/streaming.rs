//! The streaming runtime against raw streamers on 127.0.0.1: the flow
//! (`get_streamers`, the user's ID, the handshake, the session reply, the
//! subscriptions), the credential rule, timeouts and pings, reconnecting
//! with a resync marker and session recovery, and the bounded queue of a
//! slow consumer.

use std::time::Duration;

use etna_client::futures_util::StreamExt;
use etna_client::stream::{self, EventStream, Reconnect, StreamBuilder, StreamItem};
use serde_json::{Value, json};

use crate::streamer::{
    DATA_SESSION, Doc, Entity, Event, Mode, QUOTE_SESSION, RECOVERED_SESSION, REPLY_SESSION, Rest,
    Streamer, USER_ID, assert_no_streamer_secrets, guard, handshake_pairs, order, quote,
};

type Item = Result<StreamItem<Event>, stream::Error>;

const TIMEOUT: Duration = Duration::from_secs(5);

/// Reconnects at once and often enough for a test.
fn quick() -> Reconnect {
    Reconnect {
        initial_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_attempts: 3,
        max_elapsed: Duration::from_secs(10),
    }
}

struct Setup {
    rest: Rest,
    data: Streamer,
    quote: Streamer,
}

impl Setup {
    async fn start() -> Self {
        Self::with_data_session(Some(DATA_SESSION)).await
    }

    async fn with_data_session(session: Option<&str>) -> Self {
        let data = Streamer::start(session.unwrap_or(RECOVERED_SESSION)).await;
        let quote = Streamer::start(QUOTE_SESSION).await;
        let rest = Rest::start(&data.url(), session, &quote.url()).await;
        Self { rest, data, quote }
    }

    /// A stream of account 140's orders, once the data streamer has its
    /// Subscribe.
    async fn following_orders(&self) -> EventStream<Doc> {
        let stream = guard(
            "connect",
            self.builder().subscribe(Entity::Order, [140]).connect(),
        )
        .await
        .unwrap();
        self.data
            .wait("subscribed", |s| s.commands().len() == 1)
            .await;
        stream
    }

    fn builder(&self) -> StreamBuilder<Doc> {
        self.rest
            .client(TIMEOUT)
            .stream_of::<Doc>()
            .reconnect(quick())
    }
}

async fn next(stream: &mut EventStream<Doc>) -> Item {
    guard("the next item", stream.next())
        .await
        .expect("the stream goes on")
}

async fn next_event(stream: &mut EventStream<Doc>) -> Event {
    match next(stream).await {
        Ok(StreamItem::Event(event)) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

fn parsed(command: &str) -> Value {
    serde_json::from_str(command).unwrap()
}

#[tokio::test]
async fn the_handshake_and_subscriptions_reach_the_streamers_as_documented_and_events_decode() {
    let setup = Setup::start().await;
    let mut stream = guard(
        "connect",
        setup
            .builder()
            .subscribe(Entity::Order, [140])
            .subscribe(Entity::Quote, [5])
            .connect(),
    )
    .await
    .expect("connected");

    for (streamer, session) in [(&setup.data, DATA_SESSION), (&setup.quote, QUOTE_SESSION)] {
        streamer
            .wait("the subscription", |s| !s.commands().is_empty())
            .await;
        let handshakes = streamer.handshakes();
        assert_eq!(handshakes.len(), 1);
        let (path, query) = handshake_pairs(&handshakes[0]);
        assert_eq!(path, "/CreateSession.txt");
        let expected: Vec<(String, String)> = [
            ("User", USER_ID.to_string().as_str()),
            ("Password", session),
            ("HttpClientType", "WebSocket"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(query, expected, "User is the UserId alone");
    }
    // The documented Subscribe example's shape, with the session reply's id.
    assert_eq!(
        setup
            .data
            .commands()
            .iter()
            .map(|c| parsed(c))
            .collect::<Vec<_>>(),
        [
            json!({"Cmd": "Subscribe.txt", "SessionId": REPLY_SESSION, "Keys": "140",
                "EntityType": "Order", "HttpClientType": "WebSocket"})
        ]
    );
    assert_eq!(
        setup
            .quote
            .commands()
            .iter()
            .map(|c| parsed(c))
            .collect::<Vec<_>>(),
        [
            json!({"Cmd": "Subscribe.txt", "SessionId": REPLY_SESSION, "Keys": "5",
                "EntityType": "Quote", "HttpClientType": "WebSocket"})
        ]
    );

    setup
        .data
        .push_and_sync(&[
            order(9626, "New"),
            json!({"EntityType": "Watchlist", "Id": "3"}).to_string(),
            json!({"EntityType": "Order", "Status": "New"}).to_string(),
            order(9626, "Filled"),
        ])
        .await;
    assert_eq!(
        next_event(&mut stream).await,
        Event::Order {
            id: "9626".into(),
            status: "New".into()
        }
    );
    match next(&mut stream).await {
        Ok(StreamItem::Unlisted(unlisted)) => {
            assert_eq!(
                (unlisted.server, unlisted.entity.as_str()),
                ("data", "Watchlist")
            );
            assert_eq!(parsed(&unlisted.text)["Id"], "3");
        }
        other => panic!("an unlisted message is kept as text: {other:?}"),
    }
    // A listed message that does not decode is reported, and the stream
    // goes on.
    match next(&mut stream).await {
        Err(error @ stream::Error::Decode { .. }) => {
            assert!(error.to_string().contains("Id"), "{error}")
        }
        other => panic!("a broken order is an error: {other:?}"),
    }
    assert_eq!(
        next_event(&mut stream).await,
        Event::Order {
            id: "9626".into(),
            status: "Filled".into()
        }
    );
    setup.quote.push_and_sync(&[quote(5, "69")]).await;
    assert_eq!(
        next_event(&mut stream).await,
        Event::Quote {
            key: "5".into(),
            last: "69".into()
        }
    );

    // Subscribing and unsubscribing on the running stream.
    stream.subscribe(Entity::Quote, [6, 5, 7]).unwrap();
    stream.unsubscribe(Entity::Order, [140]).unwrap();
    setup
        .quote
        .wait("the new keys", |s| s.commands().len() == 2)
        .await;
    setup
        .data
        .wait("the unsubscribe", |s| s.commands().len() == 2)
        .await;
    assert_eq!(parsed(&setup.quote.commands()[1])["Keys"], "6;7");
    let unsubscribe = parsed(&setup.data.commands()[1]);
    assert_eq!(
        (&unsubscribe["Cmd"], &unsubscribe["Keys"]),
        (&json!("Unsubscribe.txt"), &json!("140"))
    );
    assert_no_streamer_secrets("the stream", &format!("{stream:?}"));
}

#[tokio::test]
async fn a_data_address_without_a_session_id_is_recovered_first() {
    let setup = Setup::with_data_session(None).await;
    let _stream = guard(
        "connect",
        setup.builder().subscribe(Entity::Order, [140]).connect(),
    )
    .await
    .expect("connected with the recovered id");
    let (_, query) = handshake_pairs(&setup.data.handshakes()[0]);
    assert!(query.contains(&("Password".into(), RECOVERED_SESSION.into())));
    assert_eq!(setup.rest.recoveries("0").await, 1);
    assert_eq!(setup.rest.recoveries("1").await, 0);
    // Only the streamers the subscriptions need are connected.
    assert_eq!(setup.quote.accepted(), 0);
}

#[tokio::test]
async fn a_dropped_connection_is_reconnected_resubscribed_and_marked() {
    let setup = Setup::start().await;
    let mut stream = guard(
        "connect",
        setup
            .builder()
            .subscribe(Entity::Order, [140, 141])
            .connect(),
    )
    .await
    .unwrap();
    setup
        .data
        .wait("subscribed", |s| s.commands().len() == 1)
        .await;
    setup.data.drop_connections();
    match next(&mut stream).await {
        Ok(StreamItem::Resync(resync)) => {
            assert_eq!(resync.server, "data");
            assert!(resync.attempts >= 1);
            assert!(resync.to_string().contains("updates may have been missed"));
        }
        other => panic!("expected the resync marker: {other:?}"),
    }
    // The marker follows the renewed subscription, which the streamer may
    // not have read yet.
    setup
        .data
        .wait("subscribed again", |s| s.commands().len() == 2)
        .await;
    let commands = setup.data.commands();
    assert_eq!(parsed(&commands[1])["Keys"], "140;141");
    assert_eq!(setup.data.handshakes().len(), 2);
    assert_eq!(setup.rest.recoveries("0").await, 0);
    setup.data.push_and_sync(&[order(1, "Filled")]).await;
    assert!(matches!(next_event(&mut stream).await, Event::Order { .. }));
}

#[tokio::test]
async fn a_refused_session_on_reconnect_is_recovered_once() {
    let setup = Setup::start().await;
    let mut stream = setup.following_orders().await;
    setup.data.expire();
    setup.data.accept(RECOVERED_SESSION);
    setup.data.drop_connections();
    assert!(matches!(next(&mut stream).await, Ok(StreamItem::Resync(_))));
    let passwords: Vec<String> = setup
        .data
        .handshakes()
        .iter()
        .map(|h| {
            let (_, query) = handshake_pairs(h);
            query.into_iter().find(|(k, _)| k == "Password").unwrap().1
        })
        .collect();
    assert_eq!(passwords, [DATA_SESSION, DATA_SESSION, RECOVERED_SESSION]);
    assert_eq!(setup.rest.recoveries("0").await, 1);
    setup
        .data
        .wait("subscribed again", |s| s.commands().len() == 2)
        .await;
}

#[tokio::test]
async fn reconnecting_gives_up_after_its_attempts_and_says_why() {
    let setup = Setup::start().await;
    let mut stream = setup.following_orders().await;
    // Every new session is refused, the recovered id too.
    setup.data.expire();
    setup.data.drop_connections();
    let error = match next(&mut stream).await {
        Err(error @ stream::Error::Reconnect { attempts: 3, .. }) => error,
        other => panic!("expected the end of reconnecting: {other:?}"),
    };
    let text = error.to_string();
    assert!(text.contains("refused the session"), "{text}");
    assert_no_streamer_secrets("the error", &format!("{text} {error:?}"));
    assert_eq!(setup.rest.recoveries("0").await, 3, "once per attempt");
    assert!(guard("the end", stream.next()).await.is_none());
}

#[tokio::test]
async fn a_hundred_quote_subscriptions_are_one_command_on_one_connection() {
    let setup = Setup::start().await;
    let keys: Vec<u32> = (1..=100).collect();
    let mut stream = guard(
        "connect",
        setup.builder().subscribe(Entity::Quote, &keys).connect(),
    )
    .await
    .unwrap();
    setup
        .quote
        .wait("subscribed", |s| !s.commands().is_empty())
        .await;
    assert_eq!(setup.quote.accepted(), 1);
    let commands = setup.quote.commands();
    assert_eq!(commands.len(), 1);
    let expected = keys
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(";");
    assert_eq!(parsed(&commands[0])["Keys"], expected.as_str());
    let quotes: Vec<String> = keys.iter().map(|k| quote(*k, "1.5")).collect();
    setup.quote.push_and_sync(&quotes).await;
    for key in &keys {
        assert_eq!(
            next_event(&mut stream).await,
            Event::Quote {
                key: key.to_string(),
                last: "1.5".into()
            }
        );
    }
}

#[tokio::test]
async fn a_slow_consumer_gets_the_latest_quote_per_key_and_every_order() {
    let setup = Setup::start().await;
    let mut stream = guard(
        "connect",
        setup
            .builder()
            .subscribe(Entity::Order, [140])
            .subscribe(Entity::Quote, [1, 2])
            .connect(),
    )
    .await
    .unwrap();
    setup
        .quote
        .wait("subscribed", |s| !s.commands().is_empty())
        .await;
    // Nothing is read while the streamers push: the reader queues it all.
    setup
        .quote
        .push_and_sync(&[quote(1, "10"), quote(1, "11"), quote(2, "20")])
        .await;
    setup
        .data
        .push_and_sync(&[order(1, "New"), order(1, "Filled")])
        .await;
    setup
        .quote
        .push_and_sync(&[quote(1, "12"), quote(2, "21")])
        .await;
    setup.data.push_and_sync(&[order(2, "New")]).await;
    let mut read = Vec::new();
    for _ in 0..5 {
        read.push(next_event(&mut stream).await);
    }
    let quote = |key: &str, last: &str| Event::Quote {
        key: key.into(),
        last: last.into(),
    };
    let order = |id: &str, status: &str| Event::Order {
        id: id.into(),
        status: status.into(),
    };
    // A newer quote takes the unread one's place; every order is there, in
    // order.
    assert_eq!(
        read,
        [
            quote("1", "12"),
            quote("2", "21"),
            order("1", "New"),
            order("1", "Filled"),
            order("2", "New"),
        ]
    );
}

#[tokio::test]
async fn overflow_ends_the_stream_after_every_queued_order_and_drops_none_silently() {
    let setup = Setup::start().await;
    let mut stream = guard(
        "connect",
        setup
            .builder()
            .capacity(3)
            // No ping closes the quiet connection in this test's time.
            .ping_interval(Duration::from_secs(3600))
            .subscribe(Entity::Order, [140])
            .subscribe(Entity::Quote, [5])
            .connect(),
    )
    .await
    .unwrap();
    setup
        .data
        .wait("subscribed", |s| !s.commands().is_empty())
        .await;
    setup
        .quote
        .wait("subscribed", |s| !s.commands().is_empty())
        .await;
    let orders: Vec<String> = (1..=5).map(|id| order(id, "New")).collect();
    setup.data.push_and_sync(&orders).await;
    for id in 1..=3 {
        assert_eq!(
            next_event(&mut stream).await,
            Event::Order {
                id: id.to_string(),
                status: "New".into()
            }
        );
    }
    match next(&mut stream).await {
        Err(error @ stream::Error::Overflow { capacity: 3 }) => {
            assert!(error.to_string().contains("consumer too slow"), "{error}")
        }
        other => panic!("expected the overflow: {other:?}"),
    }
    // The ended stream keeps no connection, the quiet quote streamer's
    // included, though the stream itself is still held.
    setup
        .quote
        .wait("the quote connection closed", |s| s.closed() == 1)
        .await;
    setup
        .data
        .wait("the data connection closed", |s| s.closed() == 1)
        .await;
    assert!(guard("the end", stream.next()).await.is_none());
}

#[tokio::test]
async fn a_streamer_address_off_the_api_roots_host_or_scheme_gets_nothing() {
    // A listener on another loopback address: reachable, but not the API
    // root's host.
    let elsewhere = Streamer::start_on("127.0.0.2", DATA_SESSION).await;
    let data = Streamer::start(DATA_SESSION).await;
    let addresses = [
        format!("ws://127.0.0.2:{}", elsewhere.port),
        format!("ws://localhost:{}", elsewhere.port),
        format!("http://127.0.0.1:{}", data.port),
        format!("ws://user:pw@127.0.0.1:{}", data.port),
        format!("ws://127.0.0.1:{}/other/path", data.port),
    ];
    for address in addresses {
        let rest = Rest::start(&address, Some(DATA_SESSION), "ws://127.0.0.1:1").await;
        let result = guard(
            "connect",
            rest.client(TIMEOUT)
                .stream_of::<Doc>()
                .subscribe(Entity::Order, [140])
                .connect(),
        )
        .await;
        let error = result.expect_err(&address);
        assert!(
            matches!(error, stream::Error::AddressRefused { server: "data", .. }),
            "{address}: {error:?}"
        );
        let text = format!("{error} {error:?}");
        assert!(text.contains("API root"), "{text}");
        assert!(!text.contains("pw"), "{text}");
        assert_no_streamer_secrets("the refusal", &text);
        assert_eq!(rest.recoveries("0").await, 0);
    }
    assert_eq!(elsewhere.accepted(), 0, "another host received nothing");
    assert_eq!(data.accepted(), 0, "a refused address received nothing");
}

#[tokio::test]
async fn the_handshake_and_the_session_reply_are_bounded_by_the_clients_timeout() {
    let setup = Setup::start().await;
    setup.data.set_mode(Mode::NoReply);
    let result = guard(
        "connect",
        setup
            .rest
            .client(Duration::from_secs(1))
            .stream_of::<Doc>()
            .subscribe(Entity::Order, [140])
            .connect(),
    )
    .await;
    match result {
        Err(stream::Error::Timeout {
            server: "data",
            what: "session reply",
            ..
        }) => {}
        other => panic!("expected the session reply's timeout: {other:?}"),
    }
    assert_eq!(setup.data.handshakes().len(), 1);
}

#[tokio::test]
async fn an_http_refusal_of_the_upgrade_is_an_error_without_the_url() {
    let setup = Setup::start().await;
    setup.data.set_mode(Mode::HttpRefusal);
    let error = guard(
        "connect",
        setup.builder().subscribe(Entity::Order, [140]).connect(),
    )
    .await
    .expect_err("refused");
    let text = format!("{error} {error:?}");
    assert!(text.contains("403"), "{text}");
    assert!(!text.contains("CreateSession"), "{text}");
    assert_no_streamer_secrets("the error", &text);
}

#[tokio::test]
async fn a_silent_connection_is_pinged_then_dropped_and_reconnected() {
    let setup = Setup::start().await;
    setup.data.set_mode(Mode::Silent);
    let mut stream = guard(
        "connect",
        setup
            .builder()
            .ping_interval(Duration::from_millis(50))
            .pong_timeout(Duration::from_millis(200))
            .subscribe(Entity::Order, [140])
            .connect(),
    )
    .await
    .unwrap();
    match next(&mut stream).await {
        Ok(StreamItem::Resync(resync)) => {
            assert!(resync.dropped.contains("ping"), "{}", resync.dropped)
        }
        other => panic!("expected the resync after the silence: {other:?}"),
    }
    setup.data.push_and_sync(&[order(7, "New")]).await;
    // A loaded machine may miss a pong of the answering connection too:
    // another marker then, never a lost event.
    loop {
        match next(&mut stream).await {
            Ok(StreamItem::Event(event)) => break assert!(matches!(event, Event::Order { .. })),
            Ok(StreamItem::Resync(_)) => {}
            other => panic!("expected the order: {other:?}"),
        }
    }
}

/// Set in the child process that runs the traced stream (see
/// `tracing_output.rs` for why a child process).
const TRACED_CHILD: &str = "ETNA_CLIENT_STREAM_TRACING_CHILD";

#[test]
fn the_streams_tracing_shows_addresses_but_no_session_id() {
    if std::env::var_os(TRACED_CHILD).is_some() {
        return traced_stream();
    }
    let name = "streaming::the_streams_tracing_shows_addresses_but_no_session_id";
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(TRACED_CHILD, "1")
        .output()
        .expect("the test binary runs itself");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the traced stream failed in its own process:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::main(flavor = "current_thread")]
async fn traced_stream() {
    let captured = crate::tracing_output::Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let setup = Setup::start().await;
    let mut stream = setup
        .builder()
        .subscribe(Entity::Order, [140])
        .connect()
        .await
        .unwrap();
    setup
        .data
        .wait("subscribed", |s| s.commands().len() == 1)
        .await;
    setup.data.expire();
    setup.data.accept(RECOVERED_SESSION);
    setup.data.drop_connections();
    assert!(matches!(next(&mut stream).await, Ok(StreamItem::Resync(_))));
    let output = captured.text();
    assert!(
        output.contains("connecting to a streamer")
            && output.contains(&format!("{}/CreateSession.txt", setup.data.url())),
        "{output}"
    );
    assert!(output.contains("dropped"), "{output}");
    assert_no_streamer_secrets("tracing output", &output);
}

#[tokio::test]
async fn the_generated_protocol_speaks_the_documented_commands_and_messages() {
    use etna_client::stream::messages::{EntityType, Event as Message};
    let setup = Setup::start().await;
    let mut stream = guard(
        "connect",
        setup
            .rest
            .client(TIMEOUT)
            .stream()
            .reconnect(quick())
            .subscribe(EntityType::Order, [140])
            .subscribe(EntityType::AccountBalance, [140])
            .connect(),
    )
    .await
    .expect("connected");
    setup
        .data
        .wait("subscribed", |s| s.commands().len() == 2)
        .await;
    // The documented Subscribe example, with the session reply's id.
    assert_eq!(
        setup.data.commands(),
        [
            format!(
                r#"{{"Cmd":"Subscribe.txt","SessionId":"{REPLY_SESSION}","Keys":"140","EntityType":"Order","HttpClientType":"WebSocket"}}"#
            ),
            format!(
                r#"{{"Cmd":"Subscribe.txt","SessionId":"{REPLY_SESSION}","Keys":"140","EntityType":"AccountBalance","HttpClientType":"WebSocket"}}"#
            ),
        ]
    );
    setup
        .data
        .push_and_sync(&[
            json!({"EntityType": "Order", "Id": "9626", "Quantity": "100.00000",
                   "Status": "PartiallyFilledOrSomethingNew",
                   "UnderlyingExpirationDate": "-62135596800000"})
            .to_string(),
            json!({"EntityType": "Watchlist", "Id": "3"}).to_string(),
        ])
        .await;
    let Some(Ok(StreamItem::Event(Message::Order(order)))) =
        guard("the order", stream.next()).await
    else {
        panic!("the documented order decodes");
    };
    assert_eq!(order.id.as_ref().map(|id| **id), Some(9626));
    assert_eq!(order.quantity.unwrap().to_string(), "100.00000");
    assert_eq!(order.underlying_expiration_date.unwrap().get(), None);
    assert!(
        order.status.unwrap().listed().is_none(),
        "unlisted status decodes"
    );
    match guard("the watchlist", stream.next()).await {
        Some(Ok(StreamItem::Unlisted(unlisted))) => assert_eq!(unlisted.entity, "Watchlist"),
        other => panic!("an entity type the document does not list is kept: {other:?}"),
    }
}
