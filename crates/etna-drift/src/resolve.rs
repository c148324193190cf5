//! Following schema `$ref`s the way typify reads them; every other `$ref`
//! is followed by [`etna_spec::typed::follow`].

use etna_spec::{RefError, RefProblem, pointer, typed};
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind};

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
) -> Result<Node<'a>, RefError> {
    let mut current = start;
    let mut pointer = at.to_owned();
    let mut name = None;
    let mut nullable = false;
    // One bound for `$ref`s and `allOf` wrappers together: a cycle may pass
    // through both.
    for _ in 0..etna_spec::MAX_HOPS {
        match current {
            SchemaRef::Ref(reference) => {
                current = typed::lookup::<Schema>(api, reference, &pointer)?.into();
                name = etna_spec::component(reference).map(|(_, name)| name);
                pointer = reference.to_owned();
            }
            SchemaRef::Item(schema) => {
                nullable |= schema.schema_data.nullable;
                match &schema.schema_kind {
                    SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                        pointer = pointer::push(&pointer::push(&pointer, "allOf"), "0");
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
    Err(RefError {
        problem: RefProblem::Cycle(pointer.clone()),
        at: pointer,
    })
}
