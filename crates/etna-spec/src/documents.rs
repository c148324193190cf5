//! Cross-document `$ref`s: a reference such as
//! `etna-trader.yaml#/components/schemas/OrderSide`, relative to the
//! directory of the document that holds it (the AsyncAPI document reuses the
//! REST document's enumerations so). Each document is read once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// What a cross-document reference names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External<'a> {
    /// The file, as written (relative to the referring document's directory).
    pub file: &'a str,
    /// The pointer inside it, `#/...`.
    pub fragment: &'a str,
}

/// The file and pointer of a reference to another document; `None` for a
/// local (`#/...`) reference or one that names no pointer.
pub fn external(reference: &str) -> Option<External<'_>> {
    if reference.starts_with('#') {
        return None;
    }
    let (file, fragment) = reference.split_once('#')?;
    (!file.is_empty() && fragment.starts_with('/')).then_some(External {
        file,
        fragment: &reference[file.len()..],
    })
}

/// Why a cross-document reference could not be followed.
#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    /// The reference does not have the `file#/pointer` form.
    #[error("`{0}` is not a `file#/pointer` reference")]
    NotExternal(String),
    /// The file names a place outside the referring document's directory.
    #[error("`{0}` leaves the document's directory; only files beside it are read")]
    OutsideDirectory(String),
    /// The file could not be read or parsed.
    #[error("`{reference}`: {source}")]
    Load {
        /// The reference.
        reference: String,
        /// Why.
        source: crate::LoadError,
    },
    /// Nothing is at the pointer in that file.
    #[error("`{0}` refers to nothing in that document")]
    Dangling(String),
}

/// The documents read so far, by file name, relative to one directory.
#[derive(Debug)]
pub struct Documents {
    dir: PathBuf,
    loaded: BTreeMap<String, Value>,
}

impl Documents {
    /// Documents beside `dir` (the referring document's directory).
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            loaded: BTreeMap::new(),
        }
    }

    /// The node a cross-document reference leads to (one hop: a `$ref`
    /// inside it is the caller's to follow, local to that document).
    pub fn resolve(&mut self, reference: &str) -> Result<&Value, ExternalError> {
        let target =
            external(reference).ok_or_else(|| ExternalError::NotExternal(reference.to_owned()))?;
        // Beside the document only: a reference cannot make the generator
        // read an arbitrary file.
        if target.file.contains(['/', '\\']) || target.file.starts_with('.') {
            return Err(ExternalError::OutsideDirectory(reference.to_owned()));
        }
        if !self.loaded.contains_key(target.file) {
            let value =
                crate::load(&self.dir.join(target.file)).map_err(|source| ExternalError::Load {
                    reference: reference.to_owned(),
                    source,
                })?;
            self.loaded.insert(target.file.to_owned(), value);
        }
        let document = &self.loaded[target.file];
        document
            .pointer(&target.fragment[1..])
            .ok_or_else(|| ExternalError::Dangling(reference.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_splits_into_its_file_and_pointer() {
        assert_eq!(
            external("etna-trader.yaml#/components/schemas/OrderSide"),
            Some(External {
                file: "etna-trader.yaml",
                fragment: "#/components/schemas/OrderSide"
            })
        );
        assert_eq!(external("#/components/schemas/A"), None);
        assert_eq!(external("x.yaml"), None);
        assert_eq!(external("x.yaml#nope"), None);
    }

    #[test]
    fn documents_beside_the_referring_one_are_read_once() {
        let dir = tempdir();
        std::fs::write(
            dir.join("rest.yaml"),
            "components: {schemas: {Side: {type: string, enum: [Buy]}}}",
        )
        .unwrap();
        let mut documents = Documents::new(&dir);
        let side = documents
            .resolve("rest.yaml#/components/schemas/Side")
            .unwrap();
        assert_eq!(side["enum"][0], "Buy");
        std::fs::remove_file(dir.join("rest.yaml")).unwrap();
        // Read once: the file is gone, the document is not.
        assert!(
            documents
                .resolve("rest.yaml#/components/schemas/Side")
                .is_ok()
        );
        assert!(matches!(
            documents.resolve("rest.yaml#/components/schemas/Nope"),
            Err(ExternalError::Dangling(_))
        ));
        assert!(matches!(
            documents.resolve("gone.yaml#/a"),
            Err(ExternalError::Load { .. })
        ));
        assert!(matches!(
            documents.resolve("../etc/x.yaml#/a"),
            Err(ExternalError::OutsideDirectory(_))
        ));
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "etna-spec-documents-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
