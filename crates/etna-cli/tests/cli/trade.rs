//! The trading commands and tables, as a script runs them (stdout piped):
//! `--mock` signs in as its trader, lists are JSON when piped and tables
//! when asked for, decimals keep every digit, bad flags stop before any
//! request, refusals print the server's reason (exit 1), and an order whose
//! answer is lost is exit 7 with its ClientId.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use etna_mock::{Fault, MockServer};
use predicates::prelude::*;
use serde_json::Value;

use crate::etna;
use crate::servers::Background;

/// The answers of a deployment with one trading account, 7, whose
/// preview and place accept the order.
pub(crate) fn trading_server(
    background: &Background,
    preview: &str,
    place: (StatusCode, &str),
) -> (String, Arc<Mutex<Vec<String>>>) {
    background.recording(vec![
        (
            "GET",
            "me/accounts",
            StatusCode::OK,
            r#"[{"Id": 7}]"#.to_owned(),
        ),
        (
            "POST",
            "/accounts/7/preview/orders",
            StatusCode::OK,
            preview.to_owned(),
        ),
        ("POST", "/accounts/7/orders", place.0, place.1.to_owned()),
        (
            "GET",
            "/accounts/7/info",
            StatusCode::OK,
            r#"{"cash": 976510.75, "changePercent": -0.05700775140829844330933239}"#.to_owned(),
        ),
    ])
}

pub(crate) const PREVIEW_OK: &str = r#"{"IsSuccessful": true, "Commission": 1.00000001, "Cost": 1702.50, "NetCost": 1703.50000001, "Quotes": [{"Symbol": "AAPL", "Bid": 170.24, "Ask": 170.25, "Last": 170.250}]}"#;
pub(crate) const PLACED: &str =
    r#"{"Id": 901, "ClientId": "mine-1", "Status": "PendingNew", "Quantity": 10}"#;

/// `etna` against `url` with a session in the environment.
pub(crate) fn signed_in(url: &str) -> assert_cmd::Command {
    let mut command = etna();
    command
        .args(["--base-url", url])
        .env("ETNA_APP_KEY", "some-app-key")
        .env("ETNA_TOKEN", "some-session-token");
    command
}

const PLACE: [&str; 8] = [
    "order",
    "place",
    "--symbol",
    "AAPL",
    "--side",
    "buy",
    "--quantity",
    "10",
];

#[test]
fn exit_0_a_bearer_command_on_the_mock_signs_in_as_its_trader() {
    let output = etna()
        .args(["--mock", "api", "get_user_info", "--userId", "@me"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(body["Login"], MockServer::TRADER);
}

#[test]
fn exit_0_order_place_on_the_mock_previews_then_places() {
    etna()
        .arg("--mock")
        .args(PLACE)
        .arg("--yes")
        .assert()
        .code(0)
        .stdout(predicate::str::is_match(r"^Placed order \d+ \(ClientId [^)]+\): \w+\n$").unwrap())
        .stderr(
            predicate::str::contains("Order: Buy 10 AAPL (Market, Day) on account")
                .and(predicate::str::contains("commission"))
                .and(predicate::str::contains("quote")),
        );
}

#[test]
fn lists_are_json_when_piped_and_tables_when_asked_for() {
    // A bare array (`etna api`, no code of its own) and a page.
    for line in [
        &["--mock", "api", "list_user_accounts", "--userId", "@me"][..],
        &["--mock", "orders"],
        &["--mock", "positions"],
    ] {
        let piped = etna().args(line).output().unwrap();
        assert_eq!(piped.status.code(), Some(0), "{line:?}");
        let json: Value = serde_json::from_slice(&piped.stdout)
            .unwrap_or_else(|e| panic!("{line:?}: not JSON ({e})"));
        // A fresh exchange has no order or position: an empty page.
        assert!(
            json.is_array() || json["TotalCount"].is_number(),
            "{line:?}: {json}"
        );
        let table = etna()
            .args(line)
            .args(["--output", "table"])
            .output()
            .unwrap();
        assert_eq!(table.status.code(), Some(0), "{line:?}");
        let text = String::from_utf8(table.stdout).unwrap();
        let header = text.lines().next().unwrap_or_default();
        assert!(
            serde_json::from_str::<Value>(&text).is_err() && !header.contains('{'),
            "{line:?}: {text}"
        );
        assert!(
            text == "(none)\n" || text.lines().nth(1).unwrap_or_default().starts_with('─'),
            "{line:?}: {text}"
        );
    }
    // The columns of `etna api` come from the item schema, in its order.
    let table = etna()
        .args([
            "--mock",
            "--output",
            "table",
            "api",
            "list_user_accounts",
            "--userId",
            "@me",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header.first(), Some(&"Id"), "{text}");
}

#[test]
fn decimals_are_printed_as_the_server_sent_them() {
    let background = Background::new();
    let (url, _) = trading_server(&background, PREVIEW_OK, (StatusCode::OK, PLACED));
    for output in ["json", "table"] {
        signed_in(&url)
            .args(["--output", output, "balance"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("-0.05700775140829844330933239"));
    }
    signed_in(&url)
        .args(PLACE)
        .arg("--yes")
        .assert()
        .code(0)
        .stdout("Placed order 901 (ClientId mine-1): PendingNew\n")
        .stderr(
            predicate::str::contains("commission 1.00000001")
                .and(predicate::str::contains("net cost 1703.50000001"))
                .and(predicate::str::contains("last 170.250")),
        );
}

#[test]
fn exit_2_bad_flags_are_refused_before_any_request() {
    let background = Background::new();
    let (url, seen) = trading_server(&background, PREVIEW_OK, (StatusCode::OK, PLACED));
    let cases: &[(&[&str], &str)] = &[
        (
            &["--quantity", "0", "--yes"],
            "--quantity must be more than 0",
        ),
        (
            &["--quantity", "-3", "--yes"],
            "--quantity must be more than 0",
        ),
        (&["--quantity", "1.5.2", "--yes"], "--quantity"),
        (
            &["--quantity", "0.00000000000000000000000000001", "--yes"],
            "--quantity",
        ),
        (
            &["--quantity", "1", "--type", "limit", "--yes"],
            "a limit order needs --limit-price",
        ),
        (
            &[
                "--quantity",
                "1",
                "--type",
                "stop-limit",
                "--limit-price",
                "5",
                "--yes",
            ],
            "a stop-limit order needs --stop-price",
        ),
        (
            &["--quantity", "1", "--limit-price", "5", "--yes"],
            "a market order takes no --limit-price",
        ),
        (&["--quantity", "1", "--side", "hold", "--yes"], "--side"),
        // No terminal to confirm on, and no --yes.
        (&["--quantity", "1"], "add --yes"),
    ];
    for (extra, mention) in cases {
        let mut line = vec!["order", "place", "--symbol", "AAPL", "--side", "buy"];
        line.extend_from_slice(extra);
        signed_in(&url)
            .args(&line)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(*mention));
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "sent: {:?}",
        seen.lock().unwrap()
    );
}

#[test]
fn exit_1_a_refusal_prints_the_servers_reason_and_places_nothing() {
    let background = Background::new();
    // The preview's refusal: HTTP 200 with IsSuccessful false.
    let (url, seen) = trading_server(
        &background,
        r#"{"IsSuccessful": false, "ErrorDescription": "DayTradingBuyingPowerExceeded", "Commission": 3.75}"#,
        (StatusCode::OK, PLACED),
    );
    signed_in(&url)
        .args(PLACE)
        .arg("--yes")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: the preview refused the order: DayTradingBuyingPowerExceeded",
        ));
    let sent = seen.lock().unwrap().clone();
    assert!(
        !sent.iter().any(|r| r == "POST /v1.0/accounts/7/orders"),
        "{sent:?}"
    );
    // The place's refusal: 400 with the preview's shape.
    let (url, _) = trading_server(
        &background,
        PREVIEW_OK,
        (
            StatusCode::BAD_REQUEST,
            r#"{"IsSuccessful": false, "ErrorDescription": "QuotePriceIsInvalid"}"#,
        ),
    );
    signed_in(&url)
        .args(PLACE)
        .arg("--yes")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: the server refused the order: QuotePriceIsInvalid",
        ));
}

