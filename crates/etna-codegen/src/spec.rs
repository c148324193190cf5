use std::path::Path;

use openapiv3::OpenAPI;

use crate::CodegenError;

/// Where the spec lives, relative to the workspace root.
pub const SPEC_PATH: &str = "openapi/etna-trader.yaml";

/// Reads and parses a spec file (YAML or JSON).
pub fn load_spec(path: &Path) -> Result<OpenAPI, CodegenError> {
    let text = std::fs::read_to_string(path).map_err(|source| CodegenError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_spec(&text, &path.display().to_string())
}

/// Parses spec text; `label` names it in error messages.
pub fn parse_spec(text: &str, label: &str) -> Result<OpenAPI, CodegenError> {
    // Parse to a generic value first: a syntax error then carries YAML's own line
    // and column, and a shape error can be told apart from it.
    let value: serde_json::Value =
        serde_yaml_ng::from_str(text).map_err(|e| CodegenError::Parse {
            path: label.to_owned(),
            message: e.to_string(),
        })?;
    let version = value.get("openapi").and_then(|v| v.as_str()).unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(CodegenError::Parse {
            path: label.to_owned(),
            message: format!(
                "`openapi: {version}` is not supported; progenitor reads OpenAPI 3.0.x, so write `openapi: 3.0.3`"
            ),
        });
    }
    serde_path_to_error::deserialize(value).map_err(|e| CodegenError::Parse {
        path: label.to_owned(),
        message: format!("at {}: {}", e.path(), e.inner()),
    })
}
