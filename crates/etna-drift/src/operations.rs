//! Matching operations across the two specs: removed, added, moved, renamed.

use etna_spec::pointer::push;
use openapiv3::{OpenAPI, Operation, PathItem, ReferenceOr};

use crate::change::{Change, Class};
use crate::rules::Rule;
use crate::{Ctx, parameters, payloads, security, servers};

/// One operation and where it is.
pub(crate) struct Op<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub item: &'a PathItem,
    pub op: &'a Operation,
    /// `#/paths/~1x/post`.
    pub at: String,
}

impl Op<'_> {
    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    /// How a report names it: its `operationId`, else its method and path.
    pub(crate) fn name(&self) -> String {
        self.id()
            .map_or_else(|| self.label(), |id| format!("`{id}`"))
    }

    pub(crate) fn path_at(&self) -> String {
        push("#/paths", self.path)
    }

    fn id(&self) -> Option<&str> {
        self.op.operation_id.as_deref()
    }

    /// The path with parameter names blanked: `/v{version}` and `/v{v}` are
    /// the same URL.
    fn shape(&self) -> (String, &str) {
        let mut shape = String::new();
        let mut in_param = false;
        for c in self.path.chars() {
            match c {
                '{' => {
                    in_param = true;
                    shape.push_str("{}");
                }
                '}' => in_param = false,
                c if !in_param => shape.push(c),
                _ => {}
            }
        }
        (shape, self.method)
    }

    fn method_name(&self) -> String {
        self.id()
            .map_or_else(|| "(no operationId)".to_owned(), |id| format!("`{id}`"))
    }
}

/// The names of the operations of `api` that `follows` selects, e.g. those
/// that take the spec-wide `servers` or `security` for want of their own.
pub(crate) fn names_where(api: &OpenAPI, follows: impl Fn(&Op) -> bool) -> Vec<String> {
    all(api)
        .iter()
        .filter(|op| follows(op))
        .map(Op::name)
        .collect()
}

pub(crate) fn all(api: &OpenAPI) -> Vec<Op<'_>> {
    let mut ops = Vec::new();
    for (path, item) in &api.paths.paths {
        // preflight refuses `$ref` path items; the leftover walk reports changes to them.
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            ops.push(Op {
                method,
                path,
                item,
                op,
                at: push(&push("#/paths", path), method),
            });
        }
    }
    ops
}

pub(crate) fn compare(ctx: &mut Ctx) {
    let (old, new) = (all(ctx.old), all(ctx.new));
    let mut matched = vec![false; new.len()];
    let mut pairs = Vec::new();
    for o in &old {
        let by_id = new
            .iter()
            .enumerate()
            .position(|(i, n)| !matched[i] && o.id().is_some() && n.id() == o.id());
        let by_place = || {
            new.iter()
                .enumerate()
                .position(|(i, n)| !matched[i] && n.shape() == o.shape())
        };
        match by_id.or_else(by_place) {
            Some(i) => {
                matched[i] = true;
                pairs.push((o, &new[i]));
            }
            None => {
                let detail = format!(
                    "operation removed: the method {} of `etna_client::Client` is gone, so code calling it stops compiling",
                    o.method_name()
                );
                ctx.push(
                    Change::new(
                        Rule::OperationRemoved,
                        Some(&o.label()),
                        o.at.clone(),
                        detail,
                    )
                    .covering(o.path_at()),
                );
            }
        }
    }
    for (i, n) in new.iter().enumerate().filter(|(i, _)| !matched[*i]) {
        let _ = i;
        let detail = format!(
            "new operation: a new method {} of `etna_client::Client`",
            n.method_name()
        );
        ctx.push(
            Change::new(Rule::OperationAdded, Some(&n.label()), n.at.clone(), detail)
                .covering(n.path_at()),
        );
    }
    for (o, n) in pairs {
        pair(ctx, o, n);
    }
}

/// `x-etna-success`: how the operation's envelope says "done" (absent means
/// `is-succeed`). The wire does not change, but what `call()` reports does.
fn success_rule(ctx: &mut Ctx, o: &Op, n: &Op, label: &str) {
    let rule = |op: &Op| {
        op.op
            .extensions
            .get("x-etna-success")
            .and_then(|v| v.as_str())
            .unwrap_or("is-succeed")
            .to_owned()
    };
    let (old, new) = (rule(o), rule(n));
    if old == new {
        return;
    }
    let detail = format!(
        "the success rule changes from `{old}` to `{new}`: the same answer may now be reported as a refusal, or a refusal as a success, by `call()`; check every caller's handling of `Error::Refused`"
    );
    ctx.push(Change::new(
        Rule::SuccessRuleChanged,
        Some(label),
        push(&n.at, "x-etna-success"),
        detail,
    ));
}

fn pair(ctx: &mut Ctx, o: &Op, n: &Op) {
    let label = n.label();
    if o.id() != n.id() {
        let detail = format!(
            "operationId changes from {} to {}: compatible over HTTP, but breaking for Rust: the method of `etna_client::Client` is renamed, so code calling the old name stops compiling",
            o.method_name(),
            n.method_name()
        );
        ctx.push(Change::new(
            Rule::OperationIdChanged,
            Some(&label),
            push(&n.at, "operationId"),
            detail,
        ));
    }
    if o.shape() != n.shape() {
        let detail = format!(
            "the operation moves from `{}` to `{label}`: clients built before call a URL or method the API no longer serves; after regenerating, {} sends the new request",
            o.label(),
            n.method_name()
        );
        ctx.push(
            Change::new(Rule::OperationMoved, Some(&label), n.at.clone(), detail)
                .covering(o.at.clone())
                .covering(o.path_at())
                .covering(n.path_at()),
        );
    }
    if o.op.deprecated != n.op.deprecated {
        let (class, detail) = if n.op.deprecated {
            (
                Class::Warning,
                "the operation is now deprecated: the API may remove it; progenitor does not mark the generated method `#[deprecated]`, so the compiler will not tell callers",
            )
        } else {
            (Class::Compatible, "the operation is no longer deprecated")
        };
        ctx.push(Change::new(
            Rule::OperationDeprecated.with(class),
            Some(&label),
            push(&n.at, "deprecated"),
            detail,
        ));
    }
    success_rule(ctx, o, n, &label);
    parameters::compare(ctx, o, n, &label);
    payloads::request_body(ctx, o, n, &label);
    payloads::responses(ctx, o, n, &label);
    security::operation(ctx, o, n, &label);
    servers::operation(ctx, o, n, &label);
}
