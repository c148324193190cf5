//! An order as `preview_order` and `place_order` receive it: read from the
//! body's own text (every digit), checked, and priced with the quote and the
//! commission rule.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::quotes::Quote;
use super::securities::Security;

/// The order types the exchange executes; the others are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Market,
    Limit,
    Stop,
    StopLimit,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Market => "Market",
            Self::Limit => "Limit",
            Self::Stop => "Stop",
            Self::StopLimit => "StopLimit",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Buy,
    Sell,
}

impl Side {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Buy => "Buy",
            Self::Sell => "Sell",
        }
    }
}

/// Why an order is refused: a code for `ErrorDescription` and a text for
/// `ErrorDescriptionText`. `LimitPriceUndefined`, `QuotePriceIsInvalid` and
/// `DayTradingBuyingPowerExceeded` are the documentation's codes; the API
/// publishes no list, so the others are the mock's own.
pub(crate) type Refusal = (&'static str, &'static str);

pub(crate) const UNKNOWN_SECURITY: Refusal = ("SecurityNotFound", "The security is not found.");
pub(crate) const BAD_QUANTITY: Refusal = (
    "QuantityIsInvalid",
    "The quantity must be more than 0 and at most 1000000000.",
);
pub(crate) const NO_LIMIT: Refusal = ("LimitPriceUndefined", "Limit price is not defined.");
pub(crate) const NO_STOP: Refusal = ("QuotePriceIsInvalid", "Stop price is not defined.");
pub(crate) const NOT_ENOUGH_CASH: Refusal = (
    "DayTradingBuyingPowerExceeded",
    "The account's cash does not cover the order's cost and commission.",
);
pub(crate) const NOT_ENOUGH_HELD: Refusal = (
    "NotEnoughPosition",
    "The account holds less of the security than the order sells.",
);
pub(crate) const UNSUPPORTED_TYPE: Refusal = (
    "OrderTypeNotSupported",
    "The mock exchange executes Market, Limit, Stop and StopLimit orders without legs.",
);
pub(crate) const UNSUPPORTED_SIDE: Refusal = (
    "OrderSideNotSupported",
    "The mock exchange executes Buy and Sell orders; short selling is not supported.",
);
pub(crate) const TOO_MANY_OPEN: Refusal = (
    "TooManyOpenOrders",
    "The account has as many open orders as the mock exchange keeps.",
);

