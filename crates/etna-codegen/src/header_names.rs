//! A deterministic pass over progenitor's output that takes header-name
//! parsing out of the call. Progenitor appends a header parameter as
//! `header_map.append("Password", value)`: a `&str` that `HeaderName`
//! checks and lower-cases on every call (about 150 instructions a header,
//! BENCHMARKS.md, "instructions per call"). The pass names each header with
//! a `const` `HeaderName`, written lower case as HTTP/2 requires, so that
//! the check happens once, when the client crate compiles.
//!
//! A name that is not an HTTP token fails codegen with the operation's id:
//! `HeaderName::from_static` would refuse it at compile time in the
//! generated crate, far from the spec.

use syn::Stmt;

use crate::CodegenError;
use crate::builders::{Builder, header_appends};

/// Rewrites the header names of every builder's `send`; returns how many.
pub(crate) fn const_header_names(builders: &mut [Builder<'_>]) -> Result<usize, CodegenError> {
    let mut changed = 0;
    for builder in builders {
        changed += rewrite(&mut builder.send.block.stmts, &builder.name)?;
    }
    Ok(changed)
}

fn rewrite(stmts: &mut [Stmt], builder: &str) -> Result<usize, CodegenError> {
    let mut changed = 0;
    for (name, call) in header_appends(stmts) {
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(CodegenError::UnexpectedShape(format!(
                "header names: the `send` of `{builder}` appends the header {name:?}, which is not an HTTP header name; rename the parameter in the spec"
            )));
        }
        let lower = name.to_ascii_lowercase();
        call.args[0] = syn::parse_quote! {
            {
                const NAME: ::reqwest::header::HeaderName =
                    ::reqwest::header::HeaderName::from_static(#lower);
                NAME
            }
        };
        changed += 1;
    }
    Ok(changed)
}

/// RFC 9110's `tchar`: what a header name is made of.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::walk;

    fn generated(name: &str) -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                impl<'a> SignIn<'a> {
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                        header_map.append("Username", username.to_string().try_into()?);
                        if let Some(value) = pin {
                            header_map.append(#name, secret_header(&value)?);
                        }
                        send(header_map).await
                    }
                }
            }
        }
    }

    #[test]
    fn every_appended_name_becomes_a_lower_case_const() {
        let mut file = generated("PinCode");
        assert_eq!(const_header_names(&mut walk(&mut file).0).unwrap(), 2);
        let text: String = prettyplease::unparse(&file).split_whitespace().collect();
        // prettyplease may end an argument list with a comma.
        let text = text.replace(",)", ")");
        for name in ["username", "pincode"] {
            assert!(
                text.contains(&format!(
                    "constNAME:::reqwest::header::HeaderName=::reqwest::header::HeaderName::from_static(\"{name}\");NAME"
                )),
                "{text}"
            );
        }
        assert!(!text.contains("append(\"Username\""), "{text}");
        assert!(!text.contains("append(\"PinCode\""), "{text}");
    }

    #[test]
    fn a_name_that_is_not_a_token_fails_codegen_naming_the_builder() {
        let mut file = generated("Pin Code");
        let error = const_header_names(&mut walk(&mut file).0)
            .unwrap_err()
            .to_string();
        assert!(error.contains("`SignIn`"), "{error}");
        assert!(error.contains("\"Pin Code\""), "{error}");
    }
}
