//! The mock exchange through etna-client and over raw HTTP: accounts, cash,
//! securities, quotes on the moved clock and set by tests, orders filling
//! and resting, cancels, refusals, pages, another trader's account, and an
//! order booked before a hang-up.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use etna_client::rust_decimal::Decimal;
use etna_client::types::{Order, OrderRequest, OrderSide, OrderStatus, OrderType};
use etna_client::{Client, Error, Operation, Paged, Secret, SignIn};
use etna_mock::{Fault, MockServer, Quote, STARTING_CASH, TICK};
use futures_util::TryStreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::sign_in::{ROBERT, call, session};

const ROBERT_ACCOUNT: i32 = 6303;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn quote(bid: &str, ask: &str) -> Quote {
    Quote {
        bid: dec(bid),
        ask: dec(ask),
        last: (dec(bid) + dec(ask)) / Decimal::TWO,
    }
}

pub(crate) fn order(
    symbol: &str,
    kind: OrderType,
    side: OrderSide,
    quantity: &str,
    price: Option<&str>,
    stop: Option<&str>,
) -> OrderRequest {
    OrderRequest {
        client_id: None,
        comment: None,
        exchange: None,
        exec_inst: None,
        execution_instructions: Default::default(),
        expire_date: None,
        extended_hours: None,
        legs: Vec::new(),
        price: price.map(|p| p.parse().unwrap()),
        quantity: Some(quantity.parse().unwrap()),
        side: Some(side),
        stop_price: stop.map(|p| p.parse().unwrap()),
        symbol: symbol.to_owned(),
        time_inforce: None,
        token: None,
        trailing_limit_amount: None,
        trailing_limit_amount_type: None,
        trailing_stop_amount: None,
        trailing_stop_amount_type: None,
        type_: kind,
        validations_to_bypass: None,
    }
}

pub(crate) async fn signed_in(server: &MockServer, (login, password): (&str, &str)) -> Client {
    let client = Client::new(&server.base_url(), MockServer::APP_KEY).unwrap();
    let outcome = client.sign_in(login, &Secret::from(password)).await;
    assert!(matches!(outcome, Ok(SignIn::SignedIn(_))), "{outcome:?}");
    client
}

fn status(order: &Order) -> OrderStatus {
    order
        .status
        .as_ref()
        .and_then(|s| s.listed())
        .cloned()
        .unwrap()
}

async fn cash(client: &Client, account: i32) -> Decimal {
    let balance = client
        .get_account_balance()
        .account_id(account)
        .call()
        .await
        .unwrap();
    balance.cash.unwrap().value()
}

async fn bearer(
    server: &MockServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> crate::sign_in::Reply {
    let token = session(server, ROBERT).await;
    let auth = format!("Bearer {token}");
    call(server, method, path, &[("Authorization", &auth)], body).await
}

#[tokio::test]
async fn a_trader_sees_one_account_with_the_starting_cash() {
    let server = MockServer::start().await.unwrap();
    let client = signed_in(&server, ROBERT).await;
    let me = client.get_user_info().user_id("@me").call().await.unwrap();
    assert_eq!(
        (me.user_id, me.login.as_deref()),
        (Some(644), Some("robert.zak"))
    );
    let same = client.get_user_info().user_id("644").call().await.unwrap();
    assert_eq!(same.user_id, Some(644));
    let accounts = client
        .list_user_accounts()
        .user_id("@me")
        .call()
        .await
        .unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].id, Some(ROBERT_ACCOUNT));
    let balance = client
        .get_account_balance()
        .account_id(ROBERT_ACCOUNT)
        .call()
        .await
        .unwrap();
    assert_eq!(balance.cash.unwrap().value(), STARTING_CASH);
    assert_eq!(balance.equity_total.unwrap().value(), STARTING_CASH);
    assert_eq!(STARTING_CASH, Decimal::from(100_000));

    assert_eq!(me.last_name.as_deref(), Some("Zakiev"));
    let hello = crate::exchange::two_factor_client(&server).await;
    let info = hello.get_user_info().user_id("@me").call().await.unwrap();
    assert_eq!(
        (
            info.user_id,
            info.first_name.as_deref(),
            info.email.as_deref()
        ),
        (Some(645), Some("hello"), Some("hello@etnatrader.com"))
    );
    let accounts = hello
        .list_user_accounts()
        .user_id("@me")
        .call()
        .await
        .unwrap();
    assert_eq!(accounts[0].id, Some(ROBERT_ACCOUNT + 1));
}

