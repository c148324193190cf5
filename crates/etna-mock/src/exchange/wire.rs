//! The exchange's answers as JSON text, in the spec's shapes (`Order`,
//! `Position`, `OrderPreview`, `Quote`, `Equity`, the balance, pages): the
//! one module that writes their property names. Written as text, so that
//! money keeps every digit (the JSON model's numbers are `f64`).

use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::book::{Holding, Order, Status};
use super::orders::{Kind, Priced};
use super::quotes::Quote;
use super::securities::Security;

/// The spec's "no date" (`x-etna-no-date`).
const NO_DATE: &str = "0001-01-01T00:00:00Z";

/// A JSON object being written.
#[derive(Default)]
pub(crate) struct Obj {
    text: String,
}

impl Obj {
    pub(crate) fn raw(mut self, key: &str, json: &str) -> Self {
        self.text.push(if self.text.is_empty() { '{' } else { ',' });
        self.text.push_str(&quoted(key));
        self.text.push(':');
        self.text.push_str(json);
        self
    }

    pub(crate) fn str(self, key: &str, value: &str) -> Self {
        self.raw(key, &quoted(value))
    }

    pub(crate) fn num(self, key: &str, value: Decimal) -> Self {
        self.raw(key, &number(value))
    }

    pub(crate) fn int(self, key: &str, value: i64) -> Self {
        self.raw(key, &value.to_string())
    }

    pub(crate) fn bool(self, key: &str, value: bool) -> Self {
        self.raw(key, if value { "true" } else { "false" })
    }

    pub(crate) fn date(self, key: &str, value: SystemTime) -> Self {
        self.str(key, &date(value))
    }

    pub(crate) fn value(self, key: &str, value: &Value) -> Self {
        self.raw(key, &value.to_string())
    }

    pub(crate) fn done(mut self) -> String {
        if self.text.is_empty() {
            return "{}".to_owned();
        }
        self.text.push('}');
        self.text
    }
}

fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

/// A decimal as a JSON number, every digit, no trailing zeros.
pub(crate) fn number(value: Decimal) -> String {
    value.normalize().to_string()
}

pub(crate) fn date(value: SystemTime) -> String {
    DateTime::<Utc>::from(value).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// JSON texts as an array.
pub(crate) fn array(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(","))
}

pub(crate) struct Ids {
    pub(crate) account: i32,
    pub(crate) user: i32,
}

pub(crate) fn order(order: &Order, security: &Security, ids: &Ids) -> String {
    let ticket = &order.ticket;
    let fill = order.fill;
    let executed = fill.map_or(Decimal::ZERO, |_| order.quantity);
    let leaves = if order.is_open() {
        order.quantity
    } else {
        Decimal::ZERO
    };
    let (request_status, target) = match order.status {
        Status::New => ("Executing", "New"),
        Status::Filled => ("Complete", "Execution"),
        Status::Canceled => ("Complete", "Cancel"),
        Status::Rejected => ("Rejected", "Reject"),
    };
    let kind = if order.triggered {
        Kind::Limit
    } else {
        order.kind
    };
    let instructions = Value::Object(
        ticket
            .instructions
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    );
    let mut obj = Obj::default()
        .int("Id", order.id.into())
        .str("ClientId", &order.client_id)
        .int("AccountId", ids.account.into())
        .int("UserId", ids.user.into())
        .int("SecurityId", security.id.into())
        .str("Symbol", &security.symbol)
        .str("Type", kind.name())
        .str("InitialType", order.kind.name())
        .str("Side", order.side.name())
        .num("Quantity", order.quantity)
        .num(
            "Price",
            order
                .limit
                .filter(|_| has_limit(order.kind))
                .unwrap_or_default(),
        )
        .num(
            "StopPrice",
            order
                .stop
                .filter(|_| has_stop(order.kind))
                .unwrap_or_default(),
        )
        .str("Status", order.status.name())
        .str("ExecutionStatus", order.status.name())
        .str("RequestStatus", request_status)
        .str("Target", target)
        .str("TransType", "New")
        .str(
            "TimeInForce",
            ticket.time_in_force.as_deref().unwrap_or("Day"),
        )
        .num("ExecutedQuantity", executed)
        .num("LeavesQuantity", leaves)
        .num("LastQuantity", executed)
        .num("LastPrice", fill.map_or(Decimal::ZERO, |f| f.price))
        .num("AveragePrice", fill.map_or(Decimal::ZERO, |f| f.price))
        .date("Date", order.changed)
        .date("CreateDate", order.created)
        .raw(
            "TransactionDate",
            &quoted(&if order.is_open() {
                NO_DATE.to_owned()
            } else {
                date(order.changed)
            }),
        )
        .str(
            "ExpireDate",
            ticket.expire_date.as_deref().unwrap_or(NO_DATE),
        )
        .str("SettDate", NO_DATE)
        .str("SettlementDate", NO_DATE)
        .str("Exchange", ticket.exchange.as_deref().unwrap_or("Auto"))
        .str("ExecutionVenue", "Etna Mock Exchange")
        .str("ExecBrocker", "Auto")
        .str("CounterPartyOrderId", &order.id.to_string())
        .int("RequestId", order.id.into())
        .int("ParentRequestId", 0)
        .int("StateId", order.id.into())
        .int("ParentId", -1)
        .raw("Legs", "[]")
        .str("TrailingStopAmountType", "Absolute")
        .int("TrailingStopAmount", 0)
        .str("TrailingLimitAmountType", "Absolute")
        .int("TrailingLimitAmount", 0)
        .bool("IsExternal", false)
        .value("ExecutionInstructions", &instructions)
        .int("ValidationsToBypass", 0);
    obj = match &ticket.exec_inst {
        Some(inst) => obj.str("ExecInst", inst),
        None => obj.int("ExecInst", 0),
    };
    if fill.is_some() {
        obj = obj
            .str("LastMarket", &security.exchange)
            .str("ExecId", &format!("E{}", order.id));
    }
    if let Some(comment) = &ticket.comment {
        obj = obj.str("Comment", comment);
    }
    if let Some(hours) = &ticket.extended_hours {
        obj = obj.str("ExtendedHours", hours);
    }
    if let Some(why) = order.description {
        obj = obj.str("Description", why);
    }
    obj.done()
}

