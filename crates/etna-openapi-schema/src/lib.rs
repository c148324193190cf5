//! OpenAPI 3.0 Schema Objects read as JSON Schema (draft 2020-12), so that the
//! `jsonschema` crate validates examples and request bodies against them.
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema. The conversion:
//! - resolves `$ref: "#/components/schemas/<Name>"` through `$defs`, and
//!   reports any other `$ref` (dangling, external, to a non-schema) with its
//!   JSON Pointer instead of guessing;
//! - reads `nullable: true` as adding `null` to `type` (an `enum` must list
//!   `null` itself, as OpenAPI 3.0.3 clarifies), or, without `type`, as
//!   "or null";
//! - turns the boolean `exclusiveMinimum`/`exclusiveMaximum` into bounds;
//! - writes the range of `format: int32`/`int64` as `minimum`/`maximum`
//!   (JSON Schema asserts no format on numbers), keeping a narrower bound;
//! - drops what only documents (`example`, `discriminator`, `xml`,
//!   `externalDocs`, `x-` extensions) and ignores the siblings of a `$ref`.
//!
//! ```
//! use etna_openapi_schema::Schemas;
//! use serde_json::json;
//!
//! let spec = json!({ "components": { "schemas": {
//!     "Code": { "type": "string", "minLength": 1, "nullable": true }
//! }}});
//! let (schemas, errors) = Schemas::new(&spec);
//! assert!(errors.is_empty());
//! let code = schemas
//!     .validator(&json!({ "$ref": "#/components/schemas/Code" }), "#/example")
//!     .unwrap();
//! assert!(code.is_valid(&json!(null)));
//! let problems = code.problems(&json!(""));
//! assert_eq!(problems[0].keyword, "minLength");
//! assert_eq!(problems[0].instance_path, "");
//! ```

#![warn(missing_docs)]

mod convert;
/// JSON pointers, from the spec model.
pub use etna_spec::pointer;
mod schemas;

pub use convert::ConvertError;
pub use schemas::{Schemas, ValidationProblem, Validator};
