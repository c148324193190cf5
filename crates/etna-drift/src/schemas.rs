//! Comparing two schemas by what changes in the generated Rust types.

use etna_spec::pointer::push;
use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{ObjectType, ReferenceOr, Schema, SchemaKind, StringType, Type};
use serde_json::Value;

use crate::Ctx;
use crate::change::{Change, Class};
use crate::resolve::{self, Node, SchemaRef};

/// Who writes the values of a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    /// The caller writes, the server reads (parameters, request bodies).
    Request,
    /// The server writes, the caller decodes (responses).
    Response,
}

/// Where a schema is used, for the messages and the classes.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub operation: Option<String>,
    /// What the caller knows it as: `request body`, `response 200`, …
    pub what: String,
    pub dir: Dir,
    /// Set inside a union that also accepts any string: values it does not
    /// list still decode, through that Rust type's fallback.
    pub open: Option<String>,
    /// Set inside a schema the client crate replaces with a hand-written type.
    pub hand_written: Option<String>,
}

impl Site {
    pub(crate) fn change(
        &self,
        class: Class,
        rule: &'static str,
        pointer: impl Into<String>,
        detail: impl AsRef<str>,
    ) -> Change {
        let mut message = format!("{}: {}", self.what, detail.as_ref());
        if let Some(rust) = &self.hand_written {
            message.push_str(&format!(
                " (the generated code does not change: `{rust}` is hand-written for this schema and must follow by hand)"
            ));
        }
        Change::new(class, rule, self.operation.as_deref(), pointer, message)
    }
}

/// The Rust type generated for a named schema.
pub(crate) fn rust_type(ctx: &Ctx, name: &str) -> String {
    ctx.options
        .hand_written(name)
        .unwrap_or_else(|| format!("types::{}", name.to_upper_camel_case()))
}

/// Compares the schemas `old` and `new`, used at `site`; `subject` names the
/// value for messages (e.g. "`ResetCodeRequest.Code`").
pub(crate) fn compare(
    ctx: &mut Ctx,
    site: &Site,
    old: (SchemaRef, &str),
    new: (SchemaRef, &str),
    subject: &str,
) {
    let (o, n) = match (
        resolve::schema(ctx.old, old.0, old.1),
        resolve::schema(ctx.new, new.0, new.1),
    ) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            ctx.push(site.change(
                Class::Warning,
                "unresolved-ref",
                new.1,
                format!("{subject}: cannot compare: {e}"),
            ));
            return;
        }
    };
    let key = format!("{}|{}|{:?}|{:?}", o.at, n.at, site.dir, site.operation);
    if !ctx.seen.insert(key) {
        return;
    }
    if let (Some(a), Some(b)) = (&o.name, &n.name)
        && a != b
    {
        let detail = format!(
            "{subject} is now `{}` instead of `{}`: the Rust type changes",
            rust_type(ctx, b),
            rust_type(ctx, a)
        );
        ctx.push(
            site.change(Class::Breaking, "type-replaced", new.1, detail)
                .covering(old.1),
        );
        return;
    }
    let mut site = site.clone();
    if let Some(name) = &n.name {
        site.hand_written = ctx.options.hand_written(name);
    }
    if o.schema.schema_data.default != n.schema.schema_data.default {
        let show = |v: &Option<Value>| v.as_ref().map_or("none".to_owned(), Value::to_string);
        let detail = format!(
            "the default of {subject} changes from {} to {}: callers that leave it out get the new value",
            show(&o.schema.schema_data.default),
            show(&n.schema.schema_data.default)
        );
        ctx.push(site.change(
            Class::Warning,
            "default-changed",
            push(&n.at, "default"),
            detail,
        ));
    }
    kinds(ctx, &site, &o, &n, subject);
}

/// The site for values nested in this one: an open union's fallback accepts
/// strings, not the members of an object or an array.
fn closed(site: &Site) -> Site {
    Site {
        open: None,
        ..site.clone()
    }
}

fn kind_name(schema: &Schema) -> &'static str {
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

