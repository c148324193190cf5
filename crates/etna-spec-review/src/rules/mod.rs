//! The workspace's own rules for the spec, checked where the linters are
//! silent: every operation documented and exemplified, every schema and
//! property described, every example valid against its schema, every
//! credential an operation requires refused by a marked answer.
//!
//! ```
//! let spec = serde_json::json!({
//!     "openapi": "3.0.3",
//!     "info": { "title": "t", "version": "1" },
//!     "paths": {},
//!     "components": { "schemas": { "Code": { "type": "string", "example": 7 } } }
//! });
//! let rules: Vec<_> = etna_spec_review::rules::check(&spec)
//!     .into_iter()
//!     .map(|v| v.rule.id())
//!     .collect();
//! assert_eq!(rules, ["schema-description", "example-valid"]);
//! ```

mod documented;
mod examples;
mod refusals;
mod walk;

use std::fmt;

use etna_openapi_schema::Schemas;
use serde_json::Value;

/// One broken rule, at one place of the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// JSON Pointer to the offending node, as the linters print it (`#/paths/...`).
    pub pointer: String,
    /// Which rule.
    pub rule: Rule,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n    {} [{}]",
            self.pointer,
            self.message,
            self.rule.id()
        )
    }
}

/// The rules; [`Rule::id`] names each in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Every operation has an `operationId` (it names the client method).
    OperationId,
    /// Every operation has a `summary`.
    OperationSummary,
    /// Every operation has a `description`.
    OperationDescription,
    /// Every parameter and response header has a `description`.
    ParameterDescription,
    /// Every parameter and response header has an example.
    ParameterExample,
    /// Every request body media type has `example` or `examples`.
    RequestExample,
    /// Every response media type has `example` or `examples`.
    ResponseExample,
    /// Every component schema has a `description`.
    SchemaDescription,
    /// Every property has a `description` (a bare `$ref` borrows its target's).
    PropertyDescription,
    /// Every example validates against its schema.
    ExampleValid,
    /// Every credential an operation requires has an answer marked as its
    /// refusal (`x-etna-refuses`), naming a scheme the operation sends.
    CredentialRefusal,
    /// A `$ref` or Example Object this tooling cannot follow.
    Reference,
}

impl Rule {
    /// The rule's name in reports, kebab-case like the linters' rule names.
    pub fn id(self) -> &'static str {
        match self {
            Rule::OperationId => "operation-operation-id",
            Rule::OperationSummary => "operation-summary",
            Rule::OperationDescription => "operation-description",
            Rule::ParameterDescription => "parameter-description",
            Rule::ParameterExample => "parameter-example",
            Rule::RequestExample => "request-example",
            Rule::ResponseExample => "response-example",
            Rule::SchemaDescription => "schema-description",
            Rule::PropertyDescription => "property-description",
            Rule::ExampleValid => "example-valid",
            Rule::CredentialRefusal => "credential-refusal",
            Rule::Reference => "reference",
        }
    }
}

/// Runs every rule on a spec (as parsed by [`crate::load_spec`]). Returns the
/// violations sorted by location, each once even when reached through several
/// references; empty means the spec passes.
pub fn check(spec: &Value) -> Vec<Violation> {
    let (schemas, convert_errors) = Schemas::new(spec);
    let mut out: Vec<Violation> = convert_errors
        .into_iter()
        .map(|e| Violation {
            pointer: e.pointer,
            rule: Rule::Reference,
            message: e.message,
        })
        .collect();
    let parts = walk::Parts::collect(spec, &mut out);
    documented::check(spec, &parts, &mut out);
    examples::check(spec, &schemas, &parts, &mut out);
    refusals::check(spec, &mut out);
    out.sort();
    out.dedup();
    out
}
