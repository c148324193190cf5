//! The Node.js tools pinned in `tools/spec-lint` (Redocly CLI, Spectral):
//! finding Node.js, installing the exact locked versions, starting them.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::ToolError;

/// The folder, relative to the workspace root, with `package.json`,
/// `package-lock.json` and the linters' configuration.
pub const TOOLS_DIR: &str = "tools/spec-lint";

/// The AsyncAPI CLI's analytics settings, analytics off (in [`TOOLS_DIR`]).
pub const ASYNCAPI_ANALYTICS: &str = "asyncapi-analytics.json";

/// The oldest Node.js the pinned Redocly CLI runs on (its `engines` field:
/// 20.19+ within 20.x, or 22.12+).
pub const MIN_NODE_VERSION: &str = "20.19 (or 22.12 and later)";

/// Node.js and npm, found on `PATH`, with the workspace's tools folder.
#[derive(Debug)]
pub struct NodeTools {
    root: PathBuf,
    dir: PathBuf,
    node: PathBuf,
    npm: PathBuf,
    node_version: String,
}

impl NodeTools {
    /// Finds `node` and `npm` and checks that Node.js is recent enough.
    /// `root` is the workspace root; tools run from there so that the paths
    /// they print are relative to it.
    pub fn locate(root: &Path) -> Result<Self, ToolError> {
        let find = |program: &'static str| {
            which::which(program).map_err(|_| ToolError::Missing {
                program,
                min: MIN_NODE_VERSION,
            })
        };
        let node = find("node")?;
        let npm = find("npm")?;
        let output = Command::new(&node)
            .arg("--version")
            .output()
            .map_err(|source| ToolError::Spawn {
                program: "node --version".into(),
                source,
            })?;
        let node_version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !supported(&node_version) {
            return Err(ToolError::NodeTooOld {
                found: node_version,
                min: MIN_NODE_VERSION,
            });
        }
        Ok(Self {
            root: root.to_owned(),
            dir: root.join(TOOLS_DIR),
            node,
            npm,
            node_version,
        })
    }

    /// The tools folder (absolute).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What `node --version` printed, for example `v20.20.2`.
    pub fn node_version(&self) -> &str {
        &self.node_version
    }

    /// The pinned packages that are not installed at their locked version,
    /// as `name (locked X, installed Y)`; empty when everything is in place.
    pub fn outdated(&self) -> Result<Vec<String>, ToolError> {
        let manifest = read_json(&self.dir.join("package.json"))?;
        let lock = read_json(&self.dir.join("package-lock.json"))?;
        let mut outdated = Vec::new();
        let names = manifest.get("dependencies").and_then(Value::as_object);
        for name in names.into_iter().flatten().map(|(name, _)| name) {
            let locked = lock
                .pointer(&format!(
                    "/packages/node_modules~1{}",
                    etna_spec::pointer::escape(name)
                ))
                .and_then(|entry| entry.get("version"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            let installed = self.installed_version(name);
            if installed.as_deref() != Some(locked) {
                let installed = installed.unwrap_or_else(|| "none".into());
                outdated.push(format!("{name} (locked {locked}, installed {installed})"));
            }
        }
        Ok(outdated)
    }

    /// The installed version of one package of the tools folder, if any.
    pub fn installed_version(&self, package: &str) -> Option<String> {
        let manifest = read_json(
            &self
                .dir
                .join("node_modules")
                .join(package)
                .join("package.json"),
        )
        .ok()?;
        manifest
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// Fails with a hint to run `cargo xtask lint` unless the pinned versions
    /// are installed; for callers (tests) that must not reach the registry.
    pub fn require_installed(&self) -> Result<(), ToolError> {
        if self.outdated()?.is_empty() {
            Ok(())
        } else {
            Err(ToolError::NotInstalled {
                dir: self.dir.clone(),
            })
        }
    }

    /// Runs `npm ci` in the tools folder: exactly the locked versions, into
    /// its own `node_modules`, nothing global. npm's output goes to the terminal.
    pub fn install(&self) -> Result<(), ToolError> {
        let status = Command::new(&self.npm)
            // No pinned package needs an install script; the one that has one
            // (@scarf/scarf, pulled in by Redocly) only reports downloads.
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&self.dir)
            .status()
            .map_err(|source| ToolError::Spawn {
                program: "npm ci".into(),
                source,
            })?;
        if status.success() {
            Ok(())
        } else {
            Err(ToolError::Install {
                dir: self.dir.clone(),
                status,
            })
        }
    }

    /// A command running the script `bin` (relative to `node_modules`) with
    /// the tools' phone-home features off, from the workspace root.
    pub(crate) fn command(&self, bin: &str) -> Command {
        let mut command = Command::new(&self.node);
        command
            .arg(self.dir.join("node_modules").join(bin))
            .current_dir(&self.root)
            // Redocly CLI otherwise sends usage data and asks the registry for updates.
            .env("REDOCLY_TELEMETRY", "off")
            .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
            // The AsyncAPI CLI sends usage data unless its analytics file
            // says `"analyticsEnabled":"false"` (what `asyncapi config
            // analytics --disable` writes); this one, in the tools folder,
            // does, and the CLI reads it instead of ~/.asyncapi-analytics.
            .env(
                "ASYNCAPI_METRICS_CONFIG_PATH",
                self.dir.join(ASYNCAPI_ANALYTICS),
            )
            // Its oclif plugin otherwise asks the registry for a newer CLI.
            .env("ASYNCAPI_SKIP_NEW_VERSION_CHECK", "true");
        command
    }
}

/// Redocly CLI's `engines`: `>=22.12.0 || >=20.19.0 <21.0.0`.
fn supported(version: &str) -> bool {
    let mut parts = version
        .trim_start_matches('v')
        .split('.')
        .map(|p| p.parse::<u64>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(20), Some(minor)) => minor >= 19,
        (Some(22), Some(minor)) => minor >= 12,
        (Some(major), Some(_)) => major > 22,
        _ => false,
    }
}

