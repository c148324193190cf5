//! What exact decimals cost when an answer is decoded: the page of 100
//! orders that `list_orders` answers in the request benchmark, decoded into
//! the generated `OrderPage` (every price and quantity an
//! `etna_client::Decimal`), against the same bytes decoded into [`F64Page`],
//! a hand-written mirror of those types that differs only in holding `f64`
//! where the client holds `Decimal`. Counted in instructions per decode by
//! callgrind (`etna-bench --instructions`), as the calls are.

use etna_client::types::{
    OrderExecInst, OrderPage, OrderRequestStatus, OrderSide, OrderStatus, OrderTarget,
    OrderTransType, OrderType, TimeInForce, TrailingAmountType,
};
use etna_client::{Open, Timestamp};
use serde::Deserialize;

use crate::caller::CallFailed;
use crate::server::{ORDER_PAGE, PAGE_ORDERS};

/// Which types the page is decoded into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Numbers {
    /// The generated `OrderPage`: `etna_client::Decimal`, every digit.
    Decimal,
    /// [`F64Page`]: the same types with `f64` for each decimal.
    F64,
}

/// The generated `OrderPage` with `f64` for `Decimal`: every other field
/// has the generated type, name and default, so that a decode of the same
/// bytes differs only in how ten numbers an order are read. (Tests make it
/// refuse a field it does not know, so that it cannot skip any the
/// generated type reads.)
#[derive(Deserialize, Debug)]
#[cfg_attr(test, serde(deny_unknown_fields))]
#[allow(missing_docs)]
pub struct F64Page {
    #[serde(rename = "NextPageLink")]
    pub next_page_link: Option<String>,
    #[serde(rename = "PreviousPageLink")]
    pub previous_page_link: Option<String>,
    #[serde(rename = "Result", default)]
    pub result: Vec<F64Order>,
    #[serde(rename = "TotalCount")]
    pub total_count: Option<i32>,
}

/// The generated `Order` with `f64` for `Decimal` (see [`F64Page`]).
#[derive(Deserialize, Debug)]
#[cfg_attr(test, serde(deny_unknown_fields))]
#[allow(missing_docs)]
pub struct F64Order {
    #[serde(rename = "AccountId")]
    pub account_id: Option<i32>,
    #[serde(rename = "AveragePrice")]
    pub average_price: Option<f64>,
    #[serde(rename = "ClientId")]
    pub client_id: Option<String>,
    #[serde(rename = "Comment")]
    pub comment: Option<String>,
    #[serde(rename = "CounterPartyOrderId")]
    pub counter_party_order_id: Option<String>,
    #[serde(rename = "CreateDate")]
    pub create_date: Option<Timestamp>,
    #[serde(rename = "Date")]
    pub date: Option<Timestamp>,
    #[serde(rename = "Description")]
    pub description: Option<String>,
    #[serde(rename = "Exchange")]
    pub exchange: Option<String>,
    #[serde(rename = "ExecBrocker")]
    pub exec_brocker: Option<String>,
    #[serde(rename = "ExecId")]
    pub exec_id: Option<String>,
    #[serde(rename = "ExecInst")]
    pub exec_inst: Option<OrderExecInst>,
    #[serde(rename = "ExecutedQuantity")]
    pub executed_quantity: Option<f64>,
    #[serde(rename = "ExecutionInstructions", default)]
    pub execution_instructions: std::collections::BTreeMap<String, String>,
    #[serde(rename = "ExecutionStatus")]
    pub execution_status: Option<Open<OrderStatus>>,
    #[serde(rename = "ExecutionVenue")]
    pub execution_venue: Option<String>,
    #[serde(rename = "ExpireDate")]
    pub expire_date: Option<Timestamp>,
    #[serde(rename = "ExtendedHours")]
    pub extended_hours: Option<String>,
    #[serde(rename = "Id")]
    pub id: Option<i32>,
    #[serde(rename = "InitialType")]
    pub initial_type: Option<Open<OrderType>>,
    #[serde(rename = "IsExternal")]
    pub is_external: Option<bool>,
    #[serde(rename = "LastMarket")]
    pub last_market: Option<String>,
    #[serde(rename = "LastPrice")]
    pub last_price: Option<f64>,
    #[serde(rename = "LastQuantity")]
    pub last_quantity: Option<f64>,
    #[serde(rename = "LeavesQuantity")]
    pub leaves_quantity: Option<f64>,
    #[serde(rename = "Legs", default)]
    pub legs: Vec<F64Order>,
    #[serde(rename = "OrigClientId")]
    pub orig_client_id: Option<String>,
    #[serde(rename = "ParentClientId")]
    pub parent_client_id: Option<String>,
    #[serde(rename = "ParentId")]
    pub parent_id: Option<i32>,
    #[serde(rename = "ParentRequestId")]
    pub parent_request_id: Option<i32>,
    #[serde(rename = "Price")]
    pub price: Option<f64>,
    #[serde(rename = "Quantity")]
    pub quantity: Option<f64>,
    #[serde(rename = "RequestId")]
    pub request_id: Option<i32>,
    #[serde(rename = "RequestStatus")]
    pub request_status: Option<Open<OrderRequestStatus>>,
    #[serde(rename = "SecurityId")]
    pub security_id: Option<i32>,
    #[serde(rename = "SettDate")]
    pub sett_date: Option<Timestamp>,
    #[serde(rename = "SettlementDate")]
    pub settlement_date: Option<Timestamp>,
    #[serde(rename = "Side")]
    pub side: Option<Open<OrderSide>>,
    #[serde(rename = "StateId")]
    pub state_id: Option<i32>,
    #[serde(rename = "Status")]
    pub status: Option<Open<OrderStatus>>,
    #[serde(rename = "StopPrice")]
    pub stop_price: Option<f64>,
    #[serde(rename = "Symbol")]
    pub symbol: Option<String>,
    #[serde(rename = "Target")]
    pub target: Option<Open<OrderTarget>>,
    #[serde(rename = "TimeInForce")]
    pub time_in_force: Option<Open<TimeInForce>>,
    #[serde(rename = "Token")]
    pub token: Option<String>,
    #[serde(rename = "TrailingLimitAmount")]
    pub trailing_limit_amount: Option<f64>,
    #[serde(rename = "TrailingLimitAmountType")]
    pub trailing_limit_amount_type: Option<Open<TrailingAmountType>>,
    #[serde(rename = "TrailingStopAmount")]
    pub trailing_stop_amount: Option<f64>,
    #[serde(rename = "TrailingStopAmountType")]
    pub trailing_stop_amount_type: Option<Open<TrailingAmountType>>,
    #[serde(rename = "TransType")]
    pub trans_type: Option<Open<OrderTransType>>,
    #[serde(rename = "TransactionDate")]
    pub transaction_date: Option<Timestamp>,
    #[serde(rename = "Type")]
    pub type_: Option<Open<OrderType>>,
    #[serde(rename = "UserId")]
    pub user_id: Option<i32>,
    #[serde(rename = "ValidationsToBypass")]
    pub validations_to_bypass: Option<i32>,
}

