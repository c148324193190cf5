//! Lists as aligned tables on a terminal. An answer is a list when the
//! spec says so (`OperationSpec::answer_table`: a bare array, or a page
//! marked `x-etna-page`, whose `items` property holds the rows); nothing
//! here names an operation or a property.
//!
//! The rule, the same for every list: one row per item; the columns are the
//! item schema's scalar properties in the spec's order; a column no item
//! fills (absent, `null`, `""`, or the no-date `0001-01-01T00:00:00Z`) is
//! left out; a cell holds at most [`MAX_CELL`] characters (cut with `...`);
//! columns are kept from the left while the table fits the terminal's
//! width, and those that do not fit are named on stderr. Numbers are
//! printed as the server sent them, every digit; a no-date is an empty
//! cell; secret fields are already `<secret>` in what is given here.

use comfy_table::{Cell, CellAlignment, ColumnConstraint, ContentArrangement, Row, Table, Width};
use etna_client::{AnswerTable, ColumnKind};

use crate::exact::Json;

/// The widest a cell is shown; longer values are cut.
pub const MAX_CELL: u16 = 32;
/// The width assumed when the terminal does not say.
const DEFAULT_WIDTH: u16 = 120;
/// What a column costs beside its content: a space each side and a rule.
const COLUMN_FRAME: usize = 3;
/// comfy-table's preset (one character per part of the frame): no border,
/// no rule between rows or columns, one rule under the header.
const RULE_UNDER_HEADER: &str = "     ──            ";

/// A table ready to print, and what was left out of it.
pub struct Rendered {
    pub text: String,
    /// Columns that did not fit, in the spec's order.
    pub left_out: Vec<&'static str>,
    pub rows: usize,
}

/// The rows of `body` when it is the list `table` describes: the array
/// itself, or the page's items (a bare array where a page was documented
/// is read as its items). `None` for anything else.
pub fn rows<'a>(table: &AnswerTable, body: &'a Json) -> Option<&'a [Json]> {
    match (body, table.items) {
        (Json::Array(items), _) => Some(items),
        (Json::Object(_), Some(items)) => match body.get(items) {
            Some(Json::Array(items)) => Some(items),
            // The client's types leave an empty array out.
            None => Some(&[]),
            _ => None,
        },
        _ => None,
    }
}

/// The table of `rows` with the columns of `table` (those in `only`, in
/// its order, when given), for a terminal `width` columns wide.
pub fn render(
    table: &AnswerTable,
    rows: &[Json],
    only: Option<&[&str]>,
    width: Option<u16>,
) -> Rendered {
    let columns: Vec<&etna_client::Column> = match only {
        Some(names) => names
            .iter()
            .filter_map(|name| table.columns.iter().find(|c| c.name == *name))
            .collect(),
        None => table.columns.iter().collect(),
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|column| {
                    row.get(column.name)
                        .map_or_else(String::new, |v| cell(column.kind, v))
                })
                .collect()
        })
        .collect();
    let filled: Vec<usize> = (0..columns.len())
        .filter(|&i| cells.iter().any(|row| !row[i].is_empty()))
        .collect();
    let room = usize::from(width.unwrap_or(DEFAULT_WIDTH)).saturating_sub(1);
    let mut used = 0;
    let mut shown = Vec::new();
    let mut left_out = Vec::new();
    for &i in &filled {
        let content = std::iter::once(columns[i].name.chars().count())
            .chain(cells.iter().map(|row| row[i].chars().count()))
            .max()
            .unwrap_or(0)
            .min(usize::from(MAX_CELL));
        // The first column is always shown, cut to the room there is.
        if shown.is_empty() || used + content + COLUMN_FRAME <= room {
            used += content + COLUMN_FRAME;
            shown.push(i);
        } else {
            left_out.push(columns[i].name);
        }
    }
    let mut out = Table::new();
    out.load_preset(RULE_UNDER_HEADER)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_truncation_indicator("...")
        .set_width(u16::try_from(room).unwrap_or(u16::MAX))
        .set_header(shown.iter().map(|&i| Cell::new(columns[i].name)));
    for row in &cells {
        let mut line = Row::from(shown.iter().map(|&i| Cell::new(&row[i])));
        line.max_height(1);
        out.add_row(line);
    }
    for (index, &i) in shown.iter().enumerate() {
        if let Some(column) = out.column_mut(index) {
            column.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(MAX_CELL + 2)));
            if matches!(columns[i].kind, ColumnKind::Decimal | ColumnKind::Number) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    Rendered {
        text: out.trim_fmt(),
        left_out,
        rows: rows.len(),
    }
}

