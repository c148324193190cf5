use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use similar::TextDiff;

use crate::{CodegenError, SPEC_PATH, load_spec};

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
    let path = root.join(SPEC_PATH);
    let spec = load_spec(&path)?;
    // The texts again, for the order of their keys (the table columns').
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| CodegenError::Read {
            path: path.to_owned(),
            source,
        })
    };
    let overlay = root.join(FIXTURE_OVERLAY);
    let (text, overlay_text) = (read(&path)?, read(&overlay)?);
    let order = |texts: &[&str]| {
        key_order(texts).map_err(|message| CodegenError::Parse {
            path: path.display().to_string(),
            message,
        })
    };
    let client = crate::generate_client_in_order(&spec, Some(&order(&[&text])?))?.0;
    let fixture = crate::generate_client_in_order(
        &with_overlay(&spec, &overlay)?,
        Some(&order(&[&text, &overlay_text])?),
    )?
    .0
    .replacen(
        "from openapi/etna-trader.yaml",
        &format!("from openapi/etna-trader.yaml and {FIXTURE_OVERLAY}"),
        1,
    );
    let messages = crate::generate_messages(&root.join(crate::STREAMING_SPEC_PATH))?;
    let files = vec![
        GeneratedFile {
            path: PathBuf::from("crates/etna-client/src/generated.rs"),
            contents: client,
        },
        GeneratedFile {
            path: PathBuf::from(FIXTURE_OVERLAY).with_file_name("generated.rs"),
            contents: fixture,
        },
        GeneratedFile {
            path: PathBuf::from(crate::MESSAGES_PATH),
            contents: messages,
        },
    ];
    Ok((files, start.elapsed()))
}

/// The order of the keys of a spec's text, and of the `paths` and
/// `components.schemas` its overlays add (as `with_overlay` adds them).
fn key_order(texts: &[&str]) -> Result<etna_spec::KeyOrder, String> {
    let mut merged: Option<serde_yaml_ng::Value> = None;
    for text in texts {
        let value: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
        let Some(base) = merged.as_mut() else {
            merged = Some(value);
            continue;
        };
        for section in [&["paths"][..], &["components", "schemas"]] {
            let into = section
                .iter()
                .try_fold(&mut *base, |node, key| node.get_mut(*key));
            let from = section.iter().try_fold(&value, |node, key| node.get(*key));
            if let (
                Some(serde_yaml_ng::Value::Mapping(into)),
                Some(serde_yaml_ng::Value::Mapping(from)),
            ) = (into, from)
            {
                for (key, item) in from {
                    into.insert(key.clone(), item.clone());
                }
            }
        }
    }
    let text = serde_yaml_ng::to_string(&merged.unwrap_or_default()).map_err(|e| e.to_string())?;
    etna_spec::KeyOrder::parse(&text).map_err(|e| e.to_string())
}

/// The spec plus one more operation: the client generated from it proves, in
/// etna-client's tests, that an operation needs no hand-written code.
pub const FIXTURE_OVERLAY: &str = "crates/etna-test-fixtures/src/fixture/extra-operation.yaml";

/// `spec` with the `paths` and `components.schemas` of the YAML file at
/// `overlay` added.
pub(crate) fn with_overlay(
    spec: &openapiv3::OpenAPI,
    overlay: &Path,
) -> Result<openapiv3::OpenAPI, CodegenError> {
    let text = std::fs::read_to_string(overlay).map_err(|source| CodegenError::Read {
        path: overlay.to_owned(),
        source,
    })?;
    let parse_error = |message: String| CodegenError::Parse {
        path: overlay.display().to_string(),
        message,
    };
    let extra: serde_json::Value =
        serde_yaml_ng::from_str(&text).map_err(|e| parse_error(e.to_string()))?;
    let mut merged = serde_json::to_value(spec).map_err(|e| parse_error(e.to_string()))?;
    for section in ["/paths", "/components/schemas"] {
        let (Some(into), Some(from)) = (
            merged
                .pointer_mut(section)
                .and_then(serde_json::Value::as_object_mut),
            extra
                .pointer(section)
                .and_then(serde_json::Value::as_object),
        ) else {
            continue;
        };
        into.extend(from.clone());
    }
    serde_json::from_value(merged).map_err(|e| parse_error(e.to_string()))
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
