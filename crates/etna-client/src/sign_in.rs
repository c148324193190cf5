//! Signing in as consumers use it: the whole flow of the spec's `sign_in`
//! (one factor, two factors with the interim token carried for you, the
//! PIN, an expired password), on top of the generated call. Like the
//! password-reset example, this is a convenience for a whole flow, and the
//! one module of this crate that names the operation and its fields.

use crate::generated::types::{SignInAnswer, SignInErrorBody};
use crate::{Client, Error, Operation, Secret, Session};

/// Where a sign-in stands after one call.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignIn {
    /// Signed in: the client holds the session from now on.
    SignedIn(Session),
    /// A verification code went to the trader (email or SMS): call
    /// [`Client::sign_in_with_code`]. The client holds the interim token.
    CodeNeeded,
    /// The PIN is expected: call [`Client::sign_in_with_pin`]. The client
    /// holds the interim token.
    PinNeeded,
    /// The trader has no PIN yet and must set one first (`PIN code is not
    /// init`). The client holds the interim token when the API sent one
    /// (the documentation does not say whether it does).
    PinNotSet,
    /// The password has expired: `token`, when the API sent one, is the
    /// `Token` of step 4 of the password reset.
    PasswordExpired {
        /// The token for step 4 (`reset_password`).
        token: Option<Secret>,
    },
    /// Refused: where and why, as the API says.
    Refused {
        /// `Step`, when sent (e.g. `BaseAuthentication`).
        step: Option<String>,
        /// `Reason`, when sent (e.g. `Invalid credentials`).
        reason: Option<String>,
    },
}

const SIGN_IN: &str = <crate::generated::builder::SignIn<'static> as Operation>::ID;

/// The documented reason of an expired password.
const PASSWORD_EXPIRED: &str = "Your Password has expired and must be changed";
/// The documented reason of a missing PIN.
const PIN_NOT_SET: &str = "PIN code is not init";

impl Client {
    /// Signs in with a login and password (first call of the flow). Any
    /// session the client held is forgotten first, so that no stale token
    /// goes along as an interim one.
    pub async fn sign_in(&self, user: &str, password: &Secret) -> Result<SignIn, Error> {
        self.clear_session();
        let answer = self
            .sign_in_call()
            .username(user)
            .password(password.clone())
            .call()
            .await;
        self.interpret(answer.map(|a| a.body))
    }

    /// The second call of a two-factor sign-in, with the code the trader
    /// received; the interim token the first call left is sent with it.
    pub async fn sign_in_with_code(
        &self,
        user: &str,
        password: &Secret,
        code: &Secret,
    ) -> Result<SignIn, Error> {
        let answer = self
            .sign_in_call()
            .username(user)
            .password(password.clone())
            .verification_code(code.clone())
            .call()
            .await;
        self.interpret(answer.map(|a| a.body))
    }

    /// The call that answers `SignIn::PinNeeded`, with the trader's PIN.
    pub async fn sign_in_with_pin(
        &self,
        user: &str,
        password: &Secret,
        pin: &Secret,
    ) -> Result<SignIn, Error> {
        let answer = self
            .sign_in_call()
            .username(user)
            .password(password.clone())
            .pin_code(pin.clone())
            .call()
            .await;
        self.interpret(answer.map(|a| a.body))
    }

    fn sign_in_call(&self) -> crate::generated::builder::SignIn<'_> {
        self.api().sign_in()
    }

    fn interpret(&self, answer: Result<SignInAnswer, Error>) -> Result<SignIn, Error> {
        let answer = match answer {
            Ok(answer) => answer,
            Err(Error::Rejected {
                operation,
                status,
                body,
            }) => match body.downcast_ref::<SignInErrorBody>() {
                Some(SignInErrorBody::SignInAnswer(answer)) => answer.clone(),
                _ => {
                    return Err(Error::Rejected {
                        operation,
                        status,
                        body,
                    });
                }
            },
            Err(other) => return Err(other),
        };
        let SignInAnswer {
            state,
            step,
            reason,
            token,
        } = answer;
        if reason.as_deref() == Some(PASSWORD_EXPIRED) {
            return Ok(SignIn::PasswordExpired { token });
        }
        let hold = |token: Option<Secret>| -> Result<(), Error> {
            if let Some(token) = token {
                self.set_session_token(token)
                    .map_err(|e| Error::InvalidInput {
                        operation: SIGN_IN,
                        reason: e.to_string(),
                    })?;
            }
            Ok(())
        };
        Ok(match state.as_str() {
            "Succeeded" => {
                hold(token)?;
                match self.session() {
                    Some(session) => SignIn::SignedIn(session),
                    None => {
                        return Err(Error::InvalidInput {
                            operation: SIGN_IN,
                            reason: "the API reported success without a token".to_owned(),
                        });
                    }
                }
            }
            "Expecting" => {
                hold(token)?;
                if reason.as_deref() == Some(PIN_NOT_SET) {
                    SignIn::PinNotSet
                } else if step.as_deref() == Some("VerificationCode") {
                    SignIn::CodeNeeded
                } else if step.as_deref() == Some("SecutityPin") {
                    SignIn::PinNeeded
                } else {
                    SignIn::Refused { step, reason }
                }
            }
            _ => SignIn::Refused { step, reason },
        })
    }
}
