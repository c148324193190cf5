//! Session tokens in the OS keyring (the Secret Service on Linux and BSD, the
//! Keychain on macOS, the Credential Manager on Windows), through the
//! `keyring` crate with each backend named in Cargo.toml. Every call runs on
//! its own thread with a timeout: a D-Bus without a Secret Service can keep a
//! caller waiting for its own 25 s default.

use std::sync::mpsc;
use std::time::Duration;

use etna_client::Secret;
use keyring::credential::CredentialPersistence;

/// The keyring's service name for every etna session.
const SERVICE: &str = "etna-cli";

/// How long a keyring call may take before etna says it does not answer.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Whether a keyring that keeps secrets across runs answers and takes a
/// secret; `Err` says why not. A backend that keeps secrets only in memory
/// (keyring's mock, when no platform backend is built in) is not one.
pub fn probe() -> Result<(), String> {
    let persistence = keyring::default::default_credential_builder().persistence();
    if matches!(
        persistence,
        CredentialPersistence::EntryOnly | CredentialPersistence::ProcessOnly
    ) {
        return Err("this build of etna has no OS keyring for this platform".to_owned());
    }
    // One entry per process: two logins probing at once must not delete
    // each other's entry between its write and its delete.
    let account = format!("probe of etna process {}", std::process::id());
    call(move || write_and_delete(&keyring::Entry::new(SERVICE, &account)?))
}

/// Writes a probe entry and deletes it: a keyring that answers reads but
/// refuses writes (a locked collection, a read-only policy) fails here,
/// before the sign-in, instead of after "Signed in as ..." was printed.
fn write_and_delete(entry: &keyring::Entry) -> Result<(), keyring::Error> {
    entry.set_password("etna checks that the keyring keeps a secret")?;
    // Nothing to delete means the write was not kept.
    entry.delete_credential()
}

/// Keeps `token` under `account`, replacing what was there.
pub fn set(account: &str, token: &Secret) -> Result<(), String> {
    let (account, token) = (account.to_owned(), token.clone());
    call(move || keyring::Entry::new(SERVICE, &account)?.set_password(token.expose()))
}

/// The token kept under `account`.
pub fn get(account: &str) -> Result<Option<Secret>, String> {
    let account = account.to_owned();
    call(
        move || match keyring::Entry::new(SERVICE, &account)?.get_password() {
            Ok(token) => Ok(Some(Secret::from(token))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        },
    )
}

/// Forgets the token kept under `account`; one already gone is fine.
pub fn delete(account: &str) -> Result<(), String> {
    let account = account.to_owned();
    call(
        move || match keyring::Entry::new(SERVICE, &account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        },
    )
}

fn call<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, keyring::Error> + Send + 'static,
) -> Result<T, String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        // keyring's errors name the store and the entry, never the secret.
        let _ = send.send(work().map_err(|e| e.to_string()));
    });
    receive
        .recv_timeout(TIMEOUT)
        .unwrap_or_else(|_| Err(format!("it did not answer within {} s", TIMEOUT.as_secs())))
}

#[cfg(test)]
mod tests {
    use keyring::mock::MockCredential;

    use super::write_and_delete;

    fn entry() -> keyring::Entry {
        keyring::Entry::new_with_credential(Box::new(MockCredential::default()))
    }

    fn mock(entry: &keyring::Entry) -> &MockCredential {
        entry.get_credential().downcast_ref().unwrap()
    }

    #[test]
    fn the_probe_leaves_nothing_behind() {
        let entry = entry();
        write_and_delete(&entry).unwrap();
        assert!(matches!(entry.get_password(), Err(keyring::Error::NoEntry)));
    }

    #[test]
    fn a_keyring_that_refuses_writes_fails_the_probe() {
        let entry = entry();
        mock(&entry).set_error(keyring::Error::NoStorageAccess(
            "the collection is locked".into(),
        ));
        let error = write_and_delete(&entry).unwrap_err();
        assert!(
            matches!(error, keyring::Error::NoStorageAccess(_)),
            "{error}"
        );
    }
}
