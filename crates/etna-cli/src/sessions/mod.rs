//! Sessions kept between commands, by deployment (API root) and login, one
//! of them current. The token goes to the OS keyring, or, when the person
//! chose it (`--store file`, `ETNA_SESSION_STORE=file`), into the session
//! file with everything else; never to a plain file silently. `ETNA_TOKEN`
//! overrides them all for scripts and CI. Each change of the file (a login,
//! a logout) is a read-modify-write under a lock (`lock.rs`), so commands
//! run at once lose none of each other's sessions.

mod file;
mod keyring;
mod lock;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use etna_client::{Client, ClientState, GeneratedClient, Need, Secret, Session};
use serde::{Deserialize, Serialize};

use crate::failure::{Exit, Failure};
pub use file::Record;

/// Where a session's token is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    #[cfg_attr(unix, doc = "The session file, readable by its owner only.")]
    #[cfg_attr(
        not(unix),
        doc = "The session file; on this platform etna can neither make it owner-only nor check that it is."
    )]
    File,
}

/// What the session file promises, for messages that offer it.
#[cfg(unix)]
pub const FILE_PROMISE: &str = "a file only you can read";
/// Off Unix etna sets and checks no permission on the file (the directory's
/// ACL decides who may read it), so it promises nothing it cannot keep.
#[cfg(not(unix))]
pub const FILE_PROMISE: &str =
    "a file (on this platform etna can neither make it readable by you only nor check that it is)";

/// The variable that chooses the store for every command.
pub const STORE_VARIABLE: &str = "ETNA_SESSION_STORE";
/// The variable whose token overrides the stored sessions.
pub const TOKEN_VARIABLE: &str = "ETNA_TOKEN";

/// The store for a new session: `--store`, else `ETNA_SESSION_STORE`, else
/// the keyring. A keyring that does not answer is an error that says how to
/// choose the file, before anything is sent.
pub fn choose(flag: Option<StoreKind>) -> Result<StoreKind, Failure> {
    let kind = match flag {
        Some(kind) => kind,
        None => match std::env::var(STORE_VARIABLE).ok().as_deref() {
            None | Some("") | Some("keyring") => StoreKind::Keyring,
            Some("file") => StoreKind::File,
            Some(other) => {
                return Err(Failure::new(
                    Exit::Usage,
                    format!("{STORE_VARIABLE}={other:?} is not a store: use `keyring` or `file`"),
                ));
            }
        },
    };
    if kind == StoreKind::Keyring {
        keyring::probe().map_err(|why| {
            Failure::new(
                Exit::Usage,
                format!(
                    "no OS keyring could keep the session ({why}), so it has nowhere safe to go; nothing was sent; to keep it in {FILE_PROMISE}, pass --store file (or set {STORE_VARIABLE}=file)"
                ),
            )
        })?;
    }
    if cfg!(not(unix)) && kind == StoreKind::File {
        eprintln!(
            "etna: the session will be kept in the session file; on this platform etna can neither make it readable by you only nor check that it is: who may read it is what the folder's permissions allow"
        );
    }
    Ok(kind)
}

/// The token from `ETNA_TOKEN`, when set: a session whose age the CLI cannot
/// know, so no expiry is assumed (the API's 401 says when it has ended).
pub fn from_environment() -> Result<Option<Session>, Failure> {
    match std::env::var(TOKEN_VARIABLE) {
        Ok(token) if !token.is_empty() => Session::new(token, SystemTime::now(), None)
            .map(Some)
            .map_err(|e| Failure::new(Exit::Usage, format!("{TOKEN_VARIABLE}: {e}"))),
        _ => Ok(None),
    }
}

/// The stored sessions.
pub struct Sessions {
    path: PathBuf,
    contents: file::Contents,
}

