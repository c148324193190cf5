//! `impl GeneratedClient` for the generated `Client`: the one operation
//! table `OPERATIONS` (id, method, server, path, security, documented
//! statuses and the credential each refusal refuses, inputs), the servers with their variables, the app key's
//! header, the session lifetime, the names of the secret properties and
//! what checks a request (`request_spec.rs`); and
//! the `ClientHooks` that hand every request to etna-client. etna-client's
//! generic layer reads all of it from here, so it names no operation.

use etna_spec::model::{Api, Need, Operation, Scheme};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use syn::Item;

use super::docs::OperationDoc;
use super::{item, unsupported};
use crate::CodegenError;

pub(super) fn generated_client_impl(
    spec: &Value,
    order: &etna_spec::KeyOrder,
    api: &Api<'_>,
    docs: &[OperationDoc],
) -> Result<Item, CodegenError> {
    let servers = api.servers.iter().map(|server| {
        let variables = server
            .variables
            .iter()
            .map(|(name, default)| quote!((#name, #default)));
        let base_path = &server.base_path;
        quote!(::etna_client::ServerSpec { base_path: #base_path, variables: &[#(#variables,)*] })
    });
    let app_keys: Vec<(&String, &String)> = api
        .schemes
        .iter()
        .filter_map(|(name, scheme)| match scheme {
            Scheme::ApiKeyHeader { header } => Some((name, header)),
            Scheme::Bearer => None,
        })
        .collect();
    let bearers: Vec<&String> = api
        .schemes
        .iter()
        .filter(|(_, scheme)| **scheme == Scheme::Bearer)
        .map(|(name, _)| name)
        .collect();
    for (kind, count) in [("apiKey", app_keys.len()), ("bearer", bearers.len())] {
        if count > 1 {
            return Err(unsupported(
                "#/components/securitySchemes",
                &format!(
                    "{count} `{kind}` schemes: the client holds one credential of each kind; declare one"
                ),
            ));
        }
    }
    let app_key_header = app_keys.first().map_or("", |(_, header)| header.as_str());
    let lifetime = bearers
        .first()
        .and_then(|name| {
            spec.pointer(&format!(
                "/components/securitySchemes/{}/x-etna-lifetime-seconds",
                etna_spec::pointer::escape(name)
            ))
        })
        .and_then(Value::as_u64)
        .map_or(quote!(None), |s| {
            let s = Literal::u64_unsuffixed(s);
            quote!(Some(#s))
        });
    let need = |op: &Operation<'_>, scheme: Option<&String>| {
        format_ident!(
            "{}",
            match scheme.map(|s| op.needs(s)) {
                Some(Need::Required) => "Required",
                Some(Need::Optional) => "Optional",
                _ => "None",
            }
        )
    };
    let rows = api.operations.iter().zip(docs).map(|(op, doc)| {
        let statuses = op
            .responses
            .iter()
            .map(|r| Literal::u16_unsuffixed(r.status));
        let (id, method, path, full) = (op.id, op.method, op.path, api.full_path(op));
        let server = Literal::usize_unsuffixed(op.server);
        let app_key = need(op, app_keys.first().map(|(name, _)| *name));
        let bearer = need(op, bearers.first().copied());
        let refusals = op.responses.iter().filter_map(|r| {
            let credential = match r.refuses.as_ref() {
                Some(name) if app_keys.first().is_some_and(|(key, _)| *key == name) => "AppKey",
                Some(name) if bearers.first() == Some(&name) => "Session",
                _ => return None,
            };
            let (status, credential) = (
                Literal::u16_unsuffixed(r.status),
                format_ident!("{credential}"),
            );
            Some(quote!((#status, ::etna_client::Credential::#credential)))
        });
        let paged = doc.paged;
        let (summary, parameters, body) = (&doc.summary, &doc.parameters, &doc.body);
        let answer_secrets = &doc.answer_secrets;
        let answer_table = super::answer_table::answer_table(
            spec,
            order,
            api.page.as_ref(),
            op.at.trim_start_matches('#'),
        );
        quote! {
            ::etna_client::OperationSpec {
                id: #id, method: #method, server: #server, path: #path, full_path: #full,
                security: ::etna_client::Security {
                    app_key: ::etna_client::Need::#app_key,
                    bearer: ::etna_client::Need::#bearer,
                },
                paged: #paged,
                statuses: &[#(#statuses),*],
                refusals: &[#(#refusals),*],
                summary: #summary,
                parameters: &[#parameters],
                body: #body,
                answer_secrets: #answer_secrets,
                answer_table: #answer_table,
            }
        }
    });
    let secrets = crate::secrets::secret_properties(spec);
    let request_spec = serde_json::to_string(&super::request_spec::request_spec(spec))
        .map_err(|e| super::syntax(&format!("the spec does not serialise as JSON: {e}")))?;
    item(quote! {
        impl ::etna_client::GeneratedClient for Client {
            const SERVERS: &'static [::etna_client::ServerSpec] = &[#(#servers,)*];
            const APP_KEY_HEADER: &'static str = #app_key_header;
            const SESSION_LIFETIME_SECONDS: ::std::option::Option<u64> = #lifetime;
            const SECRET_PROPERTIES: &'static [&'static str] = &[#(#secrets,)*];
            const OPERATIONS: &'static [::etna_client::OperationSpec] = &[#(#rows,)*];
            const REQUEST_SPEC_JSON: &'static str = #request_spec;
            fn from_parts(baseurl: &str, client: reqwest::Client, inner: ::etna_client::ClientState) -> Self {
                Self::new_with_client(baseurl, client, inner)
            }
            fn state(&self) -> &::etna_client::ClientState { &self.inner }
        }
    })
}

/// The `ClientHooks` progenitor expects (see `HooksMode::Expected` in
/// `generate.rs`): every request goes through etna-client's hooks.
pub(super) fn hooks_impl() -> Result<Item, CodegenError> {
    let hooks: TokenStream = quote! {
        impl ClientHooks<::etna_client::ClientState> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                ::etna_client::__private::pre(self.inner(), request, info)
                    .map_err(progenitor_client::Error::InvalidRequest)
            }
            // Not `async`: an `async fn` here would wrap etna-client's
            // future in one more, moved on every call (about 190
            // instructions, BENCHMARKS.md).
            fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> impl ::std::future::Future<Output = reqwest::Result<reqwest::Response>> {
                ::etna_client::__private::exec(self.client(), self.inner(), request, info)
            }
        }
    };
    item(hooks)
}
