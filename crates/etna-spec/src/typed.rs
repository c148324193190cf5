//! Local `$ref` resolution on openapiv3's typed model, for the crates that
//! read the spec through it (drift, codegen's preflight): the references,
//! bound and errors of [`follow`](crate::follow), except that the typed model
//! can only lead a reference to a component of the kind it expects.

use openapiv3::{
    Components, Header, OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema,
};

use crate::{MAX_HOPS, RefError, RefProblem, component};

/// A kind of component that a `$ref` can name.
pub trait Component: Sized {
    /// Its section of `components`, e.g. `schemas`.
    const SECTION: &'static str;
    /// The component of this kind called `name`.
    fn get<'a>(components: &'a Components, name: &str) -> Option<&'a ReferenceOr<Self>>;
}

macro_rules! component {
    ($ty:ty, $section:literal, $field:ident) => {
        impl Component for $ty {
            const SECTION: &'static str = $section;
            fn get<'a>(components: &'a Components, name: &str) -> Option<&'a ReferenceOr<Self>> {
                components.$field.get(name)
            }
        }
    };
}

component!(Parameter, "parameters", parameters);
component!(RequestBody, "requestBodies", request_bodies);
component!(Response, "responses", responses);
component!(Header, "headers", headers);
component!(Schema, "schemas", schemas);

/// The definition `item` (found at `at`) leads to, and where it is: `at` when
/// `item` is inline, else the last reference followed.
pub fn follow<'a, T: Component>(
    api: &'a OpenAPI,
    item: &'a ReferenceOr<T>,
    mut at: String,
) -> Result<(&'a T, String), RefError> {
    let mut current = item;
    for _ in 0..MAX_HOPS {
        match current {
            ReferenceOr::Item(found) => return Ok((found, at)),
            ReferenceOr::Reference { reference } => {
                current = lookup(api, reference, &at)?;
                reference.clone_into(&mut at);
            }
        }
    }
    Err(RefError {
        problem: RefProblem::Cycle(at.clone()),
        at,
    })
}

/// One step of [`follow`]: the component that `reference` (the `$ref` of the
/// node at `at`) names, itself perhaps a reference.
pub fn lookup<'a, T: Component>(
    api: &'a OpenAPI,
    reference: &str,
    at: &str,
) -> Result<&'a ReferenceOr<T>, RefError> {
    let fail = |problem| RefError {
        problem,
        at: at.to_owned(),
    };
    if !reference.starts_with('#') {
        return Err(fail(RefProblem::External(reference.to_owned())));
    }
    match component(reference) {
        Some((section, name)) if section == T::SECTION => api
            .components
            .as_ref()
            .and_then(|components| T::get(components, &name))
            .ok_or_else(|| fail(RefProblem::Dangling(reference.to_owned()))),
        _ => Err(fail(RefProblem::NotComponent(
            reference.to_owned(),
            T::SECTION,
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_dangling_misplaced_external_and_cycles() {
        let api: OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"type": "string"},
                "C": {"$ref": "#/components/schemas/C"},
                "D": {"$ref": "#/components/schemas/Nope"}
            }}
        }))
        .unwrap();
        let refer = |reference: &str| ReferenceOr::<Schema>::ref_(reference);
        let a = refer("#/components/schemas/A");
        let (b, to) = follow(&api, &a, "#/x".into()).unwrap();
        assert!(matches!(b.schema_kind, openapiv3::SchemaKind::Type(_)));
        assert_eq!(to, "#/components/schemas/B");
        let d = refer("#/components/schemas/D");
        assert_eq!(
            follow(&api, &d, "#/y".into()).unwrap_err(),
            RefError {
                problem: RefProblem::Dangling("#/components/schemas/Nope".into()),
                at: "#/components/schemas/D".into(),
            }
        );
        let problem = |reference: &str| follow(&api, &refer(reference), "#/z".into()).unwrap_err();
        assert!(matches!(
            problem("#/components/schemas/C").problem,
            RefProblem::Cycle(_)
        ));
        assert!(matches!(
            problem("x.yaml#/A").problem,
            RefProblem::External(_)
        ));
        let misplaced = problem("#/components/responses/B");
        assert_eq!(
            misplaced.to_string(),
            "`#/components/responses/B` does not point at #/components/schemas/<name> (the `$ref` at #/z/$ref)"
        );
    }
}
