//! A pass over progenitor's output that sends `format: password` header
//! parameters with their real value. Progenitor appends every header value
//! as `value.to_string().try_into()?`; the generated type of a secret is
//! `etna_client::Secret`, whose `to_string()` is `<redacted>`. The pass
//! replaces that expression, for the secret headers of each operation, with
//! `etna_client::__private::secret_header(&value)?`, which sends the value and
//! marks it sensitive. A secret header whose `send` has no such statement
//! fails codegen: the secret would otherwise go out as `<redacted>`.

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::{Expr, Stmt};

use crate::CodegenError;
use crate::builders::{Builder, header_appends};
use crate::syntax::upper_camel;
use etna_spec::model::Api;

/// Rewrites the secret headers of every `send`; returns how many.
pub(crate) fn send_secret_headers(
    api: &Api<'_>,
    builders: &mut [Builder<'_>],
) -> Result<usize, CodegenError> {
    // By builder name: the header names that are secrets.
    let mut wanted: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for op in &api.operations {
        let secrets: Vec<String> = op
            .parameters
            .iter()
            .filter(|p| p.secret && p.location == etna_spec::model::Location::Header)
            .map(|p| p.name.clone())
            .collect();
        if !secrets.is_empty() {
            wanted.insert(upper_camel(op.id), (op.id.to_owned(), secrets));
        }
    }
    let mut changed = 0;
    for builder in builders {
        let function = &mut *builder.send;
        let Some((id, secrets)) = wanted.remove(&builder.name) else {
            continue;
        };
        let mut done = Vec::new();
        rewrite(&mut function.block.stmts, &secrets, &mut done);
        for header in &secrets {
            if !done.contains(header) {
                return Err(CodegenError::UnexpectedShape(format!(
                    "secret headers: operation `{id}`: its `send` does not append the header `{header}` as `value.to_string().try_into()?`; it would be sent as `<redacted>`"
                )));
            }
        }
        changed += done.len();
    }
    if let Some((_, (id, _))) = wanted.into_iter().next() {
        return Err(CodegenError::UnexpectedShape(format!(
            "secret headers: operation `{id}` has no builder with a `send`"
        )));
    }
    Ok(changed)
}

fn rewrite(stmts: &mut [Stmt], secrets: &[String], done: &mut Vec<String>) {
    for (header, call) in header_appends(stmts) {
        if !secrets.contains(&header) {
            continue;
        }
        let Some(value) = to_string_receiver(&call.args[1]) else {
            continue;
        };
        call.args[1] = syn::parse_quote! {
            ::etna_client::__private::secret_header(&#value)?
        };
        done.push(header);
    }
}

/// `X` of `X.to_string().try_into()?`.
fn to_string_receiver(expr: &Expr) -> Option<Expr> {
    let Expr::Try(attempt) = expr else {
        return None;
    };
    let Expr::MethodCall(try_into) = &*attempt.expr else {
        return None;
    };
    if try_into.method != "try_into" {
        return None;
    }
    let Expr::MethodCall(to_string) = &*try_into.receiver else {
        return None;
    };
    (to_string.method == "to_string" && to_string.args.is_empty())
        .then(|| (*to_string.receiver).clone())
        .filter(|receiver| !receiver.to_token_stream().is_empty())
}
