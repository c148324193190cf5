//! The two trading rows (`list_orders`, `place_order`) on both sides
//! against the benchmark server: each side reads the same whole page of
//! orders and places the benchmark's order, and the server refuses a side
//! that sends no session or another order. No timing here.

use etna_bench::caller::{APP_KEY, Call, Caller};
use etna_bench::handwritten::HandWritten;
use etna_bench::server::{
    ACCOUNT_ID, EnvelopeServer, FIRST_ORDER_ID, ORDER_PAGE, PAGE_ORDERS, SESSION_TOKEN,
};
use etna_client::types::{Order, OrderPage, OrderRequest};
use etna_client::{Operation, Secret};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn both_sides_list_the_page_and_place_the_order() {
    let server = EnvelopeServer::start().unwrap();
    let runtime = runtime();
    for call in [Call::ListOrders, Call::PlaceOrder] {
        for caller in Caller::both_for(&server.base_url(), call).unwrap() {
            for _ in 0..3 {
                runtime
                    .block_on(caller.call())
                    .unwrap_or_else(|e| panic!("{} {call:?}: {e}", caller.name()));
            }
        }
    }
}

#[test]
fn both_sides_decode_the_same_page_every_digit_kept() {
    let server = EnvelopeServer::start().unwrap();
    let runtime = runtime();
    let client = etna_client::Client::new(&server.base_url(), APP_KEY).unwrap();
    client
        .set_session_token(Secret::from(SESSION_TOKEN))
        .unwrap();
    let generated = runtime
        .block_on(
            client
                .list_orders()
                .account_id(ACCOUNT_ID)
                .page_number(0)
                .page_size(PAGE_ORDERS as u32)
                .call(),
        )
        .unwrap();
    let mut handwritten = HandWritten::new(&server.base_url(), APP_KEY).unwrap();
    handwritten.set_session_token(SESSION_TOKEN).unwrap();
    let by_hand: OrderPage = runtime
        .block_on(handwritten.list_orders(ACCOUNT_ID, 0, PAGE_ORDERS as u32))
        .unwrap();
    assert_eq!(generated, by_hand);
    let ids: Vec<i32> = generated.result.iter().filter_map(|o| o.id).collect();
    let expected: Vec<i32> = (0..PAGE_ORDERS as i32)
        .map(|i| FIRST_ORDER_ID + i)
        .collect();
    assert_eq!(ids, expected);
    // The prices are written with two decimals, and kept so.
    let prices: Vec<String> = generated
        .result
        .iter()
        .filter_map(|o| o.last_price.map(|p| p.to_string()))
        .collect();
    assert_eq!(prices.len(), PAGE_ORDERS);
    assert!(
        prices
            .iter()
            .all(|p| p.split_once('.').is_some_and(|(_, cents)| cents.len() == 2))
    );
    assert!(ORDER_PAGE.contains(&format!(r#""LastPrice":{}"#, prices[0])));
}

#[test]
fn the_server_refuses_an_order_without_the_session_or_another_order() {
    let server = EnvelopeServer::start().unwrap();
    let runtime = runtime();
    let mut handwritten = HandWritten::new(&server.base_url(), APP_KEY).unwrap();
    let market: OrderRequest =
        serde_json::from_str(r#"{"Symbol":"AAPL","Type":"Market","Side":"Buy","Quantity":100}"#)
            .unwrap();
    // No session: refused before sending.
    assert!(
        runtime
            .block_on(handwritten.place_order::<_, Order>(ACCOUNT_ID, &market))
            .is_err()
    );
    handwritten.set_session_token(SESSION_TOKEN).unwrap();
    // Another order than the benchmark's: the server answers 401.
    assert!(
        runtime
            .block_on(handwritten.place_order::<_, Order>(ACCOUNT_ID, &market))
            .is_err()
    );
    // Another session: 401 for both calls.
    handwritten
        .set_session_token(&format!("{SESSION_TOKEN}-not"))
        .unwrap();
    assert!(
        runtime
            .block_on(handwritten.list_orders::<OrderPage>(ACCOUNT_ID, 0, 100))
            .is_err()
    );
    let client = etna_client::Client::new(&server.base_url(), APP_KEY).unwrap();
    client
        .set_session_token(Secret::from(format!("{SESSION_TOKEN}-not").as_str()))
        .unwrap();
    let placed = runtime.block_on(
        client
            .place_order()
            .account_id(ACCOUNT_ID)
            .body(market)
            .call(),
    );
    assert!(placed.is_err(), "{placed:?}");
}

#[test]
fn the_trading_rows_are_named_by_the_generated_operation_ids() {
    assert!(Call::ListOrders.describe().contains("`list_orders`"));
    assert!(Call::PlaceOrder.describe().contains("`place_order`"));
    assert!(Call::ALL.contains(&Call::ListOrders) && Call::ALL.contains(&Call::PlaceOrder));
}
