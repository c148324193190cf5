//! `json_schemas()`: the JSON Schema of every generated type and of every
//! schema replaced by a hand-written type, for the drift snapshots; and the
//! `JsonSchema` derive it needs, behind etna-client's `json-schema` feature
//! so that consumers need not build schemars.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Item;

use super::{item, syntax};
use crate::CodegenError;
use crate::syntax::module_mut;

pub(super) fn json_schemas_fn(types: &[Item]) -> Result<Item, CodegenError> {
    // `(schema name, the type's path as text, the path)`: sorted by name,
    // then by path, as the snapshots list them.
    let mut entries: Vec<(String, String, TokenStream)> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(&s.ident),
            Item::Enum(e) => Some(&e.ident),
            _ => None,
        })
        .map(|ident| {
            let path = quote!(types::#ident);
            (ident.to_string(), format!("types::{ident}"), path)
        })
        .collect();
    for (schema, path) in crate::REPLACED_SCHEMAS {
        let parsed: syn::Path = syn::parse_str(path)
            .map_err(|e| syntax(&format!("replaced schema `{schema}`: {e}")))?;
        entries.push(((*schema).to_owned(), (*path).to_owned(), quote!(#parsed)));
    }
    entries.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let entries = entries
        .iter()
        .map(|(name, _, path)| quote!((#name, ::schemars::schema_for!(#path)),));
    item(quote! {
        #[doc = " The JSON Schema of every type generated from the spec, and of the"]
        #[doc = " hand-written types that replace spec schemas, by name."]
        #[cfg(feature = "json-schema")]
        pub fn json_schemas() -> ::std::vec::Vec<(&'static str, ::schemars::schema::RootSchema)> {
            ::std::vec![#(#entries)*]
        }
    })
}

/// `#[derive(schemars::JsonSchema)]` on every type of `mod types`, only with
/// etna-client's `json-schema` feature: the drift snapshots need it, consumers
/// need not build schemars.
pub(super) fn derive_json_schema_behind_feature(file: &mut syn::File) {
    let Some(types) = module_mut(file, "types") else {
        return;
    };
    let attribute: syn::Attribute =
        syn::parse_quote!(#[cfg_attr(feature = "json-schema", derive(::schemars::JsonSchema))]);
    for item in types
        .content
        .iter_mut()
        .flat_map(|(_, items)| items.iter_mut())
    {
        match item {
            Item::Struct(s) => s.attrs.push(attribute.clone()),
            Item::Enum(e) => e.attrs.push(attribute.clone()),
            _ => {}
        }
    }
}