/// Decodes the page `count` times into `numbers`' types, each decode
/// checked (the page's length), nothing else: what `--decode` runs under
/// callgrind.
pub fn run(numbers: Numbers, count: usize) -> Result<(), CallFailed> {
    let bytes = ORDER_PAGE.as_bytes();
    let failed = |e: serde_json::Error| CallFailed(format!("decoding the page: {e}"));
    // One decode before the counted ones, as the calls make one untimed
    // call: the page is built and every lazy table is filled.
    for _ in 0..=count {
        let orders = match numbers {
            Numbers::Decimal => serde_json::from_slice::<OrderPage>(bytes)
                .map_err(failed)?
                .result
                .len(),
            Numbers::F64 => serde_json::from_slice::<F64Page>(bytes)
                .map_err(failed)?
                .result
                .len(),
        };
        if std::hint::black_box(orders) != PAGE_ORDERS {
            return Err(CallFailed(format!(
                "the page held {orders} orders, not {PAGE_ORDERS}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mirror reads every field of the page (it refuses an unknown one
    /// in tests), and each of its numbers is the generated decimal's value.
    #[test]
    fn the_mirror_reads_the_same_page_with_the_same_values() {
        let exact: OrderPage = serde_json::from_str(&ORDER_PAGE).unwrap();
        let mirror: F64Page = serde_json::from_str(&ORDER_PAGE).unwrap();
        assert_eq!(exact.result.len(), PAGE_ORDERS);
        assert_eq!(mirror.result.len(), PAGE_ORDERS);
        let as_f64 =
            |d: Option<etna_client::Decimal>| d.map(|d| d.to_string().parse::<f64>().unwrap());
        for (e, m) in exact.result.iter().zip(&mirror.result) {
            assert_eq!(e.id, m.id);
            for (decimal, float) in [
                (e.average_price, m.average_price),
                (e.executed_quantity, m.executed_quantity),
                (e.last_price, m.last_price),
                (e.last_quantity, m.last_quantity),
                (e.leaves_quantity, m.leaves_quantity),
                (e.price, m.price),
                (e.quantity, m.quantity),
                (e.stop_price, m.stop_price),
                (e.trailing_limit_amount, m.trailing_limit_amount),
                (e.trailing_stop_amount, m.trailing_stop_amount),
            ] {
                assert_eq!(as_f64(decimal), float, "order {:?}", e.id);
            }
        }
        assert_eq!(exact.total_count, mirror.total_count);
        assert_eq!(exact.next_page_link, mirror.next_page_link);
    }

    #[test]
    fn both_decodes_run() {
        run(Numbers::Decimal, 2).unwrap();
        run(Numbers::F64, 2).unwrap();
    }
}
