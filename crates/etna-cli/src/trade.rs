//! The trading commands, conveniences for whole flows (like `auth login`):
//! `etna balance`, `positions`, `orders`, `order place|cancel|show`. They
//! name the operations they call and the fields they show; `etna api`
//! stays the generic way to every operation. Each acts as the signed-in
//! trader (with `--mock`, the mock's trader for the command's life) on the
//! account `--account` names, or the only one the trader has.
//!
//! Every input is checked before anything is sent: quantities and prices
//! are read exactly from argv (`Decimal`, never `f64`), a limit order needs
//! its limit price, and so on. `order place` previews the order, shows its
//! cost, commission and quote, asks for a confirmation on a terminal
//! (`--yes` for scripts), then places it once: a failure after it may have
//! been sent is exit 7 with its `ClientId` and how to find the order, never
//! a second attempt.

use std::num::NonZeroU32;
use std::str::FromStr;

use clap::{Args, Subcommand, ValueEnum};
use etna_client::futures_util::TryStreamExt;
use etna_client::order_placement::{self, Placement};
use etna_client::rust_decimal;
use etna_client::types::{self, OrderSide, OrderType, TimeInForce};
use etna_client::{Client, ClientKeyed, Decimal, Error, Listed, Operation, Paged};

use crate::connect::Target;

use crate::exact::Json;
use crate::failure::{self, Exit, Failure};
use crate::options::Options;
use crate::output::print_line;
use crate::prompt::{self, Progress};

/// The operations the commands call, for their table rows (`SPEC`).
type ListOrders = etna_client::generated::builder::ListOrders<'static>;
type ListPositions = etna_client::generated::builder::ListPositions<'static>;
type GetAccountBalance = etna_client::generated::builder::GetAccountBalance<'static>;
type GetOrder = etna_client::generated::builder::GetOrder<'static>;
type PlaceOrder = etna_client::generated::builder::PlaceOrder<'static>;

/// The columns `etna orders` shows, of those the spec gives an order.
const ORDER_COLUMNS: &[&str] = &[
    "Id",
    "ClientId",
    "Symbol",
    "SecurityId",
    "Side",
    "Type",
    "Quantity",
    "Price",
    "StopPrice",
    "Status",
    "ExecutedQuantity",
    "AveragePrice",
    "TimeInForce",
    "CreateDate",
];
/// The columns `etna positions` shows.
const POSITION_COLUMNS: &[&str] = &[
    "Symbol",
    "Quantity",
    "AverageOpenPrice",
    "CostBasis",
    "RealizedProfitLoss",
    "SecurityType",
    "CreateDate",
];
/// The most orders one page may hold (`list_orders`' `pageSize`).
const ORDERS_PAGE: NonZeroU32 = NonZeroU32::new(100).unwrap();
/// The most positions one page may hold (`list_positions`' `pageSize`).
const POSITIONS_PAGE: NonZeroU32 = NonZeroU32::new(99).unwrap();

/// Which trading account.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The trading account's ID; without it, the trader's only account (an
    /// error listing them when there are several).
    #[arg(long, value_name = "ID")]
    pub account: Option<i32>,
}

/// Options of `etna orders`.
#[derive(Debug, Args)]
pub struct OrdersArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// Every page, not only the first (the newest 100 orders).
    #[arg(long)]
    pub all: bool,
    /// Only orders with this status (repeatable), e.g. New, Filled, Canceled.
    #[arg(long, value_name = "STATUS", value_parser = status_number)]
    pub status: Vec<usize>,
    /// The order placed with this ClientId (`order place` prints it, and
    /// names it when the answer was lost), looked up through every page.
    #[arg(long, value_name = "ID", conflicts_with_all = ["all", "status"])]
    pub client_id: Option<String>,
}

/// `etna order ...`.
#[derive(Debug, Args)]
pub struct OrderArgs {
    #[command(subcommand)]
    pub command: OrderCommand,
}

#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// Preview an order (cost, commission, quote), confirm it, place it, and
    /// print its ID, ClientId and status.
    Place(PlaceArgs),
    /// Ask for an open order to be cancelled.
    Cancel(OrderIdArgs),
    /// Show an order as the server has it now.
    Show(OrderIdArgs),
}

/// An order by its ID.
#[derive(Debug, Args)]
pub struct OrderIdArgs {
    /// The order's ID (`Id` in `etna orders`).
    #[arg(value_name = "ID")]
    pub id: i32,
    #[command(flatten)]
    pub account: AccountArgs,
}

