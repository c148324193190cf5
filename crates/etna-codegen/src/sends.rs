//! The generated builders' `send` functions: what the post-passes
//! (`trim.rs`, `decode.rs`) rewrite.

use syn::{ImplItem, ImplItemFn, Item};

/// Every `send` method in an `impl` block of a module of `file`, in order.
pub(crate) fn sends_mut(file: &mut syn::File) -> impl Iterator<Item = &mut ImplItemFn> {
    file.items
        .iter_mut()
        .filter_map(|item| match item {
            Item::Mod(module) => module.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .flat_map(|items| items.iter_mut())
        .filter_map(|item| match item {
            Item::Impl(block) => Some(block),
            _ => None,
        })
        .flat_map(|block| block.items.iter_mut())
        .filter_map(|member| match member {
            ImplItem::Fn(function) if function.sig.ident == "send" => Some(function),
            _ => None,
        })
}
