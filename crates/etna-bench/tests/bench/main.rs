//! What the benchmarks stand on, checked without timing anything: the
//! comparison crate builds what the client builds, the client's dependency
//! tree stays as light as measured, and every request path really makes its
//! call.

mod baseline_manifest;
mod client_tree;
mod request_paths;
mod sign_in_bearer;
mod trading_calls;
