//! Objects with declared properties and `additionalProperties`: typify
//! gives them `#[serde(flatten)] extra: HashMap<String, V>`, which serde
//! reads from a buffer where every number is already an `f64` (a decimal's
//! digits would be lost). This pass takes `Deserialize` off such a struct's
//! derive and implements it with `etna_client::__private::split_flattened`,
//! which reads each value from the JSON text the server sent: the declared
//! keys into a copy of the struct without the map (same serde attributes),
//! every other key into the map.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Fields, Item, ItemStruct, Type};

use crate::CodegenError;
use crate::syntax::{generic_args, module_mut, type_name};

pub(crate) fn exact_flatten(file: &mut syn::File) -> Result<(), CodegenError> {
    let Some((_, items)) = module_mut(file, "types").and_then(|m| m.content.as_mut()) else {
        return Err(CodegenError::Syntax("no `mod types`".to_owned()));
    };
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(strukt) = item else { continue };
        if let Some(tokens) = rewrite(strukt)? {
            impls.push(tokens);
        }
    }
    for tokens in impls {
        items.push(syn::parse2(tokens).map_err(|e| CodegenError::Syntax(e.to_string()))?);
    }
    Ok(())
}

fn has_flatten(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .any(|attr| {
            let mut found = false;
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("flatten") {
                    found = true;
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                } else if meta.input.peek(syn::token::Paren) {
                    let _content;
                    syn::parenthesized!(_content in meta.input);
                }
                Ok(())
            });
            found
        })
}

/// The JSON name of a field: its `rename`, else its identifier.
fn json_name(field: &syn::Field) -> Option<String> {
    let mut rename = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename.or_else(|| {
        field
            .ident
            .as_ref()
            .map(|i| i.to_string().trim_start_matches("r#").to_owned())
    })
}

/// `Some(impl)` when `strukt` has one flattened string-keyed map, after
/// taking `Deserialize` off its derive.
fn rewrite(strukt: &mut ItemStruct) -> Result<Option<TokenStream>, CodegenError> {
    let Fields::Named(named) = &strukt.fields else {
        return Ok(None);
    };
    let flattened: Vec<&syn::Field> = named
        .named
        .iter()
        .filter(|f| has_flatten(&f.attrs))
        .collect();
    let [map] = flattened.as_slice() else {
        return Ok(None);
    };
    let is_map = matches!(
        type_name(&map.ty).as_deref(),
        Some("HashMap" | "BTreeMap" | "Map")
    );
    let args = generic_args(&map.ty);
    let [key, value] = args.as_slice() else {
        return Ok(None);
    };
    if !is_map || type_name(key).as_deref() != Some("String") {
        return Ok(None);
    }
    let value: Type = (*value).clone();
    let map_ident = map.ident.clone().expect("a named field");
    let declared_fields: Vec<syn::Field> = named
        .named
        .iter()
        .filter(|f| !has_flatten(&f.attrs))
        .cloned()
        .collect();
    let names: Vec<String> = declared_fields.iter().filter_map(json_name).collect();
    let idents: Vec<&syn::Ident> = declared_fields
        .iter()
        .filter_map(|f| f.ident.as_ref())
        .collect();
    let name = &strukt.ident;
    let shadow = format_ident!("Declared");
    // The copy keeps each field's serde attributes (renames, defaults) and
    // drops the doc comments.
    let shadow_fields = declared_fields.iter().map(|f| {
        let attrs = f.attrs.iter().filter(|a| a.path().is_ident("serde"));
        let ident = &f.ident;
        let ty = &f.ty;
        quote! { #(#attrs)* #ident: #ty }
    });
    if !remove_deserialize(&mut strukt.attrs) {
        return Err(CodegenError::Syntax(format!(
            "`{name}` has a flattened map but derives no `Deserialize`"
        )));
    }
    Ok(Some(quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                struct #shadow { #(#shadow_fields),* }
                let (declared, #map_ident): (#shadow, _) =
                    ::etna_client::__private::split_flattened::<D, #shadow, #value, _>(
                        deserializer,
                        &[#(#names),*],
                    )?;
                Ok(Self { #(#idents: declared.#idents,)* #map_ident })
            }
        }
    }))
}

/// Takes `Deserialize` out of the struct's `#[derive(...)]`.
pub(crate) fn remove_deserialize(attrs: &mut [syn::Attribute]) -> bool {
    let mut removed = false;
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != "Deserialize"))
            .collect();
        if kept.len() != paths.len() {
            removed = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(items: &str) -> syn::File {
        syn::parse_str(&format!("pub mod types {{ {items} }}")).unwrap()
    }

    #[test]
    fn a_flattened_map_is_read_from_each_values_text_and_nothing_else_changes() {
        let mut file = types(
            r#"
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct Balance {
                #[serde(rename = "cash", default, skip_serializing_if = "Option::is_none")]
                pub cash: Option<::etna_client::Decimal>,
                #[serde(flatten)]
                pub extra: ::std::collections::HashMap<::std::string::String, ::etna_client::Decimal>,
            }
            #[derive(::serde::Deserialize, Clone)]
            pub struct Plain { pub name: String }
            "#,
        );
        exact_flatten(&mut file).unwrap();
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("#[derive(::serde::Serialize, Clone, Debug)]\n    pub struct Balance"),
            "{text}"
        );
        assert!(
            text.contains("#[derive(::serde::Deserialize, Clone)]\n    pub struct Plain"),
            "{text}"
        );
        assert!(
            text.contains("impl<'de> ::serde::Deserialize<'de> for Balance"),
            "{text}"
        );
        assert!(text.contains("&[\"cash\"]"), "{text}");
        assert!(!text.contains("for Plain"), "{text}");
    }

    #[test]
    fn a_flattened_map_without_a_derived_deserialize_fails_codegen() {
        let mut file = types(
            r#"
            #[derive(::serde::Serialize)]
            pub struct Balance {
                #[serde(flatten)]
                pub extra: ::std::collections::HashMap<::std::string::String, f64>,
            }
            "#,
        );
        assert!(exact_flatten(&mut file).is_err());
    }
}