pub(crate) async fn two_factor_client(server: &MockServer) -> Client {
    let client = Client::new(&server.base_url(), MockServer::APP_KEY).unwrap();
    let password = Secret::from("Hell0-passw0rd!");
    let first = client.sign_in("hello", &password).await;
    assert!(matches!(first, Ok(SignIn::CodeNeeded)), "{first:?}");
    let code = Secret::from(server.last_code_for("hello").unwrap().as_str());
    let second = client.sign_in_with_code("hello", &password, &code).await;
    assert!(matches!(second, Ok(SignIn::SignedIn(_))), "{second:?}");
    client
}

#[tokio::test]
async fn another_traders_account_user_and_orders_get_the_documented_401() {
    let server = MockServer::start().await.unwrap();
    let robert = signed_in(&server, ROBERT).await;
    let placed = robert
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(order(
            "AAPL",
            OrderType::Limit,
            OrderSide::Buy,
            "1",
            Some("1"),
            None,
        ))
        .call()
        .await
        .unwrap();
    let hello = two_factor_client(&server).await;
    let id = placed.id.unwrap();
    for error in [
        hello
            .get_account_balance()
            .account_id(ROBERT_ACCOUNT)
            .call()
            .await
            .err(),
        hello
            .get_order()
            .account_id(ROBERT_ACCOUNT)
            .order_id(id)
            .call()
            .await
            .err(),
        hello
            .get_order()
            .account_id(ROBERT_ACCOUNT + 1)
            .order_id(id)
            .call()
            .await
            .err(),
        hello
            .cancel_order()
            .account_id(ROBERT_ACCOUNT + 1)
            .order_id(id)
            .call()
            .await
            .err(),
        hello
            .list_orders()
            .account_id(ROBERT_ACCOUNT)
            .page_number(0)
            .page_size(10)
            .call()
            .await
            .err(),
        hello.get_user_info().user_id("644").call().await.err(),
        hello.list_user_accounts().user_id("644").call().await.err(),
    ] {
        assert!(
            matches!(error, Some(Error::SessionRejected { .. })),
            "{error:?}"
        );
    }
    let reply = bearer(&server, Method::GET, "/v1.0/accounts/6304/info", None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        json!({"Message": "Authorization has been denied for this request."})
    );
    let unknown = bearer(&server, Method::GET, "/v1.0/users/99999/info", None).await;
    assert_eq!(unknown.status, 500, "{}", unknown.text);
    // Robert's order is still open: the refused cancel changed nothing.
    let still = robert
        .get_order()
        .account_id(ROBERT_ACCOUNT)
        .order_id(id)
        .call()
        .await
        .unwrap();
    assert_eq!(status(&still), OrderStatus::New);
}

#[tokio::test]
async fn market_orders_fill_at_the_quote_and_limit_orders_when_it_crosses() {
    let server = MockServer::start().await.unwrap();
    assert!(server.set_quote("aapl", quote("150.00", "150.10")));
    let client = signed_in(&server, ROBERT).await;
    let buy = order("AAPL", OrderType::Market, OrderSide::Buy, "10", None, None);
    let preview = client
        .preview_order()
        .account_id(ROBERT_ACCOUNT)
        .body(buy.clone())
        .call()
        .await
        .unwrap();
    assert!(preview.is_successful);
    assert_eq!(preview.commission.unwrap().value(), dec("1.10"));
    assert_eq!(preview.cost.unwrap().value(), dec("1501"));
    assert_eq!(preview.quotes[0].ask.unwrap().value(), dec("150.10"));
    let filled = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(buy)
        .call()
        .await
        .unwrap();
    assert_eq!(status(&filled), OrderStatus::Filled);
    assert_eq!(filled.average_price.unwrap().value(), dec("150.10"));
    assert_eq!(filled.executed_quantity.unwrap().value(), dec("10"));
    assert!(filled.client_id.is_some_and(|id| !id.is_empty()));
    assert_eq!(cash(&client, ROBERT_ACCOUNT).await, dec("98497.90"));

    let limit = order(
        "AAPL",
        OrderType::Limit,
        OrderSide::Buy,
        "5",
        Some("149.005"),
        None,
    );
    let resting = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(limit)
        .call()
        .await
        .unwrap();
    assert_eq!(status(&resting), OrderStatus::New);
    assert_eq!(resting.leaves_quantity.unwrap().value(), dec("5"));
    let id = resting.id.unwrap();
    server.set_quote("AAPL", quote("149.00", "149.01"));
    let open = client
        .get_order()
        .account_id(ROBERT_ACCOUNT)
        .order_id(id)
        .call()
        .await
        .unwrap();
    assert_eq!(status(&open), OrderStatus::New);
    server.set_quote("AAPL", quote("148.90", "149.00"));
    let done = client
        .get_order()
        .account_id(ROBERT_ACCOUNT)
        .order_id(id)
        .call()
        .await
        .unwrap();
    assert_eq!(status(&done), OrderStatus::Filled);
    assert_eq!(done.average_price.unwrap().value(), dec("149.00"));

    // A sell stop triggers when the bid falls to it, and fills at the bid.
    let stop = order(
        "AAPL",
        OrderType::Stop,
        OrderSide::Sell,
        "15",
        None,
        Some("140"),
    );
    let stop = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(stop)
        .call()
        .await
        .unwrap();
    assert_eq!(status(&stop), OrderStatus::New);
    server.set_quote("AAPL", quote("139.50", "139.60"));
    let sold = client
        .get_order()
        .account_id(ROBERT_ACCOUNT)
        .order_id(stop.id.unwrap())
        .call()
        .await
        .unwrap();
    assert_eq!(sold.average_price.unwrap().value(), dec("139.50"));
    // 98497.90 - 5 x 149.00 - 1.05 + 15 x 139.50 - 1.15
    assert_eq!(cash(&client, ROBERT_ACCOUNT).await, dec("99843.20"));
    let positions = client
        .list_positions()
        .account_id(ROBERT_ACCOUNT)
        .page_number(0)
        .page_size(10)
        .sort_field("Id")
        .desc(false)
        .call()
        .await
        .unwrap();
    assert!(positions.result.is_empty(), "{positions:?}");
}

