//! Reading every page of a paged answer (the fixture's `fixture_list_pages`,
//! whose answer composes the schema marked `x-etna-page`), with no
//! hand-written line for the operation: the links followed with the same
//! credentials, one page at a time, the same typed errors; links that leave
//! the API root or loop refused before any request; a bare array read as a
//! single, last page; the same through `Dispatch` as JSON, every digit kept.

use etna_client::futures_util::{StreamExt, TryStreamExt};
use etna_client::{ClientBuilder, Dispatch, Error, GeneratedClient, Operation, Page, Paged};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{APP_KEY, TOKEN};
use etna_test_fixtures::fixture;

/// 26 significant digits: no `f64` holds them.
const EXACT: &str = "-0.05700775140829844330933239";

fn client(root: &str) -> fixture::Client {
    let client = ClientBuilder::default()
        .base_url(root)
        .app_key(APP_KEY)
        .timeout(std::time::Duration::from_secs(5))
        .build_generated::<fixture::Client>()
        .unwrap();
    client.state().set_session_token(TOKEN).unwrap();
    client
}

fn holding(amount: &str) -> String {
    format!(r#"{{"Amount": {amount}, "State": "Open"}}"#)
}

fn page(items: &[&str], next: &str) -> ResponseTemplate {
    let items: Vec<String> = items.iter().map(|a| holding(a)).collect();
    ResponseTemplate::new(200).set_body_raw(
        format!(
            r#"{{"Result": [{}], "NextPageLink": {next}, "PreviousPageLink": null, "TotalCount": 3}}"#,
            items.join(",")
        ),
        "application/json",
    )
}

/// Mounts page `n` (a `page` query parameter; the first page has none).
async fn mount(server: &MockServer, n: Option<&str>, answer: ResponseTemplate) {
    let mock = Mock::given(method("GET"))
        .and(path("/api/v1.0/fixture/pages"))
        .and(header("Et-App-Key", APP_KEY))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()));
    match n {
        Some(n) => mock.and(query_param("page", n)),
        None => mock.and(wiremock::matchers::query_param_is_missing("page")),
    }
    .respond_with(answer)
    .expect(1)
    .mount(server)
    .await;
}

fn link(server: &MockServer, n: &str) -> String {
    format!(
        r#""{}/api/v1.0/fixture/pages?page={n}&pageSize=2""#,
        server.uri()
    )
}

#[tokio::test]
async fn every_item_of_every_page_with_the_same_credentials_and_every_digit() {
    let server = MockServer::start().await;
    mount(&server, None, page(&["1", EXACT], &link(&server, "2"))).await;
    mount(
        &server,
        Some("2"),
        page(&["100.00000"], &link(&server, "3")),
    )
    .await;
    // The last page: an empty link.
    mount(&server, Some("3"), page(&[], r#""""#)).await;
    let client = client(&format!("{}/api", server.uri()));
    let items: Vec<fixture::types::FixtureHolding> = client
        .fixture_list_pages()
        .page_size(2)
        .items()
        .try_collect()
        .await
        .expect("three pages");
    let amounts: Vec<String> = items.iter().map(|h| h.amount.to_string()).collect();
    assert_eq!(amounts, ["1", EXACT, "100.00000"]);
    // `expect(1)` on each page: read once each, nothing more.
    server.verify().await;
}

#[tokio::test]
async fn pages_come_one_at_a_time_and_say_their_total() {
    let server = MockServer::start().await;
    mount(&server, None, page(&["1", "2"], &link(&server, "2"))).await;
    mount(&server, Some("2"), page(&["3"], "null")).await;
    let client = client(&format!("{}/api", server.uri()));
    let mut items = Box::pin(client.fixture_list_pages().items());
    let first = items.next().await.expect("an item").expect("page 1");
    assert_eq!(first.amount.to_string(), "1");
    // Page 2 is asked for only once page 1's items are used up.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert!(items.next().await.unwrap().is_ok());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(items.next().await.unwrap().unwrap().amount.to_string(), "3");
    assert!(items.next().await.is_none(), "null ends the pages");
    server.reset().await;
    mount(&server, None, page(&["1", "2"], &link(&server, "2"))).await;
    mount(&server, Some("2"), page(&["3"], "null")).await;
    let pages: Vec<_> = client
        .fixture_list_pages()
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].total(), Some(3));
    assert_eq!(pages[1].next_link(), None);
}

