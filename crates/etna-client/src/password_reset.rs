//! The password-reset flow as consumers use it: the four documented steps,
//! each a generated request builder already filled in, and the small
//! decisions between them. Like [`Client::sign_in`](crate::Client::sign_in),
//! a convenience for a whole flow, and so one of the two modules of this
//! crate that name operations and their fields.
//!
//! 1. [`request_code`](PasswordReset::request_code) (`request_password_reset`):
//!    the trader gets a confirmation code by email. When the account has a
//!    secret question, the API refuses until the answer comes along
//!    ([`asks_for_answer`]);
//! 2. [`secret_question`](PasswordReset::secret_question)
//!    (`get_secret_question`): the question to ask the trader;
//! 3. [`reset_token`](PasswordReset::reset_token) (`generate_reset_token`):
//!    the emailed code for a reset token (each code works once);
//! 4. [`set_password`](PasswordReset::set_password) (`reset_password`): the
//!    new password with the token (also the token sign-in gives for an
//!    expired password).
//!
//! Each step returns the generated builder, so the caller still sends it
//! with [`Operation::call`](crate::Operation::call) (or
//! [`EnvelopeOperation::call_envelope`](crate::EnvelopeOperation::call_envelope))
//! and gets the operation's typed result and [`Error`]; a builder's own
//! setters may still change what goes out. Codes, answers, tokens and
//! passwords are [`Secret`]s: never in `Debug`.
//!
//! ```no_run
//! use etna_client::{Client, Operation, Secret, password_reset};
//!
//! # async fn run(client: &Client, ask: impl Fn(&str) -> Secret) -> Result<(), etna_client::Error> {
//! let reset = client.password_reset();
//! let mut answer = None;
//! loop {
//!     match reset.request_code("robert.zak", answer.take()).call().await {
//!         Ok(()) => break,
//!         Err(e) if password_reset::asks_for_answer(&e) => {
//!             let question = reset.secret_question("robert.zak").call().await?;
//!             answer = Some(ask(&question));
//!         }
//!         Err(e) => return Err(e),
//!     }
//! }
//! let token = reset.reset_token(ask("code from the email")).call().await?;
//! reset.set_password(token, ask("new password")).call().await?;
//! # Ok(())
//! # }
//! ```

use crate::generated::Client as ApiClient;
use crate::generated::builder::{
    GenerateResetToken, GetSecretQuestion, RequestPasswordReset, ResetPassword,
};
use crate::types::{PasswordUpdate, ResetCodeRequest, ResetIdentifier};
use crate::{Error, Secret};

/// The error code with which step 1 refuses an account whose secret
/// question was not answered, or not rightly (documented: `Answer is
/// incorrect, try again.`).
pub const ANSWER_NEEDED: &str = "ErrorIncorrectAnswer";

/// The steps of the password reset for one client (see the [module
/// docs](self)); from [`password_reset`](ApiClient::password_reset).
#[derive(Clone, Copy)]
pub struct PasswordReset<'a> {
    client: &'a ApiClient,
    identifier: ResetIdentifier,
}

impl std::fmt::Debug for PasswordReset<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordReset")
            .field("base_url", &self.client.baseurl)
            .field("identifier", &self.identifier)
            .finish()
    }
}

// On the generated client, so that `etna_client::Client` has it too (it
// dereferences to the generated one), as has a client built with
// `build_generated`.
impl ApiClient {
    /// The password-reset flow's steps (see [`PasswordReset`]).
    pub fn password_reset(&self) -> PasswordReset<'_> {
        PasswordReset {
            client: self,
            identifier: ResetIdentifier::ResetPassword,
        }
    }
}

impl<'a> PasswordReset<'a> {
    /// What step 3's token is for: `ResetPassword` (the default) or
    /// `ResetPinCode`.
    pub fn identifier(self, identifier: ResetIdentifier) -> Self {
        Self { identifier, ..self }
    }

    /// Step 1: a confirmation code by email for `user` (the login), with
    /// the answer to the secret question when the account has one. The
    /// documented success is `IsSucceed: false` with no errors, which
    /// `call` takes as success. A login the spec refuses fails the call
    /// before any I/O.
    pub fn request_code(&self, user: &str, answer: Option<Secret>) -> RequestPasswordReset<'a> {
        self.client
            .request_password_reset()
            .body_map(|body| body.user(user).secret_question_answer(answer))
    }

    /// Step 2: the account's secret question, `""` when it has none; `user`
    /// is the login or the email.
    pub fn secret_question(&self, user: &str) -> GetSecretQuestion<'a> {
        self.client.get_secret_question().username(user)
    }

    /// Step 3: the code from the email for the token of step 4.
    pub fn reset_token(&self, code: impl Into<Secret>) -> GenerateResetToken<'a> {
        self.client
            .generate_reset_token()
            .body(code_body(code.into(), self.identifier))
    }

    /// Step 4: the new password, sent as the password and as its
    /// confirmation, with step 3's token.
    pub fn set_password(
        &self,
        token: impl Into<Secret>,
        password: impl Into<Secret>,
    ) -> ResetPassword<'a> {
        self.client
            .reset_password()
            .body(password_body(token.into(), password.into()))
    }
}

/// Whether step 1's error asks for the secret question's answer (none was
/// given, or not the right one): then ask step 2's question and send step 1
/// again with the answer.
pub fn asks_for_answer(error: &Error) -> bool {
    matches!(error, Error::Refused { errors_code, .. } if errors_code.iter().any(|c| c == ANSWER_NEEDED))
}

/// Step 3's body, e.g. to check it before the single-use code is sent.
pub fn code_body(code: Secret, identifier: ResetIdentifier) -> ResetCodeRequest {
    ResetCodeRequest { code, identifier }
}

/// Step 4's body: `password` twice, as the password and its confirmation.
pub fn password_body(token: Secret, password: Secret) -> PasswordUpdate {
    PasswordUpdate {
        token,
        password_confirmation: password.clone(),
        password,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Client;

    fn refused(codes: &[&str]) -> Error {
        Error::Refused {
            operation: "request_password_reset",
            status: reqwest::StatusCode::OK,
            errors: vec![],
            errors_code: codes.iter().map(|c| (*c).to_owned()).collect(),
            status_code: None,
        }
    }

    #[test]
    fn only_the_documented_code_asks_for_the_answer() {
        assert!(asks_for_answer(&refused(&["Other", ANSWER_NEEDED])));
        assert!(!asks_for_answer(&refused(&["UserNotFound"])));
        assert!(!asks_for_answer(&refused(&[])));
    }

    #[test]
    fn the_steps_keep_their_secrets_out_of_debug() {
        let client = Client::new("http://127.0.0.1:9", "app-key-x").unwrap();
        let reset = client.password_reset();
        let step1 = reset.request_code("robert.zak", Some("answer-Peterson-x".into()));
        let step3 = reset.reset_token("code-774411");
        let step4 = reset.set_password("tok-9b7d1e3a-secret", "N3w-passw0rd-x!");
        let shown = format!("{reset:?} {step1:?} {step3:?} {step4:?}");
        assert!(shown.contains("robert.zak"), "{shown}");
        for secret in [
            "answer-Peterson-x",
            "code-774411",
            "tok-9b7d1e3a",
            "N3w-passw0rd",
            "app-key-x",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        let body = password_body("t".into(), "p".into());
        assert_eq!(body.password.expose(), body.password_confirmation.expose());
    }
}
