//! A deterministic pass over progenitor's and typify's builders that takes an
//! allocation per required field out of every call. Both start a required
//! field as its error message, `Err("password was not initialized"
//! .to_string())` in a request builder's `new` and `Err("no value supplied
//! for code".to_string())` in a body builder's `Default` (which each request
//! builder's `new` calls), and the setter throws it away at once (about 150
//! instructions a field, BENCHMARKS.md, "instructions per call").
//!
//! The pass starts such a field as `Err(String::new())`, which allocates
//! nothing, and writes the message where the field is read (the request
//! builder's `send`, the body builder's `TryFrom`), through
//! `etna_client::__private::unset`: an empty error is a field never set,
//! since a setter's own error always says what failed. What a caller sees is
//! unchanged, the message of a missing field included; only the builders'
//! `Debug` shows `Err("")` for a field not yet set. A field started so whose
//! reading the pass cannot find fails codegen: its error would be empty.

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::{Expr, ImplItem, ImplItemFn, Item, LitStr, Stmt};

use crate::CodegenError;
use crate::builders::Builder;
use crate::syntax::type_name;

/// The request builders: `new` and `send`. Returns how many fields changed.
pub(crate) fn request_builders(builders: &mut [Builder<'_>]) -> Result<usize, CodegenError> {
    let mut changed = 0;
    for builder in builders {
        let Some(new) = builder.new.as_deref_mut() else {
            continue;
        };
        let mut messages = start_empty(new);
        for stmt in &mut builder.send.block.stmts {
            read_in_send(stmt, &mut messages, &mut changed);
        }
        unread(&builder.name, "send", messages)?;
    }
    Ok(changed)
}

/// typify's body builders in `mod types { pub mod builder }`: `Default` and
/// `TryFrom`. Returns how many fields changed.
pub(crate) fn body_builders(file: &mut syn::File) -> Result<usize, CodegenError> {
    let Some(items) = types_builder_items(file) else {
        return Ok(0);
    };
    // By builder name: the messages its `Default` no longer allocates.
    let mut started: BTreeMap<String, BTreeMap<String, LitStr>> = BTreeMap::new();
    for item in items.iter_mut() {
        let Item::Impl(block) = item else { continue };
        if trait_name(block).as_deref() == Some("Default")
            && let Some(name) = type_name(&block.self_ty)
            && let Some(default) = function(&mut block.items, "default")
        {
            started.insert(name, start_empty(default));
        }
    }
    let mut changed = 0;
    for item in items.iter_mut() {
        let Item::Impl(block) = item else { continue };
        if trait_name(block).as_deref() != Some("TryFrom") {
            continue;
        }
        let Some(from) = try_from_source(block) else {
            continue;
        };
        let Some(mut messages) = started.remove(&from) else {
            continue;
        };
        if let Some(try_from) = function(&mut block.items, "try_from") {
            for stmt in &mut try_from.block.stmts {
                read_in_try_from(stmt, &mut messages, &mut changed);
            }
        }
        unread(&from, "TryFrom", messages)?;
    }
    for (name, messages) in started {
        unread(&name, "TryFrom", messages)?;
    }
    Ok(changed)
}

fn types_builder_items(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    let types = crate::syntax::module_mut(file, "types")?;
    let (_, items) = types.content.as_mut()?;
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

fn trait_name(block: &syn::ItemImpl) -> Option<String> {
    let (path, _) = block.trait_.as_ref()?;
    Some(path.segments.last()?.ident.to_string())
}

/// The `X` of `impl TryFrom<X> for super::X`.
fn try_from_source(block: &syn::ItemImpl) -> Option<String> {
    let (path, _) = block.trait_.as_ref()?;
    let syn::PathArguments::AngleBracketed(args) = &path.segments.last()?.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(ty) => type_name(ty),
        _ => None,
    }
}

fn function<'a>(items: &'a mut [ImplItem], name: &str) -> Option<&'a mut ImplItemFn> {
    items.iter_mut().find_map(|item| match item {
        ImplItem::Fn(f) if f.sig.ident == name => Some(f),
        _ => None,
    })
}

/// Rewrites each `field: Err("message".to_string())` of the `Self { .. }`
/// that `function` returns to `Err(String::new())`; returns the messages by
/// field.
fn start_empty(function: &mut ImplItemFn) -> BTreeMap<String, LitStr> {
    let mut messages = BTreeMap::new();
    let Some(Stmt::Expr(Expr::Struct(value), None)) = function.block.stmts.last_mut() else {
        return messages;
    };
    for field in &mut value.fields {
        let syn::Member::Named(name) = &field.member else {
            continue;
        };
        if let Some(message) = err_to_string(&field.expr) {
            messages.insert(name.to_string(), message);
            field.expr = syn::parse_quote!(Err(::std::string::String::new()));
        }
    }
    messages
}

/// The literal of `Err("literal".to_string())`.
fn err_to_string(expr: &Expr) -> Option<LitStr> {
    let Expr::Call(call) = expr else { return None };
    if call.func.to_token_stream().to_string() != "Err" || call.args.len() != 1 {
        return None;
    }
    let Some(Expr::MethodCall(to_string)) = call.args.first() else {
        return None;
    };
    if to_string.method != "to_string" || !to_string.args.is_empty() {
        return None;
    }
    match &*to_string.receiver {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(message),
            ..
        }) => Some(message.clone()),
        _ => None,
    }
}

