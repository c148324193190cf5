//! A deterministic pass over progenitor's `send` bodies that makes every
//! call's future smaller. A local that is borrowed keeps its place in an
//! `async fn`'s future until its scope ends, even once moved away: the
//! request (borrowed by `pre`) and the body (borrowed by `.json(..)`) would
//! sit beside the futures of `exec` and of the routing for the whole call
//! (296 of the 1 160 bytes of step 3's `call()` future, BENCHMARKS.md,
//! "future sizes"; without it step 4's future is ×1.60 and sign-in's ×1.86
//! the hand-written one's, over the per-call target, BENCHMARKS.md,
//! 2026-12-07). The pass scopes them to a block that ends once the request
//! is handed to `exec`:
//!
//! ```text
//! let info = OperationInfo { .. };
//! let exec = {
//!     /* the parameters, the body, the URL, the request, its headers */
//!     client.pre(&mut request, &info).await?;
//!     client.exec(request, &info)
//! };
//! let result = exec.await;
//! ```
//!
//! The statements run in the same order as before (building `info` moved
//! first, which reads nothing), so the request and its errors are the same.

use quote::ToTokens;
use syn::{Expr, Stmt};

use crate::CodegenError;
use crate::builders::Builder;

/// Rewrites every builder's `send`; returns how many.
pub(crate) fn scope_requests(builders: &mut [Builder<'_>]) -> Result<usize, CodegenError> {
    for builder in builders.iter_mut() {
        rewrite(&mut builder.send.block.stmts).map_err(|problem| {
            CodegenError::UnexpectedShape(format!(
                "send scopes: the `send` of `{}` {problem}",
                builder.name
            ))
        })?;
    }
    Ok(builders.len())
}

fn rewrite(stmts: &mut Vec<Stmt>) -> Result<(), String> {
    let position = |what: &str, found: &dyn Fn(&Stmt) -> bool| {
        stmts
            .iter()
            .position(found)
            .ok_or_else(|| format!("has no `{what}`"))
    };
    let destructure = position("let Self { .. } = self;", &|s| {
        text(s).starts_with("letSelf{")
    })?;
    let info = position("let info = OperationInfo { .. };", &|s| {
        text(s).starts_with("letinfo=OperationInfo{")
    })?;
    let pre = position("client.pre(&mut request, &info).await?;", &|s| {
        text(s) == "client.pre(&mutrequest,&info).await?;"
    })?;
    let exec = pre + 1;
    let not_sent = || "does not send the request right after `pre`".to_owned();
    let exec_call = match stmts.get(exec) {
        Some(stmt @ Stmt::Local(local))
            if text(stmt) == "letresult=client.exec(request,&info).await;" =>
        {
            match local.init.as_ref().map(|i| &*i.expr) {
                Some(Expr::Await(awaited)) => (*awaited.base).clone(),
                _ => return Err(not_sent()),
            }
        }
        _ => return Err(not_sent()),
    };
    if !(destructure < info && info < pre) {
        return Err(
            "does not destructure `self`, build `info` and call `pre` in that order".into(),
        );
    }
    let info_stmt = stmts[info].clone();
    let scoped: Vec<Stmt> = stmts[destructure + 1..=pre]
        .iter()
        .enumerate()
        .filter(|(i, _)| destructure + 1 + i != info)
        .map(|(_, s)| s.clone())
        .collect();
    let rest: Vec<Stmt> = stmts[exec + 1..].to_vec();
    let head: Vec<Stmt> = stmts[..=destructure].to_vec();
    *stmts = syn::parse_quote! {
        #(#head)*
        #info_stmt
        let exec = {
            #(#scoped)*
            #exec_call
        };
        let result = exec.await;
        #(#rest)*
    };
    Ok(())
}

fn text(stmt: &Stmt) -> String {
    stmt.to_token_stream().to_string().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::walk;

    fn run(body: proc_macro2::TokenStream) -> (Result<usize, CodegenError>, String) {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> Op<'a> {
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        #body
                    }
                }
            }
        };
        let result = scope_requests(&mut walk(&mut file).0);
        (result, file.to_token_stream().to_string().replace(' ', ""))
    }

    #[test]
    fn the_request_and_the_body_end_before_the_request_is_awaited() {
        let (result, text) = run(quote::quote! {
            let Self { client, body } = self;
            let body = body?;
            let mut request = client.client.post(url).json(&body).build()?;
            let info = OperationInfo { operation_id: "op" };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            route(response).await
        });
        assert_eq!(result.unwrap(), 1);
        assert!(
            text.contains(
                "letSelf{client,body}=self;letinfo=OperationInfo{operation_id:\"op\"};letexec={letbody=body?;letmutrequest=client.client.post(url).json(&body).build()?;client.pre(&mutrequest,&info).await?;client.exec(request,&info)};letresult=exec.await;client.post(&result,&info).await?;letresponse=result?;route(response).await"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_send_of_another_shape_fails_codegen_naming_the_builder() {
        let (result, _) = run(quote::quote! {
            let Self { client } = self;
            let info = OperationInfo { operation_id: "op" };
            client.pre(&mut request, &info).await?;
            let response = client.exec(request, &info).await?;
        });
        let error = result.unwrap_err().to_string();
        assert!(
            error.contains("`Op`") && error.contains("right after `pre`"),
            "{error}"
        );

        let (result, _) = run(quote::quote! {
            let Self { client } = self;
            client.pre(&mut request, &info).await?;
        });
        assert!(result.unwrap_err().to_string().contains("OperationInfo"));
    }
}
