//! etna-client's stream against the mock's streamers where the client's
//! own tests (`crates/etna-client/tests/client/streaming_mock.rs`: an
//! order reaching a subscriber, a fill during a drop) stop: an ended
//! streamer session, refused on reconnect, recovered by the client.

use std::time::Duration;

use etna_client::futures_util::StreamExt;
use etna_client::stream::messages::{EntityType, Event, Order, Streamers};
use etna_client::stream::{EventStream, Reconnect, StreamItem};
use etna_client::types::{OrderSide, OrderStatus, OrderType};
use etna_client::{Client, Operation};
use etna_mock::{MockServer, Quote};

use crate::exchange::{order, signed_in};
use crate::sign_in::ROBERT;

const ACCOUNT: i32 = 6303;

/// A hang guard, never a timed assertion.
const GUARD: Duration = Duration::from_secs(20);

fn quote(bid: &str, ask: &str) -> Quote {
    Quote {
        bid: bid.parse().unwrap(),
        ask: ask.parse().unwrap(),
        last: bid.parse().unwrap(),
    }
}

async fn orders(client: &Client) -> EventStream<Streamers> {
    let connect = client
        .stream()
        .subscribe(EntityType::Order, [ACCOUNT])
        .reconnect(Reconnect {
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_attempts: 5,
            max_elapsed: GUARD,
        })
        .connect();
    tokio::time::timeout(GUARD, connect).await.unwrap().unwrap()
}

async fn next(stream: &mut EventStream<Streamers>) -> StreamItem<Event> {
    tokio::time::timeout(GUARD, stream.next())
        .await
        .expect("the stream said nothing in time")
        .expect("the stream goes on")
        .expect("no error")
}

async fn next_order(stream: &mut EventStream<Streamers>) -> Order {
    match next(stream).await {
        StreamItem::Event(Event::Order(order)) => order,
        other => panic!("expected an order, got {other:?}"),
    }
}

fn status(order: &Order) -> Option<OrderStatus> {
    order.status.as_ref()?.listed().cloned()
}

async fn place(client: &Client, kind: OrderType, price: Option<&str>) -> i32 {
    let placed = client
        .place_order()
        .account_id(ACCOUNT)
        .body(order("AAPL", kind, OrderSide::Buy, "10", price, None))
        .call()
        .await
        .unwrap();
    placed.id.unwrap()
}

#[tokio::test]
async fn an_expired_streamer_session_is_recovered_and_reported_as_a_resync() {
    let server = MockServer::start().await.unwrap();
    let client = signed_in(&server, ROBERT).await;
    let mut stream = orders(&client).await;
    server.expire_streams();
    assert!(matches!(next(&mut stream).await, StreamItem::Resync(_)));
    server.set_quote("AAPL", quote("150.01", "150.03"));
    let id = place(&client, OrderType::Market, None).await;
    let new = next_order(&mut stream).await;
    assert_eq!(
        (new.id.as_deref(), status(&new)),
        (Some(&id), Some(OrderStatus::New))
    );
}
