//! The password-reset flow with state, on top of the generic layer: the
//! generic layer has already checked the app key, the parameters and the
//! body against the spec; this scenario decides accepted or refused and
//! fills in the model. It is the one place of the mock that knows the
//! flow's four operations and their fields, the way a guided flow is the one
//! place of a client that knows them.
//!
//! It also keeps each account's credentials, the one state that sign-in
//! (`sign_in.rs`), step 4 and `change_password` read and change: a password
//! set here is the one sign-in accepts next.
//!
//! The documentation leaves open whether a new code replaces an older one
//! and how long codes and tokens live. The mock keeps the strict reading, so
//! that a client cannot come to rely on more: one live code and one live
//! token per account, each used once, a new one replacing the old.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::response::Response;
use serde_json::Value;

use crate::accounts::{Account, SecondFactor};
use crate::envelope::Answers;
use crate::outbox::{Channel, Mail, Outbox};
use crate::scenario::{Request, Scenario};

/// The steps, by operation id, and the fields each reads.
const REQUEST_RESET: &str = "request_password_reset";
const SECRET_QUESTION: &str = "get_secret_question";
const RESET_TOKEN: &str = "generate_reset_token";
const RESET_PASSWORD: &str = "reset_password";

/// Reasons the documentation names; the others are the mock's own
/// illustrations (the API publishes no list).
const INCORRECT_ANSWER: (&str, &str) = ("ErrorIncorrectAnswer", "Answer is incorrect, try again.");
const UNKNOWN_USER: (&str, &str) = ("UserNotFound", "No account has this login.");
const INVALID_CODE: (&str, &str) = (
    "InvalidConfirmationCode",
    "The confirmation code is invalid or has expired.",
);
const INVALID_TOKEN: (&str, &str) = (
    "InvalidResetToken",
    "The reset token is invalid or has already been used.",
);
const MISMATCH: (&str, &str) = (
    "PasswordConfirmationMismatch",
    "The password and its confirmation do not match.",
);

pub(crate) struct ResetFlow {
    state: Mutex<State>,
    outbox: Arc<Outbox>,
}

struct State {
    accounts: Vec<Held>,
    /// Live codes and tokens, to the index of their account.
    codes: HashMap<String, usize>,
    tokens: HashMap<String, usize>,
}

struct Held {
    account: Account,
    code: Option<String>,
    token: Option<String>,
    /// The password sign-in accepts now.
    password: Option<String>,
    password_expired: bool,
    pin_set: bool,
}

/// An account whose password sign-in has just matched.
pub(crate) struct Credentials {
    pub(crate) index: usize,
    pub(crate) second_factor: SecondFactor,
    pub(crate) password_expired: bool,
    pub(crate) pin_set: bool,
}

