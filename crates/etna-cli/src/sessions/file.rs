//! The session file: `$XDG_CONFIG_HOME/etna/sessions.json` (else
//! `~/.config/etna/`), readable by its owner only on Unix (off Unix etna
//! sets and checks no permission, and says so). It always holds what
//! `etna auth status` shows (deployment, login, times, store), and the token
//! itself only for sessions whose store is the file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::failure::{Exit, Failure};

/// One session as stored.
#[derive(Clone, Serialize, Deserialize)]
pub struct Record {
    /// The API root it was signed in to.
    pub deployment: String,
    pub login: String,
    /// Seconds since the Unix epoch.
    pub issued: u64,
    /// The spec's documented lifetime, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_seconds: Option<u64>,
    pub store: super::StoreKind,
    /// Only with `store: file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("deployment", &self.deployment)
            .field("login", &self.login)
            .field("issued", &self.issued)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The whole file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Contents {
    /// The session `etna` uses when a deployment has several: the last one
    /// signed in, as `(deployment, login)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<(String, String)>,
    #[serde(default)]
    pub sessions: Vec<Record>,
}

/// Where the file lives: `$XDG_CONFIG_HOME/etna`, else `$HOME/.config/etna`.
pub fn directory() -> Result<PathBuf, Failure> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".config"))
        })
        .ok_or_else(|| {
            Failure::new(
                Exit::Usage,
                "cannot tell where to keep sessions: set XDG_CONFIG_HOME (or HOME)",
            )
        })?;
    Ok(base.join("etna"))
}

pub const FILE_NAME: &str = "sessions.json";

/// Reads the file; a missing file is no sessions. A file others can read is
/// refused, and so is one etna cannot parse (never treated as empty, which
/// would sign out every other session on the next write).
pub fn read(path: &Path) -> Result<Contents, Failure> {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
        Err(e) => {
            return Err(Failure::new(
                Exit::Usage,
                format!("cannot read the session file {}: {e}", path.display()),
            ));
        }
    };
    check_private(path)?;
    serde_json::from_slice(&text).map_err(|e| {
        // serde's message may quote a value, a token among them: say where
        // and what kind of problem, never the text.
        let kind = match e.classify() {
            serde_json::error::Category::Eof => "it ends too early",
            serde_json::error::Category::Syntax => "it is not valid JSON",
            _ => "a value is not what etna writes",
        };
        Failure::new(
            Exit::Usage,
            format!(
                "the session file {} is damaged ({kind}, line {} column {}); move it away or delete it, then sign in again with `etna auth login`",
                path.display(),
                e.line(),
                e.column()
            ),
        )
    })
}

/// Writes the whole file atomically: a new file beside it (created 0600),
/// flushed to disk, then renamed over the old one, so a crash or Ctrl-C
/// leaves the old file or the new one, never half of one. The directory is
/// created 0700, and synced after the rename: until then a power loss can
/// still bring the old file back. The caller holds the lock (`lock.rs`).
pub fn write(path: &Path, contents: &Contents) -> Result<(), Failure> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        Failure::new(
            Exit::Unexpected,
            format!("cannot {what} {}: {e}", path.display()),
        )
    };
    create_private_dir(dir).map_err(|e| failed("create the directory of", &e))?;
    let text = serde_json::to_vec_pretty(contents).map_err(|e| failed("encode", &e))?;
    // tempfile creates the file with mode 0600 on Unix.
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| failed("write", &e))?;
    file.write_all(&text)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| failed("write", &e))?;
    file.persist(path)
        .map_err(|e| failed("replace", &e.error))?;
    sync_dir(dir).map_err(|e| failed("sync the directory of", &e))
}

/// Makes the rename durable: a directory's entries reach the disk when the
/// directory itself is synced.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

// std opens no directory as a file off Unix: the rename is as durable as
// the file system makes it.
#[cfg(not(unix))]
fn sync_dir(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
pub(super) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub(super) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Refuses a file that the group or others may read or write.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| {
            Failure::new(
                Exit::Usage,
                format!("cannot read the session file {}: {e}", path.display()),
            )
        })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "the session file {} can be read or changed by other users (mode {:o}); make it yours only with `chmod 600 {}`, and sign in again if someone else may have read it",
                path.display(),
                mode & 0o777,
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), Failure> {
    Ok(())
}
