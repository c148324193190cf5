//! An order whose answer the mock drops (`Fault::Hangup` on `place_order`:
//! booked, then the connection closed before any byte of the answer),
//! through etna-client's place-order flow: the `ClientId` the client filled
//! in finds it in `list_orders`, and it is booked once. And every page of
//! the exchange's orders through the generic pager.

use etna_client::futures_util::TryStreamExt;
use etna_client::order_placement::{Placement, place};
use etna_client::types::{OrderSide, OrderType};
use etna_client::{ClientKeyed, Paged};
use etna_mock::{Fault, MockServer};

use crate::exchange::{order, signed_in};
use crate::sign_in::ROBERT;

const ACCOUNT: i32 = 6303;

#[tokio::test]
async fn a_dropped_answer_is_found_by_the_filled_client_id_and_booked_once() {
    let server = MockServer::builder()
        .fault_for("place_order", Fault::Hangup)
        .start()
        .await
        .unwrap();
    let client = signed_in(&server, ROBERT).await;
    let mut builder = client.place_order().account_id(ACCOUNT).body(order(
        "AAPL",
        OrderType::Market,
        OrderSide::Buy,
        "2",
        None,
        None,
    ));
    let client_id = builder.client_id().expect("a body");
    let placement = place(builder).await.expect("a placement");
    let Placement::Placed(found) = placement else {
        panic!("expected the order found by its ClientId, got {placement:?}");
    };
    assert_eq!(found.client_id.as_deref(), Some(client_id.as_str()));
    let every: Vec<_> = client
        .list_orders()
        .account_id(ACCOUNT)
        .page_number(0)
        .page_size(1)
        .items()
        .try_collect()
        .await
        .expect("every page, links under the mock's own address");
    let booked = every
        .iter()
        .filter(|o| o.client_id.as_deref() == Some(client_id.as_str()))
        .count();
    assert_eq!(booked, 1, "booked once: {every:?}");
}
