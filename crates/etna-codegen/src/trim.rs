//! A deterministic pass over progenitor's output that drops what every call
//! would otherwise undo at run time: the `api-version` header progenitor
//! adds to each request (from `info.version`). The ETNA API takes its version
//! from the path and documents no such header, so it is never built rather
//! than built and then removed by a hook on every call.

use quote::ToTokens;
use syn::{Expr, Lit, Stmt};

use crate::builders::Builder;

/// The header progenitor adds to every request.
const VERSION_HEADER: &str = "\"api-version\"";

/// Removes the header from every builder's `send`, and sizes the header map
/// for what is left. Returns how many `send` bodies changed.
pub(crate) fn drop_version_header(builders: &mut [Builder<'_>]) -> usize {
    let mut changed = 0;
    for builder in builders {
        if trim_block(&mut builder.send.block.stmts) {
            changed += 1;
        }
    }
    changed
}

fn trim_block(stmts: &mut Vec<Stmt>) -> bool {
    let before = stmts.len();
    stmts.retain(|stmt| !(is_append(stmt) && mentions_version_header(stmt)));
    let removed = before - stmts.len();
    if removed == 0 {
        return false;
    }
    let left = stmts.iter().filter(|stmt| is_append(stmt)).count();
    for stmt in stmts.iter_mut() {
        resize_header_map(stmt, left);
    }
    true
}

fn is_append(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(Expr::MethodCall(call), _) if call.method == "append")
}

fn mentions_version_header(stmt: &Stmt) -> bool {
    stmt.to_token_stream().to_string().contains(VERSION_HEADER)
}

/// `HeaderMap::with_capacity(N)` becomes `with_capacity(left)`: with nothing
/// left, the map allocates nothing.
fn resize_header_map(stmt: &mut Stmt, left: usize) {
    let Stmt::Local(local) = stmt else { return };
    let Some(init) = &mut local.init else { return };
    let Expr::Call(call) = &mut *init.expr else {
        return;
    };
    let is_with_capacity = call
        .func
        .to_token_stream()
        .to_string()
        .replace(' ', "")
        .ends_with("HeaderMap::with_capacity");
    if !is_with_capacity {
        return;
    }
    if let Some(Expr::Lit(literal)) = call.args.first_mut() {
        literal.lit = Lit::new(proc_macro2::Literal::usize_suffixed(left));
    }
    if left == 0
        && let syn::Pat::Ident(binding) = &mut local.pat
    {
        binding.mutability = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_header_goes_and_other_headers_stay() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> Op<'a> {
                    pub async fn send(self) {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                        );
                        header_map.append("x-other", value);
                        let request = client.post(url).headers(header_map).build()?;
                    }
                    pub fn other(self) {
                        header_map.append(::reqwest::header::HeaderName::from_static("api-version"), v);
                    }
                }
            }
        };
        assert_eq!(
            drop_version_header(&mut crate::builders::walk(&mut file).0),
            1
        );
        let text = file.to_token_stream().to_string();
        let send = &text[..text.find("fn other").unwrap()];
        assert!(!send.contains("api-version"), "{send}");
        assert!(send.contains("x-other"), "{send}");
        assert!(send.contains("with_capacity (1usize)"), "{send}");
        // Only `send` is trimmed.
        assert!(text[text.find("fn other").unwrap()..].contains("api-version"));

        // With no header left, the map is neither sized nor mutable.
        let mut stmts: Vec<Stmt> = syn::parse_quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(::reqwest::header::HeaderName::from_static("api-version"), v);
        };
        assert!(trim_block(&mut stmts));
        let text = stmts[0].to_token_stream().to_string();
        assert!(text.starts_with("let header_map"), "{text}");
        assert!(text.contains("with_capacity (0usize)"), "{text}");
    }
}
