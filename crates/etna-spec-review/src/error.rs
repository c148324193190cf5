use std::path::PathBuf;

/// The spec file could not be read as a JSON value.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The spec file.
        path: PathBuf,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// The file is not YAML (or JSON) with string keys.
    #[error("{path} is not valid YAML: {message}\n  fix: correct the syntax at the position given")]
    Parse {
        /// The spec file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
}

/// Node.js or one of the pinned Node tools could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// `node` or `npm` is not on `PATH`.
    #[error(
        "`{program}` was not found on PATH; the spec linters and the docs renderer run on Node.js >= {min} with npm\n  \
         fix: install them (Debian 13: `apt-get install nodejs npm`; Debian 12 ships Node.js 18, which is too old, \
         so take Node.js 20.19+ or 22 from nodejs.org or NodeSource), then run the command again"
    )]
    Missing {
        /// `node` or `npm`.
        program: &'static str,
        /// The lowest supported Node.js version.
        min: &'static str,
    },
    /// `node` is older than the pinned tools accept.
    #[error(
        "Node.js {found} is too old: the pinned Redocly CLI needs Node.js >= {min}\n  \
         fix: install Node.js 20.19+ or 22 (Debian 13: `apt-get install nodejs npm`)"
    )]
    NodeTooOld {
        /// What `node --version` printed.
        found: String,
        /// The lowest supported version.
        min: &'static str,
    },
    /// A program could not be started at all.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program and its first arguments.
        program: String,
        /// Why it could not be started.
        source: std::io::Error,
    },
    /// A file of the tools folder could not be read or written.
    #[error("cannot use {path}: {reason}")]
    File {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The pinned tools are not installed (only raised where installing is not allowed).
    #[error(
        "the pinned spec tools are not installed in {dir}\n  fix: run `cargo xtask lint` once (it runs `npm ci` there)"
    )]
    NotInstalled {
        /// The tools folder.
        dir: PathBuf,
    },
    /// `npm ci` failed.
    #[error(
        "`npm ci` in {dir} failed ({status})\n  fix: check that the npm registry is reachable and that package-lock.json is committed intact"
    )]
    Install {
        /// The tools folder.
        dir: PathBuf,
        /// npm's exit status.
        status: std::process::ExitStatus,
    },
    /// A tool ran but did not do its job; `output` is what it printed.
    #[error("{tool} failed ({status}):\n{output}")]
    Failed {
        /// The tool and command.
        tool: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed on stdout and stderr.
        output: String,
    },
    /// A tool's output could not be understood.
    #[error("{tool} printed output this workspace cannot read ({reason}):\n{output}")]
    Unreadable {
        /// The tool and command.
        tool: String,
        /// What was wrong with it.
        reason: String,
        /// What it printed.
        output: String,
    },
}
