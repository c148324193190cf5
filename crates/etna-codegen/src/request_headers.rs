//! A deterministic pass over progenitor's output that puts header
//! parameters straight into the built request. Progenitor collects them in
//! a second `HeaderMap` and merges it with `RequestBuilder::headers`, which
//! hashes every name again, drops the second map and moves the builder once
//! more (1 479 instructions of sign-in's call, about 400 of a call with no
//! header parameter, BENCHMARKS.md, "instructions per call"). The pass removes that map: each
//! `header_map.append(name, value)` becomes an `insert` into
//! `request.headers_mut()` right after the request is built.
//!
//! `insert` keeps what the merge did: a parameter replaces a header the
//! builder set under the same name (`Accept`, `Content-Type`). It differs
//! only when one operation has two header parameters whose names are equal
//! but for case (both would be sent before, the last alone now), so such a
//! spec fails codegen at the second parameter. Header values are still
//! checked before any I/O: a bad one is an error returned from `send`, now
//! after `build()` rather than before it.

use std::collections::BTreeMap;

use etna_spec::model::{Api, Location};
use quote::ToTokens;
use syn::{Expr, Stmt};

use crate::builders::Builder;
use crate::{CodegenError, Problem};

/// The map progenitor's `send` collects header parameters in.
const MAP: &str = "header_map";

