//! One classified change and where it is.

use etna_spec::{METHODS, pointer};
use serde::Serialize;

pub use crate::class::Class;
use crate::rules::{Rule, Verdict};

/// One change between the two specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// How it affects callers.
    pub class: Class,
    /// Which rule found it; serialized as its stable id (`property-added`),
    /// for tests and tools.
    pub rule: Rule,
    /// The operation, e.g. `POST /v{version}/users/identifiers/reset/code`;
    /// `None` for changes outside any one operation.
    pub operation: Option<String>,
    /// JSON pointer to the changed place (in the new spec, or in the old one
    /// for something removed), as a URI fragment: `#/components/...`.
    pub pointer: String,
    /// What it means for a Rust caller of `etna-client`.
    pub message: String,
    /// Further places this change accounts for (e.g. the `required` list next
    /// to a property), so that they are not reported again as unexplained.
    #[serde(skip)]
    pub covers: Vec<String>,
}

impl Change {
    /// A change found by `verdict`: a [`Rule`] whose class never varies, or
    /// `rule.with(class)` for one whose class depends on the situation.
    pub(crate) fn new(
        verdict: impl Into<Verdict>,
        operation: Option<&str>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let Verdict { rule, class } = verdict.into();
        Self {
            class,
            rule,
            operation: operation.map(str::to_owned),
            pointer: pointer.into(),
            message: message.into(),
            covers: Vec::new(),
        }
    }

    pub(crate) fn covering(mut self, pointer: impl Into<String>) -> Self {
        self.covers.push(pointer.into());
        self
    }

    /// Where the change is, for one-line output: the operation, or `(spec)`.
    pub fn location(&self) -> &str {
        self.operation.as_deref().unwrap_or("(spec)")
    }
}

/// The operation label (`POST /path`) a pointer into `#/paths` belongs to.
pub(crate) fn operation_of(pointer: &str) -> Option<String> {
    let tokens = pointer::tokens(pointer);
    match tokens.as_slice() {
        [paths, path, method, ..] if paths == "paths" && METHODS.contains(&method.as_str()) => {
            Some(format!("{} {path}", method.to_uppercase()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_read_from_pointers() {
        let p = pointer::join(&["paths", "/v{version}/users", "post"]);
        assert_eq!(operation_of(&p).as_deref(), Some("POST /v{version}/users"));
        assert_eq!(operation_of("#/components/schemas/X"), None);
    }

    #[test]
    fn classes_order_by_severity() {
        assert!(Class::Breaking < Class::Warning);
        assert!(Class::Warning < Class::Compatible);
        assert!(Class::Compatible < Class::Docs);
    }
}
