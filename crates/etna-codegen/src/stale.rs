use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use similar::TextDiff;

use crate::{CodegenError, SPEC_PATH, generate_client, load_spec};

/// One file that `cargo xtask codegen` owns.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// What the file must contain.
    pub contents: String,
}

/// The generated files for the spec in the workspace at `root`, and how long
/// generating them took.
pub fn outputs(root: &Path) -> Result<(Vec<GeneratedFile>, Duration), CodegenError> {
    let start = Instant::now();
    let spec = load_spec(&root.join(SPEC_PATH))?;
    let client = generate_client(&spec)?;
    let files = vec![GeneratedFile {
        path: PathBuf::from("crates/etna-client/src/generated.rs"),
        contents: client,
    }];
    Ok((files, start.elapsed()))
}

/// A generated file whose committed contents differ from what the spec yields.
#[derive(Debug, Clone)]
pub struct Staleness {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// Unified diff from the committed file to the expected one.
    pub diff: String,
}

/// Compares the committed files with `files`; returns the stale ones.
pub fn check(root: &Path, files: &[GeneratedFile]) -> Vec<Staleness> {
    files
        .iter()
        .filter_map(|file| {
            let current = std::fs::read_to_string(root.join(&file.path)).unwrap_or_default();
            (current != file.contents).then(|| {
                let name = file.path.display().to_string();
                let diff = TextDiff::from_lines(&current, &file.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("a/{name} (committed)"),
                        &format!("b/{name} (from the spec)"),
                    )
                    .to_string();
                Staleness {
                    path: file.path.clone(),
                    diff,
                }
            })
        })
        .collect()
}

/// Writes the files whose contents changed; returns the paths written.
pub fn write(root: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>, CodegenError> {
    let mut written = Vec::new();
    for file in files {
        let path = root.join(&file.path);
        if std::fs::read_to_string(&path).is_ok_and(|current| current == file.contents) {
            continue;
        }
        std::fs::write(&path, &file.contents)
            .map_err(|source| CodegenError::Write { path, source })?;
        written.push(file.path.clone());
    }
    Ok(written)
}
