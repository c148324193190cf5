//! The accounts file: who exists, with which password and second factor,
//! who has a secret question, an expired password or no PIN, and which code
//! was mailed before the server started.

use std::collections::HashSet;

use serde::Deserialize;

use crate::error::Error;

/// The accounts the mock knows unless given others
/// ([`MockServerBuilder::accounts`](crate::MockServerBuilder::accounts)):
/// `robert.zak` (password `Passw0rd!`, one factor, no secret question; the
/// spec's example code `231408` is waiting for it), `hello`
/// (`hello@etnatrader.com`, password `Hell0-passw0rd!`, a second factor by
/// email, the spec's example question and answer `Peterson`), `old.timer`
/// (password `0ld-passw0rd!`, expired) and `new.pin` (password
/// `N3w-p1n-passw0rd!`, no PIN set yet). Nothing in it is a real credential.
pub const ACCOUNTS: &str = include_str!("../data/accounts.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    accounts: Vec<Account>,
}

/// One trader account of the mock.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Account {
    pub(crate) login: String,
    pub(crate) email: Option<String>,
    pub(crate) secret_question: Option<String>,
    pub(crate) secret_answer: Option<String>,
    pub(crate) mailed_code: Option<String>,
    /// The password sign-in accepts until reset or changed; without one,
    /// sign-in refuses the account until step 4 of the reset sets one.
    pub(crate) password: Option<String>,
    #[serde(default)]
    pub(crate) second_factor: SecondFactor,
    /// Where SMS codes go; required with `second_factor: sms`.
    pub(crate) phone: Option<String>,
    #[serde(default)]
    pub(crate) password_expired: bool,
    #[serde(default = "yes")]
    pub(crate) pin_set: bool,
}

/// How a two-factor sign-in sends its code (the trader's setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SecondFactor {
    #[default]
    None,
    Email,
    Sms,
}

fn yes() -> bool {
    true
}

impl Account {
    /// Where its mail goes: the email, or the login when it has none.
    pub(crate) fn address(&self) -> &str {
        self.email.as_deref().unwrap_or(&self.login)
    }

    pub(crate) fn is_named(&self, name: &str) -> bool {
        self.login == name || self.email.as_deref() == Some(name)
    }
}

pub(crate) fn parse(text: &str) -> Result<Vec<Account>, Error> {
    let file: File = serde_yaml_ng::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let mut names = HashSet::new();
    for account in &file.accounts {
        let login = &account.login;
        if login.trim().is_empty() {
            return Err(invalid("an account has an empty `login`".into()));
        }
        for name in [Some(login), account.email.as_ref()].into_iter().flatten() {
            if !names.insert(name.clone()) {
                return Err(invalid(format!(
                    "{name:?} names two accounts; logins and emails must be unique"
                )));
            }
        }
        if account.secret_question.is_some() != account.secret_answer.is_some() {
            return Err(invalid(format!(
                "the account {login:?} needs both `secret_question` and `secret_answer`, or neither"
            )));
        }
        if account.second_factor == SecondFactor::Sms && account.phone.is_none() {
            return Err(invalid(format!(
                "the account {login:?} has `second_factor: sms` but no `phone` to send the code to"
            )));
        }
        if account.password.as_deref() == Some("") {
            return Err(invalid(format!(
                "the `password` of {login:?} is empty; leave it out for an account that cannot sign in"
            )));
        }
        if let Some(code) = &account.mailed_code
            && (code.is_empty() || code.chars().any(char::is_whitespace))
        {
            return Err(invalid(format!(
                "the `mailed_code` of {login:?} is empty or has white space; a confirmation code has neither"
            )));
        }
    }
    Ok(file.accounts)
}

fn invalid(why: String) -> Error {
    Error::Accounts(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_has_the_documented_login_and_one_with_a_question() {
        let accounts = parse(ACCOUNTS).unwrap();
        let robert = accounts.iter().find(|a| a.login == "robert.zak").unwrap();
        assert!(robert.secret_question.is_none());
        assert!(accounts.iter().any(|a| a.secret_question.is_some()));
        let hello = accounts.iter().find(|a| a.login == "hello").unwrap();
        assert_eq!(hello.second_factor, SecondFactor::Email);
        assert!(accounts.iter().any(|a| a.password_expired));
        assert!(accounts.iter().any(|a| !a.pin_set));
        assert!(accounts.iter().all(|a| a.password.is_some()));
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        for (text, says) in [
            ("accounts: [{login: a}, {login: a}]", "two accounts"),
            (
                "accounts: [{login: a, email: b}, {login: b}]",
                "two accounts",
            ),
            ("accounts: [{login: a, secret_question: q}]", "or neither"),
            ("accounts: [{login: ' '}]", "empty `login`"),
            ("accounts: [{login: a, mailed_code: '1 2'}]", "white space"),
            ("accounts: [{login: a, pasword: x}]", "unknown field"),
            ("accounts: [{login: a, second_factor: sms}]", "no `phone`"),
            (
                "accounts: [{login: a, second_factor: fax}]",
                "unknown variant",
            ),
            ("accounts: [{login: a, password: ''}]", "is empty"),
            ("accounts: 3", "invalid type"),
        ] {
            let error = parse(text).err().unwrap().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
