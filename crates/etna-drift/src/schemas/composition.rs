//! `oneOf`, `anyOf` and `allOf`: the variants of a Rust enum, or the parts
//! of one struct.

use etna_spec::pointer::push;
use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};

use super::constraints::constrained;
use super::types::kind_name;
use super::{Dir, Pair, Site, compare, rust_type};
use crate::Ctx;
use crate::change::Class;
use crate::resolve;
use crate::rules::Rule;

/// Members are matched by what they name (a component, or the kind and
/// index of an inline schema); `name` is the new side's component schema.
pub(super) fn unions(
    ctx: &mut Ctx,
    site: &Site,
    name: Option<&str>,
    members: &Pair<[ReferenceOr<Schema>]>,
    subject: &str,
) {
    let (a, b) = (members.old, members.new);
    let ty = name.map_or_else(
        || "the generated enum".to_owned(),
        |name| format!("`{}`", rust_type(ctx, name)),
    );
    let mut child = site.clone();
    if b.iter().any(|m| is_plain_string(ctx, m)) {
        child.open = Some(ty.clone());
    }
    let label = |m: &ReferenceOr<Schema>, i: usize| match m {
        ReferenceOr::Reference { reference } => {
            etna_spec::component(reference).map_or_else(|| reference.clone(), |(_, name)| name)
        }
        ReferenceOr::Item(s) => format!("inline {} #{i}", kind_name(s)),
    };
    let a_labels: Vec<String> = a.iter().enumerate().map(|(i, m)| label(m, i)).collect();
    let b_labels: Vec<String> = b.iter().enumerate().map(|(i, m)| label(m, i)).collect();
    let (o_list, n_list) = (&members.old_at, &members.new_at);
    for (i, name) in a_labels.iter().enumerate() {
        match b_labels.iter().position(|l| l == name) {
            Some(j) => {
                let (oa, na) = (push(o_list, &i.to_string()), push(n_list, &j.to_string()));
                compare(
                    ctx,
                    &child,
                    ((&a[i]).into(), &oa),
                    ((&b[j]).into(), &na),
                    subject,
                );
            }
            None => {
                let detail = format!(
                    "{subject} no longer has the shape `{name}`: its variant of {ty} is gone, so code naming it stops compiling"
                );
                ctx.push(
                    site.change(Rule::UnionMemberRemoved, o_list.clone(), detail)
                        .covering(n_list.clone()),
                );
            }
        }
    }
    for name in b_labels.iter().filter(|l| !a_labels.contains(l)) {
        let change = match site.dir {
            Dir::Request => site.change(Rule::UnionMemberAdded.with(Class::Compatible), n_list.clone(), format!("{subject} may also be `{name}`: {ty} gains a variant (an exhaustive `match` on it needs an arm)")),
            Dir::Response => site.change(Rule::UnionMemberAdded.with(Class::Breaking), n_list.clone(), format!("{subject} may now be `{name}`: clients built before fail to decode responses of that shape, and {ty} gains a variant")),
        };
        ctx.push(change.covering(o_list.clone()));
    }
}

/// Members are matched by position: the caller pairs only lists of the same
/// length.
pub(super) fn all_of(
    ctx: &mut Ctx,
    site: &Site,
    members: &Pair<[ReferenceOr<Schema>]>,
    subject: &str,
) {
    for (i, (x, y)) in members.old.iter().zip(members.new).enumerate() {
        let (oa, na) = (
            push(&members.old_at, &i.to_string()),
            push(&members.new_at, &i.to_string()),
        );
        compare(ctx, site, (x.into(), &oa), (y.into(), &na), subject);
    }
}

/// A member that accepts any string makes a union open.
fn is_plain_string(ctx: &Ctx, member: &ReferenceOr<Schema>) -> bool {
    resolve::schema(ctx.new, member.into(), "").is_ok_and(|node| {
        matches!(&node.schema.schema_kind, SchemaKind::Type(Type::String(s)) if s.enumeration.is_empty() && !constrained(s))
    })
}
