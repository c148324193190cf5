//! The lock that makes each change of the session file one step: several
//! `etna` commands at once (six logins to six deployments from one script)
//! each re-read the file under it, so none writes back a copy that misses
//! another's session. An advisory lock on a file of its own beside the
//! session file: the session file itself is replaced by a rename, and a lock
//! on a file that is renamed away protects nothing.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::failure::{Exit, Failure};

const FILE_NAME: &str = "sessions.lock";

/// How long a command waits for another to finish its change. A change
/// holds the lock for a read and a write of a small file and at most one
/// keyring call (itself bounded at 5 s in `keyring.rs`); the sign-in
/// happens before, outside it. So only a stopped or stuck `etna` holds it
/// this long, and the OS releases it when that process ends.
const WAIT: Duration = Duration::from_secs(10);

/// Between two tries: short against the change another command makes.
const RETRY: Duration = Duration::from_millis(10);

/// The lock, held until dropped (closing the file releases it).
pub struct Lock {
    _file: File,
}

/// Takes the lock of the session files in `dir` (created 0700 if need be),
/// waiting at most [`WAIT`] for another command to release it.
pub fn acquire(dir: &Path) -> Result<Lock, Failure> {
    let path = dir.join(FILE_NAME);
    let failed = |e: std::io::Error| {
        Failure::new(
            Exit::Unexpected,
            format!("cannot lock the session file with {}: {e}", path.display()),
        )
    };
    super::file::create_private_dir(dir).map_err(failed)?;
    let file = open(&path).map_err(failed)?;
    let deadline = Instant::now() + WAIT;
    loop {
        // Called through the trait: from Rust 1.89 std's `File::try_lock`
        // has the same name and would win on newer compilers only.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(fs4::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(RETRY);
            }
            Err(fs4::TryLockError::WouldBlock) => return Err(held(&path)),
            Err(fs4::TryLockError::Error(e)) => return Err(failed(e)),
        }
    }
}

fn held(path: &Path) -> Failure {
    Failure::new(
        Exit::Unexpected,
        format!(
            "another etna command has held the lock on the session file for more than {} s ({}); the session file was not changed: let that command finish or end it, then try again",
            WAIT.as_secs(),
            path.display()
        ),
    )
}

/// The lock file, created owner-only: it holds nothing, but it sits in the
/// directory of the session file and nothing there is for others.
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}