#[tokio::test]
async fn cancel_moves_an_open_order_to_canceled_and_a_done_one_gets_409() {
    let server = MockServer::start().await.unwrap();
    server.set_quote("MSFT", quote("400", "400.02"));
    let client = signed_in(&server, ROBERT).await;
    let limit = order(
        "MSFT",
        OrderType::Limit,
        OrderSide::Buy,
        "2",
        Some("390"),
        None,
    );
    let placed = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(limit)
        .call()
        .await
        .unwrap();
    let id = placed.id.unwrap();
    let answer = client
        .cancel_order()
        .account_id(ROBERT_ACCOUNT)
        .order_id(id)
        .call()
        .await
        .unwrap();
    assert_eq!(answer.status, 204);
    let canceled = client
        .get_order()
        .account_id(ROBERT_ACCOUNT)
        .order_id(id)
        .call()
        .await
        .unwrap();
    assert_eq!(status(&canceled), OrderStatus::Canceled);
    // It no longer rests: a quote through its limit fills nothing.
    server.set_quote("MSFT", quote("380", "380.02"));
    assert_eq!(cash(&client, ROBERT_ACCOUNT).await, STARTING_CASH);
    let again = client
        .cancel_order()
        .account_id(ROBERT_ACCOUNT)
        .order_id(id)
        .call()
        .await;
    assert!(
        matches!(&again, Err(Error::Rejected { status, .. }) if status.as_u16() == 409),
        "{again:?}"
    );
    let market = order("MSFT", OrderType::Market, OrderSide::Buy, "1", None, None);
    let filled = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(market)
        .call()
        .await
        .unwrap();
    let reply = bearer(
        &server,
        Method::DELETE,
        &format!("/v1.0/accounts/6303/orders/{}", filled.id.unwrap()),
        None,
    )
    .await;
    assert_eq!(reply.status, 409);
    assert_eq!(
        reply.body["Message"],
        "The order cannot be canceled in its current state."
    );
}

