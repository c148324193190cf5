//! The spec model: what every crate of the workspace reads from
//! `openapi/etna-trader.yaml`, in one place.
//!
//! - [`load`] / [`parse`]: the spec as a JSON value (YAML or JSON text);
//! - [`pointer`](mod@pointer): JSON pointers (RFC 6901) in the `#/...` form the linters
//!   print, escaped and unescaped;
//! - [`follow`] / [`follow_at`]: local `$ref` resolution, bounded, with the
//!   pointer of what was reached; [`component`]: the section and name a
//!   `#/components/...` reference names;
//! - [`Documents`] / [`external`]: `$ref`s to another document beside this
//!   one (`etna-trader.yaml#/components/...`), each document read once;
//! - [`typed`]: the same resolution on openapiv3's typed model;
//! - [`media_examples`]: the examples of a body, in every form OpenAPI allows;
//! - [`operations`]: every operation with its method, path template and
//!   pointer, in the spec's order;
//! - [`base_path`] / [`server_variables`]: the part of the server URL after
//!   the deployment's root, and its variables.
//!
//! ```
//! let spec = etna_spec::parse(r##"
//! servers: [{url: "{root}/v{version}", variables: {root: {default: x}, version: {default: "1.0"}}}]
//! paths:
//!   /a/b:
//!     get: {operationId: get_b, responses: {"200": {$ref: "#/components/responses/Ok"}}}
//! components: {responses: {Ok: {description: fine}}}
//! "##).unwrap();
//! let ops = etna_spec::operations(&spec);
//! assert_eq!((ops[0].id, ops[0].method, ops[0].path), ("get_b", "GET", "/a/b"));
//! assert_eq!(ops[0].at, "#/paths/~1a~1b/get");
//! let ok = etna_spec::follow(&spec, &ops[0].operation["responses"]["200"]).unwrap();
//! assert_eq!(ok["description"], "fine");
//! assert_eq!(etna_spec::base_path(&spec), "/v{version}");
//! assert_eq!(etna_spec::server_variables(&spec), [("version".to_owned(), "1.0".to_owned())]);
//! ```

#![warn(missing_docs)]

mod documents;
mod examples;
pub mod model;
mod operations;
mod order;
pub mod pointer;
mod refs;
mod servers;
pub mod typed;
pub mod written;

pub use documents::{Documents, External, ExternalError, external};
pub use examples::{MEDIA_EXAMPLE, SCHEMA_EXAMPLE, media_examples};
pub use operations::{METHODS, Operation, operations};
pub use order::KeyOrder;
pub use refs::{MAX_HOPS, RefError, RefProblem, component, follow, follow_at};
pub use servers::{base_path, server_variables};

use serde_json::Value;

/// Why a spec could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The text is not YAML (JSON is YAML too).
    #[error("it is not valid YAML: {0}")]
    Syntax(String),
}

/// The spec at `path` as a JSON value.
pub fn load(path: &std::path::Path) -> Result<Value, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text)
}

/// Spec text (YAML or JSON) as a JSON value.
pub fn parse(text: &str) -> Result<Value, LoadError> {
    serde_yaml_ng::from_str(text).map_err(|e| LoadError::Syntax(e.to_string()))
}

/// [`parse`], and the order the text writes its keys in, from one parse.
pub fn parse_with_order(text: &str) -> Result<(Value, KeyOrder), LoadError> {
    let order = KeyOrder::parse(text)?;
    let value = order.to_json()?;
    Ok((value, order))
}
