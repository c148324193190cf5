//! `format: decimal`: money, prices and quantities, kept to the digit.
//!
//! serde_json hands a number to a visitor as `f64` unless its
//! `arbitrary_precision` feature is on, and that feature is unified across a
//! consumer's whole build, where it changes how every number buffered by
//! `#[serde(flatten)]` or an untagged enum decodes. So this crate leaves it
//! off and reads a decimal's own text instead, through serde_json's
//! `raw_value` feature (additive): the documented balance value
//! `-0.05700775140829844330933239` (26 significant digits, which no `f64`
//! holds) decodes and re-encodes byte for byte.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// serde_json's name for "hand me this value's text" (`RawValue`'s token).
/// Another deserializer (a buffered `#[serde(flatten)]` field, an untagged
/// enum, another format) answers with the value itself instead.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";
/// How a number arrives when a consumer's build turns on serde_json's
/// `arbitrary_precision`: a map of this one key to the number's text.
const ARBITRARY_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// An exact decimal number, as the API sends money, prices and quantities
/// (`type: number, format: decimal` in the spec), or as the streamers send
/// them: a JSON string holding the number (`"100.00000"`, `type: string,
/// format: decimal` in the AsyncAPI document), read the same way.
///
/// It holds up to 28 significant digits with their scale (`100.00000` stays
/// `100.00000`); a number with more digits than that is an error when
/// decoded, never rounded. Arithmetic is [`rust_decimal::Decimal`]'s
/// (re-exported as [`etna_client::rust_decimal`](crate::rust_decimal)), through
/// `Deref`, `From` and [`Decimal::value`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Decimal(rust_decimal::Decimal);

impl Decimal {
    /// The number, for arithmetic.
    pub fn value(self) -> rust_decimal::Decimal {
        self.0
    }

    /// Reads a JSON number's text, every digit or an error.
    fn from_json_number(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let looks_numeric = text
            .bytes()
            .next()
            .is_some_and(|b| b == b'-' || b.is_ascii_digit());
        if !looks_numeric {
            return Err("expected a decimal number".to_owned());
        }
        // rust_decimal's `from_scientific` rounds extra digits; written out
        // without the exponent, the exact parser refuses them instead.
        let plain = match text.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => Cow::Owned(without_exponent(mantissa, exponent)?),
            None => Cow::Borrowed(text),
        };
        rust_decimal::Decimal::from_str_exact(&plain)
            .map(Self)
            .map_err(|_| {
                "a decimal number with more digits than the client holds exactly (28)".to_owned()
            })
    }
}

/// `1.5e2` as `150`, `15e-3` as `0.015`: the same digits, the point moved.
fn without_exponent(mantissa: &str, exponent: &str) -> Result<String, String> {
    let too_large = || "a decimal number too large or too small for the client (28 digits)";
    let exponent: i32 = exponent
        .parse()
        .map_err(|_| "a malformed exponent".to_owned())?;
    // Far past what 28 digits can hold either way; bounds the text built.
    if exponent.unsigned_abs() > 64 {
        return Err(too_large().to_owned());
    }
    let (sign, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{whole}{fraction}");
    // The point's place, counted from the left of `digits`.
    let point =
        i64::try_from(whole.len()).map_err(|_| too_large().to_owned())? + i64::from(exponent);
    let text = if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).map_err(|_| too_large().to_owned())?);
        format!("{sign}0.{zeros}{digits}")
    } else {
        let point = usize::try_from(point).map_err(|_| too_large().to_owned())?;
        if point >= digits.len() {
            format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..point], &digits[point..])
        }
    };
    Ok(text)
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(value: rust_decimal::Decimal) -> Self {
        Self(value)
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(value: Decimal) -> Self {
        value.0
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Self(value.into())
    }
}

impl std::ops::Deref for Decimal {
    type Target = rust_decimal::Decimal;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl FromStr for Decimal {
    type Err = rust_decimal::Error;
    /// Exact: more digits than fit is an error, not a rounding.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        rust_decimal::Decimal::from_str_exact(s).map(Self)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Decimal {
    /// Written as a JSON number with every digit and the scale it holds. To
    /// serde_json's writer that is the text itself; `serde_json::to_value`
    /// makes it a `Value` number (an `f64` unless `arbitrary_precision` is
    /// on).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.0.to_string())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, DecimalVisitor)
    }
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    /// serde_json's raw text (or, with `arbitrary_precision`, its number).
    /// Read without a copy where serde_json lends it (a body decoded from
    /// bytes): three allocations a number were 52 % of what a decimal cost
    /// over an `f64` (BENCHMARKS.md, "the cost of decimals").
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        if map.next_key_seed(Token)? != Some(true) {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        let text = map.next_value_seed(Text)?;
        if text.starts_with('"') {
            // A string: the streamers' form. Its content is the number.
            let content: Cow<'_, str> = serde_json::from_str(&text).map_err(de::Error::custom)?;
            return Decimal::from_json_number(&content).map_err(de::Error::custom);
        }
        Decimal::from_json_number(&text).map_err(de::Error::custom)
    }

