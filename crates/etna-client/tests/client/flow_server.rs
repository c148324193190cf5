//! A local server that plays the four steps of the password reset with state:
//! issued codes and tokens are single-use, an account may have a secret
//! question, and mailed codes land in an outbox the test reads. It answers in
//! the shapes the spec documents.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{APP_KEY, TOKEN};

/// The login without a secret question (the one the ETNA docs use).
pub const PLAIN: &str = "robert.zak";
/// A login with a secret question.
pub const GUARDED: &str = "hello@etnatrader.com";
pub const QUESTION: &str = "What street did you live on in third grade?";
pub const ANSWER: &str = "answer-Peterson-x";
/// The first code mailed, then `code-774412`, ...
pub const FIRST_CODE: &str = "code-774411";

/// How step 1 says "code mailed".
#[derive(Clone, Copy)]
pub enum Step1Style {
    /// `{"Errors": [], "IsSucceed": false}`, as the ETNA documentation shows.
    Documented,
    /// `{"Errors": [], "IsSucceed": true}`.
    Succeeded,
}

#[derive(Default)]
struct State {
    outbox: Vec<(String, String)>,
    codes: Vec<(String, bool)>,
    tokens: Vec<(String, bool)>,
    passwords: Vec<(String, String)>,
}

pub struct FlowServer {
    pub server: MockServer,
    state: Arc<Mutex<State>>,
}

impl FlowServer {
    pub async fn start(style: Step1Style) -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        Mock::given(any())
            .respond_with(Flow {
                style,
                state: state.clone(),
            })
            .mount(&server)
            .await;
        Self { server, state }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The last code mailed to `login`.
    pub fn mailed_code(&self, login: &str) -> Option<String> {
        let state = self.state.lock().unwrap();
        state
            .outbox
            .iter()
            .rev()
            .find(|(to, _)| to == login)
            .map(|(_, code)| code.clone())
    }

    /// The password last set for the account, if any.
    pub fn password(&self) -> Option<String> {
        let state = self.state.lock().unwrap();
        state.passwords.last().map(|(_, p)| p.clone())
    }
}

struct Flow {
    style: Step1Style,
    state: Arc<Mutex<State>>,
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn refused(status: u16, error: &str, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"Errors": [error], "ErrorsCode": [code], "IsSucceed": false}))
}

impl Respond for Flow {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.headers.get("et-app-key").map(|v| v.as_bytes()) != Some(APP_KEY.as_bytes()) {
            return ResponseTemplate::new(403).set_body_json(
                json!({"error": "Application key is not defined or does not exist"}),
            );
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let text = |key: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let mut state = self.state.lock().unwrap();
        match (request.method.as_str(), request.url.path()) {
            ("POST", "/v1.0/users/password/reset") => {
                let user = text("User");
                if user != PLAIN && user != GUARDED {
                    return refused(200, "User not found.", "UserNotFound");
                }
                if user == GUARDED && body.get("SecretQuestionAnswer") != Some(&json!(ANSWER)) {
                    return refused(
                        200,
                        "Answer is incorrect, try again.",
                        "ErrorIncorrectAnswer",
                    );
                }
                let code = format!("code-{}", 774411 + state.codes.len());
                state.codes.push((code.clone(), false));
                state.outbox.push((user, code));
                match self.style {
                    Step1Style::Documented => ok(json!({"Errors": [], "IsSucceed": false})),
                    Step1Style::Succeeded => ok(json!({"Errors": [], "IsSucceed": true})),
                }
            }
            ("GET", "/v1.0/users/password/secret-question") => {
                let user = request
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "username")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                let question = if user == GUARDED { QUESTION } else { "" };
                ok(json!({"Model": question, "Errors": [], "IsSucceed": true}))
            }
            ("POST", "/v1.0/users/identifiers/reset/code") => {
                let code = text("Code");
                let Some(entry) = state.codes.iter_mut().find(|(c, used)| *c == code && !used)
                else {
                    return refused(
                        200,
                        "The confirmation code is invalid or was already used.",
                        "InvalidConfirmationCode",
                    );
                };
                entry.1 = true;
                let token = match state.tokens.len() {
                    0 => TOKEN.to_owned(),
                    n => format!("{TOKEN}-{n}"),
                };
                state.tokens.push((token.clone(), false));
                ok(
                    json!({"Model": token, "Errors": [], "ErrorsCode": [], "StatusCode": "OK", "IsSucceed": true}),
                )
            }
            ("PUT", "/v1.0/users/passwords/reset/") => {
                let token = text("Token");
                if text("Password") != text("PasswordConfirmation") {
                    return refused(
                        400,
                        "The password and its confirmation do not match.",
                        "PasswordConfirmationMismatch",
                    );
                }
                let Some(entry) = state
                    .tokens
                    .iter_mut()
                    .find(|(t, used)| *t == token && !used)
                else {
                    return refused(
                        200,
                        "The token is invalid or was already used.",
                        "InvalidToken",
                    );
                };
                entry.1 = true;
                state.passwords.push((token, text("Password")));
                ok(json!({"Errors": [], "IsSucceed": true}))
            }
            _ => ResponseTemplate::new(404),
        }
    }
}
