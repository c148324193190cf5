//! The operations of a spec as the comparisons see them, below all of them:
//! `operations.rs` pairs them and hands each pair to the parameter, payload,
//! security and server comparisons, which read them here.

use etna_spec::pointer::push;
use openapiv3::{OpenAPI, Operation, PathItem, ReferenceOr};

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

    pub(crate) fn id(&self) -> Option<&str> {
        self.op.operation_id.as_deref()
    }

    /// The path with parameter names blanked: `/v{version}` and `/v{v}` are
    /// the same URL.
    pub(crate) fn shape(&self) -> (String, &str) {
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

    pub(crate) fn method_name(&self) -> String {
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
