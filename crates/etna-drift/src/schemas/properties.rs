//! Objects: their properties and which are required or nullable, i.e. the
//! fields of a Rust struct and which are `Option`s.

use etna_spec::pointer::push;
use heck::ToSnakeCase;
use openapiv3::{ObjectType, ReferenceOr, Schema};
use serde_json::Value;

use super::{Dir, Pair, Site, compare, rust_type};
use crate::Ctx;
use crate::change::Class;
use crate::resolve;
use crate::rules::{Rule, Verdict};

/// The object that properties belong to, as the messages name it.
struct Owner {
    /// The schema name, or "an inline object".
    parent: String,
    /// Its Rust type, quoted, or "the generated struct".
    ty: String,
}

/// Compares two objects; `name` is the new side's component schema, if any.
pub(super) fn objects(ctx: &mut Ctx, site: &Site, name: Option<&str>, objects: &Pair<ObjectType>) {
    let (a, b) = (objects.old, objects.new);
    let owner = Owner {
        parent: name.map_or_else(|| "an inline object".to_owned(), str::to_owned),
        ty: name.map_or_else(
            || "the generated struct".to_owned(),
            |name| format!("`{}`", rust_type(ctx, name)),
        ),
    };
    let Owner { parent, ty } = &owner;
    let removed: Vec<&String> = a
        .properties
        .keys()
        .filter(|k| !b.properties.contains_key(*k))
        .collect();
    let added: Vec<&String> = b
        .properties
        .keys()
        .filter(|k| !a.properties.contains_key(*k))
        .collect();
    let (o_props, n_props) = (
        push(&objects.old_at, "properties"),
        push(&objects.new_at, "properties"),
    );
    let (o_req, n_req) = (
        push(&objects.old_at, "required"),
        push(&objects.new_at, "required"),
    );

    if let ([old_name], [new_name]) = (removed.as_slice(), added.as_slice())
        && same_shape(&a.properties[*old_name], &b.properties[*new_name])
    {
        let detail = format!(
            "property `{old_name}` of `{parent}` is renamed to `{new_name}`: the field `{}` of {ty} becomes `{}`, and the two sides of the wire no longer match",
            old_name.to_snake_case(),
            new_name.to_snake_case()
        );
        ctx.push(
            site.change(Rule::PropertyRenamed, push(&n_props, new_name), detail)
                .covering(push(&o_props, old_name))
                .covering(o_req.clone())
                .covering(n_req.clone()),
        );
    } else {
        for name in removed {
            let field = name.to_snake_case();
            let effect = match site.dir {
                Dir::Request => "code that sets it stops compiling; the server no longer reads it",
                Dir::Response if a.required.contains(name) => {
                    "code reading it stops compiling, and clients built before fail to decode responses without it"
                }
                Dir::Response => "code reading it stops compiling",
            };
            let detail = format!(
                "property `{name}` of `{parent}` is removed: the field `{field}` of {ty} is gone: {effect}"
            );
            ctx.push(
                site.change(Rule::PropertyRemoved, push(&o_props, name), detail)
                    .covering(o_req.clone())
                    .covering(n_req.clone()),
            );
        }
        for name in added {
            let field = name.to_snake_case();
            let required = b.required.contains(name);
            let (class, effect) = match (site.dir, required) {
                (Dir::Request, true) => (
                    Class::Breaking,
                    format!(
                        "it is required: every request must set the new field `{field}` of {ty}, and struct literals without it stop compiling"
                    ),
                ),
                (Dir::Request, false) => (
                    Class::Breaking,
                    format!(
                        "compatible over HTTP, but breaking for Rust: {ty} gains the field `{field}: Option<_>`, so struct literals stop compiling until they set it (`None` keeps the old request)"
                    ),
                ),
                (Dir::Response, _) if denies_unknown(a) => (
                    Class::Breaking,
                    format!(
                        "{ty} had `additionalProperties: false` (it rejects unknown fields), so clients built before fail to decode responses that carry it"
                    ),
                ),
                (Dir::Response, _) => (
                    Class::Compatible,
                    format!(
                        "{ty} gains the field `{field}`; code reading responses is unaffected, and clients built before ignore it (code that builds {ty} with a struct literal, e.g. a test double, must set it)"
                    ),
                ),
            };
            let detail = format!(
                "new {} property `{name}` of `{parent}`: {effect}",
                if required { "required" } else { "optional" }
            );
            ctx.push(
                site.change(
                    Rule::PropertyAdded.with(class),
                    push(&n_props, name),
                    detail,
                )
                .covering(n_req.clone()),
            );
        }
    }
    for (name, old_prop) in &a.properties {
        let Some(new_prop) = b.properties.get(name) else {
            continue;
        };
        let prop = Pair {
            old: old_prop,
            new: new_prop,
            old_at: push(&o_props, name),
            new_at: push(&n_props, name),
        };
        property(ctx, site, &owner, objects, name, &prop);
    }
}

