//! What generation adds to progenitor's output so that etna-client's generic
//! layer works for every operation without hand-written code per operation.
//! One file per thing it generates:
//!
//! - `envelope.rs`: `impl Envelope` for every struct that has the envelope's
//!   fields, as the schema with `x-etna-envelope` names them;
//! - `error_payload.rs`: `impl ErrorPayload` for every error type the
//!   operations use;
//! - `operation.rs`: `impl Operation` for every builder, with its row of the
//!   table and the shape of its result;
//! - `generated_client.rs`: `impl GeneratedClient` (the operation table, the
//!   servers, the secret names) and the `ClientHooks` that hand every
//!   request to etna-client, with `docs.rs` describing each operation's
//!   inputs;
//! - `request_spec.rs`: the part of the spec that checks a request, for
//!   tools that check one before sending it;
//! - `dispatch.rs`: `impl Dispatch`, every operation callable by its id;
//! - `json_schemas.rs`: `json_schemas()` and the `JsonSchema` derive behind
//!   etna-client's `json-schema` feature;
//! - `keyed.rs`: `impl ClientKeyed` for every operation whose body
//!   has a property marked `x-etna-client-id`, and its `Operation` impl's
//!   `call` (`keyed_call`) and `fill_client_key`;
//! - `paging.rs`: `impl Paged` for every operation whose answer composes the
//!   schema with `x-etna-page`, `impl Page` and a `Deserialize` that takes a
//!   bare array for its answer type.
//!
//! Everything here is read from the spec and from the generated syntax tree;
//! nothing names an operation, a schema or a property. The items are built
//! with `quote!`, so a mistake in their shape is a compile error of this
//! crate, not a parse error inside a string at generation time.

mod answer_table;
mod dispatch;
mod docs;
mod envelope;
mod error_payload;
mod generated_client;
mod json_schemas;
mod keyed;
mod operation;
mod paging;
mod request_spec;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use serde_json::Value;
use syn::Item;

use crate::CodegenError;
use crate::builders::Signature;
use crate::preflight::Problem;
use crate::syntax::{FieldsByJson, enums, module, module_mut, structs, type_name};
use etna_spec::model::Api;

pub(crate) use operation::{Operation, operations};
pub(crate) use paging::{PagedOperation, paged_operations};

/// Adds the items to `file`; `builders` is what the walk over `mod builder`
/// read of each builder, by name.
pub(crate) fn add(
    spec: &Value,
    order: &etna_spec::KeyOrder,
    api: &Api<'_>,
    builders: &BTreeMap<String, Signature>,
    file: &mut syn::File,
) -> Result<(), CodegenError> {
    let roles = api.envelope.clone();
    let types = module(file, "types").ok_or_else(|| syntax("no `mod types`"))?;
    let structs = structs(types);
    let enums = enums(types);
    let mut root_items = Vec::new();
    // Impls for the types go into `mod types`, where their field types are
    // in scope as written.
    let mut type_items = Vec::new();
    let mut builder_items = Vec::new();

    let envelopes: BTreeMap<&String, &FieldsByJson> = match &roles {
        Some(roles) => structs
            .iter()
            .filter(|(_, fields)| {
                fields.contains_key(&roles.success) && fields.contains_key(&roles.errors)
            })
            .collect(),
        None => BTreeMap::new(),
    };
    if let Some(roles) = &roles {
        for (name, fields) in &envelopes {
            type_items.push(envelope::envelope_impl(name, fields, roles)?);
        }
    }

    let mut error_types = Vec::new();
    for (index, (operation, op)) in operations(api)?.iter().zip(&api.operations).enumerate() {
        let builder = crate::syntax::upper_camel(&operation.id);
        let Some((ok, err)) = builders.get(&builder).and_then(|b| b.output.as_ref()) else {
            return Err(syntax(&format!(
                "no builder `{builder}` with a `send` method"
            )));
        };
        let err_name = type_name(err)
            .filter(|n| n != "()" && structs.contains_key(n) || enums.contains_key(n));
        if let Some(name) = &err_name
            && !error_types.contains(name)
        {
            error_types.push(name.clone());
        }
        builder_items.extend(operation::operation_impls(
            index, operation, op, &builder, ok, err, &envelopes,
        )?);
    }
    // The enums among the error enums' variants (a union of an operation's
    // bodies holds the shared one) get the impl too, which theirs call.
    let mut i = 0;
    while let Some(name) = error_types.get(i).cloned() {
        for (_, inner) in enums.get(&name).into_iter().flatten() {
            if let Some(inner) = inner.as_ref().filter(|t| enums.contains_key(*t))
                && !error_types.contains(inner)
            {
                error_types.push(inner.clone());
            }
        }
        i += 1;
    }
    for name in &error_types {
        type_items.push(error_payload::error_payload_impl(name, &envelopes, &enums)?);
    }
    let paged = paged_operations(spec, api);
    let mut pages = BTreeMap::new();
    if let Some(roles) = &api.page {
        let outputs = builders
            .iter()
            .filter_map(|(name, b)| b.output.as_ref().map(|(ok, _)| (name.clone(), ok.clone())))
            .collect();
        let (types, builders, found) = paging::paging_impls(roles, &paged, &outputs, &structs)?;
        type_items.extend(types);
        builder_items.extend(builders);
        pages = found;
    }
    let (keyed, operation_extras) =
        keyed::client_key_impls(spec, api, api.page.as_ref(), &paged, builders, &structs)?;
    keyed::extend_operation_impls(&mut builder_items, operation_extras)?;
    builder_items.extend(keyed);
    let docs = docs::operation_docs(spec, api);
    root_items.push(generated_client::generated_client_impl(
        spec, order, api, &docs,
    )?);
    root_items.push(dispatch::dispatch_impl(&docs, builders)?);
    root_items.push(generated_client::hooks_impl()?);
    root_items.push(json_schemas::json_schemas_fn(types)?);
    json_schemas::derive_json_schema_behind_feature(file);

    for (name, items) in [("types", type_items), ("builder", builder_items)] {
        let module = module_mut(file, name).ok_or_else(|| syntax(&format!("no `mod {name}`")))?;
        if let Some((_, content)) = &mut module.content {
            content.extend(items);
        }
    }
    file.items.extend(root_items);
    paging::page_deserialize(file, &pages)
}

/// An item built with `quote!`. Its shape is fixed by this crate, but an
/// identifier or type taken from the tree could still make it invalid:
/// that is an error naming the item, not a panic.
fn item(tokens: TokenStream) -> Result<Item, CodegenError> {
    syn::parse2(tokens.clone())
        .map_err(|e| syntax(&format!("{e} in generated addition:\n{tokens}")))
}

/// An identifier made of a name the spec chose (an operation id): an error
/// rather than a panic when it is none.
fn ident(name: &str) -> Result<syn::Ident, CodegenError> {
    syn::parse_str(name).map_err(|e| syntax(&format!("`{name}` is not a Rust identifier: {e}")))
}

fn syntax(message: &str) -> CodegenError {
    CodegenError::Syntax(message.to_owned())
}

fn unsupported(pointer: &str, message: &str) -> CodegenError {
    CodegenError::Unsupported(vec![Problem {
        pointer: pointer.to_owned(),
        message: message.to_owned(),
    }])
}
