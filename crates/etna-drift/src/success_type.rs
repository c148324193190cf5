//! What `.call()` returns follows the shape of an operation's 2xx answers
//! (etna-codegen's `additions/operation.rs` and `shapes.rs`): an
//! envelope's `Model`, a plain body, `Answer<T>` for several 2xx,
//! `Answer<Option<T>>` when some 2xx have no body, `()` for none. A change
//! of that shape changes the result's type, whatever the body's schema.

use std::collections::BTreeMap;

use etna_spec::model::{Api, BodyKind};

use crate::Ctx;
use crate::change::{Change, operation_of};
use crate::rules::Rule;

/// `.call()`'s result for an operation's 2xx answers, in words.
fn shape(kinds: &[&BodyKind]) -> &'static str {
    let bodies = kinds.iter().filter(|k| ***k != BodyKind::Empty).count();
    if kinds.iter().any(|k| **k == BodyKind::Envelope) {
        "the envelope's `Model`"
    } else if bodies == 0 {
        "`()` (no JSON body)"
    } else if bodies < kinds.len() {
        "`Answer { status, body: Option<T> }`"
    } else if bodies > 1 {
        "`Answer { status, body }`"
    } else {
        "the body itself"
    }
}

fn shapes(api: &Api<'_>) -> BTreeMap<String, (&'static str, String)> {
    api.operations
        .iter()
        .map(|op| {
            let kinds: Vec<&BodyKind> = op.successes().map(|r| &r.kind).collect();
            (op.id.to_owned(), (shape(&kinds), op.at.clone()))
        })
        .collect()
}

/// Each operation (by id) whose result's shape differs between the specs.
pub(crate) fn compare(ctx: &mut Ctx) {
    let (Ok(old), Ok(new)) = (serde_json::to_value(ctx.old), serde_json::to_value(ctx.new)) else {
        return;
    };
    // A spec the model refuses is reported as such (`refused.rs`).
    let (Ok(old), Ok(new)) = (Api::read(&old), Api::read(&new)) else {
        return;
    };
    let before = shapes(&old);
    for (id, (after, at)) in shapes(&new) {
        let Some((was, _)) = before.get(&id) else {
            continue;
        };
        if *was == after {
            continue;
        }
        let pointer = etna_spec::pointer::push(&at, "responses");
        ctx.push(Change::new(
            Rule::SuccessTypeChanged,
            operation_of(&pointer).as_deref(),
            pointer,
            format!(
                "its 2xx answers change shape: `.call()` returned {was} and now returns {after}, so code using the result stops compiling"
            ),
        ));
    }
}