/// Options of `etna order place`.
#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// The ticker symbol, e.g. AAPL.
    #[arg(long, value_name = "SYMBOL")]
    pub symbol: String,
    /// Buy, sell, sell short (opens a short position) or buy to cover.
    #[arg(long, value_enum)]
    pub side: Side,
    /// How many shares, exactly as written (a decimal, > 0).
    #[arg(long, value_name = "N", value_parser = exact, allow_negative_numbers = true)]
    pub quantity: Decimal,
    /// The kind of order: market (no price), limit (--limit-price), stop
    /// (--stop-price) or stop-limit (both).
    #[arg(long = "type", value_enum, value_name = "TYPE", default_value_t = Kind::Market)]
    pub kind: Kind,
    /// The limit price: needed by limit and stop-limit orders.
    #[arg(long, value_name = "PRICE", value_parser = exact, allow_negative_numbers = true)]
    pub limit_price: Option<Decimal>,
    /// The stop price: needed by stop and stop-limit orders.
    #[arg(long, value_name = "PRICE", value_parser = exact, allow_negative_numbers = true)]
    pub stop_price: Option<Decimal>,
    /// How long the order stays active.
    #[arg(long, value_enum, value_name = "TIF", default_value_t = Tif::Day)]
    pub time_in_force: Tif,
    /// Your own ID for the order (default: a fresh one), by which it can be
    /// found when the answer is lost.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Place it without asking (for scripts); without a terminal it is
    /// required.
    #[arg(long, short)]
    pub yes: bool,
    #[command(flatten)]
    pub account: AccountArgs,
}

/// The side of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Side {
    Buy,
    Sell,
    SellShort,
    BuyToCover,
}

/// The kinds of order `order place` offers (`etna api place_order` takes
/// every kind the spec lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Market,
    Limit,
    Stop,
    StopLimit,
}

/// How long the order stays active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Tif {
    /// Until the session ends.
    Day,
    /// Good till cancelled.
    #[value(alias = "good-till-cancel")]
    Gtc,
    /// Fill what can be filled now, cancel the rest.
    #[value(alias = "immediate-or-cancel")]
    Ioc,
    /// Fill all now or nothing.
    #[value(alias = "fill-or-kill")]
    Fok,
    /// At the opening.
    AtTheOpening,
    /// Until the auction phase.
    GoodTillCrossing,
}

fn exact(text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text.trim()).map_err(|_| {
        "not a decimal number that the client holds exactly (digits, one point, at most 28 digits)"
            .to_owned()
    })
}

/// A status by its name, as the number `list_orders`' `filter` compares
/// (the spec numbers the statuses in the order it lists them).
fn status_number(name: &str) -> Result<usize, String> {
    let values = <types::OrderStatus as Listed>::VALUES;
    let index = values
        .iter()
        .position(|v| v.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("not an order status; one of {}", values.join(", ")))?;
    // Statuses after the sixteen numbered ones have no documented number.
    match index < 16 {
        true => Ok(index),
        false => Err(format!(
            "{} has no documented number, so no filter can ask for it",
            values[index]
        )),
    }
}

pub async fn balance(cli: &Options, args: &AccountArgs) -> Result<(), Failure> {
    let target = crate::sessions::connect_signed_in(cli).await?;
    let result = async {
        let account = account(&target, args).await?;
        let balance = target
            .client
            .get_account_balance()
            .account_id(account)
            .call()
            .await
            .map_err(|e| failure::from_call(&e, &target.base_url))?;
        print_object(cli, &shown::<GetAccountBalance>(&balance))
    }
    .await;
    target.finish().await;
    result
}

pub async fn positions(cli: &Options, args: &AccountArgs) -> Result<(), Failure> {
    let target = crate::sessions::connect_signed_in(cli).await?;
    let result = async {
        let account = account(&target, args).await?;
        let page = target
            .client
            .list_positions()
            .account_id(account)
            .page_number(0)
            .page_size(POSITIONS_PAGE)
            .sort_field("Id")
            .desc(false)
            .call()
            .await
            .map_err(|e| failure::from_call(&e, &target.base_url))?;
        print_list::<ListPositions>(cli, &page, POSITION_COLUMNS)
    }
    .await;
    target.finish().await;
    result
}

