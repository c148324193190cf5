//! An order whose answer is lost: the client fills an empty `ClientId`
//! (the spec's `x-etna-client-id`) before sending, names it in
//! `Error::OutcomeUnknown` (typed and JSON paths), and the place-order flow
//! finds the order by it in `list_orders`, reading pages only until the
//! first match, without ever sending the order twice. A raw server on
//! 127.0.0.1 that books an order and drops the connection before any byte
//! of the answer.

use std::sync::{Arc, Mutex};

use etna_client::dispatch::JsonArgs;
use etna_client::order_placement::{Placement, place};
use etna_client::{Client, ClientKeyed, Dispatch, Error, Operation, types};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::TOKEN;

const ORDERS: &str = "/v1.0/accounts/6303/orders";

#[derive(Default)]
struct Exchange {
    /// Whether a POST books its order before the connection drops.
    books: bool,
    /// The bodies of the POSTs read, in order.
    posts: Vec<Value>,
    /// The query of every GET of the orders.
    gets: Vec<String>,
}

/// Page 0 holds an order of someone else's key and links to page 1, which
/// holds the booked orders and links to page 2, which must never be read
/// once the order is found.
async fn exchange(books: bool) -> (String, Arc<Mutex<Exchange>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(Exchange {
        books,
        ..Exchange::default()
    }));
    let (shared, root) = (state.clone(), url.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (shared, root) = (shared.clone(), root.clone());
            tokio::spawn(async move {
                while let Some((head, body)) = read_request(&mut socket).await {
                    let line = head.lines().next().unwrap_or_default().to_owned();
                    let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
                    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                    if line.starts_with("POST ") && path == ORDERS {
                        shared
                            .lock()
                            .unwrap()
                            .posts
                            .push(serde_json::from_slice(&body).unwrap());
                        // Dropped before any byte of the answer.
                        return;
                    }
                    let page = {
                        let mut exchange = shared.lock().unwrap();
                        exchange.gets.push(query.to_owned());
                        let booked: Vec<Value> = match exchange.books {
                            true => exchange
                                .posts
                                .iter()
                                .enumerate()
                                .map(|(i, p)| json!({"Id": 1000 + i, "ClientId": p["ClientId"], "Status": "New"}))
                                .collect(),
                            false => Vec::new(),
                        };
                        let link = |n: u32| format!("{root}{ORDERS}?pageNumber={n}&pageSize=100");
                        match query.contains("pageNumber=0") {
                            true => {
                                json!({"Result": [{"Id": 7, "ClientId": "someone-else"}], "NextPageLink": link(1)})
                            }
                            false if query.contains("pageNumber=1") => {
                                json!({"Result": booked, "NextPageLink": link(2)})
                            }
                            false => json!({"Result": [], "NextPageLink": ""}),
                        }
                    };
                    let body = page.to_string();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, state)
}

/// One request: its head, and `Content-Length` bytes of body.
async fn read_request(socket: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            let length: usize = head
                .to_ascii_lowercase()
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return Some((head, data[end + 4..end + 4 + length].to_vec()));
            }
        }
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

fn client(url: &str) -> Client {
    let client = crate::support::client(url);
    client.set_session_token(TOKEN).unwrap();
    client
}

fn order<'c>(
    client: &'c Client,
    client_id: Option<&str>,
) -> etna_client::generated::builder::PlaceOrder<'c> {
    let mut body = types::OrderRequest::builder()
        .symbol("AAPL")
        .type_(types::OrderType::Market)
        .side(types::OrderSide::Buy)
        .quantity(etna_client::Decimal::from(10));
    if let Some(id) = client_id {
        body = body.client_id(id.to_owned());
    }
    client.place_order().account_id(6303).body(body)
}

fn is_fresh_key(key: &str) -> bool {
    key.len() == 19 && key.bytes().all(|b| b.is_ascii_digit())
}