/// The largest quantity and price the exchange takes, so that no product
/// of them leaves `Decimal`'s range.
const MOST: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// The commission of an order of `quantity`: $1 per order plus $0.01 per
/// share, charged when it fills (the mock's one rule), with its parts as
/// `Commissions` names them.
pub(crate) fn commission(quantity: Decimal) -> (Decimal, [(&'static str, Decimal); 2]) {
    let per_trade = Decimal::ONE;
    let per_share = Decimal::new(1, 2) * quantity;
    (
        per_trade + per_share,
        [
            ("Per Trade Commission", per_trade),
            ("Per Contract Commission", per_share),
        ],
    )
}

/// The body of an order, its numbers as their own text.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Body {
    symbol: Option<String>,
    #[serde(rename = "Type")]
    kind: Option<String>,
    side: Option<String>,
    quantity: Option<Box<RawValue>>,
    price: Option<Box<RawValue>>,
    stop_price: Option<Box<RawValue>>,
    client_id: Option<String>,
    #[serde(rename = "TimeInforce")]
    time_in_force: Option<String>,
    expire_date: Option<String>,
    exec_inst: Option<String>,
    exchange: Option<String>,
    extended_hours: Option<String>,
    comment: Option<String>,
    execution_instructions: Option<BTreeMap<String, String>>,
    legs: Option<Vec<serde::de::IgnoredAny>>,
}

/// An order request, read; what is checked against the market comes later.
#[derive(Clone, Debug)]
pub(crate) struct Ticket {
    pub(crate) symbol: String,
    pub(crate) kind: Result<Kind, Refusal>,
    pub(crate) side: Result<Side, Refusal>,
    pub(crate) quantity: Option<Decimal>,
    pub(crate) limit: Option<Decimal>,
    pub(crate) stop: Option<Decimal>,
    pub(crate) client_id: Option<String>,
    pub(crate) time_in_force: Option<String>,
    pub(crate) expire_date: Option<String>,
    pub(crate) exec_inst: Option<String>,
    pub(crate) exchange: Option<String>,
    pub(crate) extended_hours: Option<String>,
    pub(crate) comment: Option<String>,
    pub(crate) instructions: BTreeMap<String, String>,
}

impl Ticket {
    /// The order in `raw`, a body the generic layer has checked against the
    /// spec's schema.
    pub(crate) fn read(raw: &[u8]) -> Ticket {
        // The schema has been checked: a body that still does not read
        // (a number beyond any range) is refused by its missing fields.
        let body: Body = serde_json::from_slice(raw).unwrap_or_default();
        let number = |raw: &Option<Box<RawValue>>| raw.as_deref().and_then(decimal);
        let kind = match body.kind.as_deref() {
            _ if body.legs.as_ref().is_some_and(|legs| !legs.is_empty()) => Err(UNSUPPORTED_TYPE),
            Some("Market") => Ok(Kind::Market),
            Some("Limit") => Ok(Kind::Limit),
            Some("Stop") => Ok(Kind::Stop),
            Some("StopLimit") => Ok(Kind::StopLimit),
            _ => Err(UNSUPPORTED_TYPE),
        };
        let side = match body.side.as_deref() {
            Some("Buy") => Ok(Side::Buy),
            Some("Sell") => Ok(Side::Sell),
            _ => Err(UNSUPPORTED_SIDE),
        };
        Ticket {
            symbol: body.symbol.unwrap_or_default(),
            kind,
            side,
            quantity: number(&body.quantity),
            limit: number(&body.price),
            stop: number(&body.stop_price),
            client_id: body.client_id.filter(|id| !id.is_empty()),
            time_in_force: body.time_in_force,
            expire_date: body.expire_date,
            exec_inst: body.exec_inst,
            exchange: body.exchange,
            extended_hours: body.extended_hours,
            comment: body.comment,
            instructions: body.execution_instructions.unwrap_or_default(),
        }
    }
}

/// A JSON number's own text as a `Decimal`, every digit or nothing.
pub(crate) fn decimal(raw: &RawValue) -> Option<Decimal> {
    let text = raw.get().trim();
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
    }
}

