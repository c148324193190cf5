//! The streaming client against the mock exchange and its streamers: an
//! order placed reaches a subscriber, a fill during a drop is reported
//! through the resync, and the snapshot a consumer reads after a resync.

use std::time::Duration;

use etna_client::futures_util::StreamExt;
use etna_client::stream::messages::{EntityType, Event};
use etna_client::stream::{EventStream, Reconnect, StreamItem};
use etna_mock::Quote;

use etna_client::order_placement::{Placement, place};
use etna_client::rust_decimal::Decimal;
use etna_client::stream::flow::Snapshot;
use etna_client::types::{OrderSide, OrderStatus, OrderType};
use etna_client::{Client, Operation, Secret, SignIn};
use etna_mock::MockServer;

/// The mock's trader, signed in, and their account.
pub async fn trader(server: &MockServer) -> (Client, i32) {
    let client = Client::new(&server.base_url(), MockServer::APP_KEY).expect("a client");
    let signed = client
        .sign_in(
            MockServer::TRADER,
            &Secret::from(MockServer::TRADER_PASSWORD),
        )
        .await
        .expect("signed in");
    assert!(matches!(signed, SignIn::SignedIn(_)), "{signed:?}");
    let accounts = client
        .list_user_accounts()
        .user_id("@me")
        .call()
        .await
        .unwrap();
    let account = accounts.first().and_then(|a| a.id).expect("an account");
    (client, account)
}

/// Places a market order for `quantity` AAPL, which the mock fills at once.
pub async fn buy(client: &Client, account: i32, quantity: i64) -> i32 {
    buy_at(client, account, quantity, None).await
}

/// Places an order for `quantity` AAPL: at the market, or a limit.
async fn buy_at(client: &Client, account: i32, quantity: i64, limit: Option<&str>) -> i32 {
    let order = client.place_order().account_id(account).body_map(|order| {
        let order = order
            .symbol("AAPL")
            .side(OrderSide::Buy)
            .quantity(Some(Decimal::from(quantity).into()));
        match limit {
            None => order.type_(OrderType::Market),
            Some(price) => order
                .type_(OrderType::Limit)
                .price(Some(price.parse::<Decimal>().unwrap().into())),
        }
    });
    match place(order).await.expect("placed") {
        Placement::Placed(order) => order.id.expect("an Id"),
        Placement::Unknown(unknown) => panic!("{unknown}"),
    }
}

#[tokio::test]
async fn the_snapshot_reads_every_order_position_and_the_balance() {
    let server = MockServer::start().await.expect("the mock starts");
    let (client, account) = trader(&server).await;
    let before = Snapshot::fetch(&client, account).await.expect("a snapshot");
    let id = buy(&client, account, 3).await;
    let after = Snapshot::fetch(&client, account).await.expect("a snapshot");
    assert_eq!(after.orders.len(), before.orders.len() + 1);
    let filled = after
        .orders
        .iter()
        .find(|order| order.id == Some(id))
        .expect("the order is in the snapshot");
    assert_eq!(
        filled.status.as_ref().and_then(|s| s.listed()),
        Some(&OrderStatus::Filled)
    );
    assert!(
        after
            .positions
            .iter()
            .any(|p| p.symbol.as_deref() == Some("AAPL")),
        "{:?}",
        after.positions
    );
    assert_ne!(before.balance, after.balance, "the fill moved the cash");
    server.shutdown().await;
}

fn quote(bid: &str, ask: &str) -> Quote {
    let (bid, ask): (Decimal, Decimal) = (bid.parse().unwrap(), ask.parse().unwrap());
    Quote {
        bid,
        ask,
        last: (bid + ask) / Decimal::TWO,
    }
}

/// The order event's status, when it is about order `id`.
fn order_status(item: &StreamItem<Event>, id: i32) -> Option<OrderStatus> {
    match item {
        StreamItem::Event(Event::Order(order)) if order.id.as_ref().map(|i| **i) == Some(id) => {
            order.status.as_ref().and_then(|s| s.listed()).cloned()
        }
        _ => None,
    }
}

async fn next(
    stream: &mut EventStream<etna_client::stream::messages::Streamers>,
) -> StreamItem<Event> {
    tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .expect("hang guard: the next item")
        .expect("the stream goes on")
        .expect("no error")
}

#[tokio::test]
async fn an_order_placed_on_the_mock_reaches_a_subscriber() {
    let server = MockServer::start().await.expect("the mock starts");
    server.set_quote("AAPL", quote("150.00", "150.10"));
    let (client, account) = trader(&server).await;
    let mut stream = client
        .stream()
        .subscribe(EntityType::Order, [account])
        .connect()
        .await
        .expect("connected to the mock's data streamer");
    let id = buy(&client, account, 3).await;
    loop {
        if order_status(&next(&mut stream).await, id) == Some(OrderStatus::Filled) {
            break;
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_fill_during_a_drop_is_reported_through_the_resync() {
    let server = MockServer::start().await.expect("the mock starts");
    server.set_quote("AAPL", quote("150.00", "150.10"));
    let (client, account) = trader(&server).await;
    let mut stream = client
        .stream()
        .reconnect(Reconnect {
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(10),
            ..Reconnect::default()
        })
        .subscribe(EntityType::Order, [account])
        .connect()
        .await
        .expect("connected");
    // A limit order that rests until the quote crosses it.
    let id = buy_at(&client, account, 4, Some("140.00")).await;
    while order_status(&next(&mut stream).await, id) != Some(OrderStatus::New) {}
    server.drop_streams();
    server.set_quote("AAPL", quote("139.90", "140.00"));
    // What a consumer does: on the marker, read the snapshot; then go on
    // with the events. The fill shows in one or the other, never in
    // neither.
    let (mut resynced, mut filled) = (false, false);
    while !(resynced && filled) {
        let item = next(&mut stream).await;
        if let StreamItem::Resync(resync) = &item {
            resynced = true;
            assert_eq!(resync.server, "data");
            let snapshot = Snapshot::fetch(&client, account).await.expect("a snapshot");
            let order = snapshot
                .orders
                .iter()
                .find(|o| o.id == Some(id))
                .expect("listed");
            filled |= order.status.as_ref().and_then(|s| s.listed()) == Some(&OrderStatus::Filled);
        }
        filled |= resynced && order_status(&item, id) == Some(OrderStatus::Filled);
    }
    server.shutdown().await;
}