/// A value as its cell: as sent, but the no-date is no date.
fn cell(kind: ColumnKind, value: &Json) -> String {
    match (kind, value) {
        (ColumnKind::Date, Json::String(date)) if date == etna_client::NO_DATE => String::new(),
        _ => value.cell(),
    }
}

/// The terminal's width, when stdout is one that says.
pub fn terminal_width() -> Option<u16> {
    let (_, columns) = console::Term::stdout().size_checked()?;
    Some(columns)
}

#[cfg(test)]
mod tests {
    use etna_client::Column;

    use super::*;

    const TABLE: AnswerTable = AnswerTable {
        items: Some("Result"),
        total: Some("TotalCount"),
        columns: &[
            Column {
                name: "Id",
                kind: ColumnKind::Number,
            },
            Column {
                name: "Never",
                kind: ColumnKind::Text,
            },
            Column {
                name: "Price",
                kind: ColumnKind::Decimal,
            },
            Column {
                name: "When",
                kind: ColumnKind::Date,
            },
            Column {
                name: "Comment",
                kind: ColumnKind::Text,
            },
        ],
    };

    fn page() -> Json {
        Json::parse(
            r#"{"Result":[
                {"Id":1,"Price":-0.05700775140829844330933239,"When":"0001-01-01T00:00:00Z","Never":null,"Comment":"a very long comment that goes on and on past any cell"},
                {"Id":22,"Price":100.00000,"When":"2019-01-22T14:30:03.7328576Z","Comment":"short"}
            ],"TotalCount":2}"#,
        )
        .unwrap()
    }

    #[test]
    fn columns_follow_the_spec_and_empty_ones_are_left_out() {
        let page = page();
        let rows = rows(&TABLE, &page).unwrap();
        let rendered = render(&TABLE, rows, None, Some(200));
        let text = &rendered.text;
        let header = text.lines().find(|l| l.contains("Id")).unwrap();
        let names: Vec<&str> = header.split_whitespace().collect();
        assert_eq!(names, ["Id", "Price", "When", "Comment"], "{text}");
        assert!(text.contains("-0.05700775140829844330933239"), "{text}");
        assert!(text.contains("100.00000"), "{text}");
        assert!(!text.contains("0001-01-01"), "{text}");
        assert!(text.contains("..."), "a long cell is cut: {text}");
        assert!(!text.contains("past any cell"), "{text}");
        assert!(rendered.left_out.is_empty());
    }

    #[test]
    fn columns_that_do_not_fit_are_named() {
        let page = page();
        let rows = rows(&TABLE, &page).unwrap();
        let rendered = render(&TABLE, rows, None, Some(40));
        assert!(
            rendered.text.lines().all(|l| l.chars().count() <= 40),
            "{}",
            rendered.text
        );
        assert_eq!(rendered.left_out, ["When", "Comment"]);
    }

    #[test]
    fn a_bare_array_is_a_list_and_a_page_without_its_array_an_empty_one() {
        let array = Json::parse(r#"[{"Id":1}]"#).unwrap();
        assert_eq!(rows(&TABLE, &array).map(<[Json]>::len), Some(1));
        let object = Json::parse(r#"{"Result":{"Id":1}}"#).unwrap();
        assert!(rows(&TABLE, &object).is_none());
        let empty = Json::parse(r#"{"TotalCount":0}"#).unwrap();
        assert_eq!(rows(&TABLE, &empty).map(<[Json]>::len), Some(0));
    }
}
