//! `OperationSpec::answer_table`: how a tool shows an answer that is a list,
//! read from the spec alone. A list is a success body whose schema is an
//! array, or a page: the schema the spec marks `x-etna-page` or one that
//! composes it (`allOf`; the model's `PageRoles`, as the pager reads it),
//! whose `items` role names the array. The columns
//! are the item schema's scalar properties in the order the spec writes
//! them (what `etna` prints as a table's columns); objects and arrays are
//! left out, as no cell holds them.

use etna_spec::KeyOrder;
use etna_spec::model::PageRoles;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// `Some(AnswerTable { .. })` for an operation whose first JSON success
/// body is a list, else `None`.
pub(super) fn answer_table(
    spec: &Value,
    order: &KeyOrder,
    page: Option<&PageRoles>,
    pointer: &str,
) -> TokenStream {
    match table(spec, order, page, pointer) {
        Some(Table {
            items,
            total,
            columns,
        }) => {
            let (items, total) = (option(items), option(total));
            let columns = columns.iter().map(|(name, kind)| {
                let kind = format_ident!("{kind}");
                quote!(::etna_client::Column { name: #name, kind: ::etna_client::ColumnKind::#kind })
            });
            quote! {
                Some(::etna_client::AnswerTable { items: #items, total: #total, columns: &[#(#columns,)*] })
            }
        }
        None => quote!(None),
    }
}

fn option(value: Option<String>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

#[derive(Debug, PartialEq)]
struct Table {
    items: Option<String>,
    total: Option<String>,
    columns: Vec<(String, &'static str)>,
}

/// `pointer`: the operation's JSON pointer (without `#`).
fn table(spec: &Value, order: &KeyOrder, page: Option<&PageRoles>, pointer: &str) -> Option<Table> {
    let operation = spec.pointer(pointer)?;
    let responses = operation.get("responses")?.as_object()?;
    let mut statuses: Vec<&String> = responses
        .keys()
        .filter(|status| status.starts_with('2'))
        .collect();
    statuses.sort();
    let schema = statuses.into_iter().find_map(|status| {
        let response = format!("{pointer}/responses/{status}");
        let (response, _) = resolve(spec, response)?;
        let schema = format!("{response}/content/application~1json/schema");
        spec.pointer(&schema).map(|_| schema)
    })?;
    let written = spec.pointer(&schema)?;
    let (schema, node) = resolve(spec, schema)?;
    if node.get("type").and_then(Value::as_str) == Some("array") {
        return Some(Table {
            items: None,
            total: None,
            columns: columns(spec, order, format!("{schema}/items")),
        });
    }
    let roles = page.filter(|roles| etna_spec::model::composes(spec, written, &roles.schema))?;
    let property = properties(spec, order, schema)
        .into_iter()
        .find(|(name, _)| *name == roles.items)?;
    Some(Table {
        columns: columns(spec, order, format!("{}/items", property.1)),
        items: Some(roles.items.clone()),
        total: roles.total.clone(),
    })
}

/// The scalar properties of the schema at `pointer`, with their kinds.
fn columns(spec: &Value, order: &KeyOrder, pointer: String) -> Vec<(String, &'static str)> {
    let Some((pointer, _)) = resolve(spec, pointer) else {
        return Vec::new();
    };
    properties(spec, order, pointer)
        .into_iter()
        .filter_map(|(name, at)| Some((name, kind(spec, at)?)))
        .collect()
}

/// A cell's kind, or `None` for what no cell holds (an object, an array, a
/// schema without a type).
fn kind(spec: &Value, pointer: String) -> Option<&'static str> {
    let (_, node) = resolve(spec, pointer.clone())?;
    let format = node.get("format").and_then(Value::as_str);
    match (node.get("type").and_then(Value::as_str), format) {
        (Some("string"), Some("date-time")) => Some("Date"),
        (Some("string"), _) => Some("Text"),
        (Some("number"), Some("decimal")) => Some("Decimal"),
        (Some("number" | "integer"), _) => Some("Number"),
        (Some("boolean"), _) => Some("Boolean"),
        (Some(_), _) => None,
        // Alternatives of scalars (a name or a number): shown as sent.
        (None, _) => ["anyOf", "oneOf"].into_iter().find_map(|key| {
            let members = node.get(key)?.as_array()?;
            (0..members.len())
                .all(|i| kind(spec, format!("{pointer}/{key}/{i}")).is_some())
                .then_some("Text")
        }),
    }
}

/// The properties of the schema at `pointer` and of the schemas it
/// composes with `allOf`, in the order written: `(name, pointer)`.
fn properties(spec: &Value, order: &KeyOrder, pointer: String) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (at, part) in parts(spec, pointer) {
        if part.get("properties").and_then(Value::as_object).is_none() {
            continue;
        }
        let written = order.keys(&format!("#{at}/properties"));
        let names = match written.is_empty() {
            // No text to read the order from (a spec built in memory).
            true => part["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default(),
            false => written,
        };
        for name in names {
            if !out.iter().any(|(seen, _)| *seen == name) {
                let at = format!("{at}/properties/{}", etna_spec::pointer::escape(&name));
                out.push((name, at));
            }
        }
    }
    out
}

/// The schema at `pointer` and the members of its `allOf`, each resolved,
/// depth first (bounded: a spec's cycles end here).
fn parts(spec: &Value, pointer: String) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let mut pending = vec![(pointer, 0)];
    while let Some((pointer, depth)) = pending.pop() {
        let Some((pointer, node)) = resolve(spec, pointer) else {
            continue;
        };
        if let Some(members) = node.get("allOf").and_then(Value::as_array)
            && depth < 8
        {
            for i in (0..members.len()).rev() {
                pending.push((format!("{pointer}/allOf/{i}"), depth + 1));
            }
        }
        out.push((pointer, node));
    }
    out
}

/// The node at `pointer` with its `$ref`s followed, and where it is.
fn resolve(spec: &Value, mut pointer: String) -> Option<(String, &Value)> {
    for _ in 0..32 {
        let node = spec.pointer(&pointer)?;
        match node.get("$ref").and_then(Value::as_str) {
            Some(target) => pointer = target.strip_prefix('#')?.to_owned(),
            None => return Some((pointer, node)),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"
paths:
  /things:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Thing"}
    post:
      responses:
        "200":
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
  /pages:
    get:
      responses:
        "401": {description: no}
        "200": {$ref: "#/components/responses/ThingPage"}
components:
  responses:
    ThingPage:
      description: a page
      content:
        application/json:
          schema: {$ref: "#/components/schemas/ThingPage"}
  schemas:
    Page:
      x-etna-page: {items: Result, next: Next, total: Count}
      properties:
        Next: {type: string}
        Count: {type: integer}
    ThingPage:
      allOf:
        - $ref: "#/components/schemas/Page"
        - properties:
            Result: {type: array, items: {$ref: "#/components/schemas/Thing"}}
    Status: {type: string, enum: [On, Off]}
    Thing:
      properties:
        Zeta: {type: string}
        Price: {type: number, format: decimal}
        When: {type: string, format: date-time}
        Status: {$ref: "#/components/schemas/Status"}
        Tags: {type: array, items: {type: string}}
        Inner: {type: object}
        Either: {anyOf: [{$ref: "#/components/schemas/Status"}, {type: integer}]}
        Count: {type: integer}
        Open: {type: boolean}
"##;

    fn columns() -> Vec<(String, &'static str)> {
        [
            ("Zeta", "Text"),
            ("Price", "Decimal"),
            ("When", "Date"),
            ("Status", "Text"),
            ("Either", "Text"),
            ("Count", "Number"),
            ("Open", "Boolean"),
        ]
        .into_iter()
        .map(|(name, kind)| (name.to_owned(), kind))
        .collect()
    }

    #[test]
    fn arrays_and_marked_pages_are_tables_of_their_items_scalar_properties_in_spec_order() {
        let spec: Value = serde_yaml_ng::from_str(SPEC).unwrap();
        let order = KeyOrder::parse(SPEC).unwrap();
        let roles = PageRoles {
            schema: "Page".to_owned(),
            items: "Result".to_owned(),
            next: Some("Next".to_owned()),
            previous: None,
            total: Some("Count".to_owned()),
        };
        let page = Some(&roles);
        assert_eq!(
            table(&spec, &order, page, "/paths/~1things/get"),
            Some(Table {
                items: None,
                total: None,
                columns: columns()
            })
        );
        assert_eq!(
            table(&spec, &order, page, "/paths/~1pages/get"),
            Some(Table {
                items: Some("Result".to_owned()),
                total: Some("Count".to_owned()),
                columns: columns()
            })
        );
        // One object is no table, nor a page without the spec's roles.
        assert_eq!(table(&spec, &order, page, "/paths/~1things/post"), None);
        assert_eq!(table(&spec, &order, None, "/paths/~1pages/get"), None);
    }
}