impl ResetFlow {
    pub(crate) fn new(accounts: Vec<Account>, outbox: Arc<Outbox>) -> Self {
        let mut state = State {
            accounts: Vec::new(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
        };
        for account in accounts {
            let code = account.mailed_code.clone();
            state.accounts.push(Held {
                code: None,
                token: None,
                password: account.password.clone(),
                password_expired: account.password_expired,
                pin_set: account.pin_set,
                account,
            });
            if let Some(code) = code {
                let index = state.accounts.len() - 1;
                outbox.send(state.issue_code(index, code));
            }
        }
        Self {
            state: Mutex::new(state),
            outbox,
        }
    }

    /// Whether `password` is the one sign-in accepts now for the account
    /// named `login`.
    pub(crate) fn password_is(&self, login: &str, password: &str) -> bool {
        self.sign_in(login, password).is_some()
    }

    /// The account named `login`, when `password` is its password now.
    pub(crate) fn sign_in(&self, login: &str, password: &str) -> Option<Credentials> {
        let state = self.lock();
        let index = state.find(Some(login))?;
        let held = &state.accounts[index];
        (held.password.as_deref() == Some(password)).then_some(Credentials {
            index,
            second_factor: held.account.second_factor,
            password_expired: held.password_expired,
            pin_set: held.pin_set,
        })
    }

    /// A fresh token for step 4, replacing the account's live one: what
    /// sign-in hands out for an expired password.
    pub(crate) fn reset_token_for(&self, index: usize) -> String {
        self.lock().issue_token(index)
    }

    /// The verification code of a two-factor sign-in, as a message by the
    /// account's channel.
    pub(crate) fn send_verification_code(&self, index: usize, code: String) {
        let mail = {
            let state = self.lock();
            let account = &state.accounts[index].account;
            let (channel, to) = match account.second_factor {
                SecondFactor::Sms => (Channel::Sms, account.phone.as_deref()),
                SecondFactor::Email | SecondFactor::None => (Channel::Email, None),
            };
            Mail {
                login: account.login.clone(),
                to: to.unwrap_or(account.address()).to_owned(),
                code,
                channel,
            }
        };
        self.outbox.send(mail);
    }

    /// Replaces the account's password when `old` is the current one.
    pub(crate) fn change_password(&self, index: usize, old: &str, new: &str) -> bool {
        let mut state = self.lock();
        let held = &mut state.accounts[index];
        if held.password.as_deref() != Some(old) {
            return false;
        }
        held.password = Some(new.to_owned());
        held.password_expired = false;
        true
    }

    pub(crate) fn set_pin(&self, index: usize) {
        self.lock().accounts[index].pin_set = true;
    }

    /// Whether `name` (from a path, e.g. `userID`) is the account's login
    /// or email.
    pub(crate) fn is_named(&self, index: usize, name: &str) -> bool {
        self.lock().accounts[index].account.is_named(name)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Every change below is made in full or not at all, so a panic
        // elsewhere cannot leave the state half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn request_reset(&self, body: &Value, answers: &Answers<'_>) -> Response {
        let mut state = self.lock();
        let Some(index) = state.find(text(body, "User")) else {
            return refused(answers, UNKNOWN_USER);
        };
        let account = &state.accounts[index].account;
        if let Some(expected) = &account.secret_answer
            && text(body, "SecretQuestionAnswer") != Some(expected.as_str())
        {
            return refused(answers, INCORRECT_ANSWER);
        }
        let code = state.fresh(
            |s| &s.codes,
            || format!("{:06}", fastrand::u32(0..1_000_000)),
        );
        let mail = state.issue_code(index, code);
        drop(state);
        self.outbox.send(mail);
        answers.accepted(None)
    }

    fn secret_question(&self, request: &Request<'_>, answers: &Answers<'_>) -> Response {
        let state = self.lock();
        let name = request.query.get("username").map(String::as_str);
        match state.find(name) {
            Some(index) => {
                let question = state.accounts[index].account.secret_question.clone();
                answers.accepted(Some(Value::from(question.unwrap_or_default())))
            }
            None => refused(answers, UNKNOWN_USER),
        }
    }

    fn reset_token(&self, body: &Value, answers: &Answers<'_>) -> Response {
        let mut state = self.lock();
        let Some(index) = text(body, "Code").and_then(|code| state.codes.remove(code)) else {
            return refused(answers, INVALID_CODE);
        };
        state.accounts[index].code = None;
        let token = state.issue_token(index);
        answers.accepted(Some(Value::from(token)))
    }

    fn reset_password(&self, body: &Value, answers: &Answers<'_>) -> Response {
        let mut state = self.lock();
        let Some(&index) = text(body, "Token").and_then(|token| state.tokens.get(token)) else {
            return refused(answers, INVALID_TOKEN);
        };
        let password = text(body, "Password");
        if password != text(body, "PasswordConfirmation") {
            // Nothing changed, so the token stays usable for a corrected try.
            return refused(answers, MISMATCH);
        }
        let held = &mut state.accounts[index];
        held.password = password.map(str::to_owned);
        held.password_expired = false;
        if let Some(token) = held.token.take() {
            state.tokens.remove(&token);
        }
        answers.accepted(None)
    }
}

impl Scenario for ResetFlow {
    fn answer(
        &self,
        operation: &str,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Option<Response> {
        let body = request.body.unwrap_or(&Value::Null);
        Some(match operation {
            REQUEST_RESET => self.request_reset(body, answers),
            SECRET_QUESTION => self.secret_question(request, answers),
            RESET_TOKEN => self.reset_token(body, answers),
            RESET_PASSWORD => self.reset_password(body, answers),
            _ => return None,
        })
    }
}

impl State {
    fn find(&self, name: Option<&str>) -> Option<usize> {
        let name = name?;
        self.accounts
            .iter()
            .position(|held| held.account.is_named(name))
    }

    /// Makes `code` the account's one live code, and the mail that carries it.
    fn issue_code(&mut self, index: usize, code: String) -> Mail {
        if let Some(old) = self.accounts[index].code.replace(code.clone()) {
            self.codes.remove(&old);
        }
        self.codes.insert(code.clone(), index);
        let account = &self.accounts[index].account;
        Mail {
            login: account.login.clone(),
            to: account.address().to_owned(),
            code,
            channel: Channel::Email,
        }
    }

    /// Makes a fresh token the account's one live token for step 4.
    fn issue_token(&mut self, index: usize) -> String {
        let token = self.fresh(|s| &s.tokens, uuid_like);
        if let Some(old) = self.accounts[index].token.replace(token.clone()) {
            self.tokens.remove(&old);
        }
        self.tokens.insert(token.clone(), index);
        token
    }

    /// A value from `make` that no live one of `live` has.
    fn fresh(
        &self,
        live: impl Fn(&Self) -> &HashMap<String, usize>,
        make: impl Fn() -> String,
    ) -> String {
        loop {
            let value = make();
            if !live(self).contains_key(&value) {
                return value;
            }
        }
    }
}

fn refused(answers: &Answers<'_>, (code, text): (&str, &str)) -> Response {
    answers.refused(code, text)
}

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// An opaque token shaped like the spec's example (a UUID), from the OS's
/// randomness: it sets a password, so it must not be guessable.
fn uuid_like() -> String {
    let hex = crate::sessions::hex(&crate::sessions::random_bytes::<16>());
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
