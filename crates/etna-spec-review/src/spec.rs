use std::path::Path;

use crate::SpecError;

/// Reads a spec file (YAML or JSON) as a JSON value, the form the rules walk.
pub fn load_spec(path: &Path) -> Result<serde_json::Value, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_yaml_ng::from_str(&text).map_err(|e| SpecError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}
