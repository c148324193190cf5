//! Sign-in and the credential operations with state, on top of the generic
//! layer, the way `flow.rs` is for the reset flow: the generic layer has
//! checked the app key, the headers and the body against the spec, and for
//! a Bearer operation found the session; this scenario decides what
//! sign-in answers, and changes the password or the PIN of the session's
//! account. The accounts' credentials live in the reset flow, so that a
//! password set by either is the one sign-in accepts next.
//!
//! Where the documentation is silent the mock chooses, and says so in the
//! crate docs: the order of the checks (password, then its expiry, then the
//! second factor, then the PIN), the wrong-code answer, interim tokens
//! living [`INTERIM_LIFETIME`](crate::sessions::INTERIM_LIFETIME), and a
//! trader without a PIN getting a session good only for setting one.

use std::sync::Arc;

use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::accounts::SecondFactor;
use crate::envelope::{Answers, json_response};
use crate::flow::{Credentials, ResetFlow};
use crate::generic::bearer_token;
use crate::scenario::{Request, Scenario};
use crate::sessions::{Grant, Session, Sessions, Verdict};

const SIGN_IN: &str = "sign_in";
const CHANGE_PASSWORD: &str = "change_password";
const CHANGE_PIN: &str = "change_pin_code";
const LIST_IMAGES: &str = "list_security_images";

/// What a trader without a PIN may do with the token sign-in gives them.
const PIN_OPERATIONS: &[&str] = &[LIST_IMAGES, CHANGE_PIN];

/// The security images as documented (spelling sic).
const IMAGES: [&str; 23] = [
    "apple.png",
    "baloon.png",
    "banana.png",
    "boat.png",
    "broccoli.png",
    "butterfly.png",
    "car.png",
    "coffee.png",
    "coockies.png",
    "default.png",
    "diamond.png",
    "drum.png",
    "fish.png",
    "horse.png",
    "microphone.png",
    "panda.png",
    "pelican.png",
    "pyramids.png",
    "robot.png",
    "swan.png",
    "tiger.png",
    "tomatoes.png",
    "watch.png",
];

/// One sign-in answer: its status, the spec's example of it (served as
/// written, with the fresh token), and its fields for a spec without it.
struct Said {
    status: u16,
    example: &'static str,
    state: &'static str,
    step: Option<&'static str>,
    reason: Option<&'static str>,
}

const SIGNED_IN: Said = Said {
    status: 200,
    example: "signed_in",
    state: "Succeeded",
    step: None,
    reason: None,
};
const EXPECTING_CODE: Said = Said {
    status: 202,
    example: "verification_code",
    state: "Expecting",
    step: Some("VerificationCode"),
    reason: Some("Expecting confirmation code"),
};
const PIN_NOT_SET: Said = Said {
    status: 202,
    example: "pin_not_set",
    state: "Expecting",
    step: None,
    reason: Some("PIN code is not init"),
};
const INVALID_CREDENTIALS: Said = Said {
    status: 401,
    example: "invalid_credentials",
    state: "Failed",
    step: Some("BaseAuthentication"),
    reason: Some("Invalid credentials"),
};
const CORRUPTED_TICKET: Said = Said {
    status: 401,
    example: "corrupted_ticket",
    state: "Failed",
    step: Some("VerificationCode"),
    reason: Some("Corrupted ticket"),
};
const PASSWORD_EXPIRED: Said = Said {
    status: 401,
    example: "password_expired",
    state: "Failed",
    step: Some("BaseAuthentication"),
    reason: Some("Your Password has expired and must be changed"),
};
/// The documentation shows no answer to a wrong code; this is the shape of
/// its other second-factor refusals, with the mock's own reason.
const WRONG_CODE: Said = Said {
    status: 401,
    example: "wrong_verification_code",
    state: "Failed",
    step: Some("VerificationCode"),
    reason: Some("Invalid verification code"),
};

pub(crate) struct SignIn {
    flow: Arc<ResetFlow>,
    sessions: Arc<Sessions>,
}

impl SignIn {
    pub(crate) fn new(flow: Arc<ResetFlow>, sessions: Arc<Sessions>) -> Self {
        Self { flow, sessions }
    }

    fn sign_in(&self, request: &Request<'_>, answers: &Answers<'_>) -> Response {
        // Both are required headers: the generic layer refused their absence.
        let login = request.header("Username").unwrap_or_default();
        let password = request.header("Password").unwrap_or_default();
        let Some(account) = self.flow.sign_in(login, password) else {
            return say(answers, &INVALID_CREDENTIALS, None);
        };
        if account.password_expired {
            let token = self.flow.reset_token_for(account.index);
            return say(answers, &PASSWORD_EXPIRED, Some(token));
        }
        if account.second_factor != SecondFactor::None
            && let Err(answer) = self.second_factor(request, answers, &account)
        {
            return *answer;
        }
        if !account.pin_set {
            let token = self.issue(account.index, Grant::Only(PIN_OPERATIONS));
            return say(answers, &PIN_NOT_SET, Some(token));
        }
        let token = self.issue(account.index, Grant::Session);
        say(answers, &SIGNED_IN, Some(token))
    }

