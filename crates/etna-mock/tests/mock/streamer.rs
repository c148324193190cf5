//! The mock's streamers at the JSON level, with a raw WebSocket client
//! (tokio-tungstenite) below any client code: the addresses and streamer
//! session ids of `get_streamers`, the handshake the AsyncAPI document
//! reads, subscriptions, the exchange's events, the faults, and every
//! message checked against its payload schema.

use std::time::Duration;

use etna_mock::{MockServer, Quote};
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::sign_in::{HELLO, ROBERT, Reply, call, session, token};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A hang guard, never a timed assertion.
const GUARD: Duration = Duration::from_secs(20);

const ROBERT_USER: &str = "644";
const ROBERT_ACCOUNT: &str = "6303";
const HELLO_ACCOUNT: &str = "6304";

struct Streamers {
    quote: (String, String),
    data: (String, String),
}

async fn authed(
    server: &MockServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let auth = format!("Bearer {token}");
    call(server, method, path, &[("Authorization", &auth)], body).await
}

async fn streamers(server: &MockServer, token: &str) -> Streamers {
    let reply = authed(server, token, Method::GET, "/v1.0/streamers", None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let entry = |list: &str| {
        let entry = &reply.body[list][0];
        (
            entry["Url"].as_str().unwrap().to_owned(),
            entry["SessionId"].as_str().unwrap().to_owned(),
        )
    };
    Streamers {
        quote: entry("QuoteAddresses"),
        data: entry("DataAddresses"),
    }
}

/// `hello`'s session: two factors, the code from the outbox.
async fn hello_session(server: &MockServer) -> String {
    let interim = token(server, HELLO.0, HELLO.1, &[]).await;
    assert_eq!(interim.status, 202, "{}", interim.text);
    let code = server.last_code_for(HELLO.0).unwrap();
    let auth = format!("Bearer {}", interim.token());
    let signed = token(
        server,
        HELLO.0,
        HELLO.1,
        &[("VerificationCode", &code), ("Authorization", &auth)],
    )
    .await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    signed.token()
}

async fn recover(server: &MockServer, token: &str, session_type: u8) -> String {
    let path = format!("/v1.0/streamers/session/recover?sessionType={session_type}");
    let reply = authed(server, token, Method::PUT, &path, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["Id"].as_str().unwrap().to_owned()
}

/// Connects with this query and reads the answer to the connection.
async fn connect_with(url: &str, query: &str) -> (Socket, Value) {
    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("{url}/CreateSession.txt?{query}"))
            .await
            .unwrap();
    let reply = next_json(&mut socket)
        .await
        .expect("an answer to the connection");
    valid("CreateSessionReply", &reply);
    (socket, reply)
}

async fn connect(url: &str, user: &str, password: &str) -> (Socket, Value) {
    connect_with(
        url,
        &format!("User={user}&Password={password}&HttpClientType=WebSocket"),
    )
    .await
}

/// Connects and returns the socket and its session id.
async fn open(url: &str, password: &str) -> (Socket, String) {
    let (socket, reply) = connect(url, ROBERT_USER, password).await;
    assert_eq!(reply["StatusCode"], "Ok", "{reply}");
    let session = reply["SessionId"].as_str().unwrap().to_owned();
    (socket, session)
}

async fn command(socket: &mut Socket, cmd: &str, session: &str, entity: &str, keys: &str) {
    let text = json!({
        "Cmd": cmd, "SessionId": session, "Keys": keys, "EntityType": entity,
        "HttpClientType": "WebSocket",
    });
    socket.send(Message::text(text.to_string())).await.unwrap();
}

/// The next text message as JSON; `None` when the connection ended.
async fn next_json(socket: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(GUARD, socket.next())
            .await
            .expect("the streamer said nothing in time");
        match message {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// The next pushed message, checked against its payload schema.
async fn event(socket: &mut Socket) -> Value {
    let event = next_json(socket).await.expect("an event");
    let entity = event["EntityType"].as_str();
    valid(
        entity.unwrap_or_else(|| panic!("no EntityType: {event}")),
        &event,
    );
    event
}

/// The next event of `entity`, skipping the others (quotes move on the
/// clock).
async fn event_of(socket: &mut Socket, entity: &str) -> Value {
    loop {
        let event = event(socket).await;
        if event["EntityType"] == entity {
            return event;
        }
    }
}

/// Checks `value` against the AsyncAPI document's schema `name`, with its
/// references (into the REST document too) inlined.
fn valid(name: &str, value: &Value) {
    let streaming: Value = serde_yaml_ng::from_str(etna_mock::STREAMING_SPEC).unwrap();
    let rest: Value = serde_yaml_ng::from_str(etna_mock::SPEC).unwrap();
    let schema = inline(&streaming["components"]["schemas"][name], &streaming, &rest);
    assert!(schema.is_object(), "no schema {name}");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{name} {value}: {errors:?}");
    // Every value of a message is text.
    for (property, text) in value.as_object().into_iter().flatten() {
        assert!(text.is_string(), "{name}.{property} = {text}");
    }
}

fn inline(schema: &Value, streaming: &Value, rest: &Value) -> Value {
    match schema {
        Value::Object(object) => {
            if let Some(target) = object.get("$ref").and_then(Value::as_str) {
                let (doc, pointer) = match target.split_once('#') {
                    Some(("", pointer)) => (streaming, pointer),
                    Some((_, pointer)) => (rest, pointer),
                    None => panic!("{target}"),
                };
                return inline(doc.pointer(pointer).unwrap(), streaming, rest);
            }
            Value::Object(
                object
                    .iter()
                    .map(|(k, v)| (k.clone(), inline(v, streaming, rest)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| inline(v, streaming, rest)).collect())
        }
        other => other.clone(),
    }
}

#[tokio::test]
async fn get_streamers_answers_the_mocks_own_streamers_and_the_handshake_is_the_documents() {
    let server = MockServer::start().await.unwrap();
    let token = session(&server, ROBERT).await;
    let found = streamers(&server, &token).await;
    assert!(
        found.quote.0.starts_with("ws://127.0.0.1:"),
        "{}",
        found.quote.0
    );
    assert!(
        found.data.0.starts_with("ws://127.0.0.1:"),
        "{}",
        found.data.0
    );
    assert_ne!(found.quote.0, found.data.0, "a port per streamer");
    assert_ne!(found.quote.1, found.data.1);
    assert_eq!(found.quote.1.len(), 64, "32 random bytes as hex");
    // The same ids until they are recovered, and for another session of
    // the same trader.
    let again = streamers(&server, &session(&server, ROBERT).await).await;
    assert_eq!((&again.quote, &again.data), (&found.quote, &found.data));
    let hello = streamers(&server, &hello_session(&server).await).await;
    assert_ne!(hello.data.1, found.data.1);

    let (_socket, reply) = connect(&found.data.0, ROBERT_USER, &found.data.1).await;
    assert_eq!(reply["Cmd"], "CreateSession.txt");
    assert_eq!(reply["StatusCode"], "Ok");
    assert_ne!(reply["SessionId"], found.data.1.as_str());
    let (_socket, reply) = connect(&found.quote.0, ROBERT_USER, &found.quote.1).await;
    assert_eq!(reply["StatusCode"], "Ok");

    let refused = [
        format!("User={ROBERT_USER}&Password=wrong&HttpClientType=WebSocket"),
        // The docs' `User=<UserID>:<SessionID>` is not the reading taken.
        format!(
            "User={ROBERT_USER}:{token}&Password={}&HttpClientType=WebSocket",
            found.data.1
        ),
        // The quote streamer's id at the data streamer.
        format!(
            "User={ROBERT_USER}&Password={}&HttpClientType=WebSocket",
            found.quote.1
        ),
        // Another trader's id, and another trader's user with this id.
        format!(
            "User={ROBERT_USER}&Password={}&HttpClientType=WebSocket",
            hello.data.1
        ),
        format!(
            "User=645&Password={}&HttpClientType=WebSocket",
            found.data.1
        ),
        format!("User={ROBERT_USER}&Password={}", found.data.1),
        format!(
            "User={ROBERT_USER}&Password={}&HttpClientType=LongPolling",
            found.data.1
        ),
        format!("Password={}&HttpClientType=WebSocket", found.data.1),
    ];
    for query in refused {
        let (mut socket, reply) = connect_with(&found.data.0, &query).await;
        assert_eq!(
            reply,
            json!({"Cmd": "CreateSession.txt", "StatusCode": "Error"}),
            "{query}"
        );
        assert!(
            next_json(&mut socket).await.is_none(),
            "closed after the refusal: {query}"
        );
    }

    // Recovering mints a new id; the old one is refused from then on.
    let recovered = recover(&server, &token, 0).await;
    assert_ne!(recovered, found.data.1);
    let (_, reply) = connect(&found.data.0, ROBERT_USER, &found.data.1).await;
    assert_eq!(reply["StatusCode"], "Error");
    let (_, reply) = connect(&found.data.0, ROBERT_USER, &recovered).await;
    assert_eq!(reply["StatusCode"], "Ok");
    assert_eq!(streamers(&server, &token).await.data.1, recovered);
    let (_, reply) = connect(&found.quote.0, ROBERT_USER, &found.quote.1).await;
    assert_eq!(reply["StatusCode"], "Ok", "the quote id did not change");
}

#[tokio::test]
async fn a_market_order_is_new_then_filled_with_its_position_and_balance() {
    let server = MockServer::start().await.unwrap();
    let token = session(&server, ROBERT).await;
    let found = streamers(&server, &token).await;
    let (mut socket, id) = open(&found.data.0, &found.data.1).await;
    // Another trader's account is ignored: its orders never come.
    command(
        &mut socket,
        "Subscribe.txt",
        &id,
        "Order",
        &format!("{HELLO_ACCOUNT};{ROBERT_ACCOUNT}"),
    )
    .await;
    command(
        &mut socket,
        "Subscribe.txt",
        &id,
        "Position",
        ROBERT_ACCOUNT,
    )
    .await;
    // Another trader's user is ignored as well.
    command(&mut socket, "Subscribe.txt", &id, "UserBalance", "645;644").await;
    let user = event(&mut socket).await;
    assert_eq!(user["EntityType"], "UserBalance", "{user}");
    assert_eq!(user["CashBalance"], "100000");
    command(
        &mut socket,
        "Subscribe.txt",
        &id,
        "AccountBalance",
        ROBERT_ACCOUNT,
    )
    .await;
    // A new account: no order, no position; the balance's snapshot says
    // every subscription before it is in place.
    let balance = event(&mut socket).await;
    assert_eq!(balance["EntityType"], "AccountBalance");
    assert_eq!(balance["AccountId"], ROBERT_ACCOUNT);
    assert_eq!(balance["CashBalance"], "100000");

    let hello = hello_session(&server).await;
    let body = json!({"Symbol": "AAPL", "Type": "Market", "Side": "Buy", "Quantity": 10});
    let theirs = authed(
        &server,
        &hello,
        Method::POST,
        "/v1.0/accounts/6304/orders",
        Some(body.clone()),
    )
    .await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    server.set_quote("AAPL", quote("150.01", "150.03"));
    let placed = authed(
        &server,
        &token,
        Method::POST,
        "/v1.0/accounts/6303/orders",
        Some(body),
    )
    .await;
    assert_eq!(placed.status, 200, "{}", placed.text);
    let order_id = placed.body["Id"].to_string();

    let new = event(&mut socket).await;
    assert_eq!(new["EntityType"], "Order", "{new}");
    assert_eq!(
        (&new["Id"], &new["Status"]),
        (&json!(order_id), &json!("New"))
    );
    assert_eq!(new["AccountId"], ROBERT_ACCOUNT);
    assert_eq!(new["Quantity"], "10");
    assert_eq!(new["TransactionDate"], "-62135596800000", "no date yet");
    let filled = event(&mut socket).await;
    assert_eq!(
        (&filled["Id"], &filled["Status"]),
        (&json!(order_id), &json!("Filled"))
    );
    assert_eq!(filled["AveragePrice"], "150.03");
    assert_eq!(filled["ExecutedQuantity"], "10");
    let created = placed.body["CreateDate"].as_str().unwrap();
    let millis = chrono::DateTime::parse_from_rfc3339(created)
        .unwrap()
        .timestamp_millis();
    assert_eq!(filled["CreateDate"], millis.to_string());

    let position = event(&mut socket).await;
    assert_eq!(position["EntityType"], "Position", "{position}");
    assert_eq!(position["Quantity"], "10");
    assert_eq!(position["CostBasis"], "1500.3");
    assert_eq!(position["AccountId"], ROBERT_ACCOUNT);
    let balance = event(&mut socket).await;
    assert_eq!(balance["EntityType"], "AccountBalance", "{balance}");
    // 100,000 - 1,500.30 - the commission of 1.10.
    assert_eq!(balance["CashBalance"], "98498.6");
    let rest = authed(
        &server,
        &token,
        Method::GET,
        "/v1.0/accounts/6303/info",
        None,
    )
    .await;
    assert_eq!(balance["CashBalance"], rest.body["cash"].to_string());
    let items: Value = serde_json::from_str(balance["Items"].as_str().unwrap()).unwrap();
    valid("BalanceItems", &items);
    let cash = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["Name"] == "cash")
        .unwrap();
    assert_eq!(cash["Value"], rest.body["cash"]);
    assert_eq!(
        items.as_array().unwrap().len(),
        rest.body.as_object().unwrap().len()
    );
    let user = event(&mut socket).await;
    assert_eq!(user["EntityType"], "UserBalance", "{user}");
    assert_eq!(user["CashBalance"], "98498.6");

    // Unsubscribed: the next order's events are not sent; the balance's are.
    command(&mut socket, "Unsubscribe.txt", &id, "Order", ROBERT_ACCOUNT).await;
    command(
        &mut socket,
        "Subscribe.txt",
        &id,
        "AccountBalance",
        ROBERT_ACCOUNT,
    )
    .await;
    assert_eq!(event(&mut socket).await["CashBalance"], "98498.6");
    let sell = json!({"Symbol": "AAPL", "Type": "Market", "Side": "Sell", "Quantity": 10});
    let sold = authed(
        &server,
        &token,
        Method::POST,
        "/v1.0/accounts/6303/orders",
        Some(sell),
    )
    .await;
    assert_eq!(sold.status, 200, "{}", sold.text);
    let closed = event(&mut socket).await;
    assert_eq!(closed["EntityType"], "Position", "{closed}");
    assert_eq!(closed["Quantity"], "0", "a closed position says so");
    assert_eq!(event(&mut socket).await["EntityType"], "AccountBalance");
    assert_eq!(event(&mut socket).await["EntityType"], "UserBalance");

    // On subscribing, every order of the account, oldest first.
    command(&mut socket, "Subscribe.txt", &id, "Order", ROBERT_ACCOUNT).await;
    let first = event(&mut socket).await;
    let second = event(&mut socket).await;
    assert_eq!(first["Id"], json!(order_id));
    assert_eq!(second["Id"], sold.body["Id"].to_string());
    assert_eq!(second["Status"], "Filled");
}

#[tokio::test]
async fn resting_orders_report_their_cancel_and_a_quote_that_fills_them() {
    let server = MockServer::start().await.unwrap();
    let token = session(&server, ROBERT).await;
    let found = streamers(&server, &token).await;
    let (mut socket, id) = open(&found.data.0, &found.data.1).await;
    command(&mut socket, "Subscribe.txt", &id, "Order", ROBERT_ACCOUNT).await;
    command(
        &mut socket,
        "Subscribe.txt",
        &id,
        "AccountBalance",
        ROBERT_ACCOUNT,
    )
    .await;
    event_of(&mut socket, "AccountBalance").await;
    server.set_quote("AAPL", quote("150.01", "150.03"));
    let limit =
        json!({"Symbol": "AAPL", "Type": "Limit", "Side": "Buy", "Quantity": 1, "Price": 140});
    for _ in 0..2 {
        let placed = authed(
            &server,
            &token,
            Method::POST,
            "/v1.0/accounts/6303/orders",
            Some(limit.clone()),
        )
        .await;
        assert_eq!(placed.status, 200, "{}", placed.text);
        assert_eq!(event(&mut socket).await["Status"], "New");
    }
    let cancelled = authed(
        &server,
        &token,
        Method::DELETE,
        "/v1.0/accounts/6303/orders/80001",
        None,
    )
    .await;
    assert_eq!(cancelled.status, 204, "{}", cancelled.text);
    let event1 = event(&mut socket).await;
    assert_eq!(
        (&event1["Id"], &event1["Status"]),
        (&json!("80001"), &json!("Canceled"))
    );
    // A quote through the limit fills the other one, with no request.
    server.set_quote("AAPL", quote("139.98", "140"));
    let filled = event_of(&mut socket, "Order").await;
    assert_eq!(
        (&filled["Id"], &filled["Status"]),
        (&json!("80000"), &json!("Filled"))
    );
    assert_eq!(filled["AveragePrice"], "140");
    // On subscribing, every position of the account.
    command(
        &mut socket,
        "Subscribe.txt",
        &id,
        "Position",
        ROBERT_ACCOUNT,
    )
    .await;
    let held = event_of(&mut socket, "Position").await;
    assert_eq!(
        (&held["Quantity"], &held["CostBasis"]),
        (&json!("1"), &json!("140"))
    );
}

fn quote(bid: &str, ask: &str) -> Quote {
    let bid: etna_client::rust_decimal::Decimal = bid.parse().unwrap();
    let ask: etna_client::rust_decimal::Decimal = ask.parse().unwrap();
    Quote {
        bid,
        ask,
        last: (bid + ask) / etna_client::rust_decimal::Decimal::TWO,
    }
}

#[tokio::test]
async fn quotes_come_from_the_quote_streamer_as_they_are_set() {
    let server = MockServer::start().await.unwrap();
    let token = session(&server, ROBERT).await;
    let found = streamers(&server, &token).await;
    let (mut socket, id) = open(&found.quote.0, &found.quote.1).await;
    // AAPL is 4 (the documentation's id); 999 lists nothing; orders are
    // not the quote streamer's. A set quote holds still, whatever the
    // clock does.
    server.set_quote("AAPL", quote("150.01", "150.03"));
    command(&mut socket, "Subscribe.txt", &id, "Order", ROBERT_ACCOUNT).await;
    command(&mut socket, "Subscribe.txt", &id, "Quote", "999;4").await;
    let first = event(&mut socket).await;
    assert_eq!(first["EntityType"], "Quote");
    assert_eq!(first["Key"], "4");
    assert_eq!(
        (&first["Bid"], &first["Ask"]),
        (&json!("150.01"), &json!("150.03"))
    );
    assert_eq!(first["Last"], "150.02");
    server.set_quote("APLE", quote("20.01", "20.03"));
    server.set_quote("AAPL", quote("150.05", "150.07"));
    let moved = event(&mut socket).await;
    assert_eq!(moved["Key"], "4", "only the subscribed security");
    assert_eq!(
        (&moved["Bid"], &moved["Ask"]),
        (&json!("150.05"), &json!("150.07"))
    );
    // Over HTTP too.
    let put = call(
        &server,
        Method::PUT,
        "/_mock/quotes/AAPL",
        &[],
        Some(json!({"Bid": 151.5, "Ask": 151.7})),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(event(&mut socket).await["Bid"], "151.5");
    // Released to the clock, it moves with its ticks.
    server.release_quote("AAPL");
    assert_ne!(event(&mut socket).await["Bid"], "151.5");
}

#[tokio::test]
async fn drop_closes_every_connection_and_expire_ends_the_ids_until_recovered() {
    let server = MockServer::start().await.unwrap();
    let token = session(&server, ROBERT).await;
    let found = streamers(&server, &token).await;
    let (mut data, _) = open(&found.data.0, &found.data.1).await;
    let (mut quotes, _) = open(&found.quote.0, &found.quote.1).await;
    assert_eq!(server.stream_connections(), 2);
    server.drop_streams();
    assert!(next_json(&mut data).await.is_none());
    assert!(next_json(&mut quotes).await.is_none());
    assert_eq!(server.stream_connections(), 0);
    // The ids still hold: a reconnect is welcome.
    let (mut data, _) = open(&found.data.0, &found.data.1).await;
    let dropped = call(&server, Method::PUT, "/_mock/streamer/drop", &[], None).await;
    assert_eq!(dropped.status, 204);
    assert!(next_json(&mut data).await.is_none());

    let (mut data, _) = open(&found.data.0, &found.data.1).await;
    server.expire_streams();
    assert!(next_json(&mut data).await.is_none());
    let (_, reply) = connect(&found.data.0, ROBERT_USER, &found.data.1).await;
    assert_eq!(reply["StatusCode"], "Error");
    let recovered = recover(&server, &token, 0).await;
    let (mut data, _) = open(&found.data.0, &recovered).await;
    let expired = call(&server, Method::PUT, "/_mock/streamer/expire", &[], None).await;
    assert_eq!(expired.status, 204);
    assert!(next_json(&mut data).await.is_none());
    let (_, reply) = connect(&found.data.0, ROBERT_USER, &recovered).await;
    assert_eq!(reply["StatusCode"], "Error");
    let (_, reply) = connect(&found.quote.0, ROBERT_USER, &found.quote.1).await;
    assert_eq!(reply["StatusCode"], "Error", "both streamers' ids ended");
    let (_, reply) = connect(
        &found.quote.0,
        ROBERT_USER,
        &recover(&server, &token, 1).await,
    )
    .await;
    assert_eq!(reply["StatusCode"], "Ok");
}

#[tokio::test]
async fn a_client_that_does_not_read_is_disconnected_not_buffered_without_end() {
    let server = MockServer::start().await.unwrap();
    let token = session(&server, ROBERT).await;
    let found = streamers(&server, &token).await;
    let (mut socket, id) = open(&found.quote.0, &found.quote.1).await;
    command(&mut socket, "Subscribe.txt", &id, "Quote", "4").await;
    event(&mut socket).await;
    // The socket is not read from now on: the kernel's buffers fill, then
    // the connection's queue, then the streamer lets it go.
    let mut pushed = 0u64;
    while server.stream_connections() > 0 {
        pushed += 1;
        assert!(pushed < 5_000_000, "still connected after {pushed} quotes");
        let cents = i64::try_from(pushed % 2).unwrap();
        let bid = etna_client::rust_decimal::Decimal::new(15_000 + cents, 2);
        server.set_quote(
            "AAPL",
            Quote {
                bid,
                ask: bid,
                last: bid,
            },
        );
        if pushed.is_multiple_of(1024) {
            // Lets the connection's task write what it can.
            tokio::task::yield_now().await;
        }
    }
    // What was queued is read, then the end.
    let mut read = 0u64;
    while next_json(&mut socket).await.is_some() {
        read += 1;
    }
    assert!(read < pushed, "{read} of {pushed}");
}