fn read_json(path: &Path) -> Result<Value, ToolError> {
    let text = std::fs::read_to_string(path).map_err(|e| ToolError::File {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| ToolError::File {
        path: path.to_owned(),
        reason: format!("not valid JSON: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AsyncAPI CLI phones home (usage data to New Relic, the registry
    /// for a newer version) unless told not to; CI's network reaches only
    /// registries. `strace -f -e trace=connect` of `cargo xtask lint`'s
    /// `asyncapi validate` shows no AF_INET connect with these two settings,
    /// and DNS lookups without them.
    #[test]
    fn the_asyncapi_cli_runs_with_analytics_off_and_no_update_check() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let tools = NodeTools {
            root: root.clone(),
            dir: root.join(TOOLS_DIR),
            node: PathBuf::from("node"),
            npm: PathBuf::from("npm"),
            node_version: "v20.20.2".into(),
        };
        let command = tools.command("x");
        let env: std::collections::BTreeMap<_, _> = command
            .get_envs()
            .map(|(k, v)| (k.to_string_lossy().into_owned(), v.map(|v| v.to_owned())))
            .collect();
        assert_eq!(
            env["ASYNCAPI_SKIP_NEW_VERSION_CHECK"].as_deref(),
            Some(std::ffi::OsStr::new("true"))
        );
        let analytics = env["ASYNCAPI_METRICS_CONFIG_PATH"].clone().unwrap();
        let settings = read_json(Path::new(&analytics)).unwrap();
        // The CLI sends nothing unless this is other than "false", and
        // writes the file (which it would then re-enable) only when the
        // notice has not been shown.
        assert_eq!(settings["analyticsEnabled"], "false");
        assert_eq!(settings["infoMessageShown"], "true");
    }

    #[test]
    fn node_versions_follow_redocly_engines() {
        for ok in ["v20.19.0", "v20.20.2", "v22.12.0", "v24.1.0"] {
            assert!(supported(ok), "{ok}");
        }
        for too_old in ["v18.20.4", "v20.18.9", "v21.7.0", "v22.11.0", "", "garbage"] {
            assert!(!supported(too_old), "{too_old}");
        }
    }
}
