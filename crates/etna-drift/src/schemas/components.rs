//! The list of component schemas.

use etna_spec::pointer::push;

use super::rust_type;
use crate::Ctx;
use crate::change::Change;
use crate::rules::Rule;

/// Component schemas appear as Rust types whether an operation uses them or not.
pub(crate) fn compare_components(ctx: &mut Ctx) {
    let names = |api: &openapiv3::OpenAPI| -> Vec<String> {
        api.components
            .as_ref()
            .map(|c| c.schemas.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (old, new) = (names(ctx.old), names(ctx.new));
    for name in old.iter().filter(|n| !new.contains(n)) {
        let detail = format!(
            "schema `{name}` is removed: the type `{}` is gone, so code naming it stops compiling",
            rust_type(ctx, name)
        );
        ctx.push(Change::new(
            Rule::SchemaRemoved,
            None,
            push("#/components/schemas", name),
            detail,
        ));
    }
    for name in new.iter().filter(|n| !old.contains(n)) {
        let detail = format!("new schema `{name}`: a new type `{}`", rust_type(ctx, name));
        ctx.push(Change::new(
            Rule::SchemaAdded,
            None,
            push("#/components/schemas", name),
            detail,
        ));
    }
}