    /// `Ok` when the request completes the second factor; otherwise the
    /// answer: a code sent with an interim token (a first call), or a
    /// refusal.
    fn second_factor(
        &self,
        request: &Request<'_>,
        answers: &Answers<'_>,
        account: &Credentials,
    ) -> Result<(), Box<Response>> {
        let interim = bearer_token(request.headers);
        let Some(code) = request.header("VerificationCode") else {
            // No code: a first call (an interim token sent along is ignored).
            let code = format!("{:06}", fastrand::u32(0..1_000_000));
            let token = self.issue(account.index, Grant::SecondFactor { code: code.clone() });
            self.flow.send_verification_code(account.index, code);
            return Err(Box::new(say(answers, &EXPECTING_CODE, Some(token))));
        };
        let Some(interim) = interim else {
            return Err(Box::new(say(answers, &CORRUPTED_TICKET, None)));
        };
        let refusal = match self.sessions.verify(interim, account.index, code) {
            Verdict::Right => return Ok(()),
            Verdict::WrongCode => &WRONG_CODE,
            Verdict::Unknown => &CORRUPTED_TICKET,
        };
        Err(Box::new(say(answers, refusal, None)))
    }

    fn issue(&self, account: usize, grant: Grant) -> String {
        self.sessions.issue(Session { account, grant })
    }

    /// On the session's own account only (`@me`, or its login or email as
    /// `userID`); a wrong old password or a mismatched confirmation gets
    /// the documented 400 validation error, as written.
    fn change_password(&self, request: &Request<'_>, answers: &Answers<'_>) -> Response {
        let Some(session) = own_account(&self.flow, request) else {
            return session_refused(answers);
        };
        let body = request.body.unwrap_or(&Value::Null);
        let (Some(old), Some(new)) = (text(body, "OldPassword"), text(body, "Password")) else {
            return answers.invalid(Vec::new());
        };
        if Some(new) != text(body, "PasswordConfirm")
            || !self.flow.change_password(session.account, old, new)
        {
            return answers.invalid(Vec::new());
        }
        answers.accepted(None)
    }

    /// Sets the PIN of the session's account: sign-in stops asking for one.
    /// `Token` is not checked: the documentation never says where it comes
    /// from.
    fn change_pin(&self, request: &Request<'_>, answers: &Answers<'_>) -> Response {
        let Some(session) = &request.session else {
            return session_refused(answers);
        };
        let body = request.body.unwrap_or(&Value::Null);
        if !text(body, "ImageName").is_some_and(|name| IMAGES.contains(&name)) {
            return answers.refused("InvalidImageName", "The image name is not valid.");
        }
        self.flow.set_pin(session.account);
        answers.accepted(None)
    }
}

impl Scenario for SignIn {
    fn answer(
        &self,
        operation: &str,
        request: &Request<'_>,
        answers: &Answers<'_>,
    ) -> Option<Response> {
        Some(match operation {
            SIGN_IN => self.sign_in(request, answers),
            CHANGE_PASSWORD => self.change_password(request, answers),
            CHANGE_PIN => self.change_pin(request, answers),
            _ => return None,
        })
    }
}

/// The request's session when the path's `userID` names its account.
fn own_account<'r>(flow: &ResetFlow, request: &'r Request<'_>) -> Option<&'r Session> {
    let session = request.session.as_ref()?;
    let user = request.path.get("userID")?;
    (user == "@me" || flow.is_named(session.account, user)).then_some(session)
}

/// The sign-in answer `said`: the spec's example of it, with `token` as
/// its token (or none), else its fields.
fn say(answers: &Answers<'_>, said: &Said, token: Option<String>) -> Response {
    let mut body = answers
        .example(said.status, said.example)
        .cloned()
        .unwrap_or_else(|| {
            let mut body = json!({"State": said.state});
            for (key, value) in [("Step", said.step), ("Reason", said.reason)] {
                if let Some(value) = value {
                    body[key] = json!(value);
                }
            }
            body
        });
    if let Some(object) = body.as_object_mut() {
        match token {
            Some(token) => object.insert("Token".to_owned(), Value::from(token)),
            None => object.remove("Token"),
        };
    }
    json_response(said.status, &body)
}

/// The documented refusal of a session, as the generic layer gives it.
fn session_refused(answers: &Answers<'_>) -> Response {
    let mut response = answers.example_or_empty(401);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}
