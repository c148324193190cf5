//! `impl Operation` for every builder (and `impl EnvelopeOperation` when its
//! answers are envelopes): the builder's row of `GeneratedClient::OPERATIONS`,
//! its success and error types, and how its success becomes the caller's
//! result, which follows the shape of the operation's 2xx answers. With it
//! etna-client sends any operation through one generic path.

use std::collections::BTreeMap;

use etna_spec::model::{Api, BodyKind};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{Item, Type};

use super::{item, syntax, unsupported};
use crate::CodegenError;
use crate::syntax::{FieldsByJson, is_unit, type_name};

/// What `servers`, `static_urls` and the operation impls need of one row of
/// `GeneratedClient::OPERATIONS`, in the same order.
pub(crate) struct Operation {
    pub(crate) id: String,
    /// The path as the spec writes it, after the server.
    pub(crate) path: String,
    /// Index of the operation's server; 0 is the spec's root server.
    pub(crate) server: usize,
    /// Where the operation is, as a JSON pointer.
    pub(crate) at: String,
    /// The variant of `etna_client::SuccessRule` its envelope follows.
    success: &'static str,
}

/// The operations in the order of `GeneratedClient::OPERATIONS`.
pub(crate) fn operations(api: &Api<'_>) -> Result<Vec<Operation>, CodegenError> {
    let mut out = Vec::new();
    for op in &api.operations {
        let success = match op.raw.get("x-etna-success").and_then(Value::as_str) {
            None | Some("is-succeed") => "IsSucceed",
            Some("no-errors") => "NoErrors",
            Some(other) => {
                return Err(unsupported(
                    &format!("{}/x-etna-success", op.at),
                    &format!(
                        "unknown rule `{other}`; use `is-succeed` (the default) or `no-errors`"
                    ),
                ));
            }
        };
        out.push(Operation {
            id: op.id.to_owned(),
            path: op.path.to_owned(),
            server: op.server,
            at: op.at.clone(),
            success,
        });
    }
    Ok(out)
}

/// The items for one builder: its row of the table, its types, and the
/// shape of its result, all read from the spec.
pub(super) fn operation_impls(
    index: usize,
    op: &Operation,
    model: &etna_spec::model::Operation<'_>,
    builder: &str,
    ok: &Type,
    err: &Type,
    envelopes: &BTreeMap<&String, &FieldsByJson>,
) -> Result<Vec<Item>, CodegenError> {
    let kinds: Vec<&BodyKind> = model.successes().map(|r| &r.kind).collect();
    let several = kinds.len() > 1;
    // Progenitor's own spelling of the type (`types::Order`,
    // `::std::vec::Vec<types::Equity>` for a bare array, an `Option` for a
    // body some 2xx answers lack), valid in `mod builder` where it wrote it.
    let ok_ty = if is_unit(ok) {
        quote!(())
    } else if matches!(ok, Type::Path(_)) {
        quote!(#ok)
    } else {
        return Err(syntax(&format!(
            "the success type of builder `{builder}` is not a path type"
        )));
    };
    let err_ty = if is_unit(err) || type_name(err).is_none() {
        quote!(())
    } else {
        quote!(#err)
    };
    let rule = format_ident!("{}", op.success);
    // The generated success type decides: a struct with the envelope's
    // fields is read as one; any other body is the result itself.
    let envelope_type = type_name(ok).filter(|n| envelopes.contains_key(n));
    let (output, body, envelope): (TokenStream, TokenStream, _) = if let Some(name) = envelope_type
    {
        let name = format_ident!("{name}");
        (
            quote!(<types::#name as ::etna_client::Envelope>::Model),
            quote!(::etna_client::Reply { operation: Self::ID, status, rule: ::etna_client::SuccessRule::#rule, envelope: success }.into_model()),
            Some(name),
        )
    } else if kinds.iter().any(|k| **k == BodyKind::Envelope)
        && kinds.iter().any(|k| **k != BodyKind::Envelope)
    {
        return Err(unsupported(
            &format!("{}/responses", op.at),
            "its 2xx answers mix envelopes and other bodies; give them one shape",
        ));
    } else if several {
        (
            quote!(::etna_client::Answer<#ok_ty>),
            quote!(Ok(::etna_client::Answer {
                status,
                body: success
            })),
            None,
        )
    } else {
        (ok_ty.clone(), quote!(let _ = status; Ok(success)), None)
    };
    let builder = format_ident!("{builder}");
    let index = Literal::usize_unsuffixed(index);
    let mut items = vec![item(quote! {
        impl<'a> ::etna_client::Operation for #builder<'a> {
            const SPEC: &'static ::etna_client::OperationSpec =
                &<super::Client as ::etna_client::GeneratedClient>::OPERATIONS[#index];
            type Success = #ok_ty;
            type ErrorBody = #err_ty;
            type Output = #output;
            fn state(&self) -> &::etna_client::ClientState { ClientInfo::inner(self.client) }
            fn send_request(self) -> impl ::std::future::Future<
                Output = ::std::result::Result<ResponseValue<#ok_ty>, Error<#err_ty>>,
            > + Send {
                #builder::send(self)
            }
            fn output(
                status: ::reqwest::StatusCode,
                success: Self::Success,
            ) -> ::std::result::Result<Self::Output, ::etna_client::Error> {
                #body
            }
        }
    })?];
    if let Some(name) = envelope {
        items.push(item(quote! {
            impl<'a> ::etna_client::EnvelopeOperation for #builder<'a> {
                type Envelope = types::#name;
                const SUCCESS: ::etna_client::SuccessRule = ::etna_client::SuccessRule::#rule;
            }
        })?);
    }
    Ok(items)
}