pub async fn orders(cli: &Options, args: &OrdersArgs) -> Result<(), Failure> {
    let target = crate::sessions::connect_signed_in(cli).await?;
    let result = async {
        let account = account(&target, &args.account).await?;
        let fail = |e: Error| failure::from_call(&e, &target.base_url);
        if let Some(client_id) = &args.client_id {
            // The lookup the spec gives the order's ClientId (the client's
            // pager over list_orders, stopping at the first match).
            let lookup = target.client.place_order().account_id(account).lookup();
            return match <etna_client::generated::builder::PlaceOrder<'_> as ClientKeyed>::find(
                lookup, client_id,
            )
            .await
            .map_err(fail)?
            {
                Some(order) => print_object(cli, &shown::<GetOrder>(&order)),
                None => Err(Failure::new(
                    Exit::Refused,
                    format!(
                        "no order with ClientId {client_id} is listed (yet) on account {account}"
                    ),
                )),
            };
        }
        let mut request = target
            .client
            .list_orders()
            .account_id(account)
            .page_number(0)
            .page_size(ORDERS_PAGE)
            .sort_field("Id")
            .desc(true);
        if let Some(filter) = status_filter(&args.status) {
            request = request.filter(filter);
        }
        if !args.all {
            let page = request.call().await.map_err(fail)?;
            return print_list::<ListOrders>(cli, &page, ORDER_COLUMNS);
        }
        let mut items = std::pin::pin!(request.items());
        if !cli.tables() {
            // One JSON object per line as each page comes, as `etna api
            // OP --all` prints them.
            while let Some(order) = items.try_next().await.map_err(fail)? {
                print_line(&shown::<ListOrders>(&order).compact())?;
            }
            return Ok(());
        }
        // A table needs every row for its widths.
        let mut rows = Vec::new();
        while let Some(order) = items.try_next().await.map_err(fail)? {
            rows.push(shown::<ListOrders>(&order));
        }
        crate::output::print_answer(
            cli,
            ListOrders::SPEC.answer_table.as_ref(),
            &Json::Array(rows),
            Some(ORDER_COLUMNS),
        )
    }
    .await;
    target.finish().await;
    result
}

/// `Status in (0,4)`: the filter's language compares statuses as numbers.
fn status_filter(statuses: &[usize]) -> Option<String> {
    (!statuses.is_empty()).then(|| {
        let numbers: Vec<String> = statuses.iter().map(usize::to_string).collect();
        format!("Status in ({})", numbers.join(","))
    })
}

pub async fn order(cli: &Options, args: &OrderArgs) -> Result<(), Failure> {
    match &args.command {
        OrderCommand::Place(place) => {
            let progress = Progress::default();
            prompt::interruptible(&progress, self::place(cli, place, &progress)).await
        }
        OrderCommand::Cancel(order) => cancel(cli, order).await,
        OrderCommand::Show(order) => show(cli, order).await,
    }
}

async fn show(cli: &Options, args: &OrderIdArgs) -> Result<(), Failure> {
    let target = crate::sessions::connect_signed_in(cli).await?;
    let result = async {
        let account = account(&target, &args.account).await?;
        let order = target
            .client
            .get_order()
            .account_id(account)
            .order_id(args.id)
            .call()
            .await
            .map_err(|e| failure::from_call(&e, &target.base_url))?;
        print_object(cli, &shown::<GetOrder>(&order))
    }
    .await;
    target.finish().await;
    result
}

async fn cancel(cli: &Options, args: &OrderIdArgs) -> Result<(), Failure> {
    let target = crate::sessions::connect_signed_in(cli).await?;
    let result = async {
        let account = account(&target, &args.account).await?;
        target
            .client
            .cancel_order()
            .account_id(account)
            .order_id(args.id)
            .call()
            .await
            .map_err(|e| match e {
                Error::Rejected { status, .. } if status.as_u16() == 409 => Failure::new(
                    Exit::Refused,
                    format!(
                        "order {} cannot be cancelled: it is no longer open (HTTP 409); `etna order show {}` shows its status",
                        args.id, args.id
                    ),
                ),
                Error::OutcomeUnknown { .. } => Failure::new(
                    Exit::OutcomeUnknown,
                    format!(
                        "{e}; `etna order show {}` says whether the order was cancelled: do not cancel again blindly",
                        args.id
                    ),
                ),
                other => failure::from_call(&other, &target.base_url),
            })?;
        print_line(&format!(
            "Asked to cancel order {}; `etna order show {}` says when it is Canceled.",
            args.id, args.id
        ))
    }
    .await;
    target.finish().await;
    result
}