    /// A string from any other deserializer (a buffered message): the
    /// streamers' form, still read from its text.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_json_number(v).map_err(E::custom)
    }

    /// Any other deserializer: the value itself.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal(v.into()))
    }

    /// Only where a number was already read as `f64` before this type saw
    /// it (a buffered untagged enum, another format): the shortest text that
    /// reads back as that `f64`. The generator keeps `#[serde(flatten)]`
    /// maps of decimals off this path (etna-codegen's `exact_flatten.rs`).
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Decimal::from_json_number(&v.to_string()).map_err(E::custom)
    }
}

/// Whether a map key is the token of a number's text, read without keeping
/// it.
struct Token;

impl<'de> DeserializeSeed<'de> for Token {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Token {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == RAW_VALUE_TOKEN || key == ARBITRARY_NUMBER_TOKEN)
    }
}

/// A number's text, borrowed from the input when the deserializer lends it.
struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text))
    }
}

#[cfg(feature = "json-schema")]
impl schemars::JsonSchema for Decimal {
    fn schema_name() -> String {
        "Decimal".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Number.into()),
            format: Some("decimal".to_owned()),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_digit_and_the_scale_survive_a_round_trip() {
        for text in [
            "-0.05700775140829844330933239",
            "100.00000",
            "0",
            "976510.75",
            "79228162514264337593543950335",
        ] {
            let decoded: Decimal = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&decoded).unwrap(), text);
        }
    }

    #[test]
    fn too_many_digits_is_an_error_and_never_a_rounding() {
        let err = serde_json::from_str::<Decimal>("0.123456789012345678901234567890123")
            .unwrap_err()
            .to_string();
        assert!(err.contains("more digits"), "{err}");
    }

    #[test]
    fn too_many_digits_with_an_exponent_is_an_error_too() {
        let decoded = serde_json::from_str::<Decimal>("0.123456789012345678901234567890123e1");
        assert!(decoded.is_err(), "{decoded:?}");
    }

    #[test]
    fn a_boolean_or_a_string_without_a_number_is_not_a_decimal() {
        for text in ["true", r#""""#, r#""1.5x""#, r#""abc""#, r#""1.5 2""#] {
            assert!(serde_json::from_str::<Decimal>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_string_holding_a_decimal_keeps_every_digit() {
        // The streamers' form (the documentation's order and balance).
        for (text, value) in [
            (r#""100.00000""#, "100.00000"),
            (
                r#""-0.1031318408562315568923557400""#,
                "-0.1031318408562315568923557400",
            ),
            (r#""0""#, "0"),
            (r#""72.9""#, "72.9"),
        ] {
            let decoded: Decimal = serde_json::from_str(text).unwrap();
            assert_eq!(decoded.to_string(), value, "{text}");
            // Written back as a number with the same digits.
            assert_eq!(serde_json::to_string(&decoded).unwrap(), value);
        }
        let from_reader: Decimal = serde_json::from_reader(&br#""100.00000""#[..]).unwrap();
        assert_eq!(from_reader.to_string(), "100.00000");
        let err = serde_json::from_str::<Decimal>(r#""0.123456789012345678901234567890123""#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more digits"), "{err}");
    }

    #[test]
    fn extreme_numbers_are_errors_or_values_never_panics() {
        for text in [
            "1e999999999",
            "-1e-999999999",
            "1E+28",
            "1e-28",
            "1e29",
            "0e0",
            "-0",
            "123456789012345678901234567890",
            "0.00000000000000000000000000001",
            "99999999999999999999999999999999999999999999999999e-50",
        ] {
            let _ = serde_json::from_str::<Decimal>(text);
        }
    }

    #[test]
    fn a_number_read_from_a_reader_keeps_every_digit_too() {
        // A reader cannot lend its text: the owned path.
        let text = "-0.05700775140829844330933239";
        let decoded: Decimal = serde_json::from_reader(text.as_bytes()).unwrap();
        assert_eq!(decoded.to_string(), text);
        let decoded: Vec<Decimal> = serde_json::from_str(&format!("[{text}, 1.5e2]")).unwrap();
        assert_eq!(decoded[1].to_string(), "150");
    }

    #[test]
    fn an_exponent_reads_as_its_value() {
        for (text, value) in [
            ("1.5e2", "150"),
            ("15e-3", "0.015"),
            ("-2.50E+1", "-25.0"),
            ("1e0", "1"),
        ] {
            let decoded: Decimal = serde_json::from_str(text).unwrap();
            assert_eq!(decoded.to_string(), value, "{text}");
        }
    }
}