fn kinds(ctx: &mut Ctx, site: &Site, o: &Node, n: &Node, subject: &str) {
    use SchemaKind as K;
    match (&o.schema.schema_kind, &n.schema.schema_kind) {
        (K::Type(Type::String(a)), K::Type(Type::String(b))) => {
            strings(ctx, site, n, a, b, subject)
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
            numbers(ctx, site, n, subject, bounds);
            enums(ctx, site, n, subject, &a.enumeration, &b.enumeration);
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
            numbers(ctx, site, n, subject, bounds);
            enums(ctx, site, n, subject, &a.enumeration, &b.enumeration);
        }
        (K::Type(Type::Boolean(a)), K::Type(Type::Boolean(b))) => {
            enums(ctx, site, n, subject, &a.enumeration, &b.enumeration);
        }
        (K::Type(Type::Object(a)), K::Type(Type::Object(b))) => {
            objects(ctx, &closed(site), o, n, a, b)
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
            bound_changes(
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
            unions(ctx, site, o, n, "oneOf", a, b, subject)
        }
        (K::AnyOf { any_of: a }, K::AnyOf { any_of: b }) => {
            unions(ctx, site, o, n, "anyOf", a, b, subject)
        }
        (K::AllOf { all_of: a }, K::AllOf { all_of: b }) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                let (oa, na) = (
                    push(&push(&o.at, "allOf"), &i.to_string()),
                    push(&push(&n.at, "allOf"), &i.to_string()),
                );
                compare(ctx, site, (x.into(), &oa), (y.into(), &na), subject);
            }
        }
        (a, b) if a == b => {}
        _ => {
            let detail = format!(
                "{subject} changes from {} to {}: the Rust type changes, and values of one do not decode as the other",
                kind_name(o.schema),
                kind_name(n.schema)
            );
            ctx.push(
                site.change(Class::Breaking, "type-changed", n.at.clone(), detail)
                    .covering(o.at.clone()),
            );
        }
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
        ctx.push(site.change(
            Class::Breaking,
            "format-changed",
            push(&n.at, "format"),
            detail,
        ));
    }
}

/// A string becomes a validating newtype in Rust when it has any of these.
fn constrained(s: &StringType) -> bool {
    s.pattern.is_some() || s.min_length.is_some() || s.max_length.is_some()
}

fn strings(ctx: &mut Ctx, site: &Site, n: &Node, a: &StringType, b: &StringType, subject: &str) {
    format(ctx, site, n, subject, &a.format, &b.format);
    enums(ctx, site, n, subject, &a.enumeration, &b.enumeration);
    if !a.enumeration.is_empty() || !b.enumeration.is_empty() {
        return;
    }
    if constrained(a) != constrained(b) {
        let detail = if constrained(b) {
            format!(
                "{subject} gains its first length or pattern limit: its Rust type changes from `String` to a validating newtype"
            )
        } else {
            format!(
                "{subject} loses its last length or pattern limit: its Rust type changes from a validating newtype to `String`"
            )
        };
        ctx.push(site.change(Class::Breaking, "newtype-changed", n.at.clone(), detail));
        return;
    }
    let to_f = |v: Option<usize>| v.map(|v| v as f64);
    let bounds = [
        (to_f(a.min_length), false, to_f(b.min_length), false),
        (to_f(a.max_length), false, to_f(b.max_length), false),
    ];
    bound_changes(
        ctx,
        site,
        n,
        subject,
        bounds,
        ["minLength", "maxLength"],
        true,
    );
    match (&a.pattern, &b.pattern) {
        (None, None) => {}
        (x, y) if x == y => {}
        (None, Some(p)) => constraint(
            ctx,
            site,
            push(&n.at, "pattern"),
            &format!("{subject} must now match `{p}`"),
            true,
            true,
        ),
        (Some(p), None) => constraint(
            ctx,
            site,
            push(&n.at, "pattern"),
            &format!("{subject} no longer has to match `{p}`"),
            false,
            true,
        ),
        (Some(x), Some(y)) => {
            let detail = format!(
                "the pattern of {subject} changes from `{x}` to `{y}`: drift cannot tell whether it accepts fewer values; check both"
            );
            ctx.push(site.change(
                Class::Warning,
                "pattern-changed",
                push(&n.at, "pattern"),
                detail,
            ));
        }
    }
}

type Bound = (Option<f64>, bool, Option<f64>, bool);

fn numbers(ctx: &mut Ctx, site: &Site, n: &Node, subject: &str, bounds: [Bound; 2]) {
    bound_changes(ctx, site, n, subject, bounds, ["minimum", "maximum"], false);
}

/// Reports a lower and an upper bound that moved. `validated`: the generated
/// type checks the bound when decoding (typify does for string lengths and
/// patterns, not for numbers or array lengths).
fn bound_changes(
    ctx: &mut Ctx,
    site: &Site,
    n: &Node,
    subject: &str,
    [lower, upper]: [Bound; 2],
    [lower_key, upper_key]: [&str; 2],
    validated: bool,
) {
    let show = |v: Option<f64>, excl: bool| match v {
        None => "none".to_owned(),
        Some(v) if excl => format!("{v} (exclusive)"),
        Some(v) => v.to_string(),
    };
    for ((old, old_excl, new, new_excl), key, sign) in
        [(lower, lower_key, 1.0), (upper, upper_key, -1.0)]
    {
        let narrowed = match (old, new) {
            (None, None) => continue,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(x), Some(y)) if x == y && old_excl == new_excl => continue,
            (Some(x), Some(y)) if x == y => new_excl,
            (Some(x), Some(y)) => (y - x) * sign > 0.0,
        };
        let detail = format!(
            "`{key}` of {subject} changes from {} to {}",
            show(old, old_excl),
            show(new, new_excl)
        );
        constraint(ctx, site, push(&n.at, key), &detail, narrowed, validated);
    }
}

