//! What `etna_spec::model` cannot express: the typed model of servers,
//! security and parameters that code generation, the mock and the CLI read
//! refuses such a spec as a whole, whatever else the change means.

use etna_spec::model::{Api, ModelError};

use crate::Ctx;
use crate::change::{Change, operation_of};
use crate::rules::Rule;

fn problems(spec: &serde_json::Value) -> Vec<ModelError> {
    Api::read(spec).err().unwrap_or_default()
}

/// Every problem of the new spec's model that the old spec did not have.
pub(crate) fn compare(ctx: &mut Ctx) {
    let (Ok(old), Ok(new)) = (serde_json::to_value(ctx.old), serde_json::to_value(ctx.new)) else {
        return;
    };
    let before = problems(&old);
    let declared = |name: &str| {
        new.pointer("/components/securitySchemes")
            .and_then(|all| all.get(name))
            .is_some()
    };
    for problem in problems(&new) {
        if before.contains(&problem) {
            continue;
        }
        // A requirement naming a declared scheme the model refuses: the
        // scheme's own problem says it once.
        let last = problem.pointer.rsplit('/').next().unwrap_or_default();
        if problem
            .message
            .contains("is not declared (or not supported)")
            && declared(&etna_spec::pointer::unescape(last))
        {
            continue;
        }
        let detail = format!(
            "{}: etna-spec's operation model, which code generation, the mock and the CLI read, cannot express it, so they refuse the spec until it changes",
            problem.message
        );
        ctx.push(Change::new(
            Rule::UnsupportedConstruct,
            operation_of(&problem.pointer).as_deref(),
            problem.pointer,
            detail,
        ));
    }
}