#[tokio::test]
async fn invalid_orders_are_refused_by_preview_with_200_and_by_place_with_400() {
    let server = MockServer::start().await.unwrap();
    server.set_quote("AAPL", quote("150.00", "150.10"));
    let path = "/v1.0/accounts/6303/preview/orders";
    let place = "/v1.0/accounts/6303/orders";
    for (body, code) in [
        (
            json!({"Symbol": "AAPL", "Type": "Limit", "Side": "Buy", "Quantity": 1}),
            "LimitPriceUndefined",
        ),
        (
            json!({"Symbol": "AAPL", "Type": "Stop", "Side": "Buy", "Quantity": 1}),
            "QuotePriceIsInvalid",
        ),
        (
            json!({"Symbol": "NOPE", "Type": "Market", "Side": "Buy", "Quantity": 1}),
            "SecurityNotFound",
        ),
        (
            json!({"Symbol": "AAPL", "Type": "Market", "Side": "Buy", "Quantity": 0}),
            "QuantityIsInvalid",
        ),
        (
            json!({"Symbol": "AAPL", "Type": "Market", "Side": "Buy"}),
            "QuantityIsInvalid",
        ),
        (
            json!({"Symbol": "AAPL", "Type": "Market", "Side": "Buy", "Quantity": 700}),
            "DayTradingBuyingPowerExceeded",
        ),
        (
            json!({"Symbol": "AAPL", "Type": "Market", "Side": "Sell", "Quantity": 1}),
            "NotEnoughPosition",
        ),
        (
            json!({"Symbol": "AAPL", "Type": "Market", "Side": "SellShort", "Quantity": 1}),
            "OrderSideNotSupported",
        ),
        (
            json!({"Symbol": "AAPL", "Type": "TrailingStop", "Side": "Buy", "Quantity": 1}),
            "OrderTypeNotSupported",
        ),
    ] {
        let reply = bearer(&server, Method::POST, path, Some(body.clone())).await;
        assert_eq!(reply.status, 200, "{body}: {}", reply.text);
        assert_eq!(reply.body["IsSuccessful"], false, "{body}");
        assert_eq!(reply.body["ErrorDescription"], code, "{body}");
        assert!(reply.body["ErrorDescriptionText"].is_string(), "{body}");
        let placed = bearer(&server, Method::POST, place, Some(body.clone())).await;
        assert_eq!(placed.status, 400, "{body}: {}", placed.text);
        assert_eq!(placed.body["ErrorDescription"], code, "{body}");
    }
    // 699 shares cost 104,919.90 with the commission of 7.99: refused; 660
    // cost 99,066 + 7.60: accepted.
    let client = signed_in(&server, ROBERT).await;
    let refused = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(order(
            "AAPL",
            OrderType::Market,
            OrderSide::Buy,
            "699",
            None,
            None,
        ))
        .call()
        .await;
    let Err(Error::Rejected { status, body, .. }) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!(status.as_u16(), 400);
    assert!(
        format!("{body:?}").contains("DayTradingBuyingPowerExceeded"),
        "{body:?}"
    );
    client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(order(
            "AAPL",
            OrderType::Market,
            OrderSide::Buy,
            "660",
            None,
            None,
        ))
        .call()
        .await
        .unwrap();
    let orders = client
        .list_orders()
        .account_id(ROBERT_ACCOUNT)
        .page_number(0)
        .page_size(100)
        .call()
        .await
        .unwrap();
    assert_eq!(orders.result.len(), 1, "refused orders are not booked");
}

#[tokio::test]
async fn prices_and_quantities_keep_every_digit() {
    let server = MockServer::start().await.unwrap();
    server.set_quote("AAPL", quote("150.00", "150.10"));
    let client = signed_in(&server, ROBERT).await;
    let limit = order(
        "AAPL",
        OrderType::Limit,
        OrderSide::Buy,
        "0.123456789012345678",
        Some("100.000000000000000001"),
        None,
    );
    let placed = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(limit)
        .call()
        .await
        .unwrap();
    assert_eq!(placed.price.unwrap().to_string(), "100.000000000000000001");
    assert_eq!(placed.quantity.unwrap().to_string(), "0.123456789012345678");
    server.set_quote("AAPL", quote("99.99", "100.00"));
    // 100000 - 0.123456789012345678 x 100.00 - (1 + 0.01 x 0.123456789012345678)
    assert_eq!(
        cash(&client, ROBERT_ACCOUNT).await,
        dec("99986.65308653087530874322")
    );
}