/// `let field = field.map_err(Error::InvalidRequest)?;` of a started field.
fn read_in_send(stmt: &mut Stmt, messages: &mut BTreeMap<String, LitStr>, changed: &mut usize) {
    let Stmt::Local(local) = stmt else { return };
    let syn::Pat::Ident(binding) = &local.pat else {
        return;
    };
    let Some(init) = &mut local.init else { return };
    let Expr::Try(attempt) = &mut *init.expr else {
        return;
    };
    let Expr::MethodCall(call) = &*attempt.expr else {
        return;
    };
    let reads_field = call.method == "map_err"
        && matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident(&binding.ident))
        && call.args.len() == 1
        && call.args[0].to_token_stream().to_string().replace(' ', "") == "Error::InvalidRequest";
    if !reads_field {
        return;
    }
    let Some(message) = messages.remove(&binding.ident.to_string()) else {
        return;
    };
    let field = &binding.ident;
    *attempt.expr = syn::parse_quote! {
        #field.map_err(|e| Error::InvalidRequest(::etna_client::__private::unset(e, #message)))
    };
    *changed += 1;
}

/// `Ok(Self { field: value.field?, .. })` of a started field.
fn read_in_try_from(stmt: &mut Stmt, messages: &mut BTreeMap<String, LitStr>, changed: &mut usize) {
    let Stmt::Expr(Expr::Call(ok), None) = stmt else {
        return;
    };
    let Some(Expr::Struct(value)) = ok.args.first_mut() else {
        return;
    };
    for field in &mut value.fields {
        let Expr::Try(attempt) = &mut field.expr else {
            continue;
        };
        let Expr::Field(read) = &*attempt.expr else {
            continue;
        };
        let syn::Member::Named(name) = &read.member else {
            continue;
        };
        let Some(message) = messages.remove(&name.to_string()) else {
            continue;
        };
        let base = &read.base;
        *attempt.expr = syn::parse_quote! {
            #base.#name.map_err(|e| ::etna_client::__private::unset(e, #message))
        };
        *changed += 1;
    }
}

fn unread(
    builder: &str,
    reader: &str,
    messages: BTreeMap<String, LitStr>,
) -> Result<(), CodegenError> {
    match messages.keys().next() {
        None => Ok(()),
        Some(field) => Err(CodegenError::UnexpectedShape(format!(
            "unset fields: the builder `{builder}` starts `{field}` without its message, but its `{reader}` does not read it as expected; a missing `{field}` would be reported with an empty message"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builders::walk;

    fn squeeze(tokens: impl ToTokens) -> String {
        tokens.to_token_stream().to_string().replace(' ', "")
    }

    #[test]
    fn a_request_builder_starts_empty_and_send_writes_the_message() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> SignIn<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self {
                            client: client,
                            password: Err("password was not initialized".to_string()),
                            pin: Ok(None),
                        }
                    }
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        let Self { client, password, pin } = self;
                        let password = password.map_err(Error::InvalidRequest)?;
                        let pin = pin.map_err(Error::InvalidRequest)?;
                    }
                }
            }
        };
        assert_eq!(request_builders(&mut walk(&mut file).0).unwrap(), 1);
        let text = squeeze(&file);
        assert!(
            text.contains("password:Err(::std::string::String::new())"),
            "{text}"
        );
        assert!(text.contains("pin:Ok(None)"), "{text}");
        assert!(!text.contains("wasnotinitialized\".to_string()"), "{text}");
        assert!(
            text.contains("letpassword=password.map_err(|e|Error::InvalidRequest(::etna_client::__private::unset(e,\"passwordwasnotinitialized\")))?;"),
            "{text}"
        );
        assert!(
            text.contains("letpin=pin.map_err(Error::InvalidRequest)?;"),
            "{text}"
        );
    }

    #[test]
    fn a_body_builder_starts_empty_and_try_from_writes_the_message() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub mod builder {
                    impl ::std::default::Default for Body {
                        fn default() -> Self {
                            Self {
                                code: Err("no value supplied for code".to_string()),
                                note: Ok(Default::default()),
                            }
                        }
                    }
                    impl ::std::convert::TryFrom<Body> for super::Body {
                        type Error = super::error::ConversionError;
                        fn try_from(value: Body) -> ::std::result::Result<Self, super::error::ConversionError> {
                            Ok(Self { code: value.code?, note: value.note? })
                        }
                    }
                }
            }
        };
        assert_eq!(body_builders(&mut file).unwrap(), 1);
        let text = squeeze(&file);
        assert!(
            text.contains("code:Err(::std::string::String::new())"),
            "{text}"
        );
        assert!(
            text.contains("code:value.code.map_err(|e|::etna_client::__private::unset(e,\"novaluesuppliedforcode\"))?"),
            "{text}"
        );
        assert!(text.contains("note:value.note?"), "{text}");
    }

    #[test]
    fn a_started_field_that_is_not_read_as_expected_fails_codegen() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> SignIn<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { password: Err("password was not initialized".to_string()) }
                    }
                    pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                        let password = password.unwrap();
                    }
                }
            }
        };
        let error = request_builders(&mut walk(&mut file).0)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`SignIn`") && error.contains("`password`"),
            "{error}"
        );

        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub mod builder {
                    impl Default for Body {
                        fn default() -> Self { Self { code: Err("no value supplied for code".to_string()) } }
                    }
                }
            }
        };
        let error = body_builders(&mut file).unwrap_err().to_string();
        assert!(
            error.contains("`Body`") && error.contains("`TryFrom`"),
            "{error}"
        );
    }
}
