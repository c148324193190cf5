//! Local `$ref` resolution.

use serde_json::Value;

use crate::pointer;

/// How many `$ref`s a chain may follow before it counts as a cycle: a bound,
/// so that a cycle is an error rather than a hang; real specs use one or two.
pub const MAX_HOPS: usize = 64;

/// A `$ref` that does not lead to a node of the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem} (the `$ref` at {at}/$ref)")]
pub struct RefError {
    /// What is wrong with the reference.
    pub problem: RefProblem,
    /// Where the failing reference is: the pointer of the node holding it.
    pub at: String,
}

/// What is wrong with a `$ref`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefProblem {
    /// The reference is not local (`#/...`).
    #[error("`{0}` refers outside the document; only `#/...` references are supported")]
    External(String),
    /// Nothing is at the pointer.
    #[error("`{0}` refers to nothing in the spec")]
    Dangling(String),
    /// References lead to references without end.
    #[error("`{0}` starts a cycle of references")]
    Cycle(String),
    /// The reference is local, but not to a component of the kind the typed
    /// model holds there ([`typed`](crate::typed) only; the section is the
    /// second field).
    #[error("`{0}` does not point at #/components/{1}/<name>")]
    NotComponent(String, &'static str),
}

/// The section and the name (unescaped) of a `#/components/<section>/<name>`
/// reference; `None` for any other reference.
pub fn component(reference: &str) -> Option<(String, String)> {
    let local = reference.strip_prefix('#')?;
    match <[String; 3]>::try_from(pointer::tokens(local)) {
        Ok([components, section, name]) if components == "components" => Some((section, name)),
        _ => None,
    }
}

/// `value`, or what its `$ref` chain leads to.
pub fn follow<'a>(spec: &'a Value, value: &'a Value) -> Result<&'a Value, RefError> {
    follow_at(spec, value, String::from("#")).map(|(value, _)| value)
}

/// Like [`follow`], also returning where the result is: `at` (where `value`
/// is) when `value` is no reference, else the last reference followed.
pub fn follow_at<'a>(
    spec: &'a Value,
    value: &'a Value,
    mut at: String,
) -> Result<(&'a Value, String), RefError> {
    let mut current = value;
    for _ in 0..MAX_HOPS {
        let Some(reference) = current.get("$ref") else {
            return Ok((current, at));
        };
        let reference = reference.as_str().unwrap_or_default();
        let fail = |problem| RefError {
            problem,
            at: at.clone(),
        };
        let Some(pointer) = reference.strip_prefix('#') else {
            return Err(fail(RefProblem::External(reference.to_owned())));
        };
        current = spec
            .pointer(pointer)
            .ok_or_else(|| fail(RefProblem::Dangling(reference.to_owned())))?;
        reference.clone_into(&mut at);
    }
    Err(RefError {
        problem: RefProblem::Cycle(at.clone()),
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chains_dangling_external_and_cycles() {
        let spec = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "C": {"$ref": "#/components/schemas/C"},
            "D": {"$ref": "#/components/schemas/Nope"}
        }}});
        let a = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(
            follow_at(&spec, &a, "#/x".into()).unwrap(),
            (
                &json!({"type": "string"}),
                "#/components/schemas/B".to_owned()
            )
        );
        assert_eq!(follow(&spec, &json!(1)).unwrap(), &json!(1));
        let d = json!({"$ref": "#/components/schemas/D"});
        assert_eq!(
            follow_at(&spec, &d, "#/y".into()).unwrap_err(),
            RefError {
                problem: RefProblem::Dangling("#/components/schemas/Nope".into()),
                at: "#/components/schemas/D".into(),
            }
        );
        let external = follow(&spec, &json!({"$ref": "x.yaml#/a"})).unwrap_err();
        assert!(matches!(external.problem, RefProblem::External(_)));
        let cycle = follow(&spec, &json!({"$ref": "#/components/schemas/C"})).unwrap_err();
        assert!(matches!(cycle.problem, RefProblem::Cycle(_)));
    }

    #[test]
    fn component_references_split_into_section_and_name() {
        assert_eq!(
            component("#/components/schemas/A~1B"),
            Some(("schemas".into(), "A/B".into()))
        );
        assert_eq!(component("#/components/schemas/A/properties/b"), None);
        assert_eq!(component("#/paths/~1a/get"), None);
        assert_eq!(component("other.yaml#/components/schemas/A"), None);
    }
}
