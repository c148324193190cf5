//! The rule that the spec says which answer refuses each credential an
//! operation requires (`x-etna-refuses`): the client reports exactly those
//! answers as a refused app key or session, and the mock answers a missing
//! credential with them, so an operation without one would turn a refused
//! key into an ordinary refusal.

use etna_spec::model::{Api, Need};
use serde_json::Value;

use super::{Rule, Violation};
use crate::pointer;

const MARK: &str = "x-etna-refuses";

pub(super) fn check(spec: &Value, out: &mut Vec<Violation>) {
    let api = match Api::read(spec) {
        Ok(api) => api,
        Err(problems) => {
            // Only the mark's own problems: the rest is codegen's to report.
            out.extend(
                problems
                    .into_iter()
                    .filter(|p| p.pointer.ends_with(&format!("/{MARK}")))
                    .map(|p| Violation {
                        pointer: p.pointer,
                        rule: Rule::CredentialRefusal,
                        message: p.message,
                    }),
            );
            return;
        }
    };
    for op in &api.operations {
        for scheme in api.schemes.keys() {
            if op.needs(scheme) == Need::Required && op.refusal_of(scheme).is_none() {
                out.push(Violation {
                    pointer: pointer::push(&op.at, "responses"),
                    rule: Rule::CredentialRefusal,
                    message: format!(
                        "`{}` requires `{scheme}` but documents no answer that refuses it; document it with `{MARK}: {scheme}` (e.g. a `$ref` to the shared answer)",
                        op.id
                    ),
                });
            }
        }
    }
}
