//! Reading progenitor's syntax tree: its modules, the structs and enums of
//! `mod types`, and the parts of a type the passes compare. Shared so that
//! every pass reads a generated shape the same way.

use std::collections::BTreeMap;

use syn::{Fields, GenericArgument, Ident, Item, ItemMod, PathArguments, Type};

/// A struct of `mod types`: its fields by JSON name, as `(ident, type)`.
pub(crate) type FieldsByJson = BTreeMap<String, (Ident, Type)>;

/// An enum of `mod types`: each variant with the named type it carries.
pub(crate) type Variants = Vec<(Ident, Option<String>)>;

/// The items of the inline module `name` of `file`.
pub(crate) fn module<'a>(file: &'a syn::File, name: &str) -> Option<&'a [Item]> {
    file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
        _ => None,
    })
}

pub(crate) fn module_mut<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut ItemMod> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => Some(m),
        _ => None,
    })
}

/// The structs with named fields among `items`, by name.
pub(crate) fn structs(items: &[Item]) -> BTreeMap<String, FieldsByJson> {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(named) = &s.fields else {
            continue;
        };
        let mut fields = BTreeMap::new();
        for field in &named.named {
            let Some(ident) = &field.ident else { continue };
            let json = serde_rename(&field.attrs).unwrap_or_else(|| ident.to_string());
            fields.insert(json, (ident.clone(), field.ty.clone()));
        }
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// The enums among `items`, by name.
pub(crate) fn enums(items: &[Item]) -> BTreeMap<String, Variants> {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Enum(e) = item else { continue };
        let variants = e
            .variants
            .iter()
            .map(|v| {
                let inner = match &v.fields {
                    Fields::Unnamed(f) if f.unnamed.len() == 1 => type_name(&f.unnamed[0].ty),
                    _ => None,
                };
                (v.ident.clone(), inner)
            })
            .collect();
        out.insert(e.ident.to_string(), variants);
    }
    out
}

/// `rename = "X"` of a field's `#[serde(...)]`.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

/// The type arguments of a path type's last segment: `T, E` of
/// `Result<T, E>`.
pub(crate) fn generic_args(ty: &Type) -> Vec<&Type> {
    let Type::Path(path) = ty else {
        return Vec::new();
    };
    let Some(last) = path.path.segments.last() else {
        return Vec::new();
    };
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// The last path segment of a type, e.g. `ErrorBody` for `types::ErrorBody`.
pub(crate) fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` of `Option<T>`, whichever path names the `Option`.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    (type_name(ty).as_deref() == Some("Option"))
        .then(|| generic_args(ty).first().copied())
        .flatten()
}

pub(crate) fn is_path(ty: &Type, name: &str) -> bool {
    type_name(ty).as_deref() == Some(name)
}

/// `()`: progenitor's type for an answer without a body.
pub(crate) fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(tuple) if tuple.elems.is_empty())
}

/// progenitor's builder names: the operation id in UpperCamelCase.
pub(crate) fn upper_camel(id: &str) -> String {
    heck::ToUpperCamelCase::to_upper_camel_case(id)
}
