use std::path::Path;

use openapiv3::OpenAPI;
use serde_json::Value;

use crate::CodegenError;
use crate::preflight::Problem;

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

/// The typed operations of the spec; a construct they cannot express is an
/// error with its pointer.
pub(crate) fn model(spec: &Value) -> Result<etna_spec::model::Api<'_>, CodegenError> {
    etna_spec::model::Api::read(spec).map_err(|problems| {
        CodegenError::Unsupported(
            problems
                .into_iter()
                .map(|p| Problem {
                    pointer: p.pointer,
                    message: p.message,
                })
                .collect(),
        )
    })
}

/// For the passes' tests: `POST /token` (`sign_in`) with the header
/// parameters `Username` (required) and `second`.
#[cfg(test)]
pub(crate) fn sign_in_with_headers(second: &str) -> Value {
    serde_json::json!({
        "openapi": "3.0.3",
        "servers": [{"url": "{root}/v1", "variables": {"root": {"default": "https://h"}}}],
        "paths": {"/token": {"post": {
            "operationId": "sign_in",
            "parameters": [
                {"name": "Username", "in": "header", "required": true, "schema": {"type": "string"}},
                {"name": second, "in": "header", "schema": {"type": "string"}}
            ],
            "responses": {}
        }}}
    })
}
