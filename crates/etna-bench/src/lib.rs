//! Benchmarks of the ETNA client workspace: what `etna-client` costs per request
//! against a hand-written reqwest call, and how code generation scales with the
//! spec. `cargo bench -p etna-bench` runs them under criterion; the
//! `etna-bench` binary (run by `cargo xtask bench`) measures the figures of
//! BENCHMARKS.md, and with `--mock-load` puts the stateful mock server under
//! load ([`mock_load`]).

#![warn(missing_docs)]

pub mod caller;
pub mod codegen;
pub mod decimals;
pub mod future_sizes;
pub mod instructions;
pub mod mock_load;
pub mod one_side;
pub mod procfs;
pub mod request;
pub mod server;
pub mod steps;
pub mod streaming;
pub mod synthetic;
pub mod table;

/// The hand-written side: the source of the standalone comparison crate
/// `baseline/`, so that the request benchmark and the build-cost comparison
/// measure the same code.
#[path = "../baseline/src/lib.rs"]
pub mod handwritten;