/// A link to another port, or to a path outside the API root, is refused
/// before any request: the other server, and the path, get nothing (no app
/// key, no session token).
#[tokio::test]
async fn a_link_that_leaves_the_api_root_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    for outside in [
        format!(r#""{}/api/v1.0/fixture/pages?page=2""#, elsewhere.uri()),
        format!(r#""{}/apix/v1.0/fixture/pages?page=2""#, server.uri()),
        format!(r#""{}/other""#, server.uri()),
    ] {
        server.reset().await;
        mount(&server, None, page(&["1"], &outside)).await;
        let client = client(&format!("{}/api", server.uri()));
        let mut items = Box::pin(client.fixture_list_pages().items());
        assert!(items.next().await.unwrap().is_ok(), "page 1's item");
        match items.next().await {
            Some(Err(e @ Error::PageLinkRefused { operation, .. })) => {
                assert_eq!(operation, "fixture_list_pages");
                let text = e.to_string();
                assert!(text.contains("leaves the API root"), "{text}");
                assert!(!text.contains("page=2"), "the link's query: {text}");
            }
            other => panic!("{outside}: expected PageLinkRefused, got {other:?}"),
        }
        assert!(items.next().await.is_none(), "the stream ends at the error");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_link_seen_before_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    mount(&server, None, page(&["1"], &link(&server, "2"))).await;
    mount(&server, Some("2"), page(&["2"], &link(&server, "2"))).await;
    let client = client(&format!("{}/api", server.uri()));
    let result: Result<Vec<_>, Error> = client.fixture_list_pages().items().try_collect().await;
    match result {
        Err(Error::PageLinkRefused { reason, .. }) => {
            assert!(reason.contains("followed before"), "{reason}")
        }
        other => panic!("expected PageLinkRefused, got {other:?}"),
    }
    server.verify().await;
}

/// The spec's reading taken: a bare array where the page was expected is a
/// single, last page, through the pager and `.call()` alike.
#[tokio::test]
async fn a_bare_array_is_a_single_last_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/fixture/pages"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("[{}, {}]", holding(EXACT), holding("2")),
            "application/json",
        ))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let items: Vec<_> = client
        .fixture_list_pages()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].amount.to_string(), EXACT);
    let page = client.fixture_list_pages().call().await.unwrap();
    assert_eq!((page.items().len(), page.next_link()), (2, None));
}

