//! A deterministic pass over progenitor's output that takes URL parsing out of
//! the call: progenitor's `send` formats `"{baseurl}{path}"` and hands the
//! string to reqwest, which parses it on every call. For an operation whose
//! path has no parameter that URL never changes for a client, so etna-client
//! resolves it once when the client is built (`ClientState::static_url`), and the
//! generated `send` asks for it by the operation's index in
//! `GeneratedClient::OPERATIONS`.
//!
//! Any `send` that does not have the shape this pass knows is an error, not a
//! skip: a progenitor upgrade must not quietly bring the per-call parse back.

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{Expr, Lit, Stmt, Token};

use crate::CodegenError;
use crate::additions::operations;
use crate::builders::Builder;
use crate::syntax::upper_camel;
use etna_spec::model::Api;

/// What the pass needs of one row of `OPERATIONS`.
struct Row {
    index: usize,
    /// Index of its server; 0 is the spec's root server, the one under
    /// which progenitor's `baseurl` is.
    server: usize,
    /// Where its server is declared, for the error.
    pointer: String,
    id: String,
    /// The path as the spec writes it, as progenitor formats it after the
    /// base URL (which already holds the server's base path).
    path: String,
    seen: bool,
}

/// Rewrites `let url = format!("{}/path", client.baseurl,)` in the `send` of
/// every operation without path parameters; returns how many changed.
pub(crate) fn cache_static_urls(
    api: &Api<'_>,
    builders: &mut [Builder<'_>],
) -> Result<usize, CodegenError> {
    // By builder name: progenitor names each operation's builder so.
    let mut rows = BTreeMap::new();
    for (index, op) in operations(api)?.into_iter().enumerate() {
        let row = Row {
            index,
            server: op.server,
            pointer: format!("{}/servers", op.at),
            path: op.path,
            id: op.id,
            seen: false,
        };
        if let Some(other) = rows.insert(upper_camel(&row.id), row) {
            return Err(shape(&other.id, "another operation has the same builder"));
        }
    }
    let mut changed = 0;
    for builder in builders {
        let (name, function) = (&builder.name, &mut *builder.send);
        let Some(row) = rows.get_mut(name) else {
            return Err(CodegenError::UnexpectedShape(format!(
                "static URLs: builder `{name}` has a `send` but no operation of the spec is called that"
            )));
        };
        if row.seen {
            return Err(shape(&row.id, "its builder has more than one `send`"));
        }
        row.seen = true;
        if rewrite_send(&mut function.block.stmts, row)? {
            changed += 1;
        }
    }
    if let Some((builder, row)) = rows.iter().find(|(_, row)| !row.seen) {
        return Err(shape(
            &row.id,
            &format!("there is no builder `{builder}` with a `send`"),
        ));
    }
    Ok(changed)
}

/// Replaces the URL of a `send` whose path has no parameter; leaves the
/// others as progenitor wrote them. Errors on anything else.
fn rewrite_send(stmts: &mut [Stmt], row: &Row) -> Result<bool, CodegenError> {
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
            .map_err(|e| shape(&row.id, &format!("its `format!` does not parse: {e}")))?;
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
            &row.id,
            &format!(
                "its `send` should build the URL once with `format!(\"{{}}...\", client.baseurl, ...)`; found {count} such statements"
            ),
        ));
    };
    let Some(Expr::Lit(syn::ExprLit {
        lit: Lit::Str(template),
        ..
    })) = args.first()
    else {
        return Err(shape(&row.id, "its URL's `format!` has no string template"));
    };
    let template = template.value();
    let Some(path) = template.strip_prefix("{}") else {
        return Err(shape(
            &row.id,
            &format!("its URL template {template:?} does not start with the base URL"),
        ));
    };
    let path_arguments = args.len() - 2;
    let spec_has_parameters = row.path.contains('{');
    match (path_arguments, spec_has_parameters) {
        // The path changes with the call's arguments: progenitor's code
        // stays, under progenitor's `baseurl`: the root server's.
        (1.., true) if row.server == 0 => return Ok(false),
        (1.., true) => {
            return Err(CodegenError::Unsupported(vec![crate::Problem {
                pointer: row.pointer.clone(),
                message: "an operation with path parameters on a server of its own is not supported yet; put it under the spec's root server".to_owned(),
            }]));
        }
        (0, false) if path == row.path => {}
        _ => {
            return Err(shape(
                &row.id,
                &format!(
                    "its `send` formats {template:?} with {path_arguments} path argument(s), but the spec's path is {:?}",
                    row.path
                ),
            ));
        }
    }
    let index = proc_macro2::Literal::usize_suffixed(row.index);
    // The path goes along so that the lookup can tell settings built for
    // another client or base URL from its own (see `ClientState::static_url`).
    *init.expr = syn::parse_quote! {
        ::etna_client::__private::static_url(&#receiver.inner, #index, &#receiver.baseurl, #path)
            .map_err(Error::InvalidRequest)?
    };
    Ok(true)
}

