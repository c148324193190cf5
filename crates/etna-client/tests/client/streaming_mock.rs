//! The streaming flow's REST side against the mock exchange: the snapshot
//! a consumer reads after a resync.

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
    let order = client.place_order().account_id(account).body_map(|order| {
        order
            .symbol("AAPL")
            .type_(OrderType::Market)
            .side(OrderSide::Buy)
            .quantity(Some(Decimal::from(quantity).into()))
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
