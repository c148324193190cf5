//! The exchange's universe of securities, from `data/securities.yaml`, and
//! `lookup_equities`' search of it.

use std::collections::HashSet;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use crate::error::Error;

/// The securities the mock exchange lists: AAPL (the documentation's `Id`
/// 4), APLE, MSFT, TSLA, IBM, the SPY ETF and the VFIAX mutual fund.
pub const SECURITIES: &str = include_str!("../../data/securities.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    securities: Vec<Listed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Listed {
    id: i32,
    symbol: String,
    description: String,
    exchange: String,
    #[serde(rename = "type")]
    kind: String,
    price: String,
    added: String,
}

/// One security of the universe.
#[derive(Clone, Debug)]
pub(crate) struct Security {
    pub(crate) id: i32,
    pub(crate) symbol: String,
    pub(crate) description: String,
    pub(crate) exchange: String,
    pub(crate) kind: String,
    /// The centre of its quotes, in cents.
    pub(crate) cents: i64,
    pub(crate) added: String,
}

pub(crate) fn parse(text: &str) -> Result<Vec<Security>, Error> {
    let file: File = serde_yaml_ng::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for listed in file.securities {
        if !seen.insert(listed.id) {
            return Err(invalid(format!(
                "the id {} names two securities",
                listed.id
            )));
        }
        if listed.symbol.trim().is_empty() {
            return Err(invalid(format!("the security {} has no symbol", listed.id)));
        }
        let price = Decimal::from_str(&listed.price)
            .ok()
            .filter(|p| *p >= Decimal::ONE && p.scale() <= 2)
            .ok_or_else(|| {
                invalid(format!(
                    "the price of {} is not a number of dollars of at least 1 with at most 2 decimals",
                    listed.symbol
                ))
            })?;
        let cents = (price * Decimal::ONE_HUNDRED)
            .to_i64()
            .filter(|c| *c < i64::from(i32::MAX))
            .ok_or_else(|| invalid(format!("the price of {} is too large", listed.symbol)))?;
        out.push(Security {
            id: listed.id,
            symbol: listed.symbol,
            description: listed.description,
            exchange: listed.exchange,
            kind: listed.kind,
            cents,
            added: listed.added,
        });
    }
    let mut symbols = HashSet::new();
    for security in &out {
        if !symbols.insert(security.symbol.to_ascii_uppercase()) {
            return Err(invalid(format!(
                "the symbol {} names two securities",
                security.symbol
            )));
        }
    }
    Ok(out)
}

fn invalid(why: String) -> Error {
    Error::Securities(why)
}

/// A condition of `lookup_equities`' `filter` on the security's `Type`:
/// `Type='MutualFund'` or `Type in ('MutualFund', 'CommonStock')`, the two
/// documented forms. `None`: not one of them.
pub(crate) fn type_filter(filter: &str) -> Option<Vec<String>> {
    let rest = filter.trim();
    let rest = strip_word(rest, "type")?.trim_start();
    let quoted = |text: &str| -> Option<String> {
        let text = text.trim();
        let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
        (!inner.contains('\'')).then(|| inner.to_owned())
    };
    if let Some(value) = rest.strip_prefix('=') {
        return Some(vec![quoted(value)?]);
    }
    let list = strip_word(rest, "in")?.trim();
    let list = list.strip_prefix('(')?.strip_suffix(')')?;
    list.split(',').map(quoted).collect()
}

/// `text` without its leading `word` (any case), when a word ends there.
pub(crate) fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    let rest = &text[word.len()..];
    (head.eq_ignore_ascii_case(word)
        && !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    .then_some(rest)
}

/// The securities whose symbol, exchange or description contains `mask`
/// (ignoring case: the documentation does not say), of the types `types`
/// when given, in the data file's order, at most `count`.
pub(crate) fn lookup<'a>(
    securities: &'a [Security],
    mask: &str,
    count: usize,
    types: Option<&[String]>,
) -> Vec<&'a Security> {
    let mask = mask.to_lowercase();
    securities
        .iter()
        .filter(|s| {
            [&s.symbol, &s.exchange, &s.description]
                .iter()
                .any(|field| field.to_lowercase().contains(&mask))
        })
        .filter(|s| types.is_none_or(|types| types.contains(&s.kind)))
        .take(count)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_universe_has_aapl_as_documented() {
        let securities = parse(SECURITIES).unwrap();
        let aapl = securities.iter().find(|s| s.symbol == "AAPL").unwrap();
        assert_eq!((aapl.id, aapl.cents), (4, 15657));
        assert!(securities.len() >= 5);
    }

    #[test]
    fn lookup_searches_symbol_exchange_and_description_and_filters_types() {
        let securities = parse(SECURITIES).unwrap();
        let symbols = |found: Vec<&Security>| -> Vec<String> {
            found.into_iter().map(|s| s.symbol.clone()).collect()
        };
        assert_eq!(
            symbols(lookup(&securities, "apple", 5, None)),
            ["AAPL", "APLE"]
        );
        assert_eq!(symbols(lookup(&securities, "Apple", 1, None)), ["AAPL"]);
        assert_eq!(symbols(lookup(&securities, "ARCX", 5, None)), ["SPY"]);
        let funds = type_filter("Type='MutualFund'").unwrap();
        assert_eq!(
            symbols(lookup(&securities, "5", 9, Some(&funds))),
            ["VFIAX"]
        );
        let both = type_filter("type in ('MutualFund', 'ETF')").unwrap();
        assert_eq!(both, ["MutualFund", "ETF"]);
        for bad in ["Type", "Symbol='A'", "Type in 'A'", "Type = A", "Typed='A'"] {
            assert!(type_filter(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let one = |id: i32, symbol: &str, price: &str| {
            format!(
                "{{id: {id}, symbol: '{symbol}', description: d, exchange: X, type: CommonStock, price: '{price}', added: a}}"
            )
        };
        for (text, says) in [
            (
                format!("securities: [{}, {}]", one(1, "A", "2"), one(1, "B", "2")),
                "two securities",
            ),
            (
                format!("securities: [{}, {}]", one(1, "A", "2"), one(2, "a", "2")),
                "two securities",
            ),
            (
                format!("securities: [{}]", one(1, "A", "0.5")),
                "at least 1",
            ),
            (
                format!("securities: [{}]", one(1, "A", "1.005")),
                "at most 2",
            ),
            (format!("securities: [{}]", one(1, " ", "2")), "no symbol"),
        ] {
            let error = parse(&text).err().unwrap().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
