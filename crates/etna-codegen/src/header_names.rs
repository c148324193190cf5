//! A deterministic pass over progenitor's output that takes header-name
//! parsing out of the call. Progenitor appends a header parameter as
//! `header_map.append("Password", value)`: a `&str` that `HeaderName`
//! checks and lower-cases on every call (about 150 instructions a header,
//! BENCHMARKS.md, "instructions per call"). The pass names each header with
//! a `const` `HeaderName`, written lower case as HTTP/2 requires, so that
//! the check happens once, when the client crate compiles. A speed pass,
//! kept for the per-call target: without it sign-in runs ×1.061 the
//! hand-written call's instructions (BENCHMARKS.md, 2026-12-07).
//!
//! A header parameter whose name is not an HTTP token fails codegen with
//! the parameter's place in the spec: `HeaderName::from_static` would
//! refuse it when the generated crate compiles, far from the spec (and
//! progenitor's own `append` would have panicked on every call). A header
//! parameter of the spec that its `send` does not append so also fails
//! codegen: a progenitor that writes it another way would otherwise bring
//! the per-call parse back unnoticed.

use std::collections::BTreeMap;

use etna_spec::model::{Api, Location};
use syn::Stmt;

use crate::builders::{Builder, header_appends};
use crate::syntax::upper_camel;
use crate::{CodegenError, Problem};

/// Rewrites the header names of every builder's `send`; returns how many.
pub(crate) fn const_header_names(
    api: &Api<'_>,
    builders: &mut [Builder<'_>],
) -> Result<usize, CodegenError> {
    let problems: Vec<Problem> = api
        .operations
        .iter()
        .flat_map(|op| &op.parameters)
        .filter(|p| p.location == Location::Header && !is_header_name(&p.name))
        .map(|p| Problem {
            pointer: p.at.clone(),
            message: format!(
                "the header parameter {:?} is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only); rename it",
                p.name
            ),
        })
        .collect();
    if !problems.is_empty() {
        return Err(CodegenError::Unsupported(problems));
    }
    // By builder name: how many header parameters its operation has.
    let headers: BTreeMap<String, usize> = api
        .operations
        .iter()
        .map(|op| {
            let count = op
                .parameters
                .iter()
                .filter(|p| p.location == Location::Header)
                .count();
            (upper_camel(op.id), count)
        })
        .collect();
    let mut changed = 0;
    for builder in builders {
        let found = rewrite(&mut builder.send.block.stmts, &builder.name)?;
        let expected = headers.get(&builder.name).copied().unwrap_or(0);
        if found != expected {
            return Err(CodegenError::UnexpectedShape(format!(
                "header names: the `send` of `{}` appends {found} header(s) as `header_map.append(\"Name\", value)`, but its operation has {expected} header parameter(s)",
                builder.name
            )));
        }
        changed += found;
    }
    Ok(changed)
}

fn rewrite(stmts: &mut [Stmt], builder: &str) -> Result<usize, CodegenError> {
    let mut changed = 0;
    for (name, call) in header_appends(stmts) {
        // Every spec parameter passed the check above; this is a header
        // progenitor added on its own.
        if !is_header_name(&name) {
            return Err(CodegenError::UnexpectedShape(format!(
                "header names: the `send` of `{builder}` appends the header {name:?}, which is not an HTTP header name and no parameter of the spec"
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

/// RFC 9110's `token`: one or more `tchar`s.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::walk;
    use crate::spec::model;

    /// Its `send` as progenitor writes it, appending `pin` as named.
    fn generated(pin: &str) -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                impl<'a> SignIn<'a> {
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                        header_map.append("Username", username.to_string().try_into()?);
                        if let Some(value) = pin {
                            header_map.append(#pin, secret_header(&value)?);
                        }
                        send(header_map).await
                    }
                }
            }
        }
    }

    fn run(spec_pin: &str, generated_pin: &str) -> (Result<usize, CodegenError>, String) {
        let spec = crate::spec::sign_in_with_headers(spec_pin);
        let api = model(&spec).expect("the test spec reads");
        let mut file = generated(generated_pin);
        let result = const_header_names(&api, &mut walk(&mut file).0);
        (result, prettyplease::unparse(&file))
    }

    #[test]
    fn every_appended_name_becomes_a_lower_case_const() {
        let (result, text) = run("PinCode", "PinCode");
        assert_eq!(result.unwrap(), 2);
        // prettyplease may end an argument list with a comma.
        let text = text
            .split_whitespace()
            .collect::<String>()
            .replace(",)", ")");
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
    fn a_header_parameter_that_is_not_a_token_fails_codegen_at_its_place_in_the_spec() {
        let (result, text) = run("Pin Code", "Pin Code");
        let Err(CodegenError::Unsupported(problems)) = result else {
            panic!("expected the parameter to be refused: {result:?}");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].pointer, "#/paths/~1token/post/parameters/1");
        assert!(problems[0].message.contains("\"Pin Code\""), "{problems:?}");
        // Refused before anything was rewritten.
        assert!(text.contains("append(\"Username\""), "{text}");
    }

    #[test]
    fn a_header_progenitor_adds_that_is_not_a_token_fails_codegen_naming_the_builder() {
        let (result, _) = run("PinCode", "Pin Code");
        let error = result.unwrap_err().to_string();
        assert!(error.contains("`SignIn`"), "{error}");
        assert!(error.contains("\"Pin Code\""), "{error}");
    }

    #[test]
    fn a_header_parameter_its_send_does_not_append_fails_codegen() {
        let api_spec = crate::spec::sign_in_with_headers("PinCode");
        let api = model(&api_spec).expect("the test spec reads");
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> SignIn<'a> {
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        header_map.append("Username", username.to_string().try_into()?);
                        header_map.insert(PIN_CODE, pin);
                    }
                }
            }
        };
        let error = const_header_names(&api, &mut walk(&mut file).0)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`SignIn` appends 1 header(s)") && error.contains("has 2"),
            "{error}"
        );
    }
}
