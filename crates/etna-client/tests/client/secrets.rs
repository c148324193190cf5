//! Every field the spec marks `format: password` is a `Secret` in the
//! generated types, and no secret reaches `Debug`, `Display` or an error.

use etna_client::types::{
    PasswordResetRequest, PasswordUpdate, ResetCodeRequest, ResetIdentifier, ResetTokenEnvelope,
};
use etna_client::{Error, Operation, Secret};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{APP_KEY, SECRETS, TOKEN, assert_no_secrets, client};

fn bodies() -> Vec<String> {
    let update = PasswordUpdate {
        token: TOKEN.into(),
        password: SECRETS[4].into(),
        password_confirmation: SECRETS[5].into(),
    };
    let start = PasswordResetRequest {
        user: "robert.zak".try_into().unwrap(),
        secret_question_answer: Some(SECRETS[3].into()),
    };
    let code = ResetCodeRequest {
        code: SECRETS[2].into(),
        identifier: ResetIdentifier::ResetPassword,
    };
    let envelope: ResetTokenEnvelope =
        serde_json::from_value(json!({"Model": TOKEN, "IsSucceed": true})).unwrap();
    vec![
        format!("{update:?}"),
        format!("{start:?}"),
        format!("{code:?}"),
        format!("{envelope:?}"),
        format!("{:?}", PasswordUpdate::builder().token(TOKEN)),
    ]
}

#[test]
fn generated_types_redact_every_secret_field() {
    for text in bodies() {
        assert_no_secrets("Debug of a generated type", &text);
        assert!(text.contains("Secret(<redacted>)"), "{text}");
    }
}

#[test]
fn secrets_serialise_as_the_real_value_for_the_request() {
    let update = PasswordUpdate {
        token: TOKEN.into(),
        password: "p".into(),
        password_confirmation: "p".into(),
    };
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"Token": TOKEN, "Password": "p", "PasswordConfirmation": "p"})
    );
}

/// A server that echoes secret fields back in a body that does not decode:
/// the quoted snippet replaces them, by the names the spec marks.
#[tokio::test]
async fn quoted_bodies_are_scrubbed_of_every_secret_property() {
    let server = MockServer::start().await;
    let echo = format!(
        r#"{{"Token": "{TOKEN}", "Password": "{}", "Code": "{}", "SecretQuestionAnswer": "{}", "Key": "{APP_KEY}", "IsSucceed": 7"#,
        SECRETS[4], SECRETS[2], SECRETS[3]
    );
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(echo))
        .mount(&server)
        .await;
    let result = client(&server.uri())
        .reset_password()
        .body(PasswordUpdate {
            token: TOKEN.into(),
            password: SECRETS[4].into(),
            password_confirmation: SECRETS[4].into(),
        })
        .call()
        .await;
    match result {
        Err(e @ Error::Undecodable { .. }) => {
            assert_no_secrets("Undecodable", &format!("{e} {e:?}"));
            assert!(
                e.to_string().contains(r#"\"Token\": \"<redacted>\""#),
                "{e}"
            );
        }
        other => panic!("expected Undecodable, got {other:?}"),
    }
}

#[test]
fn a_secret_is_redacted_and_exposed_only_on_request() {
    let secret = Secret::new(TOKEN);
    assert_eq!(
        format!("{secret:?} {secret}"),
        "Secret(<redacted>) <redacted>"
    );
    assert_eq!(secret.expose(), TOKEN);
}

/// A reply through `Dispatch` (what `etna api` prints) keeps the real body
/// for scripts, but its `Debug` shows none of its secrets, and the table's
/// `answer_secrets` hides them in the JSON: `Model` is the reset token in
/// this operation's answer (and nowhere else a secret).
#[tokio::test]
async fn a_dispatched_reply_shows_no_secret_but_on_request() {
    use etna_client::dispatch::JsonArgs;
    use etna_client::{Dispatch, GeneratedClient};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Model": TOKEN, "Errors": [], "IsSucceed": true})),
        )
        .mount(&server)
        .await;
    let id = "generate_reset_token";
    let args = JsonArgs::new(
        serde_json::Map::new(),
        Some(json!({"Code": SECRETS[2], "Identifier": "ResetPassword"})),
    );
    let reply = client(&server.uri())
        .dispatch(id, &args)
        .await
        .expect("dispatched")
        .expect("a reply");
    assert_eq!(reply.body["Model"], TOKEN);
    assert_no_secrets("JsonReply's Debug", &format!("{reply:?} {reply:#?}"));
    assert!(
        format!("{reply:?}").contains("Secret(<redacted>)"),
        "{reply:?}"
    );
    let spec = <etna_client::generated::Client as GeneratedClient>::OPERATIONS
        .iter()
        .find(|op| op.id == id)
        .unwrap();
    assert_eq!(
        spec.answer_secrets.redact(&reply.body),
        json!({"Model": "<secret>", "Errors": [], "IsSucceed": true})
    );
}
