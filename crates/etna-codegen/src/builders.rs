//! progenitor's request builders, found once: every pass that reads or
//! rewrites a builder (`additions/`, `static_urls.rs`, `secret_headers.rs`,
//! `trim.rs`, `decode.rs`, `routes.rs`) goes through these functions, so
//! that what counts as "a builder" and "its `send`" is decided in one place.
//!
//! A builder is an inherent `impl` in progenitor's `mod builder`; its name is
//! the last segment of the implemented type (`GenerateResetToken`), which
//! progenitor derives from the operation id.

use syn::{ImplItem, ImplItemFn, Item, ItemImpl, Type};

/// The items of `mod builder`, or `None` when the file has none (a spec
/// without operations).
pub(crate) fn module_items_mut(file: &mut syn::File) -> Option<&mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Every builder's inherent `impl`, with the builder's name, in file order.
pub(crate) fn impls_mut(items: &mut [Item]) -> impl Iterator<Item = (String, &mut ItemImpl)> {
    items.iter_mut().filter_map(|item| match item {
        Item::Impl(block) if block.trait_.is_none() => {
            builder_name(&block.self_ty).map(|name| (name, block))
        }
        _ => None,
    })
}

/// Every builder's `send`, with the builder's name, in file order; `None`
/// when there is no `mod builder`.
pub(crate) fn sends_mut(file: &mut syn::File) -> Option<Vec<(String, &mut ImplItemFn)>> {
    let items = module_items_mut(file)?;
    let mut out = Vec::new();
    for (name, block) in impls_mut(items) {
        if let Some(send) = send_mut(&mut block.items) {
            out.push((name, send));
        }
    }
    Some(out)
}

/// The `send` among one builder's `impl` items, if it has one. (It takes the
/// items, not the `impl`, so that the caller may still read the `impl`'s
/// generics and type.)
pub(crate) fn send_mut(items: &mut [ImplItem]) -> Option<&mut ImplItemFn> {
    items.iter_mut().find_map(|member| match member {
        ImplItem::Fn(function) if function.sig.ident == "send" => Some(function),
        _ => None,
    })
}

/// Every method of every builder, with the builder's name (read only: what
/// `additions/` derives from the setters and the `send` signatures).
pub(crate) fn methods(file: &syn::File) -> Vec<(String, &ImplItemFn)> {
    let items = file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    let mut out = Vec::new();
    for item in items.into_iter().flatten() {
        let Item::Impl(block) = item else { continue };
        let Some(name) = builder_name(&block.self_ty).filter(|_| block.trait_.is_none()) else {
            continue;
        };
        for member in &block.items {
            if let ImplItem::Fn(function) = member {
                out.push((name.clone(), function));
            }
        }
    }
    out
}

fn builder_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
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
                    pub fn id<V>(mut self, value: V) -> Self { self }
                    pub async fn send(self) {}
                }
                impl<'a> NoSend<'a> {
                    pub fn id<V>(mut self, value: V) -> Self { self }
                }
                impl<'a> ::etna_client::__private::Route for GetThing<'a> {
                    async fn send(response: ::reqwest::Response) {}
                }
            }
        }
    }

    #[test]
    fn a_send_counts_only_in_an_inherent_impl_of_mod_builder() {
        let mut file = file();
        let sends: Vec<String> = sends_mut(&mut file)
            .unwrap()
            .into_iter()
            .map(|(name, f)| format!("{name}::{}", f.sig.ident))
            .collect();
        assert_eq!(sends, ["GetThing::send"]);
        let methods: Vec<String> = methods(&file)
            .into_iter()
            .map(|(name, f)| format!("{name}::{}", f.sig.ident))
            .collect();
        assert_eq!(methods, ["GetThing::id", "GetThing::send", "NoSend::id"]);
    }

    #[test]
    fn a_file_without_mod_builder_has_no_builders() {
        let mut file: syn::File = syn::parse_quote!(
            pub mod types {}
        );
        assert!(sends_mut(&mut file).is_none());
        assert!(methods(&file).is_empty());
    }
}
