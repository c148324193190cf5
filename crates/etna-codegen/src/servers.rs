//! The pass that sends an operation declared on a server of its own (an
//! operation's or a path item's `servers`, e.g. sign-in at `{root}/token`)
//! to that server. progenitor knows one base URL, the spec's root server's,
//! and formats every `send`'s URL under it: without this pass sign-in would
//! go to `{root}/v{version}/token`, which does not exist. The pass replaces
//! that URL with the operation's own, which etna-client resolves once per
//! client from the operation's server (`__private::static_url`, by the
//! operation's index in `GeneratedClient::OPERATIONS`).
//!
//! Correctness, not speed: every such operation must be found and
//! rewritten, or codegen fails naming it.

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{Expr, Lit, Stmt, Token};

use crate::additions::{Operation, operations};
use crate::builders::Builder;
use crate::syntax::upper_camel;
use crate::{CodegenError, Problem};
use etna_spec::model::Api;

/// What a URL rewrite needs of an operation without path parameters.
pub(crate) struct Target<'a> {
    /// Its index in `OPERATIONS`.
    pub(crate) index: usize,
    pub(crate) id: &'a str,
    /// The path as the spec writes it, which progenitor formats after the
    /// root server's base URL.
    pub(crate) path: &'a str,
}

/// The rows of `GeneratedClient::OPERATIONS` whose server `wanted` accepts,
/// by builder name (progenitor names each operation's builder so), with
/// their index in that table: the same function lists the rows of the
/// table, so the index is the one `static_url` looks up.
pub(crate) fn targets<'a>(
    rows: &'a [Operation],
    wanted: impl Fn(&Operation) -> bool,
) -> BTreeMap<String, Target<'a>> {
    rows.iter()
        .enumerate()
        .filter(|(_, op)| wanted(op))
        .map(|(index, op)| {
            let target = Target {
                index,
                id: &op.id,
                path: &op.path,
            };
            (upper_camel(&op.id), target)
        })
        .collect()
}