fn shape(operation: &str, message: &str) -> CodegenError {
    CodegenError::UnexpectedShape(format!("static URLs: operation `{operation}`: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::walk;
    use crate::spec::model;
    use serde_json::Value;

    fn spec() -> Value {
        serde_json::json!({
            "openapi": "3.0.3",
            "servers": [{"url": "{root}/v{version}", "variables": {
                "root": {"default": "https://h"}, "version": {"default": "1.0"}
            }}],
            "paths": {
                "/items/{id}": {"get": {"operationId": "get_thing", "responses": {}}},
                "/things": {"post": {"operationId": "add_thing", "responses": {}}}
            }
        })
    }

    /// progenitor's builders for `spec()`, reduced to what the pass reads.
    fn generated() -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub fn id<V>(mut self, value: V) -> Self { self }
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        let Self { client, id } = self;
                        let id = id.map_err(Error::InvalidRequest)?;
                        let url = format!("{}/items/{}", client.baseurl, encode_path(&id.to_string()),);
                        let request = client.client.get(url).build()?;
                    }
                }
                impl<'a> AddThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        let Self { client, body } = self;
                        let message = format!("not the URL: {}", body);
                        let url = format!("{}/things", client.baseurl,);
                        let request = client.client.post(url).json(&body).build()?;
                    }
                }
                impl<'a> ::etna_client::Operation for AddThing<'a> {
                    fn send(self) {}
                }
            }
        }
    }

    fn send_of(file: &syn::File, builder: &str) -> String {
        let text = file.to_token_stream().to_string();
        let start = text.find(&format!("impl < 'a > {builder}")).unwrap();
        let end = text[start + 1..]
            .find("impl <")
            .map_or(text.len(), |i| start + 1 + i);
        text[start..end].to_owned()
    }

    #[test]
    fn a_send_without_path_parameters_reads_the_cached_url() {
        let mut file = generated();
        assert_eq!(
            cache_static_urls(&model(&spec()).unwrap(), &mut walk(&mut file).0).unwrap(),
            1
        );
        let send = send_of(&file, "AddThing");
        assert!(
            send.contains(
                "let url = :: etna_client :: __private :: static_url (& client . inner , 1usize , & client . baseurl , \"/things\") . map_err (Error :: InvalidRequest) ?"
            ),
            "{send}"
        );
        assert!(!send.contains("format ! (\"{}/things\""), "{send}");
        // Other `format!`s of the same `send` are not the URL's.
        assert!(send.contains("format ! (\"not the URL: {}\""), "{send}");
    }

    #[test]
    fn a_send_with_a_path_parameter_is_left_alone() {
        let mut file = generated();
        cache_static_urls(&model(&spec()).unwrap(), &mut walk(&mut file).0).unwrap();
        let send = send_of(&file, "GetThing");
        assert!(
            send.contains("format ! (\"{}/items/{}\" , client . baseurl , encode_path"),
            "{send}"
        );
        assert!(!send.contains("static_url"), "{send}");
    }

    /// The shape the pass expects is progenitor's actual output.
    #[test]
    fn progenitors_output_is_rewritten_only_where_the_path_has_no_parameter() {
        let spec = crate::parse_spec(
            r#"
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "{root}/v{version}", variables: {root: {default: "https://h"}, version: {default: "1.0"}}}]
paths:
  /items/{id}:
    get:
      operationId: get_item
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string}}}}}
  /items:
    get:
      operationId: list_items
      parameters: [{name: q, in: query, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string}}}}}
"#,
            "inline",
        )
        .unwrap();
        let code = crate::generate_client(&spec).unwrap();
        let compact: String = code.split_whitespace().collect();
        assert!(
            compact.contains(r#"leturl=::etna_client::__private::static_url(&client.inner,0usize,&client.baseurl,"/items",).map_err(Error::InvalidRequest)?;"#),
            "{code}"
        );
        assert!(
            compact.contains(
                r#"leturl=format!("{}/items/{}",client.baseurl,encode_path(&id.to_string()),);"#
            ),
            "{code}"
        );
        assert_eq!(code.matches("static_url(").count(), 1, "{code}");
    }

    #[test]
    fn an_unexpected_shape_is_an_error_naming_the_operation() {
        let error = |file: &mut syn::File| match cache_static_urls(
            &model(&spec()).unwrap(),
            &mut walk(file).0,
        ) {
            Err(e @ CodegenError::UnexpectedShape(_)) => e.to_string(),
            other => panic!("expected UnexpectedShape, got {other:?}"),
        };
        let replace = |from: &str, to: &str| -> syn::File {
            let text = generated().to_token_stream().to_string();
            assert!(text.contains(from), "{from} not in {text}");
            syn::parse_str(&text.replacen(from, to, 1)).unwrap()
        };

        // The URL built some other way.
        let mut file = replace(
            "format ! (\"{}/things\" , client . baseurl ,)",
            "client . baseurl . clone () + \"/things\"",
        );
        let message = error(&mut file);
        assert!(message.contains("operation `add_thing`"), "{message}");
        assert!(message.contains("found 0"), "{message}");

        // A path that is not the spec's.
        let mut file = replace("\"{}/things\" ,", "\"{}/thing\" ,");
        let message = error(&mut file);
        assert!(message.contains("operation `add_thing`"), "{message}");
        assert!(message.contains("\"/things\""), "{message}");

        // A parameter in the spec's path that the `send` does not format.
        let mut file = replace(
            "\"{}/items/{}\" , client . baseurl , encode_path (& id . to_string ()) ,",
            "\"{}/items/1\" , client . baseurl ,",
        );
        let message = error(&mut file);
        assert!(message.contains("operation `get_thing`"), "{message}");

        // An operation whose builder has no `send`.
        let mut file = replace("pub async fn send", "pub async fn send_it");
        let message = error(&mut file);
        assert!(message.contains("operation `get_thing`"), "{message}");
        assert!(message.contains("no builder `GetThing`"), "{message}");
    }
}
