//! `impl ErrorPayload` for every error type the operations use: it tells
//! etna-client whether an error answer is an envelope (whose messages it
//! reads) or another body, including for each variant of an error enum, so
//! that `etna_client::Error` can report the server's own messages.

use std::collections::BTreeMap;

use quote::{format_ident, quote};
use syn::Item;

use super::item;
use crate::CodegenError;
use crate::syntax::{FieldsByJson, Variants};

pub(super) fn error_payload_impl(
    name: &str,
    envelopes: &BTreeMap<&String, &FieldsByJson>,
    enums: &BTreeMap<String, Variants>,
) -> Result<Item, CodegenError> {
    let body = if envelopes.contains_key(&name.to_owned()) {
        quote!(::etna_client::ErrorKind::envelope(self))
    } else if let Some(variants) = enums.get(name) {
        let arms = variants.iter().map(|(variant, inner)| {
            let is_envelope = inner.as_ref().is_some_and(|t| envelopes.contains_key(t));
            // A variant that is itself an error enum (an operation's union
            // of bodies holding the shared one) answers for its own.
            let is_enum = inner.as_ref().is_some_and(|t| enums.contains_key(t));
            if is_envelope {
                quote!(Self::#variant(v) => ::etna_client::ErrorKind::envelope(v),)
            } else if is_enum {
                quote!(Self::#variant(v) => ::etna_client::ErrorPayload::kind(v),)
            } else if inner.is_some() {
                quote!(Self::#variant(v) => ::etna_client::ErrorKind::other(v),)
            } else {
                quote!(Self::#variant => ::etna_client::ErrorKind::other(self),)
            }
        });
        quote!(match self { #(#arms)* })
    } else {
        quote!(::etna_client::ErrorKind::other(self))
    };
    let name = format_ident!("{name}");
    item(quote! {
        impl ::etna_client::ErrorPayload for #name {
            fn kind(&self) -> ::etna_client::ErrorKind { #body }
        }
    })
}
