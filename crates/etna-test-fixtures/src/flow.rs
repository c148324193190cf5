//! The reset flow's four steps as the flow tests call them (etna-client's
//! against a local server, etna-mock's against the mock): plain strings in,
//! each step's typed result out, and the error codes of a refusal. Each step
//! is etna-client's own [`PasswordReset`](etna_client::PasswordReset) step,
//! so the tests exercise what consumers call.

use etna_client::{Client, Error, Operation, Secret};

/// Step 1: a confirmation code for `user`, with the secret answer if given.
pub async fn step1(client: &Client, user: &str, answer: Option<&str>) -> Result<(), Error> {
    let answer = answer.map(Secret::from);
    client
        .password_reset()
        .request_code(user, answer)
        .call()
        .await
}

/// Step 2: the account's secret question (`""` when it has none).
pub async fn step2(client: &Client, user: &str) -> Result<String, Error> {
    client.password_reset().secret_question(user).call().await
}

/// Step 3: the emailed code for a reset token.
pub async fn step3(client: &Client, code: &str) -> Result<Secret, Error> {
    client.password_reset().reset_token(code).call().await
}

/// Step 4: the new password and its confirmation, with the token. The
/// confirmation may differ (the tests' mismatch case): it replaces the one
/// `set_password` sends.
pub async fn step4(
    client: &Client,
    token: &Secret,
    password: &str,
    again: &str,
) -> Result<(), Error> {
    let again = Secret::from(again);
    client
        .password_reset()
        .set_password(token.clone(), password)
        .body_map(|body| body.password_confirmation(again))
        .call()
        .await
}

/// The `ErrorsCode` of a refusal; panics on anything else.
pub fn refusal_codes(result: Result<impl std::fmt::Debug, Error>) -> Vec<String> {
    match result {
        Err(Error::Refused { errors_code, .. }) => errors_code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}
