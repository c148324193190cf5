//! Matching operations across the two specs: removed, added, moved, renamed.

use etna_spec::pointer::push;

use crate::change::{Change, Class};
use crate::op::{Op, all};
use crate::rules::Rule;
use crate::{Ctx, parameters, payloads, security, servers};

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
