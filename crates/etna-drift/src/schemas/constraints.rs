//! Limits on values: lengths, ranges, item counts and patterns. They change
//! which values are valid, and for strings whether the Rust type is `String`
//! or a validating newtype.

use etna_spec::pointer::push;
use openapiv3::StringType;

use super::{Dir, Site};
use crate::Ctx;
use crate::change::Class;
use crate::resolve::Node;
use crate::rules::Rule;

/// A string becomes a validating newtype in Rust when it has any of these.
pub(super) fn constrained(s: &StringType) -> bool {
    s.pattern.is_some() || s.min_length.is_some() || s.max_length.is_some()
}

/// The limits of a string that is not an enum.
pub(super) fn strings(
    ctx: &mut Ctx,
    site: &Site,
    n: &Node,
    a: &StringType,
    b: &StringType,
    subject: &str,
) {
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
        ctx.push(site.change(Rule::NewtypeChanged, n.at.clone(), detail));
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
            ctx.push(site.change(Rule::PatternChanged, push(&n.at, "pattern"), detail));
        }
    }
}

pub(super) type Bound = (Option<f64>, bool, Option<f64>, bool);

pub(super) fn numbers(ctx: &mut Ctx, site: &Site, n: &Node, subject: &str, bounds: [Bound; 2]) {
    bound_changes(ctx, site, n, subject, bounds, ["minimum", "maximum"], false);
}

/// Reports a lower and an upper bound that moved. `validated`: the generated
/// type checks the bound when decoding (typify does for string lengths and
/// patterns, not for numbers or array lengths).
pub(super) fn bound_changes(
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
    let (verdict, effect) = match (site.dir, narrowed) {
        (Dir::Request, true) => (
            Rule::LimitNarrowed.with(Class::Breaking),
            if validated {
                "values that were valid are now refused: by the generated type's `TryFrom` before sending, or by the server"
            } else {
                "values that were valid are now refused by the server"
            },
        ),
        (Dir::Request, false) => (
            Rule::LimitWidened.with(Class::Compatible),
            "more values are accepted",
        ),
        (Dir::Response, true) => (
            Rule::LimitNarrowed.with(Class::Compatible),
            "the server sends fewer kinds of values",
        ),
        (Dir::Response, false) if validated => (
            Rule::LimitWidened.with(Class::Breaking),
            "the generated type checks the limit when decoding, so clients built before fail to decode the values now allowed",
        ),
        (Dir::Response, false) => (
            Rule::LimitWidened.with(Class::Warning),
            "the server may send values outside the old limit; the generated types do not check it, but code that relied on it may be wrong",
        ),
    };
    ctx.push(site.change(verdict, pointer, format!("{detail}: {effect}")));
}