/// A limit moved: `narrowed` means fewer values are valid now.
fn constraint(
    ctx: &mut Ctx,
    site: &Site,
    pointer: String,
    detail: &str,
    narrowed: bool,
    validated: bool,
) {
    let (class, rule, effect) = match (site.dir, narrowed) {
        (Dir::Request, true) => (
            Class::Breaking,
            "limit-narrowed",
            if validated {
                "values that were valid are now refused: by the generated type's `TryFrom` before sending, or by the server"
            } else {
                "values that were valid are now refused by the server"
            },
        ),
        (Dir::Request, false) => (
            Class::Compatible,
            "limit-widened",
            "more values are accepted",
        ),
        (Dir::Response, true) => (
            Class::Compatible,
            "limit-narrowed",
            "the server sends fewer kinds of values",
        ),
        (Dir::Response, false) if validated => (
            Class::Breaking,
            "limit-widened",
            "the generated type checks the limit when decoding, so clients built before fail to decode the values now allowed",
        ),
        (Dir::Response, false) => (
            Class::Warning,
            "limit-widened",
            "the server may send values outside the old limit; the generated types do not check it, but code that relied on it may be wrong",
        ),
    };
    ctx.push(site.change(class, rule, pointer, format!("{detail}: {effect}")));
}

fn enums<T: serde::Serialize>(
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
        ctx.push(site.change(Class::Breaking, "enum-changed", pointer, detail));
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
        ctx.push(site.change(
            Class::Breaking,
            "enum-value-removed",
            pointer.clone(),
            detail,
        ));
    }
    if !added.is_empty() {
        let values = list(added);
        let change = match (site.dir, &site.open) {
            (Dir::Request, _) => site.change(
                Class::Compatible,
                "enum-value-added",
                pointer,
                format!("{subject} accepts the new value(s) {values}: {ty} gains variants (an exhaustive `match` on it needs an arm)"),
            ),
            (Dir::Response, Some(open)) => site.change(
                Class::Compatible,
                "enum-value-added",
                pointer,
                format!(
                    "{subject} lists the new value(s) {values}: compatible because {open} is open (it also accepts any other string): clients built before decode them through its fallback; after regenerating, {ty} has variants for them"
                ),
            ),
            (Dir::Response, None) => site.change(
                Class::Breaking,
                "enum-value-added",
                pointer,
                format!(
                    "{subject} may now be {values}: {ty} is a closed Rust enum, so clients built before fail to decode such a response, and an exhaustive `match` needs an arm"
                ),
            ),
        };
        ctx.push(change);
    }
}

fn objects(ctx: &mut Ctx, site: &Site, o: &Node, n: &Node, a: &ObjectType, b: &ObjectType) {
    let parent = n
        .name
        .clone()
        .unwrap_or_else(|| "an inline object".to_owned());
    let ty = n.name.as_ref().map_or_else(
        || "the generated struct".to_owned(),
        |name| format!("`{}`", rust_type(ctx, name)),
    );
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
    let (o_props, n_props) = (push(&o.at, "properties"), push(&n.at, "properties"));
    let (o_req, n_req) = (push(&o.at, "required"), push(&n.at, "required"));

    if let ([old_name], [new_name]) = (removed.as_slice(), added.as_slice())
        && same_shape(&a.properties[*old_name], &b.properties[*new_name])
    {
        let detail = format!(
            "property `{old_name}` of `{parent}` is renamed to `{new_name}`: the field `{}` of {ty} becomes `{}`, and the two sides of the wire no longer match",
            old_name.to_snake_case(),
            new_name.to_snake_case()
        );
        ctx.push(
            site.change(
                Class::Breaking,
                "property-renamed",
                push(&n_props, new_name),
                detail,
            )
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
                site.change(
                    Class::Breaking,
                    "property-removed",
                    push(&o_props, name),
                    detail,
                )
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
                site.change(class, "property-added", push(&n_props, name), detail)
                    .covering(n_req.clone()),
            );
        }
    }
    for (name, old_prop) in &a.properties {
        let Some(new_prop) = b.properties.get(name) else {
            continue;
        };
        let (op, np) = (push(&o_props, name), push(&n_props, name));
        property(
            ctx,
            site,
            &parent,
            &ty,
            name,
            (a, old_prop, &op),
            (b, new_prop, &np),
            (&o_req, &n_req),
        );
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

type PropSide<'a> = (&'a ObjectType, &'a ReferenceOr<Box<Schema>>, &'a str);

