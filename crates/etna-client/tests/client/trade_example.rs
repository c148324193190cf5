//! `examples/trade.rs`, run against the mock exchange: the example CI keeps
//! working is the one a newcomer runs.

use etna_client::types::OrderStatus;
use etna_client::{Client, Secret};
use etna_mock::MockServer;

#[path = "../../examples/trade.rs"]
#[allow(dead_code, unused_imports)]
mod example;

#[tokio::test]
async fn the_trade_example_rests_a_limit_order_and_cancels_it() {
    let server = MockServer::start().await.expect("the mock starts");
    let client = Client::new(&server.base_url(), MockServer::APP_KEY).expect("a client");
    let traded = example::trade(
        &client,
        MockServer::TRADER,
        &Secret::from(MockServer::TRADER_PASSWORD),
    )
    .await
    .expect("the example trades on the mock");
    let status =
        |order: &etna_client::types::Order| order.status.as_ref().and_then(|s| s.listed()).cloned();
    assert_eq!(status(&traded.placed), Some(OrderStatus::New));
    assert_eq!(status(&traded.cancelled), Some(OrderStatus::Canceled));
    assert_eq!(traded.placed.id, traded.cancelled.id);
    // The ClientId the client filled in is the order's.
    assert!(
        traded
            .placed
            .client_id
            .as_deref()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(traded.placed.client_id, traded.cancelled.client_id);
    // Nothing filled: a resting order that was cancelled leaves no position.
    assert_eq!(traded.positions, 0);
    server.shutdown().await;
}
