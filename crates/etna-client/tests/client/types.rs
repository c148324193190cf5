//! The value types of issue 31 in the client's own generated types: every
//! digit of a decimal (declared fields and a flattened map alike), "no
//! date" as `None`, open enums in answers and the documented values in
//! requests. The real spec's types (`AccountBalance`, `OrderPage`) and the
//! fixture's `fixture_holding`, which has one field of each kind.

use etna_client::dispatch::JsonReply;
use etna_client::types::{AccountBalance, OrderExecInst, OrderPage, OrderStatus};
use etna_client::{ClientBuilder, Decimal, Error, Open, Operation};
use etna_test_fixtures::fixture;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::APP_KEY;

/// The documentation's balance value: 26 significant digits, which no
/// `f64` holds (it reads back as -0.057007751408298446).
const CHANGE_PERCENT: &str = "-0.05700775140829844330933239";

#[test]
fn the_documented_balance_keeps_every_digit_in_its_fields_and_its_extra_map() {
    // `futurePercent` is a key the spec does not list: it goes to the
    // flattened `extra` map, which serde alone would read as an f64.
    let text = format!(
        r#"{{"cash":976510.75,"changePercent":{CHANGE_PERCENT},"pendingOrdersCount":100.00000,"futurePercent":{CHANGE_PERCENT}}}"#
    );
    let balance: AccountBalance = serde_json::from_str(&text).unwrap();
    assert_eq!(balance.change_percent.unwrap().to_string(), CHANGE_PERCENT);
    assert_eq!(
        balance.pending_orders_count.unwrap().to_string(),
        "100.00000"
    );
    assert_eq!(balance.extra["futurePercent"].to_string(), CHANGE_PERCENT);
    let written = serde_json::to_string(&balance).unwrap();
    for part in [
        format!(r#""changePercent":{CHANGE_PERCENT}"#),
        format!(r#""futurePercent":{CHANGE_PERCENT}"#),
        r#""pendingOrdersCount":100.00000"#.to_owned(),
        r#""cash":976510.75"#.to_owned(),
    ] {
        assert!(written.contains(&part), "{part} not in {written}");
    }
    // Read again from what was written: the same values.
    let again: AccountBalance = serde_json::from_str(&written).unwrap();
    assert_eq!(again, balance);
}

#[test]
fn a_balance_with_a_value_that_is_not_a_number_is_refused_naming_the_key() {
    let error = serde_json::from_str::<AccountBalance>(r#"{"futurePercent":"high"}"#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("futurePercent"), "{error}");
    assert!(serde_json::from_str::<AccountBalance>(r#"{"cash":true}"#).is_err());
}

#[test]
fn a_page_of_orders_with_an_unlisted_status_a_numeric_instruction_and_no_date_decodes() {
    let page: OrderPage = serde_json::from_value(json!({
        "Result": [
            {"Id": 1, "Status": "Filled", "ExecInst": "AllOrNone",
             "SettDate": "2019-01-14T12:27:37.6205663Z"},
            {"Id": 2, "Status": "AwaitingVenue", "ExecInst": 0,
             "SettDate": "0001-01-01T00:00:00Z"},
            {"Id": 3, "Status": "New", "ExecInst": "NotYetListed",
             "SettDate": "2019-01-14T15:27:37+03:00"}
        ],
        "TotalCount": 3
    }))
    .unwrap();
    let [filled, unlisted, new] = page.result.as_slice() else {
        panic!("{page:?}")
    };
    assert_eq!(filled.status, Some(Open::Listed(OrderStatus::Filled)));
    assert_eq!(
        unlisted.status,
        Some(Open::Unlisted("AwaitingVenue".to_owned()))
    );
    assert_eq!(unlisted.exec_inst, Some(OrderExecInst::Integer(0)));
    assert_eq!(
        new.exec_inst,
        Some(OrderExecInst::String(Open::Unlisted(
            "NotYetListed".to_owned()
        )))
    );
    // "No date" is None; seven fractional digits and an offset are kept.
    assert_eq!(unlisted.sett_date.unwrap().get(), None);
    let filled_at = filled.sett_date.unwrap().get().unwrap();
    assert_eq!(filled_at.timestamp_subsec_nanos(), 620_566_300);
    let offset_at = new.sett_date.unwrap().get().unwrap();
    assert_eq!(offset_at.offset().local_minus_utc(), 3 * 3600);
    // "No date" is written back as the spec's value.
    let written = serde_json::to_value(unlisted.sett_date).unwrap();
    assert_eq!(written, json!("0001-01-01T00:00:00Z"));
}

/// Over HTTP, in the fixture client: the answer's decimal, "no date",
/// unlisted value and flattened decimals decode exactly; sending the
/// holding back with its unlisted value fails before any I/O, naming the
/// type and the listed values.
#[tokio::test]
async fn the_fixture_value_types_over_http() {
    let server = MockServer::start().await;
    // Raw text, not `set_body_json`: a JSON `Value` would round the digits.
    let answer = format!(
        r#"{{"Amount":{CHANGE_PERCENT},"SettledAt":"0001-01-01T00:00:00Z","State":"Frozen","Figures":{{"Total":100.00000,"Fees":{CHANGE_PERCENT}}}}}"#
    );
    Mock::given(method("PUT"))
        .and(path("/v1.0/fixture/holding"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(answer, "application/json"))
        .expect(2)
        .mount(&server)
        .await;
    let client = ClientBuilder::default()
        .base_url(server.uri())
        .app_key(APP_KEY)
        .build_generated::<fixture::Client>()
        .unwrap();
    let sent = fixture::types::FixtureHolding {
        amount: "100.00000".parse::<Decimal>().unwrap(),
        figures: None,
        key: None,
        settled_at: None,
        state: fixture::types::FixtureState::Open.into(),
    };
    let holding = client
        .fixture_holding()
        .body(sent.clone())
        .call()
        .await
        .unwrap();
    assert_eq!(holding.amount.to_string(), CHANGE_PERCENT);
    assert!(holding.settled_at.unwrap().is_none());
    assert_eq!(holding.state, Open::Unlisted("Frozen".to_owned()));
    let figures = holding.figures.clone().unwrap();
    assert_eq!(figures.total.unwrap().to_string(), "100.00000");
    assert_eq!(figures.extra["Fees"].to_string(), CHANGE_PERCENT);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        std::str::from_utf8(&requests[0].body).unwrap(),
        r#"{"Amount":100.00000,"State":"Open"}"#
    );
    // What `etna api` prints: the answer re-encoded, its unlisted value as
    // sent (not `null`).
    let reply = JsonReply::from_call(client.fixture_holding().body(sent.clone()))
        .await
        .unwrap();
    assert_eq!(reply.body["State"], "Frozen");

    let error = client
        .fixture_holding()
        .body(holding)
        .call()
        .await
        .unwrap_err();
    // The caller's input, not the network.
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    let error = error.to_string();
    assert!(
        error.contains("`FixtureState`") && error.contains("Open, Closed"),
        "{error}"
    );
    assert!(!error.contains("Frozen"), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}
