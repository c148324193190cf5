//! A deterministic pass over progenitor's output that drops what every call
//! would otherwise undo at run time: the `api-version` header progenitor
//! adds to each request (from `info.version`). The ETNA API takes its version
//! from the path and documents no such header, so it is never built rather
//! than built and then removed by a hook on every call.

use quote::ToTokens;
use syn::{Expr, Stmt};

use crate::builders::Builder;

/// The header progenitor adds to every request.
const VERSION_HEADER: &str = "\"api-version\"";

/// Removes the header from every builder's `send` (the map it was appended
/// to goes in `request_headers.rs`). Returns how many `send` bodies changed.
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
    stmts.len() != before
}

fn is_append(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(Expr::MethodCall(call), _) if call.method == "append")
}

fn mentions_version_header(stmt: &Stmt) -> bool {
    stmt.to_token_stream().to_string().contains(VERSION_HEADER)
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
        // Only `send` is trimmed.
        assert!(text[text.find("fn other").unwrap()..].contains("api-version"));
    }
}
