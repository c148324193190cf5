//! The trading commands against the mock exchange (one server for the
//! whole test, the trader's session in `ETNA_TOKEN`): a market order fills
//! and shows in `positions`; a limit order far from the quote rests, `order
//! cancel` cancels it, and a second cancel is the API's 409 (exit 1).

use etna_mock::MockServer;
use serde_json::Value;

use crate::etna;
use crate::servers::Background;
use crate::trade::mock_token;

struct Exchange {
    _background: Background,
    server: MockServer,
    token: String,
}

impl Exchange {
    fn new() -> Self {
        let background = Background::new();
        let server = background.mock(MockServer::builder());
        let token = mock_token(&background, &server);
        Self {
            _background: background,
            server,
            token,
        }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let output = etna()
            .args(["--base-url", &self.server.base_url()])
            .env("ETNA_APP_KEY", MockServer::APP_KEY)
            .env("ETNA_TOKEN", &self.token)
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    fn json(&self, args: &[&str]) -> Value {
        let (code, stdout, stderr) = self.run(&[&["--output", "json"], args].concat());
        assert_eq!(code, 0, "{args:?}: {stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
    }
}

/// `Placed order ID (ClientId ...): STATUS` → (ID, STATUS).
fn placed(stdout: &str) -> (String, String) {
    let rest = stdout
        .strip_prefix("Placed order ")
        .unwrap_or_else(|| panic!("{stdout}"));
    let (id, rest) = rest.split_once(' ').unwrap();
    let status = rest.rsplit(": ").next().unwrap().trim().to_owned();
    (id.to_owned(), status)
}

#[test]
fn a_market_order_fills_into_positions_and_a_resting_limit_order_is_cancelled_once() {
    let exchange = Exchange::new();
    let (code, stdout, stderr) = exchange.run(&[
        "order",
        "place",
        "--symbol",
        "AAPL",
        "--side",
        "buy",
        "--quantity",
        "10",
        "--yes",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("commission") && stderr.contains("quote AAPL"),
        "{stderr}"
    );
    let (market, status) = placed(&stdout);
    assert_eq!(status, "Filled", "{stdout}");
    let positions = exchange.json(&["positions"]);
    let aapl: Vec<&Value> = positions["Result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["Symbol"] == "AAPL")
        .collect();
    assert_eq!(aapl.len(), 1, "{positions}");
    assert_eq!(aapl[0]["Quantity"].to_string(), "10", "{positions}");

    let (code, stdout, stderr) = exchange.run(&[
        "order",
        "place",
        "--symbol",
        "AAPL",
        "--side",
        "buy",
        "--quantity",
        "3",
        "--type",
        "limit",
        "--limit-price",
        "1.00",
        "--time-in-force",
        "gtc",
        "--yes",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (limit, status) = placed(&stdout);
    assert_eq!(status, "New", "{stdout}");
    let (code, _, stderr) = exchange.run(&["order", "cancel", &limit]);
    assert_eq!(code, 0, "{stderr}");
    let shown = exchange.json(&["order", "show", &limit]);
    assert_eq!(shown["Status"], "Canceled", "{shown}");
    let (code, stdout, stderr) = exchange.run(&["order", "cancel", &limit]);
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert!(stderr.contains("no longer open (HTTP 409)"), "{stderr}");

    let orders = exchange.json(&["orders"]);
    let ids: Vec<String> = orders["Result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Id"].to_string())
        .collect();
    assert!(ids.contains(&market) && ids.contains(&limit), "{orders}");
    // Every page as NDJSON, and one order by its ClientId.
    let (code, lines, stderr) = exchange.run(&["--output", "json", "orders", "--all"]);
    assert_eq!(code, 0, "{stderr}");
    let all: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(all.len(), 2, "{lines}");
    let client_id = all[0]["ClientId"].as_str().unwrap().to_owned();
    let found = exchange.json(&["orders", "--client-id", &client_id]);
    assert_eq!(found["ClientId"], client_id.as_str(), "{found}");
    let (code, _, stderr) = exchange.run(&["orders", "--client-id", "nobody-s"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no order with ClientId nobody-s"),
        "{stderr}"
    );
    let canceled = exchange.json(&["orders", "--status", "Canceled"]);
    let only: Vec<String> = canceled["Result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Id"].to_string())
        .collect();
    assert_eq!(only, [limit], "{canceled}");
}
