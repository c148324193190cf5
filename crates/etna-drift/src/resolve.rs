//! Following `$ref`s to the definitions they name.

use indexmap::IndexMap;
use openapiv3::{
    Components, Header, OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema, SchemaKind,
};

/// A component kind that `$ref`s can point to.
pub(crate) trait Component: Sized {
    const SECTION: &'static str;
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>>;
}

macro_rules! component {
    ($ty:ty, $section:literal, $field:ident) => {
        impl Component for $ty {
            const SECTION: &'static str = $section;
            fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
                &components.$field
            }
        }
    };
}

component!(Parameter, "parameters", parameters);
component!(RequestBody, "requestBodies", request_bodies);
component!(Response, "responses", responses);
component!(Header, "headers", headers);
component!(Schema, "schemas", schemas);

/// Chains of `$ref`s longer than this are taken to be cycles.
const MAX_HOPS: usize = 32;

/// The definition behind `item` and the pointer to it (`at` when inline).
pub(crate) fn item<'a, T: Component>(
    api: &'a OpenAPI,
    item: &'a ReferenceOr<T>,
    at: &str,
) -> Result<(&'a T, String), String> {
    let mut current = item;
    let mut pointer = at.to_owned();
    for _ in 0..MAX_HOPS {
        match current {
            ReferenceOr::Item(found) => return Ok((found, pointer)),
            ReferenceOr::Reference { reference } => {
                current = lookup::<T>(api, reference)?;
                pointer = reference.clone();
            }
        }
    }
    Err(format!("`$ref` chain through {pointer} does not end"))
}

fn lookup<'a, T: Component>(
    api: &'a OpenAPI,
    reference: &str,
) -> Result<&'a ReferenceOr<T>, String> {
    let prefix = format!("#/components/{}/", T::SECTION);
    let name = reference
        .strip_prefix(&prefix)
        .ok_or_else(|| format!("`$ref: {reference}` is not a local reference to {prefix}…"))?;
    api.components
        .as_ref()
        .and_then(|c| T::section(c).get(name))
        .ok_or_else(|| format!("`$ref: {reference}` names nothing in the spec"))
}

/// A schema reference as found in the spec, boxed or not.
#[derive(Clone, Copy)]
pub(crate) enum SchemaRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

/// A schema with its `$ref`s followed.
pub(crate) struct Node<'a> {
    pub schema: &'a Schema,
    /// Where it is defined.
    pub at: String,
    /// The component it came from: its Rust type is `types::{name}`.
    pub name: Option<String>,
    /// Whether the value may be `null` (the wrapper's `nullable` counts).
    pub nullable: bool,
}

/// Follows `$ref`s and unwraps `allOf` with one member (the usual way to add
/// `nullable` or a description to a reference), which typify treats as the
/// member itself.
pub(crate) fn schema<'a>(
    api: &'a OpenAPI,
    start: SchemaRef<'a>,
    at: &str,
) -> Result<Node<'a>, String> {
    let mut current = start;
    let mut pointer = at.to_owned();
    let mut name = None;
    let mut nullable = false;
    for _ in 0..MAX_HOPS {
        match current {
            SchemaRef::Ref(reference) => {
                current = lookup::<Schema>(api, reference)?.into();
                name = reference
                    .rsplit('/')
                    .next()
                    .map(|n| n.replace("~1", "/").replace("~0", "~"));
                pointer = reference.to_owned();
            }
            SchemaRef::Item(schema) => {
                nullable |= schema.schema_data.nullable;
                match &schema.schema_kind {
                    SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                        pointer = format!("{pointer}/allOf/0");
                        current = (&all_of[0]).into();
                    }
                    _ => {
                        return Ok(Node {
                            schema,
                            at: pointer,
                            name,
                            nullable,
                        });
                    }
                }
            }
        }
    }
    Err(format!("`$ref` chain through {pointer} does not end"))
}
