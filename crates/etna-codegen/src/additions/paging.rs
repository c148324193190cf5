//! Paged operations: every operation whose success answer composes the
//! schema marked `x-etna-page` gets `impl etna_client::Paged` on its
//! builder, its answer type `impl etna_client::Page` (the roles read from
//! the extension), and a `Deserialize` that also reads a bare array of
//! items as a single, last page (the spec's reading taken where ETNA's
//! pages disagree). What a marked answer cannot honour (a role naming a
//! property it does not have, items that are not an array, a link that is
//! not a string, another required property) fails codegen at the answer
//! schema's pointer.

use std::collections::{BTreeMap, BTreeSet};

use etna_spec::model::{Api, PageRoles, composes};
use etna_spec::pointer;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{Fields, Item, Type};

use super::{item, syntax, unsupported};
use crate::CodegenError;
use crate::syntax::{FieldsByJson, generic_args, is_path, option_inner, type_name, upper_camel};

/// A paged operation: its id and where its success answer's schema is.
pub(crate) struct PagedOperation {
    pub(crate) id: String,
    pub(crate) at: String,
}

/// The operations whose 2xx JSON answer composes the page envelope.
pub(crate) fn paged_operations(spec: &Value, api: &Api<'_>) -> Vec<PagedOperation> {
    let Some(roles) = &api.page else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for op in &api.operations {
        let responses = op.raw.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            if !status.starts_with('2') {
                continue;
            }
            let response = etna_spec::follow(spec, response).unwrap_or(&Value::Null);
            let Some(schema) = response.pointer("/content/application~1json/schema") else {
                continue;
            };
            if composes(spec, schema, &roles.schema) {
                let at = pointer::push(&pointer::push(&op.at, "responses"), status);
                out.push(PagedOperation {
                    id: op.id.to_owned(),
                    at: format!("{at}/content/application~1json/schema"),
                });
                break;
            }
        }
    }
    out
}

/// What a page type's impls need: its items' field and type, and the
/// fields a bare array leaves empty.
pub(super) struct PageType {
    items: syn::Ident,
    optional_items: bool,
}

/// What `paging_impls` adds: the items for `mod types`, those for
/// `mod builder`, and the page types by name.
pub(super) type PagingItems = (Vec<Item>, Vec<Item>, BTreeMap<String, PageType>);

/// `impl Page` for the answer type of each paged operation (once per
/// type), and `impl Paged` for each paged operation's builder.
pub(super) fn paging_impls(
    roles: &PageRoles,
    paged: &[PagedOperation],
    outputs: &BTreeMap<String, Type>,
    structs: &BTreeMap<String, FieldsByJson>,
) -> Result<PagingItems, CodegenError> {
    let mut type_items = Vec::new();
    let mut builder_items = Vec::new();
    let mut pages = BTreeMap::new();
    for op in paged {
        let builder = upper_camel(&op.id);
        let ok = outputs
            .get(&builder)
            .ok_or_else(|| syntax(&format!("no builder `{builder}` with a `send` method")))?;
        let name = type_name(ok)
            .filter(|n| structs.contains_key(n) && generic_args(ok).is_empty())
            .ok_or_else(|| {
                unsupported(
                    &op.at,
                    "a paged answer (x-etna-page) must be the operation's one success body, an object",
                )
            })?;
        if !pages.contains_key(&name) {
            let (impl_page, page) = page_impl(roles, &op.at, &name, &structs[&name])?;
            type_items.push(impl_page);
            pages.insert(name.clone(), page);
        }
        let builder = format_ident!("{builder}");
        let page = format_ident!("{name}");
        builder_items.push(item(quote! {
            impl<'a> ::etna_client::Paged for #builder<'a> {
                type Page = types::#page;
                fn http(&self) -> &::reqwest::Client { ClientInfo::client(self.client) }
            }
        })?);
    }
    Ok((type_items, builder_items, pages))
}

