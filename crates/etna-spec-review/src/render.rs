//! The API reference as one static HTML page (Redocly `build-docs`).

use std::path::{Path, PathBuf};

use crate::linters::REDOCLY_BIN;
use crate::{NodeTools, ToolError};

/// Where the page goes, relative to the workspace root (not committed).
pub const DOCS_DIR: &str = "target/api-docs";

/// The page's file name inside [`DOCS_DIR`].
pub const DOCS_FILE: &str = "etna-trader.html";

/// The page must work without a network: Redoc's scripts are inlined
/// (`--inlineBundle`), and this policy stops the one thing that would still be
/// fetched (the "API docs by Redocly" logo, from Redocly's CDN). Redoc only
/// needs its inline scripts and styles and `data:` images.
const CONTENT_SECURITY_POLICY: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
     script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">";

/// Renders `spec` into `out_dir`/[`DOCS_FILE`] and returns the page's path.
/// Uses `tools/spec-lint/redocly.yaml` (its `openapi:` section holds the page options).
pub fn render_docs(tools: &NodeTools, spec: &Path, out_dir: &Path) -> Result<PathBuf, ToolError> {
    let tool = "Redocly CLI build-docs".to_owned();
    std::fs::create_dir_all(out_dir).map_err(|e| ToolError::File {
        path: out_dir.to_owned(),
        reason: e.to_string(),
    })?;
    let page = out_dir.join(DOCS_FILE);
    let output = tools
        .command(REDOCLY_BIN)
        .arg("build-docs")
        .arg(spec)
        .arg("--config")
        .arg(tools.dir().join("redocly.yaml"))
        .arg("--lint-config=error")
        .arg("--inlineBundle")
        .arg("--output")
        .arg(&page)
        .output()
        .map_err(|source| ToolError::Spawn {
            program: tool.clone(),
            source,
        })?;
    let printed = || {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        text
    };
    if !output.status.success() {
        return Err(ToolError::Failed {
            tool,
            status: output.status,
            output: printed(),
        });
    }
    let html = std::fs::read_to_string(&page).map_err(|e| ToolError::File {
        path: page.clone(),
        reason: e.to_string(),
    })?;
    let Some(head) = html.find("<head>") else {
        return Err(ToolError::Unreadable {
            tool,
            reason: format!(
                "{} has no <head> to put the content security policy in",
                page.display()
            ),
            output: printed(),
        });
    };
    let at = head + "<head>".len();
    let html = format!(
        "{}\n  {CONTENT_SECURITY_POLICY}{}",
        &html[..at],
        &html[at..]
    );
    std::fs::write(&page, html).map_err(|e| ToolError::File {
        path: page.clone(),
        reason: e.to_string(),
    })?;
    Ok(page)
}