#[tokio::test]
async fn lookup_equities_finds_by_mask_in_symbol_exchange_or_description_and_by_type() {
    let server = MockServer::start().await.unwrap();
    let client = signed_in(&server, ROBERT).await;
    let symbols = |found: Vec<etna_client::types::Equity>| -> Vec<String> {
        found.into_iter().map(|e| e.symbol.unwrap()).collect()
    };
    let apple = client
        .lookup_equities()
        .mask("apple")
        .count(5)
        .call()
        .await
        .unwrap();
    assert_eq!(apple[0].id, Some(4));
    assert_eq!(symbols(apple), ["AAPL", "APLE"]);
    let one = client
        .lookup_equities()
        .mask("Apple")
        .count(1)
        .call()
        .await
        .unwrap();
    assert_eq!(symbols(one), ["AAPL"]);
    let funds = client
        .lookup_equities()
        .mask("X")
        .count(10)
        .filter("Type in ('MutualFund', 'ETF')")
        .call()
        .await
        .unwrap();
    assert_eq!(symbols(funds), ["SPY", "VFIAX"]);
    let none = client
        .lookup_equities()
        .mask("zzzz")
        .count(3)
        .call()
        .await
        .unwrap();
    assert!(none.is_empty());
    let bad = bearer(
        &server,
        Method::GET,
        "/v1.0/equities/lookup?mask=A&count=1&filter=Price%3D1",
        None,
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
}

#[tokio::test]
async fn pages_link_to_the_address_the_request_came_to_and_filters_apply() {
    let server = MockServer::start().await.unwrap();
    server.set_quote("IBM", quote("180", "180.10"));
    let client = signed_in(&server, ROBERT).await;
    let mut ids = Vec::new();
    for price in ["170", "171", "172", "173", "174"] {
        let body = order(
            "IBM",
            OrderType::Limit,
            OrderSide::Buy,
            "1",
            Some(price),
            None,
        );
        let placed = client
            .place_order()
            .account_id(ROBERT_ACCOUNT)
            .body(body)
            .call()
            .await
            .unwrap();
        ids.push(placed.id.unwrap());
    }
    let market = order("AAPL", OrderType::Market, OrderSide::Buy, "1", None, None);
    client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(market)
        .call()
        .await
        .unwrap();
    let first = client
        .list_orders()
        .account_id(ROBERT_ACCOUNT)
        .page_number(0)
        .page_size(2)
        .filter("SecurityId = 8915 and Status in (0,1)")
        .call()
        .await
        .unwrap();
    assert_eq!(first.total_count, Some(5));
    assert_eq!(
        first
            .result
            .iter()
            .map(|o| o.id.unwrap())
            .collect::<Vec<_>>(),
        ids[..2]
    );
    assert_eq!(first.previous_page_link, None);
    let next = first.next_page_link.unwrap();
    assert!(
        next.starts_with(&format!("{}/v1.0/accounts/6303/orders?", server.base_url())),
        "{next}"
    );
    // Followed as it is, with the same credentials.
    let token = session(&server, ROBERT).await;
    let mut link = Some(next);
    let mut seen = first.result.len();
    let mut pages = 1;
    while let Some(url) = link.filter(|l| !l.is_empty()) {
        let page: Value = crate::answers::http()
            .get(&url)
            .header("Et-App-Key", MockServer::APP_KEY)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen += page["Result"].as_array().unwrap().len();
        assert!(
            page["PreviousPageLink"]
                .as_str()
                .unwrap()
                .contains(&format!("pageNumber={}", pages - 1))
        );
        link = page["NextPageLink"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!((seen, pages), (5, 3));
    let desc = client
        .list_orders()
        .account_id(ROBERT_ACCOUNT)
        .page_number(0)
        .page_size(100)
        .sort_field("Id")
        .desc(true)
        .call()
        .await
        .unwrap();
    assert_eq!(desc.result.len(), 6);
    assert_eq!(desc.result[1].id, Some(ids[4]));
    let bad = bearer(
        &server,
        Method::GET,
        "/v1.0/accounts/6303/orders?pageNumber=0&pageSize=2&filter=Price%3D4",
        None,
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
}

#[tokio::test]
async fn a_server_without_state_has_no_exchange() {
    let server = MockServer::builder().stateless().start().await.unwrap();
    assert!(!server.set_quote("AAPL", quote("1", "2")));
    assert_eq!(server.quote("AAPL"), None);
    let url = format!("{}{}", server.base_url(), etna_mock::QUOTES_PATH);
    let answer = crate::answers::http().get(url).send().await.unwrap();
    assert_eq!(answer.status(), 404);
    // The trading operations answer their documented examples, as Prism.
    let reply = call(
        &server,
        Method::GET,
        "/v1.0/accounts/1/orders/2",
        &[("Authorization", "Bearer any")],
        None,
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["Id"].clone()),
        (200, json!(73552))
    );
}

#[tokio::test]
async fn quotes_move_with_the_clock_and_the_control_endpoint_sets_them() {
    let server = MockServer::start().await.unwrap();
    let mut seen = BTreeSet::new();
    for _ in 0..20 {
        seen.insert(server.quote("AAPL").unwrap().last);
        server.advance_clock(TICK * 7);
    }
    assert!(seen.len() > 5, "{seen:?}");

    let http = crate::answers::http();
    let url = format!("{}{}", server.base_url(), etna_mock::QUOTES_PATH);
    let set = http
        .put(format!("{url}/tsla"))
        .header("content-type", "application/json")
        .body(r#"{"Bid": 200.005, "Ask": 200.015}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let quotes: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    let tsla = quotes
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["Symbol"] == "TSLA")
        .unwrap();
    assert_eq!(
        (
            tsla["Bid"].to_string(),
            tsla["Last"].to_string(),
            tsla["Pinned"].clone()
        ),
        ("200.005".into(), "200.01".into(), json!(true))
    );
    server.advance_clock(TICK * 100);
    assert_eq!(server.quote("TSLA").unwrap().ask, dec("200.015"));
    let released = http.delete(format!("{url}/TSLA")).send().await.unwrap();
    assert_eq!(released.status(), 204);
    assert_ne!(server.quote("TSLA").unwrap().ask, dec("200.015"));
    for (body, status) in [
        (r#"{"Bid": 2, "Ask": 1}"#, 400),
        (r#"{"Bid": 0, "Ask": 1}"#, 400),
        (r#"{"Bid": 1}"#, 400),
    ] {
        let refused = http
            .put(format!("{url}/AAPL"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), status, "{body}");
    }
    let unknown = http
        .put(format!("{url}/NOPE"))
        .body(r#"{"Bid": 1, "Ask": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_resting_order_fills_when_the_moved_clock_brings_the_quote_across() {
    let server = MockServer::start().await.unwrap();
    let client = signed_in(&server, ROBERT).await;
    // One period of MSFT's wave, watched: its lowest ask.
    let mut lowest = server.quote("MSFT").unwrap().ask;
    for _ in 0..240 {
        server.advance_clock(TICK);
        lowest = lowest.min(server.quote("MSFT").unwrap().ask);
    }
    // Back where the period began (about $7 over MSFT's low: the phase
    // comes from its id), a limit a dollar over that low rests... (The next
    // period's low is within 20 cents of jitter of it, and within 41 cents
    // of wave should real time skip the low's tick: the mock's clock runs
    // on while the test moves it.)
    let limit = (lowest + dec("1.00")).to_string();
    let body = order(
        "MSFT",
        OrderType::Limit,
        OrderSide::Buy,
        "1",
        Some(&limit),
        None,
    );
    let placed = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(body)
        .call()
        .await
        .unwrap();
    assert_eq!(
        status(&placed),
        OrderStatus::New,
        "ask {:?}, limit {limit}",
        server.quote("MSFT")
    );
    // ...until the next period's low.
    let id = placed.id.unwrap();
    let mut filled = None;
    for _ in 0..240 {
        server.advance_clock(TICK);
        let order = client
            .get_order()
            .account_id(ROBERT_ACCOUNT)
            .order_id(id)
            .call()
            .await
            .unwrap();
        if status(&order) == OrderStatus::Filled {
            filled = Some(order);
            break;
        }
    }
    let filled = filled.expect("the next period's low is under the limit");
    assert!(filled.average_price.unwrap().value() <= dec(&limit));
}

#[tokio::test]
async fn a_hangup_books_the_order_then_closes_before_any_byte() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // Per request, as a client would meet it: not a byte of the answer.
    let server = MockServer::start().await.unwrap();
    let token = session(&server, ROBERT).await;
    let body =
        r#"{"Symbol":"AAPL","Type":"Market","Side":"Buy","Quantity":2,"ClientId":"raw-hangup"}"#;
    let request = format!(
        "POST /v1.0/accounts/6303/orders HTTP/1.1\r\nhost: 127.0.0.1\r\net-app-key: {}\r\nauthorization: Bearer {token}\r\nprefer: fault=hangup\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        MockServer::APP_KEY,
        body.len()
    );
    let mut answer = Vec::new();
    // A guard, not a measure: a mock that kept the connection open fails
    // here instead of hanging the test.
    let exchange = async {
        let mut socket = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        socket.write_all(request.as_bytes()).await.unwrap();
        // The end of the stream, or a reset: either way no byte of an answer.
        let _ = socket.read_to_end(&mut answer).await;
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), exchange)
        .await
        .expect("the mock closed the connection");
    assert_eq!(String::from_utf8_lossy(&answer), "", "the hang-up answered");
    let client = signed_in(&server, ROBERT).await;
    let booked = with_client_id(&client, ROBERT_ACCOUNT, "raw-hangup").await;
    assert_eq!(booked.len(), 1, "{booked:?}");
    // A status fault answers the documented example and books nothing.
    let auth = format!("Bearer {token}");
    let refused = call(
        &server,
        Method::POST,
        "/v1.0/accounts/6303/orders",
        &[("Authorization", &auth), ("Prefer", "code=500")],
        Some(json!({"Symbol": "AAPL", "Type": "Market", "Side": "Buy", "Quantity": 1})),
    )
    .await;
    assert_eq!(refused.status, 500);
    assert_eq!(every_order(&client, ROBERT_ACCOUNT).await.len(), 1);

    // The same fault set on the builder, seen through etna-client.
    let server = MockServer::builder()
        .fault_for("place_order", Fault::Hangup)
        .start()
        .await
        .unwrap();
    let client = signed_in(&server, ROBERT).await;
    let mut body = order("AAPL", OrderType::Market, OrderSide::Buy, "3", None, None);
    body.client_id = Some("hangup-4711".into());
    let outcome = client
        .place_order()
        .account_id(ROBERT_ACCOUNT)
        .body(body)
        .call()
        .await;
    assert!(
        matches!(outcome, Err(Error::OutcomeUnknown { .. })),
        "{outcome:?}"
    );
    let found = with_client_id(&client, ROBERT_ACCOUNT, "hangup-4711").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(status(&found[0]), OrderStatus::Filled);
    let positions = client
        .list_positions()
        .account_id(ROBERT_ACCOUNT)
        .page_number(0)
        .page_size(10)
        .sort_field("Id")
        .desc(false)
        .call()
        .await
        .unwrap();
    assert_eq!(positions.result[0].quantity.unwrap().value(), dec("3"));
}

/// What one trader did: each order placed, with the commission its preview
/// quoted.
struct Placed {
    id: i32,
    commission: Decimal,
}

async fn trade(server: Arc<MockServer>, trader: usize) -> (Client, i32, Vec<Placed>) {
    let login = format!("trader{trader}");
    let password = format!("Tr4der-{trader}!");
    let client = signed_in(&server, (&login, &password)).await;
    let accounts = client
        .list_user_accounts()
        .user_id("@me")
        .call()
        .await
        .unwrap();
    let account = accounts[0].id.unwrap();
    let mut rng = fastrand::Rng::with_seed(trader as u64);
    let mut placed: Vec<Placed> = Vec::new();
    for _ in 0..60 {
        let symbol = ["AAPL", "MSFT", "IBM", "TSLA"][rng.usize(0..4)];
        let quote = server.quote(symbol).unwrap();
        let quantity = rng.u32(1..=5).to_string();
        let body = match rng.u8(0..6) {
            0 | 1 => order(
                symbol,
                OrderType::Market,
                OrderSide::Buy,
                &quantity,
                None,
                None,
            ),
            2 => {
                let limit = (quote.ask * dec("0.995")).round_dp(2).to_string();
                order(
                    symbol,
                    OrderType::Limit,
                    OrderSide::Buy,
                    &quantity,
                    Some(&limit),
                    None,
                )
            }
            3 => {
                let limit = (quote.bid * dec("1.005")).round_dp(2).to_string();
                order(
                    symbol,
                    OrderType::Limit,
                    OrderSide::Sell,
                    "1",
                    Some(&limit),
                    None,
                )
            }
            4 => order(symbol, OrderType::Market, OrderSide::Sell, "1", None, None),
            _ => {
                if let Some(open) = placed.get(rng.usize(0..placed.len().max(1))) {
                    let answer = client
                        .cancel_order()
                        .account_id(account)
                        .order_id(open.id)
                        .call()
                        .await;
                    match answer {
                        Ok(answer) => assert_eq!(answer.status, 204),
                        Err(Error::Rejected { status, .. }) => assert_eq!(status.as_u16(), 409),
                        Err(other) => panic!("{other:?}"),
                    }
                }
                continue;
            }
        };
        let preview = client
            .preview_order()
            .account_id(account)
            .body(body.clone())
            .call()
            .await
            .unwrap();
        let commission = preview.commission.unwrap().value();
        match client
            .place_order()
            .account_id(account)
            .body(body)
            .call()
            .await
        {
            Ok(order) => placed.push(Placed {
                id: order.id.unwrap(),
                commission,
            }),
            // Refused (a sell of what the trader no longer holds, cash
            // spent by a concurrent fill): not booked, checked below.
            Err(Error::Rejected { status, .. }) => assert_eq!(status.as_u16(), 400),
            Err(other) => panic!("{other:?}"),
        }
    }
    (client, account, placed)
}

/// Every order of the account, through the client's pager: small pages,
/// each next one from the mock's own `NextPageLink`.
async fn every_order(client: &Client, account: i32) -> Vec<Order> {
    let pages: Vec<_> = client
        .list_orders()
        .account_id(account)
        .page_number(0)
        .page_size(7)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let orders: Vec<Order> = pages.iter().flat_map(|p| p.result.clone()).collect();
    for page in &pages {
        assert_eq!(page.total_count, Some(orders.len() as i32), "{page:?}");
    }
    orders
}

/// The account's orders sent with this `ClientId`, from every page.
async fn with_client_id(client: &Client, account: i32, client_id: &str) -> Vec<Order> {
    every_order(client, account)
        .await
        .into_iter()
        .filter(|o| o.client_id.as_deref() == Some(client_id))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_traders_lose_no_order_and_their_money_adds_up_to_the_starting_cash() {
    const TRADERS: usize = 8;
    let accounts: String = (0..TRADERS)
        .map(|i| format!("  - login: trader{i}\n    password: Tr4der-{i}!\n"))
        .collect();
    let server = Arc::new(
        MockServer::builder()
            .accounts(format!("accounts:\n{accounts}"))
            .start()
            .await
            .unwrap(),
    );
    let trading = Arc::new(AtomicBool::new(true));
    // Quotes move while the traders trade: the clock, and now and then a
    // quote set through the resting orders.
    let mover = tokio::spawn({
        let (server, trading) = (server.clone(), trading.clone());
        async move {
            let mut moves = 0u32;
            while trading.load(Ordering::SeqCst) {
                server.advance_clock(TICK);
                moves += 1;
                if moves.is_multiple_of(25) {
                    let ask = server.quote("IBM").unwrap().ask;
                    let low = ask * dec("0.99");
                    server.set_quote(
                        "IBM",
                        Quote {
                            bid: low - dec("0.01"),
                            ask: low,
                            last: low,
                        },
                    );
                } else if moves % 25 == 5 {
                    server.release_quote("IBM");
                }
                tokio::task::yield_now().await;
            }
            moves
        }
    });
    let tasks: Vec<_> = (0..TRADERS)
        .map(|i| tokio::spawn(trade(server.clone(), i)))
        .collect();
    let mut traders = Vec::new();
    for task in tasks {
        traders.push(task.await.unwrap());
    }
    trading.store(false, Ordering::SeqCst);
    assert!(mover.await.unwrap() > 0);

    let mut total_orders = 0;
    for (client, account, placed) in traders {
        let orders = every_order(&client, account).await;
        // Every order placed is listed exactly once, and nothing else is.
        let mut listed: BTreeMap<i32, &Order> = BTreeMap::new();
        for order in &orders {
            assert!(
                listed.insert(order.id.unwrap(), order).is_none(),
                "{order:?} twice"
            );
        }
        let ids: BTreeSet<i32> = placed.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), placed.len());
        assert_eq!(listed.keys().copied().collect::<BTreeSet<_>>(), ids);
        total_orders += placed.len();

        let mut spent = Decimal::ZERO;
        let mut commissions = Decimal::ZERO;
        let mut held: BTreeMap<i32, Decimal> = BTreeMap::new();
        for p in &placed {
            let order = listed[&p.id];
            if status(order) != OrderStatus::Filled {
                continue;
            }
            let quantity = order.executed_quantity.unwrap().value();
            let value = quantity * order.average_price.unwrap().value();
            let buy = order.side.as_ref().and_then(|s| s.listed()) == Some(&OrderSide::Buy);
            let signed = if buy { quantity } else { -quantity };
            *held.entry(order.security_id.unwrap()).or_default() += signed;
            spent += if buy { value } else { -value };
            commissions += p.commission;
        }
        let cash = cash(&client, account).await;
        assert_eq!(
            cash + spent + commissions,
            STARTING_CASH,
            "account {account}"
        );
        assert!(cash >= Decimal::ZERO);
        let positions = client
            .list_positions()
            .account_id(account)
            .page_number(0)
            .page_size(99)
            .sort_field("Id")
            .desc(false)
            .call()
            .await
            .unwrap();
        let positions: BTreeMap<i32, Decimal> = positions
            .result
            .iter()
            .map(|p| (p.security_id.unwrap(), p.quantity.unwrap().value()))
            .collect();
        held.retain(|_, q| !q.is_zero());
        assert_eq!(positions, held, "account {account}");
    }
    assert!(total_orders > TRADERS * 20, "{total_orders}");
}
