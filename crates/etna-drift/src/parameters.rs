//! Parameters (path, query, header, cookie): the builder methods of a call.

use etna_spec::{pointer::push, typed};
use heck::ToSnakeCase;
use openapiv3::{OpenAPI, Parameter, ParameterData, ParameterSchemaOrContent, ReferenceOr};

use crate::Ctx;
use crate::change::{Change, Class};
use crate::op::Op;
use crate::resolve;
use crate::rules::Rule;
use crate::schemas::{self, Dir, Site};

struct Param<'a> {
    kind: &'static str,
    data: &'a ParameterData,
    at: String,
}

impl Param<'_> {
    /// Header names are case-insensitive; the rest are not.
    fn key(&self) -> (&'static str, String) {
        let name = if self.kind == "header" {
            self.data.name.to_ascii_lowercase()
        } else {
            self.data.name.clone()
        };
        (self.kind, name)
    }

    fn describe(&self) -> String {
        format!("{} parameter `{}`", self.kind, self.data.name)
    }

    fn method(&self) -> String {
        format!("`.{}(..)`", self.data.name.to_snake_case())
    }
}

/// The parameters of `op`, those of its path item included; the operation's
/// own win, as in OpenAPI.
fn effective<'a>(
    api: &'a OpenAPI,
    op: &'a Op,
    ctx_changes: &mut Vec<Change>,
    label: &str,
) -> Vec<Param<'a>> {
    let mut params: Vec<Param> = Vec::new();
    let lists = [
        (&op.item.parameters, op.path_at()),
        (&op.op.parameters, op.at.clone()),
    ];
    for (list, base) in lists {
        for (i, param) in list.iter().enumerate() {
            let at = push(&push(&base, "parameters"), &i.to_string());
            match typed::follow(api, param, at.clone()) {
                Ok((param, at)) => {
                    let (kind, data) = split(param);
                    let param = Param { kind, data, at };
                    params.retain(|p| p.key() != param.key());
                    params.push(param);
                }
                Err(e) => ctx_changes.push(Change::new(
                    Rule::UnresolvedRef,
                    Some(label),
                    at,
                    format!("cannot compare a parameter: {e}"),
                )),
            }
        }
    }
    params
}

fn split(param: &Parameter) -> (&'static str, &ParameterData) {
    match param {
        Parameter::Query { parameter_data, .. } => ("query", parameter_data),
        Parameter::Header { parameter_data, .. } => ("header", parameter_data),
        Parameter::Path { parameter_data, .. } => ("path", parameter_data),
        Parameter::Cookie { parameter_data, .. } => ("cookie", parameter_data),
    }
}

pub(crate) fn compare(ctx: &mut Ctx, o: &Op, n: &Op, label: &str) {
    let mut unresolved = Vec::new();
    let old = effective(ctx.old, o, &mut unresolved, label);
    let new = effective(ctx.new, n, &mut unresolved, label);
    ctx.changes.extend(unresolved);
    // Where the list itself changed, so that a shifted index is not reported again.
    let lists = [
        push(&o.at, "parameters"),
        push(&n.at, "parameters"),
        push(&o.path_at(), "parameters"),
        push(&n.path_at(), "parameters"),
    ];
    let covering = |mut change: Change| {
        change.covers.extend(lists.iter().cloned());
        change
    };
    for p in &old {
        if new.iter().any(|q| q.key() == p.key()) {
            continue;
        }
        let detail = format!(
            "{} is removed: the builder method {} is gone, so code calling it stops compiling",
            p.describe(),
            p.method()
        );
        ctx.push(covering(Change::new(
            Rule::ParameterRemoved,
            Some(label),
            p.at.clone(),
            detail,
        )));
    }
    for q in &new {
        let Some(p) = old.iter().find(|p| p.key() == q.key()) else {
            let (class, detail) = if q.data.required {
                (
                    Class::Breaking,
                    format!(
                        "new required {}: `send()` fails with `Error::InvalidRequest` until callers call {}",
                        q.describe(),
                        q.method()
                    ),
                )
            } else {
                (
                    Class::Compatible,
                    format!(
                        "new optional {}: a new builder method {}",
                        q.describe(),
                        q.method()
                    ),
                )
            };
            ctx.push(covering(Change::new(
                Rule::ParameterAdded.with(class),
                Some(label),
                q.at.clone(),
                detail,
            )));
            continue;
        };
        if p.data.required != q.data.required {
            let change = if q.data.required {
                Change::new(
                    Rule::ParameterRequired.with(Class::Breaking),
                    Some(label),
                    push(&q.at, "required"),
                    format!(
                        "{} is now required: `send()` fails with `Error::InvalidRequest` unless callers call {}",
                        q.describe(),
                        q.method()
                    ),
                )
            } else {
                Change::new(
                    Rule::ParameterRequired.with(Class::Compatible),
                    Some(label),
                    push(&q.at, "required"),
                    format!(
                        "{} is now optional: callers may leave out {}",
                        q.describe(),
                        q.method()
                    ),
                )
            };
            ctx.push(change);
        }
        if let (ParameterSchemaOrContent::Schema(a), ParameterSchemaOrContent::Schema(b)) =
            (&p.data.format, &q.data.format)
        {
            let site = Site {
                operation: Some(label.to_owned()),
                what: q.describe(),
                dir: Dir::Request,
                open: None,
                hand_written: None,
            };
            let (oa, na) = (push(&p.at, "schema"), push(&q.at, "schema"));
            schemas::compare(
                ctx,
                &site,
                (schema_ref(a), &oa),
                (schema_ref(b), &na),
                "its value",
            );
        }
    }
}

fn schema_ref(schema: &ReferenceOr<openapiv3::Schema>) -> resolve::SchemaRef<'_> {
    schema.into()
}
