//! `impl Envelope` for every struct of `mod types` that has the envelope's
//! fields, as the schema with `x-etna-envelope` names them: etna-client's
//! generic layer reads the success flag, the errors, the status and the
//! model of any answer through it, so no operation unwraps its envelope by
//! hand.

use etna_spec::model::EnvelopeRoles as Roles;
use etna_spec::pointer;
use quote::{format_ident, quote};
use syn::Item;

use super::{item, unsupported};
use crate::CodegenError;
use crate::syntax::{FieldsByJson, is_path, option_inner};

pub(super) fn envelope_impl(
    name: &str,
    fields: &FieldsByJson,
    roles: &Roles,
) -> Result<Item, CodegenError> {
    let field = |json: &str| fields.get(json);
    let (success, success_ty) = field(&roles.success).expect("filtered on the success role");
    if !is_path(success_ty, "bool") {
        return Err(unsupported(
            &pointer::join(&[
                "components",
                "schemas",
                name,
                "properties",
                roles.success.as_str(),
            ]),
            "the envelope's success property must be a required boolean",
        ));
    }
    // A role the envelope does not have reads as empty, and an optional
    // field as its value or empty: the trait's callers need not know which.
    let list = |json: &str| match field(json) {
        None => quote!(&[]),
        Some((ident, ty)) if option_inner(ty).is_some() => {
            quote!(self.#ident.as_deref().unwrap_or_default())
        }
        Some((ident, _)) => quote!(&self.#ident),
    };
    let errors = list(&roles.errors);
    let codes = list(&roles.error_codes);
    let status = match field(&roles.status_code) {
        None => quote!(None),
        Some((ident, ty)) if option_inner(ty).is_some() => quote!(self.#ident.as_ref()),
        Some((ident, _)) => quote!(Some(&self.#ident)),
    };
    let (model_ty, model) = match field(&roles.model) {
        None => (quote!(()), quote!(Some(()))),
        Some((ident, ty)) => match option_inner(ty) {
            Some(inner) => (quote!(#inner), quote!(self.#ident)),
            None => (quote!(#ty), quote!(Some(self.#ident))),
        },
    };
    let name = format_ident!("{name}");
    item(quote! {
        impl ::etna_client::Envelope for #name {
            type Model = #model_ty;
            fn succeeded(&self) -> bool { self.#success }
            fn errors(&self) -> &[::std::string::String] { #errors }
            fn error_codes(&self) -> &[::std::string::String] { #codes }
            fn status_code(&self) -> ::std::option::Option<&::etna_client::HttpStatusCode> { #status }
            fn into_model(self) -> ::std::option::Option<Self::Model> { #model }
        }
    })
}