#[test]
fn exit_2_several_accounts_are_listed_for_account_to_choose() {
    let background = Background::new();
    let (url, _) = background.recording(vec![(
        "GET",
        "me/accounts",
        StatusCode::OK,
        r#"[{"Id": 7}, {"Id": 8}]"#.to_owned(),
    )]);
    signed_in(&url)
        .arg("positions")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("choose one with --account (7, 8)"));
}

/// The mock books the order, then closes the connection before answering:
/// the order is not sent again, and it is found by its ClientId.
#[test]
fn exit_0_a_lost_answer_is_found_by_the_orders_client_id() {
    let background = Background::new();
    let server = background.mock(MockServer::builder().fault_for("place_order", Fault::Hangup));
    let token = mock_token(&background, &server);
    etna()
        .args(["--base-url", &server.base_url()])
        .env("ETNA_APP_KEY", MockServer::APP_KEY)
        .env("ETNA_TOKEN", &token)
        .args(PLACE)
        .args(["--yes", "--client-id", "mine-6"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::is_match(r"^Placed order \d+ \(ClientId mine-6\): Filled\n$").unwrap(),
        );
    // Booked once.
    let listed = etna()
        .args(["--base-url", &server.base_url(), "--output", "json"])
        .env("ETNA_APP_KEY", MockServer::APP_KEY)
        .env("ETNA_TOKEN", &token)
        .args(["orders", "--all"])
        .output()
        .unwrap();
    let lines = String::from_utf8(listed.stdout).unwrap();
    assert_eq!(lines.matches("\"mine-6\"").count(), 1, "{lines}");
}

/// The answer is lost and the lookup fails too: exit 7, the ClientId named.
#[test]
fn exit_7_a_lost_answer_not_found_names_the_client_id_and_how_to_look() {
    let background = Background::new();
    let server = background.mock(
        MockServer::builder()
            .fault_for("place_order", Fault::Hangup)
            .fault_for("list_orders", Fault::Status(500)),
    );
    let token = mock_token(&background, &server);
    etna()
        .args(["--base-url", &server.base_url()])
        .env("ETNA_APP_KEY", MockServer::APP_KEY)
        .env("ETNA_TOKEN", token)
        .args(PLACE)
        .args(["--yes", "--client-id", "mine-7"])
        .assert()
        .code(7)
        .stdout("")
        .stderr(
            predicate::str::contains("may or may not have been placed")
                .and(predicate::str::contains("ClientId mine-7"))
                .and(predicate::str::contains("it was not sent again"))
                .and(predicate::str::contains("etna orders --client-id mine-7")),
        );
}

/// A session of the mock's trader on `server`, for `ETNA_TOKEN`.
pub(crate) fn mock_token(background: &Background, server: &MockServer) -> String {
    background.block_on(async {
        let client = etna_client::Client::new(&server.base_url(), MockServer::APP_KEY).unwrap();
        match client
            .sign_in(
                MockServer::TRADER,
                &etna_client::Secret::from(MockServer::TRADER_PASSWORD),
            )
            .await
            .unwrap()
        {
            etna_client::SignIn::SignedIn(session) => session.token().expose().to_owned(),
            other => panic!("{other:?}"),
        }
    })
}
