//! Copies the spec into OUT_DIR for `include_str!`.
//!
//! An `include_str!` of `../../../openapi/...` records the spec's absolute
//! path, so with a target directory shared between two clones the mock would
//! keep serving the first clone's spec. `rerun-if-changed` paths are kept
//! relative to the package, so this script reruns for each clone's own spec.

fn main() {
    for name in ["etna-trader.yaml", "etna-streaming.yaml"] {
        let spec = format!("../../openapi/{name}");
        println!("cargo::rerun-if-changed={spec}");
        let out =
            std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
        std::fs::copy(&spec, &out)
            .unwrap_or_else(|e| panic!("copy {spec} to {}: {e}", out.display()));
    }
}
