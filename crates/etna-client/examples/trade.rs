//! A trade from start to end with etna-client: sign in, find the account,
//! look a security up, preview a limit order, place it, follow it, cancel
//! it, and read the positions.
//!
//! ```sh
//! cargo run -p etna-client --example trade                 # against a mock exchange it starts
//! ETNA_BASE_URL=https://trader.example.com/api ETNA_APP_KEY=... ETNA_LOGIN=robert.zak \
//!   cargo run -p etna-client --example trade < password.txt  # against a deployment
//! ```
//!
//! Against a deployment the password is read from stdin, and the order is
//! priced 10 % under the quote so that it rests until it is cancelled.
//! Run by `crates/etna-client/tests/client/trade_example.rs` against the
//! mock, so CI keeps it working.

use std::error::Error as StdError;
use std::io::BufRead;

use etna_client::order_placement::{Placement, place};
use etna_client::rust_decimal::Decimal;
use etna_client::types::{Order, OrderSide, OrderType};
use etna_client::{Client, Operation, Paged, Secret, SignIn};
use futures_util::TryStreamExt;

type Result<T> = std::result::Result<T, Box<dyn StdError + Send + Sync>>;

#[allow(dead_code)] // `main` is not used when a test includes this file.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    match std::env::var("ETNA_BASE_URL") {
        Ok(base_url) => {
            let app_key = std::env::var("ETNA_APP_KEY").map_err(|_| "set ETNA_APP_KEY")?;
            let login = std::env::var("ETNA_LOGIN").map_err(|_| "set ETNA_LOGIN")?;
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = Secret::from(password.trim_end_matches(['\r', '\n']));
            let client = Client::new(&base_url, &app_key)?;
            trade(&client, &login, &password).await?;
        }
        Err(_) => {
            let server = etna_mock::MockServer::start().await?;
            println!("a mock exchange at {}", server.base_url());
            let client = Client::new(&server.base_url(), etna_mock::MockServer::APP_KEY)?;
            let password = Secret::from(etna_mock::MockServer::TRADER_PASSWORD);
            trade(&client, etna_mock::MockServer::TRADER, &password).await?;
            server.shutdown().await;
        }
    }
    Ok(())
}

/// What the trade ended with, for the test that runs it.
#[allow(dead_code)] // read by the test only
pub struct Traded {
    pub placed: Order,
    pub cancelled: Order,
    pub positions: usize,
}

/// The whole trade, with one factor of sign-in.
pub async fn trade(client: &Client, login: &str, password: &Secret) -> Result<Traded> {
    match client.sign_in(login, password).await? {
        SignIn::SignedIn(_) => println!("signed in as {login}"),
        other => return Err(format!("this example signs in with one factor: {other:?}").into()),
    }

    // The account: the trader's only one here; a real tool asks which.
    let accounts = client.list_user_accounts().user_id("@me").call().await?;
    let account = accounts
        .first()
        .and_then(|account| account.id)
        .ok_or("the trader has no account")?;
    println!("account {account}");

    let equities = client
        .lookup_equities()
        .mask("AAPL")
        .count(5)
        .call()
        .await?;
    let aapl = equities
        .iter()
        .find(|equity| equity.symbol.as_deref() == Some("AAPL"))
        .ok_or("AAPL is not listed")?;
    println!(
        "AAPL: {}",
        aapl.description.as_deref().unwrap_or("(no description)")
    );

    // Preview a market order for its quote, then price the limit order
    // 10 % under it so that it rests. A refusal is a 200 whose
    // `IsSuccessful` is false: read it, it is not an `Err`.
    let quantity = Decimal::from(10);
    let preview = client
        .preview_order()
        .account_id(account)
        .body_map(|order| {
            order
                .symbol("AAPL")
                .type_(OrderType::Market)
                .side(OrderSide::Buy)
                .quantity(Some(quantity.into()))
        })
        .call()
        .await?;
    if !preview.is_successful {
        return Err(format!("the preview was refused: {:?}", preview.error_description).into());
    }
    let cost = preview.cost.ok_or("the preview gave no cost")?.value();
    let limit = (cost / quantity * Decimal::new(9, 1)).round_dp(2);
    println!(
        "a market order would cost {cost} (commission {}); a limit at {limit}",
        preview.commission.map(|c| c.value()).unwrap_or_default()
    );

    // Placed once, with a ClientId the client fills in: if the answer is
    // lost, `place` looks the order up by it instead of sending it again.
    let order = client.place_order().account_id(account).body_map(|order| {
        order
            .symbol("AAPL")
            .type_(OrderType::Limit)
            .side(OrderSide::Buy)
            .quantity(Some(quantity.into()))
            .price(Some(limit.into()))
    });
    let placed = match place(order).await? {
        Placement::Placed(order) => *order,
        Placement::Unknown(unknown) => return Err(unknown.to_string().into()),
    };
    let id = placed.id.ok_or("the placed order has no Id")?;
    println!(
        "order {id} (ClientId {}): {}",
        placed.client_id.as_deref().unwrap_or("?"),
        status(&placed)
    );

    // Follow it: a live service would use the streamers; here, one read.
    let now = client
        .get_order()
        .account_id(account)
        .order_id(id)
        .call()
        .await?;
    println!("order {id} is {}", status(&now));

    // Cancel it. A filled or already cancelled order answers 409, an `Err`.
    client
        .cancel_order()
        .account_id(account)
        .order_id(id)
        .call()
        .await?;
    let cancelled = client
        .get_order()
        .account_id(account)
        .order_id(id)
        .call()
        .await?;
    println!("order {id} is {}", status(&cancelled));

    // Every position, page after page (the client follows `NextPageLink`).
    let positions: Vec<_> = client
        .list_positions()
        .account_id(account)
        // The documentation makes the paging and sorting parameters
        // required; the pages after the first are its `NextPageLink`s.
        .page_number(0)
        .page_size(50) // the documented maximum is 99
        .sort_field("Id")
        .desc(false)
        .items()
        .try_collect()
        .await?;
    for position in &positions {
        println!(
            "{:>8} {}",
            position.quantity.map(|q| q.value()).unwrap_or_default(),
            position.symbol.as_deref().unwrap_or("?")
        );
    }
    println!("{} positions", positions.len());
    Ok(Traded {
        placed,
        cancelled,
        positions: positions.len(),
    })
}

fn status(order: &Order) -> String {
    // A status this client's spec does not list still reads, as its text.
    match order.status.as_ref() {
        Some(status) => match status.listed() {
            Some(listed) => format!("{listed:?}"),
            None => format!("{status:?}"),
        },
        None => "of no status".to_owned(),
    }
}