impl Sessions {
    /// Reads the session file (none yet: no sessions).
    pub fn open() -> Result<Self, Failure> {
        let path = file::directory()?.join(file::FILE_NAME);
        let contents = file::read(&path)?;
        Ok(Self { path, contents })
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn all(&self) -> &[Record] {
        &self.contents.sessions
    }

    pub fn is_current(&self, record: &Record) -> bool {
        self.contents.current.as_ref() == Some(&(record.deployment.clone(), record.login.clone()))
    }

    /// The session for `deployment` (any, when `None`) and `login` (any,
    /// when `None`): the current one when it matches, else the last signed
    /// in.
    pub fn find(&self, deployment: Option<&str>, login: Option<&str>) -> Option<&Record> {
        let deployment = deployment.map(normalise);
        let matches = |r: &&Record| {
            deployment.as_deref().is_none_or(|d| r.deployment == d)
                && login.is_none_or(|l| r.login == l)
        };
        let current = self
            .contents
            .sessions
            .iter()
            .filter(matches)
            .find(|r| self.is_current(r));
        current.or_else(|| {
            self.contents
                .sessions
                .iter()
                .filter(matches)
                .max_by_key(|r| r.issued)
        })
    }

    /// The session of `record`, its token read from where it is kept.
    pub fn session(&self, record: &Record) -> Result<Session, Failure> {
        let token = match record.store {
            StoreKind::File => record.token.clone().map(Secret::from),
            StoreKind::Keyring => keyring::get(&account(record)).map_err(|why| {
                Failure::new(
                    Exit::Unexpected,
                    format!(
                        "cannot read the session of {} at {} from the OS keyring: {why}",
                        record.login, record.deployment
                    ),
                )
            })?,
        };
        let token = token.ok_or_else(|| {
            Failure::new(
                Exit::NotSignedIn,
                format!(
                    "the session of {} at {} has no token in its store any more; sign in again with `etna auth login --user {}`",
                    record.login, record.deployment, record.login
                ),
            )
        })?;
        Session::new(
            token,
            issued(record),
            record.lifetime_seconds.map(Duration::from_secs),
        )
        .map_err(|e| Failure::new(Exit::Unexpected, format!("the stored session: {e}")))
    }

    /// Keeps `session` for `login` at `deployment` in `store`, replacing an
    /// earlier one, and makes it current.
    pub fn save(
        &mut self,
        deployment: &str,
        login: &str,
        session: &Session,
        store: StoreKind,
    ) -> Result<(), Failure> {
        let deployment = normalise(deployment);
        let mut record = Record {
            deployment: deployment.clone(),
            login: login.to_owned(),
            issued: seconds(session.issued()),
            lifetime_seconds: session.lifetime().map(|l| l.as_secs()),
            store,
            token: None,
        };
        // The keyring's entry changes under the lock too: a logout of the
        // same session at the same time must not delete the token this
        // login just kept while its record stays.
        let _lock = self.reread_locked()?;
        match store {
            StoreKind::File => record.token = Some(session.token().expose().to_owned()),
            StoreKind::Keyring => keyring::set(&account(&record), session.token()).map_err(|why| {
                Failure::new(
                    Exit::Unexpected,
                    format!("cannot keep the session in the OS keyring: {why}; pass --store file to keep it in {FILE_PROMISE}"),
                )
            })?,
        }
        let previous = take(&mut self.contents, &deployment, login);
        self.contents.sessions.push(record);
        self.contents.current = Some((deployment, login.to_owned()));
        file::write(&self.path, &self.contents)?;
        // A session that moved from the keyring to the file leaves nothing behind.
        if let Some(old) =
            previous.filter(|old| old.store == StoreKind::Keyring && store == StoreKind::File)
        {
            let _ = keyring::delete(&account(&old));
        }
        Ok(())
    }

    /// Forgets a session here (the API has no logout); returns it, or `None`
    /// when another command forgot it first.
    pub fn forget(&mut self, deployment: &str, login: &str) -> Result<Option<Record>, Failure> {
        let _lock = self.reread_locked()?;
        let Some(record) = take(&mut self.contents, &normalise(deployment), login) else {
            return Ok(None);
        };
        if self.is_current(&record) {
            self.contents.current = None;
        }
        file::write(&self.path, &self.contents)?;
        if record.store == StoreKind::Keyring {
            keyring::delete(&account(&record)).map_err(|why| {
                Failure::new(
                    Exit::Unexpected,
                    format!("the session is forgotten, but its token could not be removed from the OS keyring: {why}"),
                )
            })?;
        }
        Ok(Some(record))
    }

    /// Takes the lock and reads the file again under it: what was read
    /// before (maybe minutes ago, before a sign-in) may miss the sessions
    /// other commands kept meanwhile, and writing it back would drop them.
    /// Every change of the file holds the returned lock until written.
    fn reread_locked(&mut self) -> Result<lock::Lock, Failure> {
        let dir = self.path.parent().unwrap_or(std::path::Path::new("."));
        let lock = lock::acquire(dir)?;
        self.contents = file::read(&self.path)?;
        Ok(lock)
    }
}

fn take(contents: &mut file::Contents, deployment: &str, login: &str) -> Option<Record> {
    let index = contents
        .sessions
        .iter()
        .position(|r| r.deployment == deployment && r.login == login)?;
    Some(contents.sessions.remove(index))
}

/// Gives `limits` (a built client's) the session for `deployment`, for an
/// operation whose security `need`s Bearer: `ETNA_TOKEN` when set, else the
/// stored one, which goes only where the session is required (where it is
/// optional, as for sign-in, a Bearer token is an interim one, and a stored
/// session is not). Returns which, for `--verbose`; an expired stored
/// session is still given, so that the client refuses it with its own error
/// before any I/O.
pub fn attach(
    deployment: &str,
    limits: &ClientState,
    need: Need,
) -> Result<Option<String>, Failure> {
    if need == Need::None {
        return Ok(None);
    }
    if let Some(session) = from_environment()? {
        limits.set_session(session);
        return Ok(Some(format!("the session in {TOKEN_VARIABLE}")));
    }
    if need != Need::Required {
        return Ok(None);
    }
    let sessions = Sessions::open()?;
    let Some(record) = sessions.find(Some(deployment), None) else {
        return Ok(None);
    };
    limits.set_session(sessions.session(record)?);
    Ok(Some(format!(
        "the stored session of {} ({})",
        record.login,
        describe_store(record.store, sessions.path())
    )))
}

/// The client for a command that acts as the signed-in trader, holding the
/// live session for its deployment; without one, exit 6 before anything is
/// asked or sent. With `--mock` it is the mock trader's session, signed in
/// for this command alone (no session outlives the mock).
pub async fn connect_signed_in(
    cli: &crate::options::Options,
) -> Result<crate::connect::Target<Client>, Failure> {
    let target = crate::connect::connect_client(cli).await?;
    if let Some(mock) = &target.mock {
        crate::connect::sign_in_to_mock(cli, mock, target.client.api().state()).await?;
        return Ok(target);
    }
    let client = &target.client;
    let attached = attach(&target.base_url, client.api().state(), Need::Required)?;
    let live = client
        .session()
        .is_some_and(|s| !s.is_expired_at(SystemTime::now()));
    if attached.is_none() || !live {
        return Err(Failure::new(
            Exit::NotSignedIn,
            format!(
                "no live session for {}: sign in with `etna auth login --user LOGIN` first (nothing was sent)",
                target.base_url
            ),
        ));
    }
    Ok(target)
}

/// Where a store keeps tokens, for messages.
pub fn describe_store(store: StoreKind, path: &std::path::Path) -> String {
    match store {
        StoreKind::Keyring => "token in the OS keyring".to_owned(),
        StoreKind::File => format!("token in {}", path.display()),
    }
}

fn account(record: &Record) -> String {
    format!("{} at {}", record.login, record.deployment)
}

fn normalise(deployment: &str) -> String {
    deployment.trim_end_matches('/').to_owned()
}

fn seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

pub fn issued(record: &Record) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(record.issued)
}

/// When `record` expires, when its lifetime is known.
pub fn expires(record: &Record) -> Option<SystemTime> {
    record
        .lifetime_seconds
        .and_then(|l| issued(record).checked_add(Duration::from_secs(l)))
}
