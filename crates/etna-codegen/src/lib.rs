//! Generates the `etna-client` crate's code from the OpenAPI spec.
//!
//! Used by `cargo xtask codegen` (to write and check the generated files) and by
//! the workspace tests (so that `cargo test` alone fails on a stale file). The
//! client crate itself never depends on this crate: consumers of `etna-client`
//! build without progenitor, openapiv3 or syn.

#![warn(missing_docs)]

mod additions;
mod builders;
mod decode;
mod error;
mod exact_flatten;
mod formats;
mod generate;
mod header_names;
mod open_enums;
mod preflight;
#[cfg(test)]
mod rewrites;
mod routes;
mod secret_headers;
mod secrets;
mod send_scopes;
mod servers;
mod shapes;
mod spec;
mod stale;
mod static_urls;
mod stream;
mod syntax;
mod trim;
mod workspace;

pub use error::CodegenError;
pub use generate::{
    GENERATED_HEADER, REPLACED_SCHEMAS, Rewrites, generate_client, generate_client_in_order,
    generate_client_with_rewrites,
};
pub use preflight::{Problem, preflight};
pub use spec::{SPEC_PATH, load_spec, parse_spec};
pub use stale::{GeneratedFile, Staleness, check, outputs, write};
pub use stream::{
    MESSAGES_HEADER, MESSAGES_PATH, STREAMING_SPEC_PATH, generate_messages, generate_messages_from,
};
pub use workspace::{enclosing_workspace, workspace_root};