fn denies_unknown(object: &ObjectType) -> bool {
    matches!(
        object.additional_properties,
        Some(openapiv3::AdditionalProperties::Any(false))
    )
}

/// Two property schemas that differ only in documentation.
fn same_shape(a: &ReferenceOr<Box<Schema>>, b: &ReferenceOr<Box<Schema>>) -> bool {
    let strip = |s: &ReferenceOr<Box<Schema>>| {
        let mut value = serde_json::to_value(s).unwrap_or(Value::Null);
        if let Some(map) = value.as_object_mut() {
            for key in ["description", "example", "title"] {
                map.remove(key);
            }
        }
        value
    };
    strip(a) == strip(b)
}

/// The property `name` of both `objects`, present on both sides.
fn property(
    ctx: &mut Ctx,
    site: &Site,
    Owner { parent, ty }: &Owner,
    objects: &Pair<ObjectType>,
    name: &str,
    prop: &Pair<ReferenceOr<Box<Schema>>>,
) {
    let (a, b) = (objects.old, objects.new);
    let (op, np) = (prop.old_at.as_str(), prop.new_at.as_str());
    let (o_req, n_req) = (
        push(&objects.old_at, "required"),
        push(&objects.new_at, "required"),
    );
    let nullable = |api, prop: &ReferenceOr<Box<Schema>>, at: &str| {
        resolve::schema(api, prop.into(), at)
            .map(|node| (node.nullable, push(&node.at, "nullable")))
    };
    if let (Ok((o_null, o_null_at)), Ok((n_null, n_null_at))) = (
        nullable(ctx.old, prop.old, op),
        nullable(ctx.new, prop.new, np),
    ) {
        let (was_req, is_req) = (
            a.required.iter().any(|r| r == name),
            b.required.iter().any(|r| r == name),
        );
        let (was_opt, is_opt) = (!was_req || o_null, !is_req || n_null);
        let field = name.to_snake_case();
        let found: Option<(Verdict, String)> = if was_opt != is_opt {
            let why = match (is_opt, was_req != is_req) {
                (true, true) => "is no longer required",
                (true, false) => "may now be null",
                (false, true) => "is now required",
                (false, false) => "may no longer be null",
            };
            let effect = match (site.dir, is_opt) {
                (Dir::Request, true) => format!(
                    "compatible over HTTP, but breaking for Rust: the field `{field}` of {ty} becomes an `Option`, so struct literals must wrap the value in `Some(..)`"
                ),
                (Dir::Request, false) => format!(
                    "requests without it are refused, and the field `{field}` of {ty} is no longer an `Option`, so struct literals must change"
                ),
                (Dir::Response, true) => format!(
                    "the field `{field}` of {ty} becomes an `Option`, so code reading it stops compiling, and clients built before fail to decode responses where it is absent or null"
                ),
                (Dir::Response, false) => format!(
                    "compatible over HTTP, but breaking for Rust: the field `{field}` of {ty} is no longer an `Option`, so code matching `Some(..)` stops compiling"
                ),
            };
            Some((
                Rule::PropertyOptionality.into(),
                format!("property `{name}` of `{parent}` {why}: {effect}"),
            ))
        } else if was_req != is_req {
            let (class, effect) = match (site.dir, is_req) {
                (Dir::Request, true) => (
                    Class::Breaking,
                    "the server refuses requests without it, and since the field stays an `Option` (it may be null) the compiler does not point at them",
                ),
                _ => (
                    Class::Compatible,
                    "the Rust type stays an `Option` (it may be null)",
                ),
            };
            let why = if is_req {
                "is now required"
            } else {
                "is no longer required"
            };
            Some((
                Rule::PropertyRequired.with(class),
                format!("property `{name}` of `{parent}` {why}: {effect}"),
            ))
        } else {
            None
        };
        if let Some((verdict, detail)) = found {
            ctx.push(
                site.change(verdict, np.to_owned(), detail)
                    .covering(o_req)
                    .covering(n_req)
                    .covering(o_null_at)
                    .covering(n_null_at),
            );
        }
    }
    compare(
        ctx,
        site,
        (prop.old.into(), op),
        (prop.new.into(), np),
        &format!("`{parent}.{name}`"),
    );
}
