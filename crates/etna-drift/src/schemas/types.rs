//! The kind of a schema (string, object, oneOf, …) and its `format`: what
//! decides which Rust type is generated for it.

use etna_spec::pointer::push;
use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use super::{Pair, Site, closed, compare, composition, constraints, enums, properties};
use crate::Ctx;
use crate::resolve::Node;
use crate::rules::Rule;

pub(super) fn kind_name(schema: &Schema) -> &'static str {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => "string",
        SchemaKind::Type(Type::Number(_)) => "number",
        SchemaKind::Type(Type::Integer(_)) => "integer",
        SchemaKind::Type(Type::Boolean(_)) => "boolean",
        SchemaKind::Type(Type::Object(_)) => "object",
        SchemaKind::Type(Type::Array(_)) => "array",
        SchemaKind::OneOf { .. } => "oneOf",
        SchemaKind::AnyOf { .. } => "anyOf",
        SchemaKind::AllOf { .. } => "allOf",
        SchemaKind::Not { .. } => "not",
        SchemaKind::Any(_) => "any",
    }
}

/// Schemas of the same kind are compared part by part; of different kinds,
/// they are one change of the Rust type.
pub(super) fn kinds(ctx: &mut Ctx, site: &Site, o: &Node, n: &Node, subject: &str) {
    use SchemaKind as K;
    match (&o.schema.schema_kind, &n.schema.schema_kind) {
        (K::Type(Type::String(a)), K::Type(Type::String(b))) => {
            format(ctx, site, n, subject, &a.format, &b.format);
            enums::values(ctx, site, n, subject, &a.enumeration, &b.enumeration);
            // An enum's Rust type is the enum: its limits generate nothing.
            if a.enumeration.is_empty() && b.enumeration.is_empty() {
                constraints::strings(ctx, site, n, a, b, subject);
            }
        }
        (K::Type(Type::Integer(a)), K::Type(Type::Integer(b))) => {
            format(ctx, site, n, subject, &a.format, &b.format);
            let bounds = [
                (
                    a.minimum.map(|v| v as f64),
                    a.exclusive_minimum,
                    b.minimum.map(|v| v as f64),
                    b.exclusive_minimum,
                ),
                (
                    a.maximum.map(|v| v as f64),
                    a.exclusive_maximum,
                    b.maximum.map(|v| v as f64),
                    b.exclusive_maximum,
                ),
            ];
            constraints::numbers(ctx, site, n, subject, bounds);
            enums::values(ctx, site, n, subject, &a.enumeration, &b.enumeration);
        }
        (K::Type(Type::Number(a)), K::Type(Type::Number(b))) => {
            format(ctx, site, n, subject, &a.format, &b.format);
            let bounds = [
                (
                    a.minimum,
                    a.exclusive_minimum,
                    b.minimum,
                    b.exclusive_minimum,
                ),
                (
                    a.maximum,
                    a.exclusive_maximum,
                    b.maximum,
                    b.exclusive_maximum,
                ),
            ];
            constraints::numbers(ctx, site, n, subject, bounds);
            enums::values(ctx, site, n, subject, &a.enumeration, &b.enumeration);
        }
        (K::Type(Type::Boolean(a)), K::Type(Type::Boolean(b))) => {
            enums::values(ctx, site, n, subject, &a.enumeration, &b.enumeration);
        }
        (K::Type(Type::Object(a)), K::Type(Type::Object(b))) => {
            let objects = Pair {
                old: a,
                new: b,
                old_at: o.at.clone(),
                new_at: n.at.clone(),
            };
            properties::objects(ctx, &closed(site), n.name.as_deref(), &objects)
        }
        (K::Type(Type::Array(a)), K::Type(Type::Array(b))) => {
            if let (Some(ai), Some(bi)) = (&a.items, &b.items) {
                let (oa, na) = (push(&o.at, "items"), push(&n.at, "items"));
                compare(
                    ctx,
                    &closed(site),
                    (ai.into(), &oa),
                    (bi.into(), &na),
                    &format!("the items of {subject}"),
                );
            }
            let to_f = |v: Option<usize>| v.map(|v| v as f64);
            let bounds = [
                (to_f(a.min_items), false, to_f(b.min_items), false),
                (to_f(a.max_items), false, to_f(b.max_items), false),
            ];
            constraints::bound_changes(
                ctx,
                site,
                n,
                subject,
                bounds,
                ["minItems", "maxItems"],
                false,
            );
        }
        (K::OneOf { one_of: a }, K::OneOf { one_of: b }) => {
            let members = members(o, n, "oneOf", a, b);
            composition::unions(ctx, site, n.name.as_deref(), &members, subject)
        }
        (K::AnyOf { any_of: a }, K::AnyOf { any_of: b }) => {
            let members = members(o, n, "anyOf", a, b);
            composition::unions(ctx, site, n.name.as_deref(), &members, subject)
        }
        (K::AllOf { all_of: a }, K::AllOf { all_of: b }) if a.len() == b.len() => {
            let members = members(o, n, "allOf", a, b);
            composition::all_of(ctx, site, &members, subject)
        }
        (a, b) if a == b => {}
        _ => {
            let detail = format!(
                "{subject} changes from {} to {}: the Rust type changes, and values of one do not decode as the other",
                kind_name(o.schema),
                kind_name(n.schema)
            );
            ctx.push(
                site.change(Rule::TypeChanged, n.at.clone(), detail)
                    .covering(o.at.clone()),
            );
        }
    }
}

/// The members of `keyword` (`oneOf`, `anyOf`, `allOf`) on both sides.
fn members<'a>(
    o: &Node,
    n: &Node,
    keyword: &str,
    a: &'a [ReferenceOr<Schema>],
    b: &'a [ReferenceOr<Schema>],
) -> Pair<'a, [ReferenceOr<Schema>]> {
    Pair {
        old: a,
        new: b,
        old_at: push(&o.at, keyword),
        new_at: push(&n.at, keyword),
    }
}

fn format<T: serde::Serialize>(ctx: &mut Ctx, site: &Site, n: &Node, subject: &str, a: &T, b: &T) {
    let (a, b) = (
        serde_json::to_value(a).unwrap_or(Value::Null),
        serde_json::to_value(b).unwrap_or(Value::Null),
    );
    if a != b {
        let show = |v: &Value| v.as_str().map_or("none".to_owned(), |s| format!("`{s}`"));
        let detail = format!(
            "the format of {subject} changes from {} to {}: the Rust type generated for it changes",
            show(&a),
            show(&b)
        );
        ctx.push(site.change(Rule::FormatChanged, push(&n.at, "format"), detail));
    }
}
