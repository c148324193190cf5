//! The reset flow's four steps as the flow tests call them (etna-client's
//! against a local server, etna-mock's against the mock): plain strings in,
//! each step's typed result out, and the error codes of a refusal.

use etna_client::types::{PasswordResetRequest, PasswordUpdate, ResetCodeRequest, ResetIdentifier};
use etna_client::{Client, Error, Operation, Secret};

/// Step 1: a confirmation code for `user`, with the secret answer if given.
pub async fn step1(client: &Client, user: &str, answer: Option<&str>) -> Result<(), Error> {
    client
        .request_password_reset()
        .body(PasswordResetRequest {
            user: user.try_into().expect("a login"),
            secret_question_answer: answer.map(Secret::from),
        })
        .call()
        .await
}

/// Step 2: the account's secret question (`""` when it has none).
pub async fn step2(client: &Client, user: &str) -> Result<String, Error> {
    client.get_secret_question().username(user).call().await
}

/// Step 3: the emailed code for a reset token.
pub async fn step3(client: &Client, code: &str) -> Result<Secret, Error> {
    client
        .generate_reset_token()
        .body(ResetCodeRequest {
            code: code.into(),
            identifier: ResetIdentifier::ResetPassword,
        })
        .call()
        .await
}

/// Step 4: the new password and its confirmation, with the token.
pub async fn step4(
    client: &Client,
    token: &Secret,
    password: &str,
    again: &str,
) -> Result<(), Error> {
    client
        .reset_password()
        .body(PasswordUpdate {
            token: token.clone(),
            password: password.into(),
            password_confirmation: again.into(),
        })
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
