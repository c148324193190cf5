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

/// Every `send` of an inherent `impl` in progenitor's `mod builder`, with the
/// name of the builder it belongs to; `None` when there is no `mod builder`.
/// The passes that rewrite one operation's `send` find it here.
pub(crate) fn builder_sends_mut(file: &mut syn::File) -> Option<Vec<(String, &mut ImplItemFn)>> {
    let (_, items) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_mut(),
        _ => None,
    })?;
    let mut out = Vec::new();
    for item in items {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(ty) = &*block.self_ty else {
            continue;
        };
        let Some(name) = ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        for member in &mut block.items {
            if let ImplItem::Fn(function) = member
                && function.sig.ident == "send"
            {
                out.push((name.clone(), function));
            }
        }
    }
    Some(out)
}
