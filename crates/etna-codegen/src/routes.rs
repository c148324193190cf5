//! A pass over progenitor's builders: the status `match` that ends every
//! `send` moves into the builder's `impl etna_client::__private::Route`, and
//! `send` calls it. The answer is routed by the same code either way, so the
//! fuzz target and the property tests, which hand `route` a response built
//! in memory, exercise the routing every call uses rather than a copy of it.

use quote::{ToTokens, quote};
use syn::{Expr, Item, ItemImpl, Stmt};

use crate::CodegenError;
use crate::builders::Builder;

/// Moves each builder's routing into its `Route` impl; returns the impls,
/// for `mod builder`. A `send` that does not end in the `match` on the
/// status is an error naming the builder: progenitor's output has changed,
/// and the fuzz target would otherwise no longer test what `send` does.
pub(crate) fn extract_routing(builders: &mut [Builder<'_>]) -> Result<Vec<Item>, CodegenError> {
    builders
        .iter_mut()
        .map(|builder| route_impl(builder).map(Item::Impl))
        .collect()
}

/// The `Route` impl for one builder, with its `send` rewritten to call it.
fn route_impl(block: &mut Builder<'_>) -> Result<ItemImpl, CodegenError> {
    let builder = block.self_ty.to_token_stream().to_string();
    let send = &mut *block.send;
    let unexpected = || {
        CodegenError::UnexpectedShape(format!(
            "routes.rs: the `send` of `{builder}` does not end in \
             `match response.status().as_u16() {{ .. }}`"
        ))
    };
    let Some(Stmt::Expr(Expr::Match(routing), None)) = send.block.stmts.last() else {
        return Err(unexpected());
    };
    let scrutinee = routing.expr.to_token_stream().to_string().replace(' ', "");
    if scrutinee != "response.status().as_u16()" {
        return Err(unexpected());
    }
    let routing = routing.clone();
    let syn::ReturnType::Type(_, output) = &send.sig.output else {
        return Err(unexpected());
    };
    let call: Expr = syn::parse_quote! {
        <Self as ::etna_client::__private::Route>::route(response).await
    };
    *send.block.stmts.last_mut().expect("checked above") = Stmt::Expr(call, None);
    let (generics, self_ty) = (&block.generics, &block.self_ty);
    let route = quote! {
        impl #generics ::etna_client::__private::Route for #self_ty {
            async fn route(response: ::reqwest::Response) -> #output {
                #routing
            }
        }
    };
    syn::parse2(route)
        .map_err(|e| CodegenError::UnexpectedShape(format!("routes.rs: `{builder}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pass as `generate.rs` runs it: the impls go into `mod builder`.
    fn extract(file: &mut syn::File) -> Result<usize, CodegenError> {
        let routes = extract_routing(&mut crate::builders::walk(file).0)?;
        Ok(crate::builders::extend(file, routes))
    }

    fn file(send_body: &str) -> syn::File {
        syn::parse_str(&format!(
            "pub mod builder {{ impl<'a> Op<'a> {{ pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {{ {send_body} }} }} }}"
        ))
        .unwrap()
    }

    #[test]
    fn the_status_match_moves_into_the_route_impl() {
        let mut file = file(
            "let response = result?; match response.status().as_u16() { \
             200u16 => ok(response).await, _ => Err(Error::UnexpectedResponse(response)) }",
        );
        assert_eq!(extract(&mut file).unwrap(), 1);
        let text = prettyplease::unparse(&file);
        let send = text.split("impl<'a> ::etna_client").next().unwrap();
        assert!(!send.contains("match"), "{text}");
        assert!(
            send.contains("<Self as ::etna_client::__private::Route>::route(response).await"),
            "{text}"
        );
        assert!(
            text.contains(
                "impl<'a> ::etna_client::__private::Route for Op<'a> {\n        async fn route(\n            response: ::reqwest::Response,\n        ) -> Result<ResponseValue<T>, Error<E>> {\n            match response.status().as_u16() {"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_send_without_the_status_match_is_an_unexpected_shape() {
        let mut file = file("route(response).await");
        let error = extract(&mut file).unwrap_err().to_string();
        assert!(error.contains("`Op < 'a >`"), "{error}");
        assert!(error.contains("match response.status()"), "{error}");
    }

    #[test]
    fn a_file_without_builders_is_left_alone() {
        let mut file: syn::File = syn::parse_str("pub mod types { pub struct A; }").unwrap();
        assert_eq!(extract(&mut file).unwrap(), 0);
    }
}