/// A later page is classified as the first would be: a 401 on page 2 is the
/// session refused, naming the operation.
#[tokio::test]
async fn a_refusal_on_a_later_page_is_the_same_typed_error() {
    let server = MockServer::start().await;
    mount(&server, None, page(&["1"], &link(&server, "2"))).await;
    mount(
        &server,
        Some("2"),
        ResponseTemplate::new(401).set_body_json(json!({"Message": "expired"})),
    )
    .await;
    let client = client(&format!("{}/api", server.uri()));
    let result: Result<Vec<_>, Error> = client.fixture_list_pages().items().try_collect().await;
    assert!(
        matches!(
            result,
            Err(Error::SessionRejected {
                operation: "fixture_list_pages",
                ..
            })
        ),
        "{result:?}"
    );
    // Without a session, page 2 is not even asked for.
    server.reset().await;
    mount(&server, None, page(&["1"], &link(&server, "2"))).await;
    let mut items = Box::pin(client.fixture_list_pages().items());
    assert!(items.next().await.unwrap().is_ok());
    client.state().clear_session();
    assert!(matches!(
        items.next().await,
        Some(Err(Error::SessionMissing { .. }))
    ));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// `Dispatch` reads the same pages as JSON items, each with its exact text;
/// an operation that is not paged has no items, and the table says which
/// are.
#[tokio::test]
async fn dispatched_items_keep_every_digit() {
    let server = MockServer::start().await;
    mount(&server, None, page(&[EXACT], &link(&server, "2"))).await;
    mount(&server, Some("2"), page(&["7"], r#""""#)).await;
    let client = client(&format!("{}/api", server.uri()));
    let args = etna_client::dispatch::JsonArgs::new(
        serde_json::Map::from_iter([("pageSize".to_owned(), json!(2))]),
        None,
    );
    let items: Vec<etna_client::dispatch::JsonItem> = client
        .dispatch_items("fixture_list_pages", &args)
        .expect("a paged operation")
        .try_collect()
        .await
        .unwrap();
    let lines: Vec<&str> = items.iter().map(|i| i.json.as_str()).collect();
    assert_eq!(
        lines,
        [
            format!(r#"{{"Amount":{EXACT},"State":"Open"}}"#),
            r#"{"Amount":7,"State":"Open"}"#.to_owned()
        ]
    );
    assert!(client.dispatch_items("fixture_plain", &args).is_none());
    let paged: Vec<&str> = fixture::Client::OPERATIONS
        .iter()
        .filter(|op| op.paged)
        .map(|op| op.id)
        .collect();
    assert_eq!(
        paged,
        ["list_orders", "list_positions", "fixture_list_pages"]
    );
}

/// A body property marked `x-etna-client-id` (the fixture's
/// `fixture_add_holding`, looked up in `fixture_list_pages`) is filled when
/// empty, kept when given, and found again through the lookup the spec
/// names, its shared parameter copied: no hand-written line for either
/// operation.
#[tokio::test]
async fn a_marked_key_is_filled_and_found_through_the_named_lookup() {
    use etna_client::ClientKeyed;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1.0/fixture/pages/holdings"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(holding("1"), "application/json"))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&format!("{}/api", server.uri()));
    let body = |key: Option<&str>| fixture::types::FixtureHoldingRequest {
        key: key.map(str::to_owned),
        amount: etna_client::Decimal::from(5),
    };
    let mut add = client.fixture_add_holding().page_size(2).body(body(None));
    let key = add.client_id().expect("a body");
    assert_eq!(key.len(), 19, "{key}");
    let lookup = add.lookup();
    add.call().await.unwrap();
    client
        .fixture_add_holding()
        .body(body(Some("given-1")))
        .call()
        .await
        .unwrap();
    let sent: Vec<serde_json::Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(sent[0]["Key"], key.as_str());
    assert_eq!(sent[1]["Key"], "given-1");
    // The lookup: the first page, with the shared `pageSize`.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/api/v1.0/fixture/pages"))
        .and(query_param("pageSize", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"Result": [{{"Amount": 5, "State": "Open", "Key": "{key}"}}]}}"#),
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let found = <fixture::builder::FixtureAddHolding as ClientKeyed>::find(lookup, &key)
        .await
        .unwrap()
        .expect("the holding");
    assert_eq!(found.key.as_deref(), Some(key.as_str()));
}

/// A later page is read within the same body cap as the first.
#[tokio::test]
async fn a_later_page_past_the_body_cap_is_body_too_large() {
    let server = MockServer::start().await;
    mount(&server, None, page(&["1"], &link(&server, "2"))).await;
    let many: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    mount(&server, Some("2"), page(&many, r#""""#)).await;
    let client = ClientBuilder::default()
        .base_url(format!("{}/api", server.uri()))
        .app_key(APP_KEY)
        .max_response_bytes(2048)
        .build_generated::<fixture::Client>()
        .unwrap();
    client.state().set_session_token(TOKEN).unwrap();
    let result: Result<Vec<_>, Error> = client.fixture_list_pages().items().try_collect().await;
    assert!(
        matches!(
            result,
            Err(Error::BodyTooLarge {
                operation: "fixture_list_pages",
                limit: 2048
            })
        ),
        "{result:?}"
    );
}