/// Rewrites the URL of every operation whose server is not the spec's root
/// server; returns how many `send`s changed.
pub(crate) fn route_to_own_servers(
    api: &Api<'_>,
    builders: &mut [Builder<'_>],
) -> Result<usize, CodegenError> {
    let rows = operations(api)?;
    let problems: Vec<Problem> = rows
        .iter()
        .filter(|op| op.server != 0 && op.path.contains('{'))
        .map(|op| Problem {
            pointer: format!("{}/servers", op.at),
            message: "an operation with path parameters on a server of its own is not supported yet; put it under the spec's root server".to_owned(),
        })
        .collect();
    if !problems.is_empty() {
        return Err(CodegenError::Unsupported(problems));
    }
    rewrite_all(builders, targets(&rows, |op| op.server != 0))
}

/// Rewrites the URL of each target's `send`; every target must have one.
pub(crate) fn rewrite_all(
    builders: &mut [Builder<'_>],
    mut targets: BTreeMap<String, Target<'_>>,
) -> Result<usize, CodegenError> {
    let mut changed = 0;
    for builder in builders {
        if let Some(target) = targets.remove(&builder.name) {
            rewrite_url(&mut builder.send.block.stmts, &target)?;
            changed += 1;
        }
    }
    if let Some((builder, target)) = targets.into_iter().next() {
        return Err(shape(
            target.id,
            &format!("there is no builder `{builder}` with a `send`"),
        ));
    }
    Ok(changed)
}

/// Replaces `let url = format!("{}/path", client.baseurl,);`, the one
/// statement that formats the URL under progenitor's base URL, with the
/// URL etna-client resolved for the operation when the client was built
/// (`static_urls.rs` uses it too).
pub(crate) fn rewrite_url(stmts: &mut [Stmt], target: &Target<'_>) -> Result<(), CodegenError> {
    let mut found = Vec::new();
    for stmt in stmts.iter_mut() {
        let Stmt::Local(local) = stmt else { continue };
        let Some(init) = &mut local.init else {
            continue;
        };
        let Expr::Macro(call) = &*init.expr else {
            continue;
        };
        if !call.mac.path.is_ident("format") {
            continue;
        }
        let args = call
            .mac
            .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
            .map_err(|e| shape(target.id, &format!("its `format!` does not parse: {e}")))?;
        let receiver = match args.iter().nth(1) {
            Some(Expr::Field(field)) if field.member.to_token_stream().to_string() == "baseurl" => {
                (*field.base).clone()
            }
            _ => continue,
        };
        found.push((init, args, receiver));
    }
    let count = found.len();
    let (Some((init, args, receiver)), 1) = (found.pop(), count) else {
        return Err(shape(
            target.id,
            &format!(
                "its `send` should build the URL once with `format!(\"{{}}...\", client.baseurl, ...)`; found {count} such statements"
            ),
        ));
    };
    let template = match args.first() {
        Some(Expr::Lit(syn::ExprLit {
            lit: Lit::Str(template),
            ..
        })) => template.value(),
        _ => {
            return Err(shape(
                target.id,
                "its URL's `format!` has no string template",
            ));
        }
    };
    if args.len() != 2 || template.strip_prefix("{}") != Some(target.path) {
        return Err(shape(
            target.id,
            &format!(
                "its `send` formats {template:?} with {} argument(s), but the spec's path is {:?}",
                args.len() - 1,
                target.path
            ),
        ));
    }
    let (index, path) = (
        proc_macro2::Literal::usize_suffixed(target.index),
        target.path,
    );
    // The path goes along so that the lookup can tell settings built for
    // another client or base URL from its own (see `ClientState::static_url`).
    *init.expr = syn::parse_quote! {
        ::etna_client::__private::static_url(&#receiver.inner, #index, &#receiver.baseurl, #path)
            .map_err(Error::InvalidRequest)?
    };
    Ok(())
}

fn shape(operation: &str, message: &str) -> CodegenError {
    CodegenError::UnexpectedShape(format!("URLs: operation `{operation}`: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An operation at the root server's base path and one on a server of
    /// its own, at `token_path`, through the whole generation (progenitor's
    /// real output).
    fn generated(token_path: &str) -> Result<String, CodegenError> {
        let parameters = if token_path.contains('{') {
            "[{name: id, in: path, required: true, schema: {type: string}}]"
        } else {
            "[]"
        };
        let ok =
            r#"{"200": {description: ok, content: {application/json: {schema: {type: string}}}}}"#;
        let spec = format!(
            r#"
openapi: 3.0.3
info: {{title: t, version: "1"}}
servers: [{{url: "{{root}}/v{{version}}", variables: {{root: {{default: "https://h"}}, version: {{default: "1.0"}}}}}}]
paths:
  /items:
    get: {{operationId: list_items, responses: {ok}}}
  {token_path}:
    post: {{operationId: sign_in, servers: [{{url: "{{root}}"}}], parameters: {parameters}, responses: {ok}}}
"#
        );
        crate::generate_client(&crate::parse_spec(&spec, "inline").unwrap())
    }

    #[test]
    fn an_operation_on_its_own_server_is_sent_there() {
        let code = generated("/token").unwrap();
        let compact: String = code.split_whitespace().collect();
        assert!(
            compact.contains(r#"leturl=::etna_client::__private::static_url(&client.inner,1usize,&client.baseurl,"/token",).map_err(Error::InvalidRequest)?;"#),
            "{code}"
        );
        assert!(!compact.contains(r#"format!("{}/token""#), "{code}");
    }

    #[test]
    fn path_parameters_on_a_server_of_its_own_fail_codegen_at_its_servers() {
        let Err(CodegenError::Unsupported(problems)) = generated("/token/{id}") else {
            panic!("expected the operation to be refused");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].pointer, "#/paths/~1token~1{id}/post/servers");
    }

    #[test]
    fn a_send_that_does_not_format_its_url_so_fails_codegen_naming_the_operation() {
        let spec = serde_json::json!({
            "openapi": "3.0.3",
            "servers": [{"url": "{root}/v1", "variables": {"root": {"default": "https://h"}}}],
            "paths": {"/token": {"post": {
                "operationId": "sign_in", "servers": [{"url": "{root}"}], "responses": {}
            }}}
        });
        let api = crate::spec::model(&spec).unwrap();
        let run = |mut file: syn::File| {
            route_to_own_servers(&api, &mut crate::builders::walk(&mut file).0)
                .unwrap_err()
                .to_string()
        };
        let error = run(syn::parse_quote! {
            pub mod builder {
                impl<'a> SignIn<'a> {
                    pub async fn send(self) {
                        let url = client.baseurl.clone() + "/token";
                    }
                }
            }
        });
        assert!(
            error.contains("`sign_in`") && error.contains("found 0"),
            "{error}"
        );
        let error = run(syn::parse_quote! {
            pub mod builder {
                impl<'a> SignIn<'a> {
                    pub async fn send(self) {
                        let url = format!("{}/tokens", client.baseurl,);
                    }
                }
            }
        });
        assert!(error.contains("\"/token\""), "{error}");
        let error = run(syn::parse_quote! {
            pub mod builder {
                impl<'a> SignOut<'a> {
                    pub async fn send(self) {}
                }
            }
        });
        assert!(error.contains("no builder `SignIn`"), "{error}");
    }
}