#[allow(clippy::too_many_arguments)]
fn property(
    ctx: &mut Ctx,
    site: &Site,
    parent: &str,
    ty: &str,
    name: &str,
    (a, old_prop, op): PropSide,
    (b, new_prop, np): PropSide,
    (o_req, n_req): (&str, &str),
) {
    let nullable = |api, prop: &ReferenceOr<Box<Schema>>, at: &str| {
        resolve::schema(api, prop.into(), at)
            .map(|node| (node.nullable, push(&node.at, "nullable")))
    };
    if let (Ok((o_null, o_null_at)), Ok((n_null, n_null_at))) = (
        nullable(ctx.old, old_prop, op),
        nullable(ctx.new, new_prop, np),
    ) {
        let (was_req, is_req) = (
            a.required.iter().any(|r| r == name),
            b.required.iter().any(|r| r == name),
        );
        let (was_opt, is_opt) = (!was_req || o_null, !is_req || n_null);
        let field = name.to_snake_case();
        let found = if was_opt != is_opt {
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
                Class::Breaking,
                "property-optionality",
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
                class,
                "property-required",
                format!("property `{name}` of `{parent}` {why}: {effect}"),
            ))
        } else {
            None
        };
        if let Some((class, rule, detail)) = found {
            ctx.push(
                site.change(class, rule, np.to_owned(), detail)
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
        (old_prop.into(), op),
        (new_prop.into(), np),
        &format!("`{parent}.{name}`"),
    );
}

#[allow(clippy::too_many_arguments)]
fn unions(
    ctx: &mut Ctx,
    site: &Site,
    o: &Node,
    n: &Node,
    keyword: &str,
    a: &[ReferenceOr<Schema>],
    b: &[ReferenceOr<Schema>],
    subject: &str,
) {
    let ty = n.name.as_ref().map_or_else(
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
    let (o_list, n_list) = (push(&o.at, keyword), push(&n.at, keyword));
    for (i, name) in a_labels.iter().enumerate() {
        match b_labels.iter().position(|l| l == name) {
            Some(j) => {
                let (oa, na) = (push(&o_list, &i.to_string()), push(&n_list, &j.to_string()));
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
                    site.change(
                        Class::Breaking,
                        "union-member-removed",
                        o_list.clone(),
                        detail,
                    )
                    .covering(n_list.clone()),
                );
            }
        }
    }
    for name in b_labels.iter().filter(|l| !a_labels.contains(l)) {
        let change = match site.dir {
            Dir::Request => site.change(Class::Compatible, "union-member-added", n_list.clone(), format!("{subject} may also be `{name}`: {ty} gains a variant (an exhaustive `match` on it needs an arm)")),
            Dir::Response => site.change(Class::Breaking, "union-member-added", n_list.clone(), format!("{subject} may now be `{name}`: clients built before fail to decode responses of that shape, and {ty} gains a variant")),
        };
        ctx.push(change.covering(o_list.clone()));
    }
}

/// A member that accepts any string makes a union open.
fn is_plain_string(ctx: &Ctx, member: &ReferenceOr<Schema>) -> bool {
    resolve::schema(ctx.new, member.into(), "").is_ok_and(|node| {
        matches!(&node.schema.schema_kind, SchemaKind::Type(Type::String(s)) if s.enumeration.is_empty() && !constrained(s))
    })
}

/// Component schemas appear as Rust types whether an operation uses them or not.
pub(crate) fn compare_components(ctx: &mut Ctx) {
    let names = |api: &openapiv3::OpenAPI| -> Vec<String> {
        api.components
            .as_ref()
            .map(|c| c.schemas.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (old, new) = (names(ctx.old), names(ctx.new));
    for name in old.iter().filter(|n| !new.contains(n)) {
        let detail = format!(
            "schema `{name}` is removed: the type `{}` is gone, so code naming it stops compiling",
            rust_type(ctx, name)
        );
        ctx.push(Change::new(
            Class::Breaking,
            "schema-removed",
            None,
            push("#/components/schemas", name),
            detail,
        ));
    }
    for name in new.iter().filter(|n| !old.contains(n)) {
        let detail = format!("new schema `{name}`: a new type `{}`", rust_type(ctx, name));
        ctx.push(Change::new(
            Class::Compatible,
            "schema-added",
            None,
            push("#/components/schemas", name),
            detail,
        ));
    }
}
