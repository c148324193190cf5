//! Finding the workspace that a task or test acts on.
//!
//! The answer must come from the process's run time, not from the path the
//! binary was compiled in: with a `CARGO_TARGET_DIR` shared between two clones,
//! cargo happily reuses clone A's `xtask` (or test) binary in clone B, and a
//! path fixed at compile time would make B's gates check A's files.

use std::path::{Path, PathBuf};

use crate::SPEC_PATH;

/// The root of the workspace this process works on.
///
/// In order: the nearest workspace above `CARGO_MANIFEST_DIR` as cargo sets it
/// in the environment of `cargo run`, `cargo test` and `cargo bench`
/// processes; the nearest workspace above the current directory (a binary run
/// directly); the workspace this crate was compiled in, as a last resort.
/// A workspace here is a directory with a `Cargo.toml` holding `[workspace]`
/// and the spec at [`SPEC_PATH`], so the excluded `fuzz/` workspace is skipped.
pub fn workspace_root() -> PathBuf {
    let at_run_time = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .and_then(|dir| enclosing_workspace(&dir))
        .or_else(|| {
            std::env::current_dir()
                .ok()
                .and_then(|dir| enclosing_workspace(&dir))
        });
    at_run_time.unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .expect("crates/etna-codegen sits two levels below the workspace root")
            .to_owned()
    })
}

/// The nearest directory at or above `start` that is this project's workspace.
pub fn enclosing_workspace(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| is_workspace(dir))
        .map(Path::to_owned)
}

fn is_workspace(dir: &Path) -> bool {
    dir.join(SPEC_PATH).is_file()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_workspace_from_a_member_and_from_below_it() {
        let root = workspace_root();
        assert!(root.join(SPEC_PATH).is_file(), "{}", root.display());
        assert_eq!(
            enclosing_workspace(&root.join("crates/etna-codegen/src")),
            Some(root.clone())
        );
        assert_eq!(enclosing_workspace(&root.join("fuzz")), Some(root));
    }

    #[test]
    fn a_directory_outside_any_workspace_has_none() {
        assert_eq!(enclosing_workspace(Path::new("/")), None);
    }
}