#[tokio::test]
async fn a_lost_answer_is_found_by_the_filled_client_id_and_never_sent_again() {
    let (url, exchange) = exchange(true).await;
    let client = client(&url);
    let placement = place(order(&client, None)).await.expect("a placement");
    let Placement::Placed(found) = placement else {
        panic!("expected the order found, got {placement:?}");
    };
    let exchange = exchange.lock().unwrap();
    assert_eq!(exchange.posts.len(), 1, "the order is sent once");
    let sent = exchange.posts[0]["ClientId"].as_str().unwrap();
    assert!(is_fresh_key(sent), "{sent}");
    assert_eq!(found.client_id.as_deref(), Some(sent));
    assert_eq!(found.id, Some(1000));
    // Page 0, then page 1 where it is; page 2 never.
    assert_eq!(exchange.gets.len(), 2, "{:?}", exchange.gets);
    assert!(exchange.gets.iter().all(|q| q.contains("pageSize=100")));
}

#[tokio::test]
async fn an_order_not_listed_stays_unknown_with_its_client_id_and_how_to_find_out() {
    let (url, exchange) = exchange(false).await;
    let client = client(&url);
    let placement = place(order(&client, Some("mine-42")))
        .await
        .expect("a placement");
    let Placement::Unknown(unknown) = placement else {
        panic!("expected an unknown fate, got {placement:?}");
    };
    assert_eq!(unknown.client_id, "mine-42");
    assert!(matches!(unknown.error, Error::OutcomeUnknown { .. }));
    assert!(unknown.lookup_error.is_none());
    let text = unknown.to_string();
    assert!(text.contains("ClientId mine-42"), "{text}");
    assert!(text.contains("list_orders"), "{text}");
    let exchange = exchange.lock().unwrap();
    assert_eq!(exchange.posts.len(), 1, "the order is sent once");
    assert_eq!(
        exchange.posts[0]["ClientId"], "mine-42",
        "the caller's key is kept"
    );
    assert_eq!(
        exchange.gets.len(),
        3,
        "every page read: {:?}",
        exchange.gets
    );
}

/// `.call()` and `etna api`'s JSON path fill the key too and name it in
/// the error; `client_id()` tells it before sending.
#[tokio::test]
async fn outcome_unknown_names_the_client_id_on_the_typed_and_json_paths() {
    let (url, exchange) = exchange(false).await;
    let client = client(&url);
    let mut typed = order(&client, None);
    let told = typed.client_id().expect("a body");
    assert!(is_fresh_key(&told), "{told}");
    match typed.call().await {
        Err(e @ Error::OutcomeUnknown { .. }) => {
            let Error::OutcomeUnknown {
                client_id: Some(key),
                ..
            } = &e
            else {
                panic!("no key in {e:?}");
            };
            assert_eq!(
                (key.property, key.value.as_str(), key.lookup),
                ("ClientId", told.as_str(), "list_orders")
            );
            let text = e.to_string();
            assert!(text.contains(&format!("ClientId {told}")), "{text}");
            assert!(text.contains("look for it in list_orders"), "{text}");
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    let args = JsonArgs::new(
        serde_json::Map::from_iter([("accountId".to_owned(), json!(6303))]),
        Some(json!({"Symbol": "AAPL", "Type": "Market", "Side": "Buy", "Quantity": 10})),
    );
    match client.api().dispatch("place_order", &args).await {
        Some(Err(Error::OutcomeUnknown {
            client_id: Some(key),
            ..
        })) => {
            assert!(is_fresh_key(&key.value), "{key}");
            assert_ne!(key.value, told);
        }
        other => panic!("expected OutcomeUnknown with a key, got {other:?}"),
    }
    let exchange = exchange.lock().unwrap();
    assert_eq!(exchange.posts.len(), 2);
    assert_eq!(exchange.posts[0]["ClientId"], told.as_str());
    // Nothing else was filled or changed in the body.
    assert_eq!(exchange.posts[1]["Quantity"], 10);
}