/// What `order place` checks before anything is sent, naming the flag.
fn check(args: &PlaceArgs) -> Result<(), Failure> {
    let usage = |message: String| Err(Failure::new(Exit::Usage, message));
    if args.symbol.trim().is_empty() {
        return usage("--symbol is empty: give the ticker symbol, e.g. AAPL".to_owned());
    }
    if args.quantity.value() <= rust_decimal::Decimal::ZERO {
        return usage(format!(
            "--quantity must be more than 0 (got {})",
            args.quantity
        ));
    }
    let (needs_limit, needs_stop) = match args.kind {
        Kind::Market => (false, false),
        Kind::Limit => (true, false),
        Kind::Stop => (false, true),
        Kind::StopLimit => (true, true),
    };
    let kind = args
        .kind
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    for (flag, needed, given) in [
        ("--limit-price", needs_limit, args.limit_price),
        ("--stop-price", needs_stop, args.stop_price),
    ] {
        match (needed, given) {
            (true, None) => return usage(format!("a {kind} order needs {flag}")),
            (false, Some(_)) => {
                return usage(format!(
                    "a {kind} order takes no {flag} (the server would ignore it or reject the order later)"
                ));
            }
            (true, Some(price)) if price.value() <= rust_decimal::Decimal::ZERO => {
                return usage(format!("{flag} must be more than 0 (got {price})"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The order's body; without a ClientId, the client fills a fresh one.
fn request(args: &PlaceArgs, client_id: Option<&str>) -> types::builder::OrderRequest {
    let side = match args.side {
        Side::Buy => OrderSide::Buy,
        Side::Sell => OrderSide::Sell,
        Side::SellShort => OrderSide::SellShort,
        Side::BuyToCover => OrderSide::BuyToCover,
    };
    let kind = match args.kind {
        Kind::Market => OrderType::Market,
        Kind::Limit => OrderType::Limit,
        Kind::Stop => OrderType::Stop,
        Kind::StopLimit => OrderType::StopLimit,
    };
    let time_in_force = match args.time_in_force {
        Tif::Day => TimeInForce::Day,
        Tif::Gtc => TimeInForce::GoodTillCancel,
        Tif::Ioc => TimeInForce::ImmediateOrCancel,
        Tif::Fok => TimeInForce::FillOrKill,
        Tif::AtTheOpening => TimeInForce::AtTheOpening,
        Tif::GoodTillCrossing => TimeInForce::GoodTillCrossing,
    };
    types::OrderRequest::builder()
        .symbol(args.symbol.trim().to_owned())
        .type_(kind)
        .side(Some(side))
        .quantity(Some(args.quantity))
        .price(args.limit_price)
        .stop_price(args.stop_price)
        .time_inforce(Some(time_in_force))
        .client_id(client_id.map(str::to_owned))
}

async fn place(cli: &Options, args: &PlaceArgs, progress: &Progress) -> Result<(), Failure> {
    check(args)?;
    if !args.yes && !prompt::interactive() {
        return Err(Failure::new(
            Exit::Usage,
            "no terminal to confirm the order on: add --yes to place it without asking (nothing was sent)",
        ));
    }
    let target = crate::sessions::connect_signed_in(cli).await?;
    let result = place_on(cli, args, args.client_id.clone(), &target, progress).await;
    target.finish().await;
    result
}

async fn place_on(
    cli: &Options,
    args: &PlaceArgs,
    client_id: Option<String>,
    target: &Target<Client>,
    progress: &Progress,
) -> Result<(), Failure> {
    let account = account(target, &args.account).await?;
    let preview = target
        .client
        .preview_order()
        .account_id(account)
        .body(request(args, client_id.as_deref()))
        .call()
        .await
        .map_err(|e| failure::from_call(&e, &target.base_url))?;
    progress.done("the order was previewed, not placed");
    eprintln!("{}", describe_preview(args, account, &preview));
    if !preview.is_successful {
        return Err(refusal("the preview refused the order", &preview));
    }
    if !args.yes && !prompt::confirm("Place this order?", progress).await? {
        eprintln!("etna: not placed (nothing was sent after the preview)");
        return Ok(());
    }
    let mut order = target
        .client
        .place_order()
        .account_id(account)
        .body(request(args, client_id.as_deref()));
    // The ClientId the client fills in when none was given: said before the
    // request goes, since Ctrl-C while it is on its way leaves the order's
    // fate unknown.
    let sent_as = order.client_id().unwrap_or_default();
    progress.done(format!(
        "the order was sent (ClientId {sent_as}): it may or may not have been placed; look for it with `etna orders --client-id {sent_as}` before placing it again"
    ));
    let order = match order_placement::place(order).await {
        Ok(Placement::Placed(order)) => order,
        Ok(Placement::Unknown(unknown)) => {
            return Err(Failure::new(
                Exit::OutcomeUnknown,
                format!(
                    "{unknown}; `etna orders --client-id {}` looks for it",
                    unknown.client_id
                ),
            ));
        }
        Err(e) => return Err(placing_failed(e, &target.base_url)),
    };
    if cli.output == crate::options::Output::Json {
        return print_line(&shown::<PlaceOrder>(&*order).pretty());
    }
    let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "(not given)".to_owned());
    print_line(&format!(
        "Placed order {} (ClientId {}): {}",
        or_unknown(order.id.map(|id| id.to_string())),
        or_unknown(order.client_id.clone().or(Some(sent_as))),
        or_unknown(order.status.as_ref().map(ToString::to_string)),
    ))
}

/// The preview, for a person: the order, what it costs and the quote.
fn describe_preview(args: &PlaceArgs, account: i32, preview: &types::OrderPreview) -> String {
    let shown = |value: Option<Decimal>| value.map_or_else(|| "-".to_owned(), |v| v.to_string());
    let mut lines = vec![format!(
        "Order: {:?} {} {} ({:?}{}{}, {:?}) on account {account}",
        args.side,
        args.quantity,
        args.symbol.trim(),
        args.kind,
        args.limit_price
            .map_or_else(String::new, |p| format!(", limit {p}")),
        args.stop_price
            .map_or_else(String::new, |p| format!(", stop {p}")),
        args.time_in_force,
    )];
    lines.push(format!(
        "  cost {}, commission {}, net cost {}, total cost {}",
        shown(preview.cost),
        shown(preview.commission),
        shown(preview.net_cost),
        shown(preview.total_cost),
    ));
    for quote in &preview.quotes {
        lines.push(format!(
            "  quote {}: bid {}, ask {}, last {}",
            quote
                .symbol
                .clone()
                .unwrap_or_else(|| args.symbol.trim().to_owned()),
            shown(quote.bid),
            shown(quote.ask),
            shown(quote.last),
        ));
    }
    lines.join("\n")
}

/// A refusal in the preview's shape: the server's reason, exit 1.
fn refusal(what: &str, preview: &types::OrderPreview) -> Failure {
    let reason = [
        preview.error_description.as_deref(),
        preview.error_description_text.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(": ");
    Failure::new(
        Exit::Refused,
        format!(
            "{what}: {}",
            if reason.is_empty() {
                "no reason given"
            } else {
                &reason
            }
        ),
    )
}

fn placing_failed(error: Error, base_url: &str) -> Failure {
    match &error {
        Error::Rejected { body, .. } => match body.downcast_ref::<types::PlaceOrderErrorBody>() {
            Some(types::PlaceOrderErrorBody::OrderPreview(preview)) => {
                refusal("the server refused the order", preview)
            }
            _ => failure::from_call(&error, base_url),
        },
        _ => failure::from_call(&error, base_url),
    }
}

/// `--account`, else the trader's only trading account.
pub(crate) async fn account(target: &Target<Client>, args: &AccountArgs) -> Result<i32, Failure> {
    if let Some(account) = args.account {
        return Ok(account);
    }
    let accounts = target
        .client
        .list_user_accounts()
        .user_id("@me")
        .call()
        .await
        .map_err(|e| failure::from_call(&e, &target.base_url))?;
    let ids: Vec<i32> = accounts.iter().filter_map(|a| a.id).collect();
    match ids.as_slice() {
        [only] => Ok(*only),
        [] => Err(Failure::new(
            Exit::Refused,
            "the trader has no trading account (list_user_accounts answered none)",
        )),
        several => Err(Failure::new(
            Exit::Usage,
            format!(
                "the trader has {} trading accounts: choose one with --account ({})",
                several.len(),
                several
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// An answer of the operation `O` as printed: every digit, and its secret
/// fields (none in today's trading answers) as `<secret>`, as `etna api`
/// shows them.
fn shown<O: Operation>(answer: &impl serde::Serialize) -> Json {
    let secrets = &O::SPEC.answer_secrets;
    Json::parse(&etna_client::answer_json(answer))
        .unwrap_or(Json::Null)
        .redacted(
            secrets.body,
            secrets.properties,
            etna_client::AnswerSecrets::SHOWN_AS,
        )
}

/// A list answer of the operation `O`, with the columns chosen for it.
fn print_list<O: Operation>(
    cli: &Options,
    answer: &impl serde::Serialize,
    columns: &'static [&'static str],
) -> Result<(), Failure> {
    crate::output::print_answer(
        cli,
        O::SPEC.answer_table.as_ref(),
        &shown::<O>(answer),
        Some(columns),
    )
}

/// One object: on a terminal, its filled scalar fields one per line; else
/// JSON with every digit.
fn print_object(cli: &Options, body: &Json) -> Result<(), Failure> {
    match (cli.tables(), body) {
        (true, Json::Object(entries)) => {
            let rows: Vec<(&str, String)> = entries
                .iter()
                .filter(|(_, v)| !matches!(v, Json::Object(_) | Json::Array(_)))
                .map(|(k, v)| (k.as_str(), v.cell()))
                .filter(|(_, v)| !v.is_empty() && v != etna_client::NO_DATE)
                .collect();
            let width = rows
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            let text: Vec<String> = rows
                .iter()
                .map(|(k, v)| format!("{k:<width$}  {v}"))
                .collect();
            print_line(&text.join("\n"))
        }
        _ => print_line(&body.pretty()),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn place_args(line: &[&str]) -> Result<PlaceArgs, clap::Error> {
        #[derive(Parser)]
        struct Line {
            #[command(flatten)]
            place: PlaceArgs,
        }
        Line::try_parse_from(std::iter::once("place").chain(line.iter().copied())).map(|l| l.place)
    }

    #[test]
    fn quantities_and_prices_keep_every_digit() {
        let args = place_args(&[
            "--symbol",
            "AAPL",
            "--side",
            "buy",
            "--quantity",
            "0.0000000000000000000000000001",
            "--type",
            "limit",
            "--limit-price",
            "170.125000",
        ])
        .unwrap();
        assert_eq!(args.quantity.to_string(), "0.0000000000000000000000000001");
        assert_eq!(args.limit_price.unwrap().to_string(), "170.125000");
        check(&args).unwrap();
        // A 29th decimal place does not fit exactly: refused, not rounded.
        let error = place_args(&[
            "--symbol",
            "AAPL",
            "--side",
            "buy",
            "--quantity",
            "0.00000000000000000000000000001",
        ])
        .err()
        .unwrap();
        assert!(error.to_string().contains("--quantity"), "{error}");
    }

    #[test]
    fn each_order_type_needs_its_prices_and_no_other() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["--quantity", "0"], Some("--quantity must be more than 0")),
            (
                &["--quantity", "-1"],
                Some("--quantity must be more than 0"),
            ),
            (
                &["--type", "limit"],
                Some("a limit order needs --limit-price"),
            ),
            (&["--type", "stop"], Some("a stop order needs --stop-price")),
            (
                &["--type", "stop-limit", "--stop-price", "1"],
                Some("a stop-limit order needs --limit-price"),
            ),
            (
                &["--limit-price", "1"],
                Some("a market order takes no --limit-price"),
            ),
            (
                &["--type", "limit", "--limit-price", "0"],
                Some("--limit-price must be more than 0"),
            ),
            (
                &[
                    "--type",
                    "stop-limit",
                    "--stop-price",
                    "1",
                    "--limit-price",
                    "2",
                ],
                None,
            ),
            (&[], None),
        ];
        for (extra, expected) in cases {
            let mut line = vec!["--symbol", "AAPL", "--side", "sell"];
            if !extra.contains(&"--quantity") {
                line.extend(["--quantity", "10"]);
            }
            line.extend_from_slice(extra);
            let args = place_args(&line).unwrap();
            match (check(&args), expected) {
                (Ok(()), None) => {}
                (Err(failure), Some(text)) => {
                    assert_eq!(failure.exit, Exit::Usage);
                    assert!(
                        failure.message.contains(text),
                        "{extra:?}: {}",
                        failure.message
                    );
                }
                (outcome, _) => panic!("{extra:?}: {:?}", outcome.err().map(|f| f.message)),
            }
        }
    }

    #[test]
    fn statuses_are_the_numbers_the_filter_compares() {
        assert_eq!(status_number("new"), Ok(0));
        assert_eq!(status_number("Canceled"), Ok(4));
        assert_eq!(status_number("Error"), Ok(15));
        assert!(
            status_number("Held")
                .unwrap_err()
                .contains("no documented number")
        );
        assert!(status_number("Nope").is_err());
        assert_eq!(status_filter(&[1, 4]).unwrap(), "Status in (1,4)");
        assert_eq!(status_filter(&[]), None);
    }
}
