//! The `filter` query language of `list_orders` and `list_positions`, in
//! the documented forms: `Field = value`, `>`, `>=`, `<`, `<=`,
//! `Field in (v, ...)`, `Field between a and b`, joined with `and`; values
//! are numbers, `'text'` or `#date#`. Which fields exist is the caller's.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;

/// A value of an item's field, or of a filter.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
pub(crate) enum Val {
    Num(Decimal),
    Text(String),
    Date(DateTime<Utc>),
}

#[derive(Debug)]
enum Test {
    Compare(&'static str, Val),
    In(Vec<Val>),
    Between(Val, Val),
}

/// A parsed filter: conditions that must all hold.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    conditions: Vec<(String, Test)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Val(Val),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

fn tokens(text: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            _ if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
            }
            '=' | '<' | '>' | '!' => {
                chars.next();
                let two = chars.peek().is_some_and(|&(_, n)| n == '=');
                if two {
                    chars.next();
                }
                out.push(Token::Op(match (c, two) {
                    ('=', false) => "=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    _ => return None,
                }));
            }
            '\'' | '#' => {
                chars.next();
                let start = i + 1;
                let end = loop {
                    match chars.next() {
                        Some((j, d)) if d == c => break j,
                        Some(_) => {}
                        None => return None,
                    }
                };
                let inner = &text[start..end];
                out.push(Token::Val(if c == '#' {
                    Val::Date(parse_date(inner)?)
                } else {
                    Val::Text(inner.to_owned())
                }));
            }
            _ if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut end = i;
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_ascii_digit() || d == '.' || (j == i && d == '-') {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Val(Val::Num(Decimal::from_str(&text[i..end]).ok()?)));
            }
            _ if c.is_ascii_alphabetic() => {
                let mut end = i;
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Word(text[i..end].to_owned()));
            }
            _ => return None,
        }
    }
    Some(out)
}

fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim().trim_end_matches('Z');
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()?
                .and_hms_opt(0, 0, 0)
        })
        .map(|naive| naive.and_utc())
}

fn is_word(token: Option<&Token>, word: &str) -> bool {
    matches!(token, Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
}

impl Filter {
    /// The filter `text` over the fields `fields` (their names as the
    /// filter spells them, any case); `None`: not a filter of this form.
    pub(crate) fn parse(text: &str, fields: &[&str]) -> Option<Filter> {
        let tokens = tokens(text)?;
        let mut at = tokens.iter().peekable();
        let mut conditions = Vec::new();
        loop {
            let Some(Token::Word(field)) = at.next() else {
                return None;
            };
            let field = fields.iter().find(|f| f.eq_ignore_ascii_case(field))?;
            let value = |token: Option<&Token>| match token {
                Some(Token::Val(v)) => Some(v.clone()),
                _ => None,
            };
            let test = match at.next()? {
                Token::Op(op) => Test::Compare(op, value(at.next())?),
                Token::Word(w) if w.eq_ignore_ascii_case("in") => {
                    if at.next() != Some(&Token::Open) {
                        return None;
                    }
                    let mut values = vec![value(at.next())?];
                    loop {
                        match at.next()? {
                            Token::Comma => values.push(value(at.next())?),
                            Token::Close => break,
                            _ => return None,
                        }
                    }
                    Test::In(values)
                }
                Token::Word(w) if w.eq_ignore_ascii_case("between") => {
                    let low = value(at.next())?;
                    if !is_word(at.next(), "and") {
                        return None;
                    }
                    Test::Between(low, value(at.next())?)
                }
                _ => return None,
            };
            conditions.push(((*field).to_owned(), test));
            match at.next() {
                None => return Some(Filter { conditions }),
                Some(token) if is_word(Some(token), "and") => {}
                Some(_) => return None,
            }
        }
    }

    /// Whether an item whose fields `field` gives meets every condition; a
    /// value of another kind than the field's never does.
    pub(crate) fn accepts(&self, field: impl Fn(&str) -> Option<Val>) -> bool {
        self.conditions.iter().all(|(name, test)| {
            let Some(have) = field(name) else {
                return false;
            };
            let same = |v: &Val| std::mem::discriminant(v) == std::mem::discriminant(&have);
            match test {
                Test::Compare(op, want) => {
                    same(want)
                        && match *op {
                            "=" => have == *want,
                            "<" => have < *want,
                            "<=" => have <= *want,
                            ">" => have > *want,
                            _ => have >= *want,
                        }
                }
                Test::In(values) => values.iter().any(|v| same(v) && *v == have),
                Test::Between(low, high) => {
                    same(low) && same(high) && *low <= have && have <= *high
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["SecurityId", "Status", "CreateDate", "Symbol", "Quantity"];

    fn item(name: &str) -> Option<Val> {
        match name {
            "SecurityId" => Some(Val::Num(4.into())),
            "Status" => Some(Val::Num(2.into())),
            "Quantity" => Some(Val::Num(Decimal::new(1505, 1))),
            "Symbol" => Some(Val::Text("AAPL".into())),
            "CreateDate" => Some(Val::Date(parse_date("2019-03-14T10:00:00Z").unwrap())),
            _ => None,
        }
    }

    #[test]
    fn the_documented_forms_filter() {
        for (filter, accepted) in [
            ("SecurityId = 4", true),
            ("SecurityId = 5", false),
            ("SecurityId = 4 and Status in (0,1,2)", true),
            ("status in (0, 1)", false),
            ("CreateDate >= #2019-03-13T18:31:42#", true),
            (
                "CreateDate between #2019-03-13T18:31:42# and #2019-03-17T18:31:42#",
                true,
            ),
            ("CreateDate < #2019-03-13#", false),
            ("Quantity between 100 and 1000 and Symbol = 'AAPL'", true),
            ("Quantity > 150.5", false),
            ("Symbol = 4", false),
        ] {
            let parsed = Filter::parse(filter, FIELDS).unwrap_or_else(|| panic!("{filter}"));
            assert_eq!(parsed.accepts(item), accepted, "{filter}");
        }
        for bad in [
            "",
            "Price = 4",
            "SecurityId",
            "SecurityId = ",
            "SecurityId = 4 or Status = 1",
            "Symbol = 'A",
            "x = #nope#",
            "SecurityId in (1,",
            "SecurityId == 4",
        ] {
            assert!(Filter::parse(bad, FIELDS).is_none(), "{bad}");
        }
    }
}
