//! The caller's key (`x-etna-client-id` on a property of a request body):
//! `impl ClientKeyed` for the builder of every operation whose JSON body
//! has such a property (the key filled when empty, the lookup operation's
//! builder made with the parameters the two share and those the mark
//! gives, the key of a lookup item), and, in its `Operation` impl, the
//! `call` (etna-client's `keyed_call`) and `fill_client_key` that make
//! `.call()` fill it. What the generator cannot honour (a lookup that is no paged operation, a key or
//! an item property that is not a string, a required lookup parameter
//! nobody gives) fails codegen at the mark's pointer.

use std::collections::BTreeMap;

use etna_spec::model::{Api, PageRoles};
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{Item, Type};

use super::{PagedOperation, item, unsupported};
use crate::CodegenError;
use crate::builders::Signature;
use crate::syntax::{FieldsByJson, generic_args, is_path, option_inner, type_name, upper_camel};

const MARK: &str = "x-etna-client-id";

/// A marked property: the operation whose body has it, where the mark is,
/// the property's JSON name, the mark itself.
struct Marked<'s> {
    operation: String,
    at: String,
    property: String,
    mark: &'s Value,
}

fn marked<'s>(spec: &'s Value, api: &Api<'s>) -> Vec<Marked<'s>> {
    let mut out = Vec::new();
    for op in &api.operations {
        let Some(body) = op.raw.get("requestBody") else {
            continue;
        };
        let Ok(body) = etna_spec::follow(spec, body) else {
            continue;
        };
        let Some(schema) = body.pointer("/content/application~1json/schema") else {
            continue;
        };
        let at = format!("{}/requestBody/content/application~1json/schema", op.at);
        let Ok((schema, at)) = etna_spec::follow_at(spec, schema, at) else {
            continue;
        };
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, property) in properties.into_iter().flatten() {
            if let Some(mark) = property.get(MARK) {
                out.push(Marked {
                    operation: op.id.to_owned(),
                    at: etna_spec::pointer::push(
                        &etna_spec::pointer::push(
                            &etna_spec::pointer::push(&at, "properties"),
                            name,
                        ),
                        MARK,
                    ),
                    property: name.clone(),
                    mark,
                });
            }
        }
    }
    out
}

/// The builder impls, and the items to add to each keyed operation's
/// `impl Operation`, by builder name.
pub(super) type KeyItems = (Vec<Item>, BTreeMap<String, Vec<syn::ImplItem>>);

