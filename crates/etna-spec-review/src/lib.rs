//! Spec review tooling for `openapi/etna-trader.yaml`.
//!
//! - [`rules`]: the workspace's own rules, where the OpenAPI linters are silent
//!   (every operation documented and exemplified, every schema and property
//!   described, every example valid against its schema). Pure Rust, so that
//!   `cargo test` runs them without Node.js.
//! - [`NodeTools`]: the Node.js linters and renderer pinned in
//!   `tools/spec-lint/package-lock.json` (Redocly CLI and Spectral), installed
//!   into that folder with `npm ci` and run from there.
//! - [`render_docs`]: the API reference as one self-contained HTML page.
//!
//! `cargo xtask lint` and `cargo xtask docs` are thin front ends to this crate;
//! the workspace tests call it too.

#![warn(missing_docs)]

mod error;
mod linters;
mod node;
mod render;
pub mod rules;
mod spec;

// Spec pointers in the `#/...` form, shared with the schema conversion.
use etna_openapi_schema::pointer;

pub use error::{SpecError, ToolError};
pub use linters::{LinterReport, run_asyncapi, run_redocly, run_spectral};
pub use node::{MIN_NODE_VERSION, NodeTools, TOOLS_DIR};
pub use render::{DOCS_DIR, DOCS_FILE, render_docs};
pub use spec::load_spec;
