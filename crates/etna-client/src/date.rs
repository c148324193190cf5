//! `format: date-time`, where the spec's "no date" reads as `None`.

use std::fmt;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// The date-time that means "no date" (.NET's `DateTime.MinValue`, as the
/// API sends an unset date). The spec names it in its root
/// `x-etna-no-date`; etna-codegen fails when the spec names another value,
/// so this constant and the spec cannot disagree.
pub const NO_DATE: &str = "0001-01-01T00:00:00Z";

/// A date-time the API sends or takes (`type: string, format: date-time`):
/// a moment with its offset (up to nanoseconds; the API sends up to seven
/// fractional digits and `Z` or an offset), or "no date".
///
/// The streamers send a moment as the milliseconds since 1970 in a JSON
/// string (`"1439992835673"`, `format: unix-time-ms` in the AsyncAPI
/// document); that reads as the same moment in UTC, and `-62135596800000`
/// (the milliseconds of [`NO_DATE`]) as "no date".
///
/// "No date" is [`NO_DATE`] on the wire (any offset of that same moment
/// reads as it too) and [`Timestamp::get`] gives `None` for it; it is written
/// back as [`NO_DATE`], so a decoded answer re-encodes faithfully.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Timestamp(Option<DateTime<FixedOffset>>);

impl Timestamp {
    /// "No date".
    pub const NONE: Self = Self(None);

    /// The moment, or `None` for "no date".
    pub fn get(self) -> Option<DateTime<FixedOffset>> {
        self.0
    }

    /// Whether this is "no date".
    pub fn is_none(self) -> bool {
        self.0.is_none()
    }

    fn no_date() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(NO_DATE).expect("NO_DATE is RFC 3339")
    }

    /// Milliseconds since 1970-01-01T00:00:00Z, in UTC; the no-date moment
    /// (`-62135596800000`) is `None`, as is a moment chrono cannot hold.
    pub fn from_unix_millis(millis: i64) -> Option<Self> {
        let at = DateTime::from_timestamp_millis(millis)?.fixed_offset();
        Some(if at == Self::no_date() {
            Self(None)
        } else {
            Self(Some(at))
        })
    }

    /// Reads RFC 3339 text; the no-date moment is `None`.
    pub fn parse(text: &str) -> Result<Self, chrono::ParseError> {
        let at = DateTime::parse_from_rfc3339(text)?;
        Ok(if at == Self::no_date() {
            Self(None)
        } else {
            Self(Some(at))
        })
    }
}

impl<Tz: chrono::TimeZone> From<DateTime<Tz>> for Timestamp {
    fn from(at: DateTime<Tz>) -> Self {
        Self(Some(at.fixed_offset()))
    }
}

impl From<Option<DateTime<FixedOffset>>> for Timestamp {
    fn from(at: Option<DateTime<FixedOffset>>) -> Self {
        Self(at)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = chrono::ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 with `Z` for UTC and as many fractional digits as needed
    /// (in groups of three); "no date" is [`NO_DATE`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(at) => f.write_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            None => f.write_str(NO_DATE),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time or milliseconds since 1970 as text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                // The streamers' form: an integer, which no RFC 3339 text is.
                let digits = v.strip_prefix('-').unwrap_or(v);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    return v
                        .parse()
                        .ok()
                        .and_then(Timestamp::from_unix_millis)
                        .ok_or_else(|| E::custom("milliseconds since 1970 out of range"));
                }
                // chrono's message, never the text: it may be anything the
                // server sent.
                Timestamp::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(TimestampVisitor)
    }
}

#[cfg(feature = "json-schema")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> String {
        "Timestamp".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("date-time".to_owned()),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> Timestamp {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn seven_fractional_digits_and_offsets_decode() {
        let at = decode(r#""2019-01-14T12:27:37.6205663Z""#).get().unwrap();
        assert_eq!(at.timestamp_subsec_nanos(), 620_566_300);
        let offset = decode(r#""2019-01-14T15:27:37.6205663+03:00""#)
            .get()
            .unwrap();
        assert_eq!(offset, at);
        assert_eq!(offset.offset().local_minus_utc(), 3 * 3600);
    }

    #[test]
    fn the_no_date_value_reads_as_none_and_is_written_back() {
        let none = decode(r#""0001-01-01T00:00:00Z""#);
        assert_eq!(none.get(), None);
        assert_eq!(
            serde_json::to_string(&none).unwrap(),
            r#""0001-01-01T00:00:00Z""#
        );
        // The same moment written with an offset or fractions is no date too.
        assert!(decode(r#""0001-01-01T00:00:00.0000000+00:00""#).is_none());
        // A moment a second later is a date.
        assert!(decode(r#""0001-01-01T00:00:01Z""#).get().is_some());
    }

    #[test]
    fn a_date_reencodes_as_the_same_moment() {
        let at = decode(r#""2019-01-14T12:27:37.6205663Z""#);
        let text = serde_json::to_string(&at).unwrap();
        assert_eq!(text, r#""2019-01-14T12:27:37.620566300Z""#);
        assert_eq!(decode(&text), at);
    }

    #[test]
    fn milliseconds_since_1970_as_text_are_a_moment_and_the_no_date_is_none() {
        // The documentation's order: `CreateDate` and its "no date".
        let at = decode(r#""1439992835673""#).get().unwrap();
        assert_eq!(at.timestamp_millis(), 1_439_992_835_673);
        assert_eq!(at.to_rfc3339(), "2015-08-19T14:00:35.673+00:00");
        let none = decode(r#""-62135596800000""#);
        assert_eq!(none.get(), None);
        assert_eq!(none, decode(r#""0001-01-01T00:00:00Z""#));
        assert!(decode(r#""-62135596799999""#).get().is_some());
        assert_eq!(decode(r#""0""#).get().unwrap().timestamp(), 0);
        let err = serde_json::from_str::<Timestamp>(r#""99999999999999999999""#)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("9999"), "{err}");
    }

    #[test]
    fn text_that_is_not_a_date_is_an_error_that_does_not_quote_it() {
        let err = serde_json::from_str::<Timestamp>(r#""secret-ish""#)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret-ish"), "{err}");
    }
}