/// [`KeyItems`] for every marked property of the spec.
pub(super) fn client_key_impls(
    spec: &Value,
    api: &Api<'_>,
    roles: Option<&PageRoles>,
    paged: &[PagedOperation],
    builders: &BTreeMap<String, Signature>,
    structs: &BTreeMap<String, FieldsByJson>,
) -> Result<KeyItems, CodegenError> {
    let mut items = Vec::new();
    let mut operation_items = BTreeMap::new();
    for marked in marked(spec, api) {
        let at = marked.at.as_str();
        let fail = |message: String| unsupported(at, &message);
        let lookup = marked
            .mark
            .get("lookup")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                fail(
                    "`lookup` must name the paged operation that lists what this request creates"
                        .to_owned(),
                )
            })?;
        let roles = roles
            .filter(|_| paged.iter().any(|p| p.id == lookup))
            .ok_or_else(|| fail(format!("`lookup: {lookup}` is not a paged operation of this spec (its answer must compose the schema marked `x-etna-page`)")))?;
        let keyed = upper_camel(&marked.operation);
        let lookup_builder = upper_camel(lookup);
        let signature = |name: &str| {
            builders
                .get(name)
                .ok_or_else(|| super::syntax(&format!("no builder `{name}`")))
        };
        let (keyed_sig, lookup_sig) = (signature(&keyed)?, signature(&lookup_builder)?);
        // The body's field that holds the key.
        let body_ty = keyed_sig
            .setters
            .get("body")
            .ok_or_else(|| super::syntax(&format!("builder `{keyed}` has no `body` setter")))?;
        let (key_field, key_ty) = type_name(body_ty)
            .and_then(|name| structs.get(&name))
            .and_then(|fields| fields.get(&marked.property))
            .ok_or_else(|| {
                fail(format!(
                    "the body of `{}` must be an object with the property `{}`",
                    marked.operation, marked.property
                ))
            })?;
        if !is_string(key_ty) {
            return Err(fail(format!(
                "the key `{}` must be a string",
                marked.property
            )));
        }
        // The lookup's items carry it under the same name.
        let page_ty = lookup_sig.output.as_ref().map(|(ok, _)| ok);
        let item_ty = page_ty
            .and_then(type_name)
            .and_then(|page| structs.get(&page))
            .and_then(|fields| fields.get(&roles.items))
            .map(|(_, ty)| option_inner(ty).unwrap_or(ty))
            .and_then(|vec| generic_args(vec).first().map(|t| (*t).clone()));
        let (item_field, item_key_ty) = item_ty
            .as_ref()
            .and_then(type_name)
            .and_then(|name| structs.get(&name))
            .and_then(|fields| fields.get(&marked.property))
            .ok_or_else(|| {
                fail(format!(
                    "the items of `{lookup}` must carry the property `{}`",
                    marked.property
                ))
            })?;
        let item_key = match option_inner(item_key_ty) {
            Some(inner) if is_path(inner, "String") => quote!(item.#item_field.as_deref()),
            None if is_path(item_key_ty, "String") => quote!(Some(item.#item_field.as_str())),
            _ => {
                return Err(fail(format!(
                    "the property `{}` of `{lookup}`'s items must be a string",
                    marked.property
                )));
            }
        };
        // The lookup's parameters: shared ones copied, the mark's set.
        let given = marked
            .mark
            .get("parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let lookup_op = api
            .operation(lookup)
            .ok_or_else(|| fail(format!("no operation `{lookup}`")))?;
        let keyed_op = api
            .operation(&marked.operation)
            .ok_or_else(|| super::syntax("a marked operation vanished"))?;
        let mut sets = Vec::new();
        for parameter in &lookup_op.parameters {
            let setter = heck::ToSnakeCase::to_snake_case(parameter.name.as_str());
            let Some(ty) = lookup_sig.setters.get(&setter) else {
                return Err(super::syntax(&format!(
                    "builder `{lookup_builder}` has no setter `{setter}`"
                )));
            };
            let ident = format_ident!("{setter}");
            let shared = keyed_op.parameters.iter().any(|p| p.name == parameter.name)
                && keyed_sig.setters.get(&setter).is_some_and(|t| same(t, ty));
            if let Some(value) = given.get(&parameter.name) {
                let text = value.to_string();
                sets.push(quote! {
                    if let Ok(value) = ::serde_json::from_str::<#ty>(#text) { lookup = lookup.#ident(value); }
                });
            } else if shared {
                sets.push(quote! { lookup.#ident = self.#ident.clone(); });
            } else if parameter.required {
                return Err(fail(format!(
                    "`{lookup}` requires `{}`, which `{}` does not have and `parameters` does not give",
                    parameter.name, marked.operation
                )));
            }
        }
        if let Some(unknown) = given
            .keys()
            .find(|name| !lookup_op.parameters.iter().any(|p| p.name == **name))
        {
            return Err(fail(format!(
                "`parameters` names `{unknown}`, which is no parameter of `{lookup}`"
            )));
        }
        let (keyed_ident, lookup_ident) =
            (format_ident!("{keyed}"), format_ident!("{lookup_builder}"));
        let property = &marked.property;
        items.push(item(quote! {
            impl<'a> ::etna_client::ClientKeyed for #keyed_ident<'a> {
                const CLIENT_KEY: ::etna_client::ClientKeySpec = ::etna_client::ClientKeySpec { property: #property, lookup: #lookup };
                type Lookup = #lookup_ident<'a>;
                fn client_id(&mut self) -> ::std::option::Option<::std::string::String> {
                    let body = ::std::mem::replace(&mut self.body, Err(::std::string::String::new()));
                    match body.and_then(|b| #body_ty::try_from(b).map_err(|e| e.to_string())) {
                        Ok(mut value) => {
                            let key = ::etna_client::__private::fill_client_id(&mut value.#key_field);
                            self.body = Ok(value.into());
                            Some(key)
                        }
                        Err(e) => {
                            self.body = Err(e);
                            None
                        }
                    }
                }
                fn lookup(&self) -> #lookup_ident<'a> {
                    #[allow(unused_mut)]
                    let mut lookup = #lookup_ident::new(self.client);
                    #(#sets)*
                    lookup
                }
                fn item_client_id(item: &<<Self::Lookup as ::etna_client::Paged>::Page as ::etna_client::Page>::Item) -> ::std::option::Option<&str> { #item_key }
            }
        })?);
        let extra: syn::ItemImpl = syn::parse2(quote! {
            impl X {
                fn call(self) -> impl ::std::future::Future<
                    Output = ::std::result::Result<Self::Output, ::etna_client::Error>,
                > + Send {
                    ::etna_client::__private::keyed_call(self)
                }
                fn fill_client_key(&mut self) -> ::std::option::Option<::etna_client::ClientKey> {
                    <Self as ::etna_client::ClientKeyed>::client_id(self).map(|value| {
                        ::etna_client::ClientKey::new(<Self as ::etna_client::ClientKeyed>::CLIENT_KEY, value)
                    })
                }
            }
        })
        .map_err(|e| super::syntax(&e.to_string()))?;
        operation_items.insert(keyed, extra.items);
    }
    Ok((items, operation_items))
}

fn is_string(ty: &Type) -> bool {
    is_path(ty, "String") || option_inner(ty).is_some_and(|inner| is_path(inner, "String"))
}

fn same(a: &Type, b: &Type) -> bool {
    quote!(#a).to_string() == quote!(#b).to_string()
}

/// Adds `extra` to the `impl ::etna_client::Operation for <builder>` among
/// `items`.
pub(super) fn extend_operation_impls(
    items: &mut [Item],
    extra: BTreeMap<String, Vec<syn::ImplItem>>,
) -> Result<(), CodegenError> {
    for (builder, impl_items) in extra {
        let found = items.iter_mut().find_map(|item| match item {
            Item::Impl(imp)
                if imp.trait_.as_ref().is_some_and(|(path, ..)| {
                    path.segments.last().is_some_and(|s| s.ident == "Operation")
                }) && type_name(&imp.self_ty).as_deref() == Some(builder.as_str()) =>
            {
                Some(imp)
            }
            _ => None,
        });
        let imp =
            found.ok_or_else(|| super::syntax(&format!("no `impl Operation for {builder}`")))?;
        imp.items.extend(impl_items);
    }
    Ok(())
}
