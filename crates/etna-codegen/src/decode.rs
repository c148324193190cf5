//! A deterministic pass over progenitor's output: every generated `send`
//! decodes a response with `etna_client::__private::response_value` instead of
//! progenitor's `ResponseValue::from_response`, which copies the response
//! headers before reading the body; ours moves them. Same result, same error
//! variants, one allocation less per call. A documented error body (inside
//! `Error::ErrorResponse(..)`) is read with `error_value`, whose future is
//! boxed: error answers are rare, and their futures would otherwise make the
//! future of every call larger (BENCHMARKS.md, "future sizes").

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::ToTokens;

use crate::CodegenError;
use crate::builders::Builder;

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
/// bodies. Progenitor decodes each documented JSON answer that way, so
/// finding `send` bodies but no such call means its output changed: an
/// error, rather than quietly losing the saving.
pub(crate) fn move_response_headers(builders: &mut [Builder<'_>]) -> Result<usize, CodegenError> {
    let mut replaced = 0;
    let mut sends = 0;
    for builder in builders {
        let function = &mut *builder.send;
        sends += 1;
        let tokens = rewrite(function.block.to_token_stream(), &mut replaced, false);
        function.block = syn::parse2(tokens).map_err(|e| {
            CodegenError::UnexpectedShape(format!(
                "decode.rs: a rewritten `send` does not parse: {e}"
            ))
        })?;
    }
    if sends > 0 && replaced == 0 {
        return Err(CodegenError::UnexpectedShape(format!(
            "decode.rs: none of the {sends} generated `send` bodies calls `ResponseValue::from_response`"
        )));
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

    #[test]
    fn every_from_response_in_a_send_is_replaced() {
        let mut file = file(
            "match status { 200u16 => ResponseValue::from_response(response).await, \
             400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)), \
             _ => Err(Error::UnexpectedResponse(response)) }",
        );
        assert_eq!(
            move_response_headers(&mut crate::builders::walk(&mut file).0).unwrap(),
            2
        );
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
    fn a_send_without_it_is_an_unexpected_shape() {
        let mut file = file("ResponseValue::decode(response).await");
        let error = move_response_headers(&mut crate::builders::walk(&mut file).0)
            .unwrap_err()
            .to_string();
        assert!(error.contains("from_response"), "{error}");
    }

    #[test]
    fn a_file_without_send_is_left_alone() {
        let mut file: syn::File = syn::parse_str("pub mod types { pub struct A; }").unwrap();
        assert_eq!(
            move_response_headers(&mut crate::builders::walk(&mut file).0).unwrap(),
            0
        );
    }
}