fn has_limit(kind: Kind) -> bool {
    matches!(kind, Kind::Limit | Kind::StopLimit)
}

fn has_stop(kind: Kind) -> bool {
    matches!(kind, Kind::Stop | Kind::StopLimit)
}

pub(crate) fn quote(quote: &Quote, security: &Security, at: SystemTime) -> String {
    Obj::default()
        .num("Ask", quote.ask)
        .num("Bid", quote.bid)
        .num("Last", quote.last)
        .str("Symbol", &security.symbol)
        .int("SecurityId", security.id.into())
        .date("Timestamp", at)
        .str("AskExchange", &security.exchange)
        .str("BidExchange", &security.exchange)
        .str("LastExchange", &security.exchange)
        .bool("IsHalted", false)
        .done()
}

pub(crate) fn preview(priced: &Priced, security: Option<&Security>, at: SystemTime) -> String {
    let parts = priced
        .parts
        .iter()
        .fold(Obj::default(), |obj, (name, value)| obj.num(name, *value))
        .done();
    let quotes = array(
        priced
            .quote
            .iter()
            .zip(security)
            .map(|((_, q), s)| quote(q, s, at)),
    );
    let mut obj = Obj::default().bool("IsSuccessful", priced.refusal.is_none());
    if let Some((code, text)) = priced.refusal {
        obj = obj
            .str("ErrorDescription", code)
            .str("ErrorDescriptionText", text)
            .raw("ErrorDescriptionArgs", "[]");
    }
    obj.num("Commission", priced.commission)
        .raw("Commissions", &parts)
        .num("Cost", priced.cost)
        .num("NetCost", priced.net_cost)
        .num("TotalCost", priced.commission)
        .int("MarginChange", 0)
        .raw("Quotes", &quotes)
        .done()
}

pub(crate) fn position(holding: &Holding, security: &Security, ids: &Ids, last: Decimal) -> String {
    let average = |value: Decimal, quantity: Decimal| {
        if quantity.is_zero() {
            Decimal::ZERO
        } else {
            (value / quantity).round_dp(8)
        }
    };
    Obj::default()
        .int("Id", holding.id.into())
        .int("AccountId", ids.account.into())
        .int("SecurityId", security.id.into())
        .str("Symbol", &security.symbol)
        .str("Name", &security.symbol)
        .str("CompanyName", &security.description)
        .str("SecurityCurrency", "USD")
        .str("SecurityType", &security.kind)
        .int("ContractSize", 1)
        .num("Quantity", holding.quantity)
        .num("CostBasis", holding.cost_basis)
        .num("DailyCostBasis", holding.cost_basis)
        .num(
            "AverageOpenPrice",
            average(holding.cost_basis, holding.quantity),
        )
        .num(
            "AverageClosePrice",
            average(holding.sold_value, holding.sold_quantity),
        )
        .num("RealizedProfitLoss", holding.realized)
        .num("MarketValueEOD", last * holding.quantity)
        .int("StopLossPrice", 0)
        .int("TakeProfitPrice", 0)
        .date("CreateDate", holding.created)
        .date("ModifyDate", holding.changed)
        .done()
}

