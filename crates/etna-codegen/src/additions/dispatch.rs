//! `impl Dispatch` for the generated `Client`: every operation callable by
//! its id with JSON arguments (for `etna api` and the spec-wide tests), and
//! every operation's answer decodable by id (for the fuzz target), so that
//! neither keeps a list of operations by hand.

use std::collections::BTreeMap;

use quote::{format_ident, quote};
use syn::Item;

use super::docs::OperationDoc;
use super::{ident, item, syntax};
use crate::CodegenError;
use crate::builders::Signature;
use crate::syntax::upper_camel;

pub(super) fn dispatch_impl(
    docs: &[OperationDoc],
    builders: &BTreeMap<String, Signature>,
) -> Result<Item, CodegenError> {
    let mut arms = Vec::new();
    let mut item_arms = Vec::new();
    let mut decode_arms = Vec::new();
    for op in docs {
        let builder = upper_camel(&op.id);
        let empty = BTreeMap::new();
        let methods = builders.get(&builder).map_or(&empty, |b| &b.setters);
        let id = &op.id;
        let mut sets = Vec::new();
        for name in &op.parameter_names {
            let field = heck::ToSnakeCase::to_snake_case(name.as_str());
            let Some(ty) = methods.get(&field) else {
                return Err(syntax(&format!(
                    "builder `{builder}` has no setter `{field}` for parameter `{name}`"
                )));
            };
            // A setter of the builder: its name is an identifier.
            let field = format_ident!("{field}");
            sets.push(quote! {
                if let Some(value) = args.parameter(#name) { builder = builder.#field(args.decode::<#ty>(#id, #name, value)?); }
            });
        }
        match (op.has_body, methods.get("body")) {
            (true, Some(ty)) => sets.push(quote! {
                if args.body().is_some() { builder = builder.body(args.decode_body::<#ty>(#id)?); }
            }),
            (true, None) => {
                return Err(syntax(&format!("builder `{builder}` has no `body` setter")));
            }
            (false, _) => {}
        }
        let method = ident(id)?;
        arms.push(quote! {
            #id => Some(async { let mut builder = self.#method(); #(#sets)* ::etna_client::dispatch::JsonReply::from_call(builder).await }.await),
        });
        if op.paged {
            item_arms.push(quote! {
                #id => Some(::etna_client::dispatch::json_items(async move { let mut builder = self.#method(); #(#sets)* Ok(builder) })),
            });
        }
        let builder = format_ident!("{builder}");
        decode_arms.push(quote! {
            #id => Some(::etna_client::__private::fuzz_decode::<builder::#builder<'static>>(status, body, app_key, <Self as ::etna_client::GeneratedClient>::SECRET_PROPERTIES).map(|model| ::std::format!("{model:?}"))),
        });
    }
    item(quote! {
        impl ::etna_client::Dispatch for Client {
            fn dispatch<'a>(
                &'a self,
                id: &'a str,
                args: &'a ::etna_client::dispatch::JsonArgs,
            ) -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<
                Output = ::std::option::Option<::std::result::Result<::etna_client::dispatch::JsonReply, ::etna_client::Error>>,
            > + Send + 'a>> {
                ::std::boxed::Box::pin(async move {
                    #[allow(unused_mut)]
                    match id { #(#arms)* _ => None }
                })
            }
            fn dispatch_items<'a>(
                &'a self,
                id: &'a str,
                args: &'a ::etna_client::dispatch::JsonArgs,
            ) -> ::std::option::Option<::std::pin::Pin<::std::boxed::Box<dyn ::etna_client::futures_util::Stream<
                Item = ::std::result::Result<::etna_client::dispatch::JsonItem, ::etna_client::Error>,
            > + Send + 'a>>> {
                #[allow(unused_mut)]
                match id { #(#item_arms)* _ => None }
            }
            fn decode_answer(
                id: &str,
                status: u16,
                body: &[u8],
                app_key: &str,
            ) -> ::std::option::Option<::std::result::Result<::std::string::String, ::etna_client::Error>> {
                match id { #(#decode_arms)* _ => None }
            }
        }
    })
}
