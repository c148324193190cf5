//! What the benchmarks stand on, checked without timing anything: the
//! comparison crate builds what the client builds, and every request path
//! really makes its call.

mod baseline_manifest;
mod request_paths;