pub(crate) fn equity(security: &Security) -> String {
    Obj::default()
        .int("Id", security.id.into())
        .str("Symbol", &security.symbol)
        .str("Description", &security.description)
        .str("Exchange", &security.exchange)
        .str("Currency", "USD")
        .str("AddedDate", &security.added)
        .str("ModifyDate", &security.added)
        .str("Type", &security.kind)
        .int("Precision", 2)
        .int("VolumePrecision", 0)
        .raw("TickSize", "0.01")
        .bool("Enabled", true)
        .bool("AllowTrade", true)
        .bool("AllowMargin", false)
        .bool("AllowShort", false)
        .done()
}

/// A page: `items`, and the links to the pages either side.
pub(crate) fn page(
    items: Vec<String>,
    next: Option<String>,
    previous: Option<String>,
    total: usize,
) -> String {
    let link = |link: Option<String>| link.map_or("null".to_owned(), |l| quoted(&l));
    Obj::default()
        .raw("Result", &array(items))
        .raw("NextPageLink", &link(next))
        .raw("PreviousPageLink", &link(previous))
        .int("TotalCount", i64::try_from(total).unwrap_or(i64::MAX))
        .done()
}

/// `get_user_info`'s example as the trader's: its `UserId`, `Login` and
/// `Email`. The example's names are its own trader's; the accounts file has
/// none, so another trader is named by its login.
pub(crate) fn user_info(example: Option<&Value>, login: &str, email: &str, user: i32) -> Value {
    let mut info = example
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    if let Some(info) = info.as_object_mut() {
        if info.get("Login").and_then(Value::as_str) != Some(login) {
            info.insert("FirstName".into(), login.into());
            info.insert("MiddleName".into(), "".into());
            info.insert("LastName".into(), "".into());
        }
        info.insert("UserId".into(), user.into());
        info.insert("Login".into(), login.into());
        info.insert("Email".into(), email.into());
    }
    info
}

/// `list_user_accounts`' example as the trader's one cash account, with the
/// trader as its owner when the example lists owners.
pub(crate) fn trading_account(
    example: Option<&Value>,
    login: &str,
    email: &str,
    ids: &Ids,
) -> Value {
    let mut listed = example
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    if let Some(object) = listed.as_object_mut() {
        object.insert("Id".into(), ids.account.into());
        object.insert("ClearingAccount".into(), ids.account.to_string().into());
        object.insert("MarginType".into(), "Cash".into());
        object.insert("ClearingFirm".into(), "EtnaMock".into());
        if let Some(owners) = object.get("Owners").and_then(Value::as_array) {
            let mut owner = user_info(owners.first(), login, email, ids.user);
            if let Some(owner) = owner.as_object_mut() {
                owner.insert("Role".into(), 0.into());
            }
            object.insert("Owners".into(), Value::Array(vec![owner]));
        }
    }
    listed
}

/// What an account's balance is derived from.
pub(crate) struct Sums {
    pub(crate) cash: Decimal,
    /// The holdings at their `Last` price.
    pub(crate) market_value: Decimal,
    /// What the holdings cost.
    pub(crate) cost: Decimal,
    /// What sales realized.
    pub(crate) realized: Decimal,
    pub(crate) open_orders: usize,
}

/// The balance: the example's keys, with what the account's cash and
/// holdings say in place of the example's numbers where the meaning is
/// clear (see the README).
pub(crate) fn balance(example: &Value, sums: &Sums) -> String {
    let open_pl = sums.market_value - sums.cost;
    let derived = [
        ("cash", sums.cash),
        ("netCash", sums.cash),
        ("equityTotal", sums.cash + sums.market_value),
        ("marketValue", sums.market_value),
        ("stockLongMarketValue", sums.market_value),
        // As the documentation's example computes it.
        ("netLiquidity", sums.market_value),
        // A cash account buys what its cash pays for.
        ("stockBuyingPower", sums.cash),
        ("pendingOrdersCount", Decimal::from(sums.open_orders)),
        ("openPL", open_pl),
        ("closePL", sums.realized),
        ("totalPL", open_pl + sums.realized),
    ];
    let mut obj = Obj::default();
    let keys: Vec<&String> = example
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    for key in &keys {
        obj = match derived.iter().find(|(name, _)| name == key) {
            Some((_, value)) => obj.num(key, *value),
            None => obj.value(key, &example[key.as_str()]),
        };
    }
    for (name, value) in derived {
        if !keys.iter().any(|k| *k == name) {
            obj = obj.num(name, value);
        }
    }
    obj.done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_json_with_every_digit() {
        let text = Obj::default()
            .num("a", "0.05700775140829844330933239".parse().unwrap())
            .num("b", Decimal::new(15000, 2))
            .str("c", "q\"uote")
            .done();
        assert_eq!(
            text,
            r#"{"a":0.05700775140829844330933239,"b":150,"c":"q\"uote"}"#
        );
        serde_json::from_str::<Value>(&text).unwrap();
        assert_eq!(Obj::default().done(), "{}");
        assert_eq!(date(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
    }
}