fn page_impl(
    roles: &PageRoles,
    at: &str,
    name: &str,
    fields: &FieldsByJson,
) -> Result<(Item, PageType), CodegenError> {
    let marked = pointer::join(&[
        "components",
        "schemas",
        roles.schema.as_str(),
        "x-etna-page",
    ]);
    let field = |role: &str, json: &str| {
        fields.get(json).ok_or_else(|| {
            unsupported(
                at,
                &format!(
                    "the page's `{role}` role ({marked}) names `{json}`, which this answer's schema does not have"
                ),
            )
        })
    };
    let (items, items_ty) = field("items", &roles.items)?;
    // A nullable array is an `Option` of it: absent reads as no items.
    let (vec_ty, optional_items) = match option_inner(items_ty) {
        Some(inner) => (inner, true),
        None => (items_ty, false),
    };
    let item_ty = match generic_args(vec_ty).as_slice() {
        [inner] if is_path(vec_ty, "Vec") => (*inner).clone(),
        _ => {
            return Err(unsupported(
                at,
                &format!(
                    "the page's `items` role ({marked}) names `{}`, which must be an array",
                    roles.items
                ),
            ));
        }
    };
    let link = |role: &str, json: &str| {
        let (ident, ty) = field(role, json)?;
        match option_inner(ty) {
            Some(inner) if is_path(inner, "String") => Ok(quote!(self.#ident.as_deref())),
            None if is_path(ty, "String") => Ok(quote!(Some(self.#ident.as_str()))),
            _ => Err(unsupported(
                at,
                &format!(
                    "the page's `{role}` role ({marked}) names `{json}`, which must be a string"
                ),
            )),
        }
    };
    let next = match &roles.next {
        Some(next) => link("next", next)?,
        None => quote!(None),
    };
    if let Some(previous) = &roles.previous {
        link("previous", previous)?;
    }
    let total = match &roles.total {
        None => quote!(None),
        Some(json) => {
            let (ident, ty) = field("total", json)?;
            let integer = |t: &Type| ["i32", "i64", "u32", "u64"].iter().any(|n| is_path(t, n));
            match option_inner(ty) {
                Some(inner) if integer(inner) => {
                    quote!(self.#ident.and_then(|n| ::std::convert::TryFrom::try_from(n).ok()))
                }
                None if integer(ty) => quote!(::std::convert::TryFrom::try_from(self.#ident).ok()),
                _ => {
                    return Err(unsupported(
                        at,
                        &format!(
                            "the page's `total` role ({marked}) names `{json}`, which must be an integer"
                        ),
                    ));
                }
            }
        }
    };
    // typify gives an optional property an `Option`, or an empty default
    // for an array or a map; what a bare array leaves them, and a required
    // scalar (an envelope's success flag), is its type's default.
    let empty_by_default = |ty: &Type| {
        option_inner(ty).is_some()
            || [
                "Vec", "BTreeMap", "HashMap", "bool", "String", "i32", "i64", "u32", "u64",
            ]
            .iter()
            .any(|n| is_path(ty, n))
    };
    if let Some((json, _)) = fields
        .iter()
        .find(|(json, (_, ty))| **json != roles.items && !empty_by_default(ty))
    {
        return Err(unsupported(
            at,
            &format!(
                "every property of a page but its items must be optional or have an empty value (a bare array reads as a page without them); `{json}` is required"
            ),
        ));
    }
    let (items_ref, items_owned) = match optional_items {
        true => (
            quote!(self.#items.as_deref().unwrap_or_default()),
            quote!(self.#items.unwrap_or_default()),
        ),
        false => (quote!(&self.#items), quote!(self.#items)),
    };
    let page = format_ident!("{name}");
    let impl_page = item(quote! {
        impl ::etna_client::Page for #page {
            type Item = #item_ty;
            fn next_link(&self) -> ::std::option::Option<&str> { #next }
            fn total(&self) -> ::std::option::Option<u64> { #total }
            fn items(&self) -> &[#item_ty] { #items_ref }
            fn into_items(self) -> ::std::vec::Vec<#item_ty> { #items_owned }
        }
    })?;
    Ok((
        impl_page,
        PageType {
            items: items.clone(),
            optional_items,
        },
    ))
}

/// Takes `Deserialize` off each page type's derive and implements it with
/// `etna_client::__private::page_or_items`: an object reads into a copy of
/// the struct (same serde attributes), a bare array into its items.
pub(super) fn page_deserialize(
    file: &mut syn::File,
    pages: &BTreeMap<String, PageType>,
) -> Result<(), CodegenError> {
    let Some((_, items)) =
        crate::syntax::module_mut(file, "types").and_then(|m| m.content.as_mut())
    else {
        return Err(syntax("no `mod types`"));
    };
    let mut impls = Vec::new();
    let mut done = BTreeSet::new();
    for item in items.iter_mut() {
        let Item::Struct(strukt) = item else { continue };
        let name = strukt.ident.to_string();
        let Some(page) = pages.get(&name) else {
            continue;
        };
        let Fields::Named(named) = &strukt.fields else {
            return Err(syntax(&format!("the page `{name}` has no named fields")));
        };
        let idents: Vec<syn::Ident> = named.named.iter().filter_map(|f| f.ident.clone()).collect();
        let others: Vec<&syn::Ident> = idents.iter().filter(|i| **i != page.items).collect();
        let shadow_fields = named.named.iter().map(|f| {
            let attrs = f.attrs.iter().filter(|a| a.path().is_ident("serde"));
            let (ident, ty) = (&f.ident, &f.ty);
            quote! { #(#attrs)* #ident: #ty }
        });
        let item_ty = named
            .named
            .iter()
            .find(|f| f.ident.as_ref() == Some(&page.items))
            .map(|f| option_inner(&f.ty).unwrap_or(&f.ty))
            .and_then(|ty| generic_args(ty).first().map(|t| (*t).clone()))
            .ok_or_else(|| syntax(&format!("the page `{name}` lost its items")))?;
        let bare = match page.optional_items {
            true => quote!(Some(items)),
            false => quote!(items),
        };
        let strukt_ident = strukt.ident.clone();
        let items_field = page.items.clone();
        let tokens = quote! {
                impl<'de> ::serde::Deserialize<'de> for #strukt_ident {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        #[derive(::serde::Deserialize)]
                        struct Declared { #(#shadow_fields),* }
                        Ok(match ::etna_client::__private::page_or_items::<D, Declared, #item_ty>(deserializer)? {
                            ::etna_client::__private::PageOrItems::Page(declared) => Self { #(#idents: declared.#idents,)* },
                            ::etna_client::__private::PageOrItems::Items(items) => Self { #(#others: ::std::default::Default::default(),)* #items_field: #bare },
                        })
                    }
                }
        };
        if !crate::exact_flatten::remove_deserialize(&mut strukt.attrs) {
            return Err(syntax(&format!(
                "the page `{name}` derives no `Deserialize` (a page with additionalProperties is not supported)"
            )));
        }
        impls.push(tokens);
        done.insert(name);
    }
    if let Some(missing) = pages.keys().find(|name| !done.contains(*name)) {
        return Err(syntax(&format!("no struct `{missing}` in `mod types`")));
    }
    for tokens in impls {
        items.push(item(tokens)?);
    }
    Ok(())
}
