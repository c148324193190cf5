//! Comparing two schemas by what changes in the generated Rust types. This
//! file follows the `$ref`s and walks each pair of schemas once; the parts of
//! a schema are compared in the files named for them.

mod components;
mod composition;
mod constraints;
mod enums;
mod properties;
mod types;

use etna_spec::pointer::push;
use heck::ToUpperCamelCase;
use serde_json::Value;

use crate::Ctx;
use crate::change::Change;
use crate::resolve::{self, SchemaRef};
use crate::rules::{Rule, Verdict};

pub(crate) use components::compare_components;

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
        verdict: impl Into<Verdict>,
        pointer: impl Into<String>,
        detail: impl AsRef<str>,
    ) -> Change {
        let mut message = format!("{}: {}", self.what, detail.as_ref());
        if let Some(rust) = &self.hand_written {
            message.push_str(&format!(
                " (the generated code does not change: `{rust}` is hand-written for this schema and must follow by hand)"
            ));
        }
        Change::new(verdict, self.operation.as_deref(), pointer, message)
    }
}

/// The old and the new side of one part of a schema, with where each is.
struct Pair<'a, T: ?Sized> {
    old: &'a T,
    new: &'a T,
    old_at: String,
    new_at: String,
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
                Rule::UnresolvedRef,
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
            site.change(Rule::TypeReplaced, new.1, detail)
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
        ctx.push(site.change(Rule::DefaultChanged, push(&n.at, "default"), detail));
    }
    types::kinds(ctx, &site, &o, &n, subject);
}

/// The site for values nested in this one: an open union's fallback accepts
/// strings, not the members of an object or an array.
fn closed(site: &Site) -> Site {
    Site {
        open: None,
        ..site.clone()
    }
}
