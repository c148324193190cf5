//! progenitor's request builders, found in one walk over `mod builder`:
//! every pass that reads or rewrites a builder (ARCHITECTURE.md, "passes
//! over progenitor's output", and `additions/`) takes them from here, so
//! that what counts as "a builder" and "its `send`" is decided in one place
//! and the tree is walked once.
//!
//! A builder is an inherent `impl` in progenitor's `mod builder`; its name is
//! the last segment of the implemented type (`GenerateResetToken`), which
//! progenitor derives from the operation id.

use std::collections::BTreeMap;

use syn::{
    GenericArgument, Generics, ImplItem, ImplItemFn, Item, ItemImpl, PathArguments, ReturnType,
    Type,
};

use crate::syntax::{generic_args, is_path, type_name};

/// One builder's `send`, which the passes rewrite, with what they read of
/// the builder.
pub(crate) struct Builder<'a> {
    /// The builder's name, e.g. `GetThing`.
    pub(crate) name: String,
    /// The generics and type of its `impl`, for the impls passes add.
    pub(crate) generics: Generics,
    pub(crate) self_ty: Type,
    pub(crate) send: &'a mut ImplItemFn,
}

/// What `additions/` reads of a builder, taken during the walk (the passes
/// rewrite `send`'s body, never its signature): owned, so that it outlives
/// the borrow of the tree.
#[derive(Default)]
pub(crate) struct Signature {
    /// The `T` and `E` of `send(self) -> Result<ResponseValue<T>, Error<E>>`.
    pub(crate) output: Option<(Type, Type)>,
    /// Its setters, each with the type it takes (the `T` of `V: TryInto<T>`).
    pub(crate) setters: BTreeMap<String, Type>,
}

/// The builders of `file`, in file order, and each one's signature by name.
/// Both are empty when there is no `mod builder` (a spec without operations).
pub(crate) fn walk(file: &mut syn::File) -> (Vec<Builder<'_>>, BTreeMap<String, Signature>) {
    let mut signatures: BTreeMap<String, Signature> = BTreeMap::new();
    let mut builders = Vec::new();
    let Some(items) = module_items_mut(file) else {
        return (builders, signatures);
    };
    for item in items.iter_mut() {
        let Item::Impl(block) = item else { continue };
        let Some(name) = type_name(&block.self_ty).filter(|_| block.trait_.is_none()) else {
            continue;
        };
        let ItemImpl {
            generics,
            self_ty,
            items: members,
            ..
        } = block;
        let signature = signatures.entry(name.clone()).or_default();
        let mut send = None;
        for member in members {
            let ImplItem::Fn(function) = member else {
                continue;
            };
            if let Some(target) = function
                .sig
                .generics
                .where_clause
                .as_ref()
                .and_then(try_into_target)
            {
                signature
                    .setters
                    .insert(function.sig.ident.to_string(), target);
            }
            if function.sig.ident == "send" {
                if let Some(output) = send_output(&function.sig.output) {
                    signature.output = Some(output);
                }
                send = Some(function);
            }
        }
        if let Some(send) = send {
            builders.push(Builder {
                name: name.clone(),
                generics: generics.clone(),
                self_ty: (**self_ty).clone(),
                send,
            });
        }
    }
    (builders, signatures)
}

/// Appends `items` to `mod builder` (the impls a pass derived from the
/// builders, added once the walk's borrow has ended); returns how many.
pub(crate) fn extend(file: &mut syn::File, items: Vec<Item>) -> usize {
    match module_items_mut(file) {
        Some(module) => {
            let count = items.len();
            module.extend(items);
            count
        }
        None => 0,
    }
}

fn module_items_mut(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    crate::syntax::module_mut(file, "builder")?
        .content
        .as_mut()
        .map(|(_, items)| items)
}

fn send_output(output: &ReturnType) -> Option<(Type, Type)> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    match generic_args(ty).as_slice() {
        [ok, err] => Some((
            (*generic_args(ok).first()?).clone(),
            (*generic_args(err).first()?).clone(),
        )),
        _ => None,
    }
}

fn try_into_target(clause: &syn::WhereClause) -> Option<Type> {
    clause.predicates.iter().find_map(|predicate| {
        let syn::WherePredicate::Type(p) = predicate else {
            return None;
        };
        if !is_path(&p.bounded_ty, "V") {
            return None;
        }
        p.bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(t) = bound else {
                return None;
            };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            args.args.iter().find_map(|a| match a {
                GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
        })
    })
}

/// Every `header_map.append("Name", value)` of a `send`'s statements, with
/// the name, those inside an `if let Some(..)` (an optional parameter)
/// included: how progenitor sends header parameters.
pub(crate) fn header_appends(stmts: &mut [syn::Stmt]) -> Vec<(String, &mut syn::ExprMethodCall)> {
    let mut found = Vec::new();
    for stmt in stmts {
        let syn::Stmt::Expr(expr, _) = stmt else {
            continue;
        };
        match expr {
            syn::Expr::If(branch) => found.extend(header_appends(&mut branch.then_branch.stmts)),
            syn::Expr::MethodCall(call) if call.method == "append" && call.args.len() == 2 => {
                if let Some(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(name),
                    ..
                })) = call.args.first()
                {
                    found.push((name.value(), call));
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                impl Thing { pub fn send(self) {} }
            }
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub fn id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<types::Id> { self }
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<()>> {}
                }
                impl<'a> NoSend<'a> {
                    pub fn id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<u32> { self }
                }
                impl<'a> ::etna_client::__private::Route for GetThing<'a> {
                    async fn send(response: ::reqwest::Response) {}
                }
            }
        }
    }

    fn text(ty: &Type) -> String {
        quote::ToTokens::to_token_stream(ty).to_string()
    }

    #[test]
    fn a_send_counts_only_in_an_inherent_impl_of_mod_builder() {
        let mut file = file();
        let (builders, signatures) = walk(&mut file);
        let sends: Vec<String> = builders
            .iter()
            .map(|b| format!("{}::{} for {}", b.name, b.send.sig.ident, text(&b.self_ty)))
            .collect();
        assert_eq!(sends, ["GetThing::send for GetThing < 'a >"]);
        let (ok, err) = signatures["GetThing"].output.as_ref().unwrap();
        assert_eq!(
            (text(ok).as_str(), text(err).as_str()),
            ("types :: Thing", "()")
        );
        assert_eq!(text(&signatures["GetThing"].setters["id"]), "types :: Id");
        assert_eq!(text(&signatures["NoSend"].setters["id"]), "u32");
        assert!(signatures["NoSend"].output.is_none());
    }

    #[test]
    fn a_file_without_mod_builder_has_no_builders() {
        let mut file: syn::File = syn::parse_quote!(
            pub mod types {}
        );
        let (builders, signatures) = walk(&mut file);
        assert!(builders.is_empty() && signatures.is_empty());
    }
}
