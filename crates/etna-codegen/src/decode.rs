//! A deterministic pass over progenitor's output: every generated `send`
//! decodes a response with `etna_client::__private::response_value` instead of
//! progenitor's `ResponseValue::from_response`, which copies the response
//! headers before reading the body; ours moves them. Same result, same error
//! variants, one allocation less per call. A documented error body (inside
//! `Error::ErrorResponse(..)`) is read with `error_value`, whose future is
//! boxed: error answers are rare, and their futures would otherwise make the
//! future of every call larger (BENCHMARKS.md, "future sizes"). A memory
//! pass, kept for the per-call target: without it every call's future is
//! 672 bytes larger, sign-in's ×2.13 the hand-written one's (BENCHMARKS.md,
//! 2026-12-07).

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::ToTokens;

use std::collections::BTreeMap;

use etna_spec::model::{Api, BodyKind};

use crate::CodegenError;
use crate::builders::Builder;
use crate::syntax::upper_camel;

/// What replaces `ResponseValue::from_response`: for a success, or for an
/// error body.
fn decoder(in_error: bool) -> TokenStream {
    if in_error {
        quote::quote!(::etna_client::__private::error_value)
    } else {
        quote::quote!(::etna_client::__private::response_value)
    }
}

/// Rewrites every `ResponseValue::from_response` in the builders' `send`
/// bodies. Progenitor decodes each documented answer with a JSON body that
/// way, one `match` arm per status, so a `send` with another number of them
/// means its output changed: an error naming the builder, rather than
/// quietly losing the saving.
pub(crate) fn move_response_headers(
    api: &Api<'_>,
    builders: &mut [Builder<'_>],
) -> Result<usize, CodegenError> {
    // By builder name: how many documented answers of its operation have a
    // body.
    let bodies: BTreeMap<String, usize> = api
        .operations
        .iter()
        .map(|op| {
            let count = op
                .responses
                .iter()
                .filter(|r| r.kind != BodyKind::Empty)
                .count();
            (upper_camel(op.id), count)
        })
        .collect();
    let mut replaced = 0;
    for builder in builders {
        let function = &mut *builder.send;
        let mut found = 0;
        let tokens = rewrite(function.block.to_token_stream(), &mut found, false);
        function.block = syn::parse2(tokens).map_err(|e| {
            CodegenError::UnexpectedShape(format!(
                "decode.rs: a rewritten `send` does not parse: {e}"
            ))
        })?;
        let expected = bodies.get(&builder.name).copied().unwrap_or(0);
        if found != expected {
            return Err(CodegenError::UnexpectedShape(format!(
                "decode.rs: the `send` of `{}` calls `ResponseValue::from_response` {found} times, but its operation documents {expected} answer(s) with a body",
                builder.name
            )));
        }
        replaced += found;
    }
    Ok(replaced)
}

/// The tokens with each `ResponseValue :: from_response` path replaced,
/// inside groups too; `in_error` inside the group of an
/// `ErrorResponse(..)`. (A token rewrite needs none of syn's visitor
/// features.)
fn rewrite(tokens: TokenStream, replaced: &mut usize, in_error: bool) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if is_from_response(&tokens[i..]) {
            out.extend(decoder(in_error));
            *replaced += 1;
            i += 4;
            continue;
        }
        match &tokens[i] {
            TokenTree::Group(group) => {
                let error_body = in_error
                    || matches!(i.checked_sub(1).map(|j| &tokens[j]), Some(TokenTree::Ident(name)) if name == "ErrorResponse");
                let mut inner = Group::new(
                    group.delimiter(),
                    rewrite(group.stream(), replaced, error_body),
                );
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// `ResponseValue`, `:`, `:`, `from_response`. Progenitor writes the path
/// unqualified; a qualified one would no longer parse once rewritten, and
/// fails codegen.
fn is_from_response(tokens: &[TokenTree]) -> bool {
    match tokens {
        [
            TokenTree::Ident(ty),
            TokenTree::Punct(a),
            TokenTree::Punct(b),
            TokenTree::Ident(function),
            ..,
        ] => {
            ty == "ResponseValue"
                && a.as_char() == ':'
                && b.as_char() == ':'
                && function == "from_response"
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(send_body: &str) -> syn::File {
        syn::parse_str(&format!(
            "pub mod builder {{ impl<'a> Op<'a> {{ pub async fn send(self) -> R {{ {send_body} }} }} }}"
        ))
        .unwrap()
    }

    /// `op`, documenting a 200 and a 400 with a body and a 204 without.
    fn run(file: &mut syn::File) -> Result<usize, CodegenError> {
        let body = serde_json::json!({"description": "d", "content": {"application/json": {"schema": {"type": "string"}}}});
        let spec = serde_json::json!({
            "openapi": "3.0.3",
            "servers": [{"url": "{root}/v1", "variables": {"root": {"default": "https://h"}}}],
            "paths": {"/op": {"post": {"operationId": "op", "responses": {
                "200": body, "400": body, "204": {"description": "none"}
            }}}}
        });
        let api = crate::spec::model(&spec).unwrap();
        move_response_headers(&api, &mut crate::builders::walk(file).0)
    }

    #[test]
    fn every_from_response_in_a_send_is_replaced() {
        let mut file = file(
            "match status { 200u16 => ResponseValue::from_response(response).await, \
             400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)), \
             204u16 => Ok(ResponseValue::empty(response)), \
             _ => Err(Error::UnexpectedResponse(response)) }",
        );
        assert_eq!(run(&mut file).unwrap(), 2);
        let text = file.to_token_stream().to_string().replace(' ', "");
        assert!(!text.contains("from_response"), "{text}");
        assert!(
            text.contains("200u16=>::etna_client::__private::response_value(response).await,"),
            "{text}"
        );
        assert!(
            text.contains("400u16=>Err(Error::ErrorResponse(::etna_client::__private::error_value(response).await?))"),
            "{text}"
        );
    }

    #[test]
    fn a_send_that_decodes_fewer_answers_than_documented_is_an_unexpected_shape() {
        let mut file = file(
            "match status { 200u16 => ResponseValue::from_response(response).await, \
             400u16 => Err(Error::ErrorResponse(ResponseValue::decode(response).await?)), \
             _ => Err(Error::UnexpectedResponse(response)) }",
        );
        let error = run(&mut file).unwrap_err().to_string();
        assert!(
            error.contains("`Op` calls `ResponseValue::from_response` 1 times")
                && error.contains("2 answer(s)"),
            "{error}"
        );
    }

    #[test]
    fn a_file_without_send_is_left_alone() {
        let mut file: syn::File = syn::parse_str("pub mod types { pub struct A; }").unwrap();
        assert_eq!(run(&mut file).unwrap(), 0);
    }
}
