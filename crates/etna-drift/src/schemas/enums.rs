//! Lists of values (`enum`): the variants of a Rust enum.

use etna_spec::pointer::push;
use serde_json::Value;

use super::{Dir, Site, rust_type};
use crate::Ctx;
use crate::change::Class;
use crate::resolve::Node;
use crate::rules::Rule;

pub(super) fn values<T: serde::Serialize>(
    ctx: &mut Ctx,
    site: &Site,
    n: &Node,
    subject: &str,
    a: &[T],
    b: &[T],
) {
    let values = |list: &[T]| -> Vec<Value> {
        list.iter()
            .map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
            .collect()
    };
    let (a, b) = (values(a), values(b));
    if a == b {
        return;
    }
    let pointer = push(&n.at, "enum");
    let ty = n.name.as_ref().map_or_else(
        || "the generated enum".to_owned(),
        |name| format!("`{}`", rust_type(ctx, name)),
    );
    if a.is_empty() || b.is_empty() {
        let detail = if a.is_empty() {
            format!(
                "{subject} is now limited to a list of values: its Rust type changes to an enum"
            )
        } else {
            format!(
                "{subject} is no longer limited to a list of values: its Rust type changes from an enum"
            )
        };
        ctx.push(site.change(Rule::EnumChanged, pointer, detail));
        return;
    }
    let list = |vs: Vec<&Value>| {
        vs.iter()
            .map(|v| {
                format!(
                    "`{}`",
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let removed: Vec<&Value> = a.iter().filter(|v| !b.contains(v)).collect();
    let added: Vec<&Value> = b.iter().filter(|v| !a.contains(v)).collect();
    if !removed.is_empty() {
        let effect = match site.dir {
            Dir::Request => "the server refuses them, and their variants of",
            Dir::Response => "the server no longer sends them, but their variants of",
        };
        let detail = format!(
            "{subject} loses the value(s) {}: {effect} {ty} are gone, so code naming them stops compiling",
            list(removed)
        );
        ctx.push(site.change(Rule::EnumValueRemoved, pointer.clone(), detail));
    }
    if !added.is_empty() {
        let values = list(added);
        let change = match (site.dir, &site.open) {
            (Dir::Request, _) => site.change(
                Rule::EnumValueAdded.with(Class::Compatible),
                pointer,
                format!("{subject} accepts the new value(s) {values}: {ty} gains variants (an exhaustive `match` on it needs an arm)"),
            ),
            (Dir::Response, Some(open)) => site.change(
                Rule::EnumValueAdded.with(Class::Compatible),
                pointer,
                format!(
                    "{subject} lists the new value(s) {values}: compatible because {open} is open (it also accepts any other string): clients built before decode them through its fallback; after regenerating, {ty} has variants for them"
                ),
            ),
            (Dir::Response, None) => site.change(
                Rule::EnumValueAdded.with(Class::Breaking),
                pointer,
                format!(
                    "{subject} may now be {values}: {ty} is a closed Rust enum, so clients built before fail to decode such a response, and an exhaustive `match` needs an arm"
                ),
            ),
        };
        ctx.push(change);
    }
}
