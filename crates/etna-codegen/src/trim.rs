//! A pass over progenitor's output that keeps every request to the headers
//! the spec documents: progenitor appends `api-version: <info.version>` to
//! each request, a header the ETNA spec does not define (the API's version
//! is in the path, `v{version}`), carrying the version of the *document*.
//! A gateway that reads such a header could route or refuse on it, so it is
//! a wire matter, not a saving; it is never built rather than built and
//! removed by a hook on every call.
//!
//! Every `send` must lose exactly one such statement: a progenitor that
//! stops adding the header, or adds it another way, fails codegen instead of
//! sending it unnoticed.

use quote::ToTokens;
use syn::{Expr, Stmt};

use crate::CodegenError;
use crate::builders::Builder;

/// The header progenitor adds to every request.
const VERSION_HEADER: &str = "\"api-version\"";

/// Removes the header from every builder's `send`; returns how many `send`
/// bodies changed, which is every one.
pub(crate) fn drop_version_header(builders: &mut [Builder<'_>]) -> Result<usize, CodegenError> {
    for builder in builders.iter_mut() {
        let removed = trim_block(&mut builder.send.block.stmts);
        if removed != 1 {
            return Err(CodegenError::UnexpectedShape(format!(
                "version header: the `send` of `{}` appends {VERSION_HEADER} {removed} times, not once",
                builder.name
            )));
        }
    }
    Ok(builders.len())
}

fn trim_block(stmts: &mut Vec<Stmt>) -> usize {
    let before = stmts.len();
    stmts.retain(|stmt| !(is_append(stmt) && mentions_version_header(stmt)));
    before - stmts.len()
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
            drop_version_header(&mut crate::builders::walk(&mut file).0).unwrap(),
            1
        );
        let text = file.to_token_stream().to_string();
        let send = &text[..text.find("fn other").unwrap()];
        assert!(!send.contains("api-version"), "{send}");
        assert!(send.contains("x-other"), "{send}");
        // Only `send` is trimmed.
        assert!(text[text.find("fn other").unwrap()..].contains("api-version"));
    }

    #[test]
    fn a_send_without_the_version_header_fails_codegen_naming_the_builder() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> Op<'a> {
                    pub async fn send(self) {
                        header_map.append("x-other", value);
                    }
                }
            }
        };
        let error = drop_version_header(&mut crate::builders::walk(&mut file).0)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`Op`") && error.contains("0 times"),
            "{error}"
        );
    }
}