/// Rewrites every builder's `send`; returns how many header statements moved.
pub(crate) fn headers_into_request(
    api: &Api<'_>,
    builders: &mut [Builder<'_>],
) -> Result<usize, CodegenError> {
    refuse_names_equal_but_for_case(api)?;
    let mut moved = 0;
    for builder in builders {
        moved += rewrite(&mut builder.send.block.stmts).map_err(|problem| {
            CodegenError::UnexpectedShape(format!(
                "request headers: the `send` of `{}` {problem}",
                builder.name
            ))
        })?;
    }
    Ok(moved)
}

fn refuse_names_equal_but_for_case(api: &Api<'_>) -> Result<(), CodegenError> {
    let mut problems = Vec::new();
    for op in &api.operations {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for p in op
            .parameters
            .iter()
            .filter(|p| p.location == Location::Header)
        {
            if let Some(first) = seen.insert(p.name.to_ascii_lowercase(), &p.name) {
                problems.push(Problem {
                    pointer: p.at.clone(),
                    message: format!(
                        "the header parameters {first:?} and {:?} of `{}` name the same HTTP header (names are not case-sensitive); keep one",
                        p.name, op.id
                    ),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CodegenError::Unsupported(problems))
    }
}

fn rewrite(stmts: &mut Vec<Stmt>) -> Result<usize, String> {
    let Some(map_at) = stmts.iter().position(declares_map) else {
        // No header map: nothing to move (progenitor always declares one,
        // so a `send` without it was written by someone else).
        return Ok(0);
    };
    let Some(request_at) = stmts.iter().position(merges_map) else {
        return Err(format!(
            "declares `{MAP}` but no request merges it with `.headers({MAP})`"
        ));
    };
    if request_at < map_at {
        return Err(format!("merges `{MAP}` before declaring it"));
    }
    let appends: Vec<Stmt> = stmts.drain(map_at + 1..request_at).collect();
    if let Some(other) = appends.iter().find(|s| !only_appends(s)) {
        return Err(format!(
            "does more than append to `{MAP}` before building the request: `{}`",
            other.to_token_stream()
        ));
    }
    stmts.remove(map_at);
    // The request statement is now where the map was.
    let Stmt::Local(request) = &mut stmts[map_at] else {
        unreachable!("merges_map matches a `let` only")
    };
    let binding = match &request.pat {
        syn::Pat::Ident(binding) if binding.mutability.is_some() => binding.ident.clone(),
        other => {
            return Err(format!(
                "binds the request as `{}`, not `let mut <name>`",
                other.to_token_stream()
            ));
        }
    };
    let init = request.init.as_mut().expect("merges_map matched an init");
    remove_merge(&mut init.expr);
    let moved = appends.len();
    if moved > 0 {
        let mut appends = appends;
        for stmt in &mut appends {
            rename_appends(stmt);
        }
        // The block names the request's map as the statements it takes
        // name theirs.
        let map = syn::Ident::new(MAP, proc_macro2::Span::call_site());
        stmts.insert(
            map_at + 1,
            syn::parse_quote! {
                {
                    let #map = #binding.headers_mut();
                    #(#appends)*
                }
            },
        );
    }
    Ok(moved)
}

/// `let [mut] header_map = ...HeaderMap::with_capacity(..);`
fn declares_map(stmt: &Stmt) -> bool {
    let Stmt::Local(local) = stmt else {
        return false;
    };
    matches!(&local.pat, syn::Pat::Ident(binding) if binding.ident == MAP)
        && local.init.as_ref().is_some_and(|init| {
            init.expr
                .to_token_stream()
                .to_string()
                .replace(' ', "")
                .contains("HeaderMap::with_capacity(")
        })
}

/// `let mut request = <chain>.headers(header_map).build()?;`
fn merges_map(stmt: &Stmt) -> bool {
    let Stmt::Local(local) = stmt else {
        return false;
    };
    let Some(init) = &local.init else {
        return false;
    };
    let mut expr = &*init.expr;
    loop {
        match expr {
            Expr::Try(attempt) => expr = &attempt.expr,
            Expr::MethodCall(call) if is_merge(call) => return true,
            Expr::MethodCall(call) => expr = &call.receiver,
            _ => return false,
        }
    }
}

fn is_merge(call: &syn::ExprMethodCall) -> bool {
    call.method == "headers"
        && call.args.len() == 1
        && matches!(call.args.first(), Some(Expr::Path(p)) if p.path.is_ident(MAP))
}

/// Replaces `.headers(header_map)` in the chain by its receiver.
fn remove_merge(expr: &mut Expr) {
    let mut expr = expr;
    loop {
        match expr {
            Expr::Try(attempt) => expr = &mut attempt.expr,
            Expr::MethodCall(call) if is_merge(call) => {
                *expr = (*call.receiver).clone();
                return;
            }
            Expr::MethodCall(call) => expr = &mut call.receiver,
            _ => return,
        }
    }
}

/// `header_map.append(..);`, or an `if` whose statements all are.
fn only_appends(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expr(Expr::MethodCall(call), Some(_)) => is_append(call),
        Stmt::Expr(Expr::If(branch), _) => {
            branch.else_branch.is_none() && branch.then_branch.stmts.iter().all(only_appends)
        }
        _ => false,
    }
}

fn is_append(call: &syn::ExprMethodCall) -> bool {
    call.method == "append"
        && call.args.len() == 2
        && matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident(MAP))
}

/// `append` becomes `insert` (see the module comment).
fn rename_appends(stmt: &mut Stmt) {
    match stmt {
        Stmt::Expr(Expr::MethodCall(call), _) => {
            call.method = syn::Ident::new("insert", call.method.span());
        }
        Stmt::Expr(Expr::If(branch), _) => {
            branch.then_branch.stmts.iter_mut().for_each(rename_appends);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::walk;
    use crate::spec::model;

    fn file(stmts: proc_macro2::TokenStream) -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                impl<'a> SignIn<'a> {
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        #stmts
                    }
                }
            }
        }
    }

    fn run(
        spec_second: &str,
        stmts: proc_macro2::TokenStream,
    ) -> (Result<usize, CodegenError>, String) {
        let spec = crate::spec::sign_in_with_headers(spec_second);
        let api = model(&spec).expect("the test spec reads");
        let mut file = file(stmts);
        let result = headers_into_request(&api, &mut walk(&mut file).0);
        (result, prettyplease::unparse(&file))
    }

    fn squeeze(text: &str) -> String {
        text.split_whitespace()
            .collect::<String>()
            .replace(",)", ")")
    }

    #[test]
    fn header_parameters_are_inserted_into_the_built_request() {
        let (result, text) = run(
            "Pin",
            quote::quote! {
                let url = url();
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                header_map.append(USERNAME, username.to_string().try_into()?);
                if let Some(value) = pin {
                    header_map.append(PIN, secret_header(&value)?);
                }
                #[allow(unused_mut)]
                let mut request = client.client.post(url).header(ACCEPT, json).headers(header_map).build()?;
                pre(&mut request).await?;
            },
        );
        assert_eq!(result.unwrap(), 2);
        let text = squeeze(&text);
        assert!(!text.contains("with_capacity"), "{text}");
        assert!(!text.contains(".headers("), "{text}");
        assert!(!text.contains("append"), "{text}");
        assert!(
            text.contains(
                "letmutrequest=client.client.post(url).header(ACCEPT,json).build()?;{letheader_map=request.headers_mut();header_map.insert(USERNAME,username.to_string().try_into()?);ifletSome(value)=pin{header_map.insert(PIN,secret_header(&value)?);}}pre(&mutrequest).await?;"
            ),
            "{text}"
        );
    }

    #[test]
    fn without_header_parameters_the_map_and_the_merge_go() {
        let (result, text) = run(
            "Pin",
            quote::quote! {
                let header_map = ::reqwest::header::HeaderMap::with_capacity(0usize);
                #[allow(unused_mut)]
                let mut request = client.client.get(url).json(&body).headers(header_map).build()?;
            },
        );
        assert_eq!(result.unwrap(), 0);
        let text = squeeze(&text);
        assert!(
            text.contains("letmutrequest=client.client.get(url).json(&body).build()?;}"),
            "{text}"
        );
        assert!(!text.contains("header_map"), "{text}");
    }

    #[test]
    fn anything_else_before_the_request_fails_codegen_naming_the_builder() {
        let (result, _) = run(
            "Pin",
            quote::quote! {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                let other = 1;
                let mut request = client.get(url).headers(header_map).build()?;
            },
        );
        let error = result.unwrap_err().to_string();
        assert!(error.contains("`SignIn`"), "{error}");
        assert!(error.contains("let other = 1"), "{error}");

        let (result, _) = run(
            "Pin",
            quote::quote! {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                let mut request = client.get(url).build()?;
            },
        );
        assert!(
            result
                .unwrap_err()
                .to_string()
                .contains(".headers(header_map)")
        );
    }

    #[test]
    fn two_header_parameters_equal_but_for_case_fail_codegen_at_the_second() {
        let (result, text) = run(
            "USERNAME",
            quote::quote! {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                let mut request = client.get(url).headers(header_map).build()?;
            },
        );
        let Err(CodegenError::Unsupported(problems)) = result else {
            panic!("expected the spec to be refused: {result:?}");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].pointer, "#/paths/~1token/post/parameters/1");
        assert!(
            problems[0]
                .message
                .contains("\"Username\" and \"USERNAME\""),
            "{problems:?}"
        );
        // Refused before anything was rewritten.
        assert!(text.contains(".headers(header_map)"), "{text}");
    }
}
