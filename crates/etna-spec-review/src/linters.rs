//! Runs the pinned OpenAPI linters on a spec.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::{NodeTools, ToolError};

const REDOCLY: &str = "@redocly/cli";
pub(crate) const REDOCLY_BIN: &str = "@redocly/cli/bin/cli.js";
const SPECTRAL: &str = "@stoplight/spectral-cli";
const SPECTRAL_BIN: &str = "@stoplight/spectral-cli/dist/index.js";
const ASYNCAPI: &str = "@asyncapi/cli";
/// The script npm links as `asyncapi` (it sets `NODE_ENV=production`, as an
/// installed CLI runs).
const ASYNCAPI_BIN: &str = "@asyncapi/cli/bin/run_bin";
/// The one diagnostic let through: the document is AsyncAPI 3.0.0, which
/// the issue asks for, and the CLI reports (as an info) that 3.1.0 exists.
const ASYNCAPI_ALLOWED: &str = "asyncapi-latest-version";

/// What one linter found.
#[derive(Debug)]
pub struct LinterReport {
    /// The linter, with its pinned version, for example `Redocly CLI 2.77.0`.
    pub tool: String,
    /// True when it reported nothing at all, of any severity.
    pub clean: bool,
    /// Its report, for a person: each problem with file, line and rule.
    pub output: String,
}

/// Redocly CLI `lint` with `tools/spec-lint/redocly.yaml`. Clean means no
/// error, no warning, nothing hidden by an ignore file, and a valid config.
pub fn run_redocly(tools: &NodeTools, spec: &Path) -> Result<LinterReport, ToolError> {
    let tool = name(tools, "Redocly CLI", REDOCLY);
    let config = tools.dir().join("redocly.yaml");
    let lint = |format: &str| {
        let mut command = tools.command(REDOCLY_BIN);
        command
            .arg("lint")
            .arg(spec)
            .arg("--config")
            .arg(&config)
            .arg("--lint-config=error")
            .arg(format!("--format={format}"));
        output(command, &tool)
    };
    // Redocly's exit code ignores warnings, so count them from its JSON report.
    let json = lint("json")?;
    let stdout = String::from_utf8_lossy(&json.stdout);
    let report: Value = serde_json::from_str(&stdout).map_err(|e| ToolError::Unreadable {
        tool: tool.clone(),
        reason: e.to_string(),
        output: combined(&json),
    })?;
    let count = |field: &str| {
        report
            .pointer(&format!("/totals/{field}"))
            .and_then(Value::as_u64)
    };
    let (Some(errors), Some(warnings), Some(ignored)) =
        (count("errors"), count("warnings"), count("ignored"))
    else {
        return Err(ToolError::Unreadable {
            tool,
            reason: "no `totals` with errors, warnings and ignored".into(),
            output: stdout.into_owned(),
        });
    };
    if errors + warnings + ignored == 0 && json.status.success() {
        return Ok(LinterReport {
            tool,
            clean: true,
            output: "no errors, no warnings".into(),
        });
    }
    let readable = lint("stylish")?;
    let mut text = combined(&readable);
    if ignored > 0 {
        text.push_str(&format!(
            "\n{ignored} problem(s) are hidden by a Redocly ignore file; this workspace switches a rule off only in \
             {}/redocly.yaml, with a one-line reason. Delete the ignore file.\n",
            crate::TOOLS_DIR
        ));
    }
    Ok(LinterReport {
        tool,
        clean: false,
        output: text,
    })
}

/// Spectral `lint` with `tools/spec-lint/.spectral.yaml`, failing on every
/// severity down to hints.
pub fn run_spectral(tools: &NodeTools, spec: &Path) -> Result<LinterReport, ToolError> {
    let tool = name(tools, "Spectral", SPECTRAL);
    let mut command = tools.command(SPECTRAL_BIN);
    command
        .arg("lint")
        .arg(spec)
        .arg("--ruleset")
        .arg(tools.dir().join(".spectral.yaml"))
        .arg("--fail-severity=hint")
        .arg("--format=stylish");
    let result = output(command, &tool)?;
    // Spectral exits 1 when it found problems and 2 when it could not lint.
    match result.status.code() {
        Some(0) => Ok(LinterReport {
            tool,
            clean: true,
            output: "no errors, warnings, infos or hints".into(),
        }),
        Some(1) => Ok(LinterReport {
            tool,
            clean: false,
            output: combined(&result),
        }),
        _ => Err(ToolError::Failed {
            tool,
            status: result.status,
            output: combined(&result),
        }),
    }
}

/// AsyncAPI CLI `validate` on an AsyncAPI document: the document's schema,
/// its references and the CLI's governance rules, failing on every severity
/// down to hints, but the info that a newer AsyncAPI exists
/// (`asyncapi-latest-version`: the issue asks for 3.0.0).
pub fn run_asyncapi(tools: &NodeTools, document: &Path) -> Result<LinterReport, ToolError> {
    let tool = name(tools, "AsyncAPI CLI", ASYNCAPI);
    let mut command = tools.command(ASYNCAPI_BIN);
    command
        .arg("validate")
        .arg(document)
        .arg("--fail-severity=hint")
        .arg(format!("--suppressWarnings={ASYNCAPI_ALLOWED}"))
        .arg("--diagnostics-format=stylish");
    let result = output(command, &tool)?;
    let text = combined(&result);
    match result.status.code() {
        Some(0) => Ok(LinterReport {
            tool,
            clean: true,
            output: "valid, no errors, warnings, infos or hints".into(),
        }),
        // A document with problems: the CLI lists them (file:line, rule).
        Some(1) if text.contains("problem") => Ok(LinterReport {
            tool,
            clean: false,
            output: text,
        }),
        _ => Err(ToolError::Failed {
            tool,
            status: result.status,
            output: text,
        }),
    }
}

fn name(tools: &NodeTools, label: &str, package: &str) -> String {
    let version = tools
        .installed_version(package)
        .unwrap_or_else(|| "(not installed)".into());
    format!("{label} {version}")
}

fn output(mut command: std::process::Command, tool: &str) -> Result<Output, ToolError> {
    command.output().map_err(|source| ToolError::Spawn {
        program: tool.to_owned(),
        source,
    })
}

fn combined(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text
}