/// What the preview says of an order, valid or not.
#[derive(Clone, Debug)]
pub(crate) struct Priced {
    pub(crate) refusal: Option<Refusal>,
    pub(crate) commission: Decimal,
    pub(crate) parts: [(&'static str, Decimal); 2],
    pub(crate) cost: Decimal,
    pub(crate) net_cost: Decimal,
    pub(crate) quote: Option<(usize, Quote)>,
}

/// The order checked in full: the market's answer (security, prices,
/// quantity) first, then the account's (cash, holdings, open orders).
pub(crate) struct Checked {
    pub(crate) security: usize,
    pub(crate) kind: Kind,
    pub(crate) side: Side,
    pub(crate) quantity: Decimal,
}

/// Prices `ticket` and says whether it may be placed. `cash` is the
/// account's, `held` how much of the order's security it holds, `open`
/// whether it may still open an order.
pub(crate) fn price(
    ticket: &Ticket,
    securities: &[Security],
    quote_of: impl Fn(usize) -> Quote,
    cash: Decimal,
    held: impl Fn(usize) -> Decimal,
    may_open: bool,
) -> (Priced, Option<Checked>) {
    let security = securities
        .iter()
        .position(|s| s.symbol.eq_ignore_ascii_case(&ticket.symbol));
    let quote = security.map(|s| (s, quote_of(s)));
    let quantity = ticket.quantity.filter(|q| *q > Decimal::ZERO && *q <= MOST);
    let positive = |p: Option<Decimal>| p.filter(|p| *p > Decimal::ZERO && *p <= MOST);
    let (commission, parts) = commission(quantity.unwrap_or_default());
    let estimate = match (ticket.kind, ticket.side, quote) {
        (Ok(Kind::Market), Ok(Side::Buy), Some((_, q))) => Some(q.ask),
        (Ok(Kind::Market), Ok(Side::Sell), Some((_, q))) => Some(q.bid),
        (Ok(Kind::Limit | Kind::StopLimit), _, _) => positive(ticket.limit),
        (Ok(Kind::Stop), _, _) => positive(ticket.stop),
        _ => None,
    };
    let cost = estimate.unwrap_or_default() * quantity.unwrap_or_default();
    let net_cost = match ticket.side {
        Ok(Side::Sell) => cost - commission,
        _ => cost + commission,
    };
    let mut priced = Priced {
        refusal: None,
        commission,
        parts,
        cost,
        net_cost,
        quote,
    };
    let checked = (|| {
        let kind = ticket.kind?;
        let side = ticket.side?;
        let security = security.ok_or(UNKNOWN_SECURITY)?;
        let quantity = quantity.ok_or(BAD_QUANTITY)?;
        if matches!(kind, Kind::Limit | Kind::StopLimit) && positive(ticket.limit).is_none() {
            return Err(NO_LIMIT);
        }
        if matches!(kind, Kind::Stop | Kind::StopLimit) && positive(ticket.stop).is_none() {
            return Err(NO_STOP);
        }
        match side {
            Side::Buy if cost + commission > cash => return Err(NOT_ENOUGH_CASH),
            Side::Sell if held(security) < quantity => return Err(NOT_ENOUGH_HELD),
            _ => {}
        }
        if !may_open {
            return Err(TOO_MANY_OPEN);
        }
        Ok(Checked {
            security,
            kind,
            side,
            quantity,
        })
    })();
    match checked {
        Ok(checked) => (priced, Some(checked)),
        Err(refusal) => {
            priced.refusal = Some(refusal);
            (priced, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn numbers_keep_every_digit_or_are_refused() {
        assert_eq!(
            decimal(&raw("0.05700775140829844330933239"))
                .unwrap()
                .to_string(),
            "0.05700775140829844330933239"
        );
        assert_eq!(decimal(&raw("1.0e-8")).unwrap(), Decimal::new(1, 8));
        assert_eq!(decimal(&raw("100")).unwrap(), Decimal::from(100));
        assert!(decimal(&raw("1e400")).is_none());
        assert!(decimal(&raw("1e4000000000")).is_none());
        assert!(decimal(&raw("1e-4000000000")).is_none());
        assert!(decimal(&raw("-0.5e-3")).is_some());
        assert!(decimal(&raw("123456789012345678901234567890123")).is_none());
    }

    #[test]
    fn the_commission_is_a_dollar_and_a_cent_a_share() {
        let (total, parts) = commission(Decimal::from(150));
        assert_eq!(total, Decimal::new(250, 2));
        assert_eq!(parts[0].1 + parts[1].1, total);
    }

    #[test]
    fn an_account_at_its_open_order_cap_opens_no_more_and_cash_is_checked_to_the_cent() {
        let securities =
            super::super::securities::parse(super::super::securities::SECURITIES).unwrap();
        let quote = |_| Quote {
            bid: Decimal::from(10),
            ask: Decimal::from(11),
            last: Decimal::from(10),
        };
        let ticket =
            Ticket::read(br#"{"Symbol":"AAPL","Type":"Market","Side":"Buy","Quantity":2}"#);
        let refusal = |cash: Decimal, may_open| {
            price(
                &ticket,
                &securities,
                quote,
                cash,
                |_| Decimal::ZERO,
                may_open,
            )
            .0
            .refusal
        };
        // 2 x 11 + 1.02: exactly the cash is enough, a cent less is not.
        assert_eq!(refusal(Decimal::new(2302, 2), true), None);
        assert_eq!(refusal(Decimal::new(2301, 2), true), Some(NOT_ENOUGH_CASH));
        assert_eq!(refusal(Decimal::from(1_000), false), Some(TOO_MANY_OPEN));
    }

    #[test]
    fn a_ticket_reads_the_documented_fields() {
        let ticket = Ticket::read(
            br#"{"Symbol":"AAPL","Type":"Limit","Side":"Buy","Quantity":100,"Price":170.123456789,"TimeInforce":"Day","Legs":[]}"#,
        );
        assert_eq!(ticket.kind, Ok(Kind::Limit));
        assert_eq!(ticket.limit.unwrap().to_string(), "170.123456789");
        let legs = Ticket::read(br#"{"Symbol":"","Type":"Limit","Legs":[{}]}"#);
        assert_eq!(legs.kind, Err(UNSUPPORTED_TYPE));
        let short = Ticket::read(br#"{"Symbol":"AAPL","Type":"Market","Side":"SellShort"}"#);
        assert_eq!(short.side, Err(UNSUPPORTED_SIDE));
    }
}
