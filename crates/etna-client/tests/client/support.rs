//! Shared by the test modules.

use std::time::Duration;

use etna_client::{Client, Error, Operation, Secret};

/// The app key the tests send; no output may contain it.
pub const APP_KEY: &str = "test-app-key-5f2c9e";
/// A token the tests' servers return; no `Debug`/`Display` may contain it.
pub const TOKEN: &str = "tok-9b7d1e3a-secret";
/// Every secret the tests send or receive.
pub const SECRETS: [&str; 6] = [
    APP_KEY,
    TOKEN,
    "code-774411",
    "answer-Peterson-x",
    "N3w-passw0rd-x!",
    "Oth3r-passw0rd-x!",
];

/// A client for a local server, with a short timeout so no test can hang.
pub fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .app_key(APP_KEY)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("valid test settings")
}

/// A caller's own `reqwest::Client`, as `ClientBuilder::http_client` takes it.
/// reqwest is built without a crypto provider and panics without one; the
/// crate installs ring only for the clients it builds, so a test must not rely
/// on another test of the process having done so first.
pub fn callers_http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Fails if `text` contains any of [`SECRETS`].
pub fn assert_no_secrets(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret:?}: {text}");
    }
}

/// Step 3 with the spec's example code, its result checked for leaks.
pub async fn reset_token(base_url: &str) -> Result<Secret, Error> {
    let result = client(base_url)
        .password_reset()
        .reset_token("231408")
        .call()
        .await;
    match &result {
        Ok(token) => {
            assert_no_secrets("token Debug", &format!("{token:?}"));
            assert_no_secrets("token Display", &format!("{token}"));
        }
        Err(e) => {
            assert_no_secrets("error Debug", &format!("{e:?}"));
            assert_no_secrets("error Display", &format!("{e}"));
        }
    }
    result
}
