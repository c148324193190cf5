//! The password-reset flow, step by step, against a stateful local server.

use etna_client::{Client, Error, Secret};
use etna_test_fixtures::flow::{step1, step2, step3, step4};

use crate::flow_server::{ANSWER, FIRST_CODE, FlowServer, GUARDED, PLAIN, QUESTION, Step1Style};
use crate::support::{TOKEN, assert_no_secrets, client};

const PASSWORD: &str = "N3w-passw0rd-x!";

/// The codes of a refusal, which must show no secret.
fn refusal_codes(result: Result<impl std::fmt::Debug, Error>) -> Vec<String> {
    if let Err(e) = &result {
        assert_no_secrets("refusal", &format!("{e} {e:?}"));
    }
    etna_test_fixtures::flow::refusal_codes(result)
}

#[tokio::test]
async fn the_four_steps_end_to_end() {
    let server = FlowServer::start(Step1Style::Documented).await;
    let client = client(&server.uri());
    step1(&client, PLAIN, None).await.expect("code mailed");
    assert_eq!(
        step2(&client, PLAIN).await.unwrap(),
        "",
        "no secret question"
    );
    let code = server.mailed_code(PLAIN).expect("a code was mailed");
    assert_eq!(code, FIRST_CODE);
    let token = step3(&client, &code).await.expect("a token");
    assert_eq!(token.expose(), TOKEN);
    step4(&client, &token, PASSWORD, PASSWORD)
        .await
        .expect("password changed");
    assert_eq!(server.password().as_deref(), Some(PASSWORD));
}

#[tokio::test]
async fn the_secret_question_branch() {
    let server = FlowServer::start(Step1Style::Documented).await;
    let client = client(&server.uri());
    assert_eq!(
        refusal_codes(step1(&client, GUARDED, None).await),
        ["ErrorIncorrectAnswer"]
    );
    assert!(server.mailed_code(GUARDED).is_none());
    let question = step2(&client, GUARDED).await.unwrap();
    assert_eq!(question, QUESTION);
    assert_eq!(
        refusal_codes(step1(&client, GUARDED, Some("wrong")).await),
        ["ErrorIncorrectAnswer"]
    );
    step1(&client, GUARDED, Some(ANSWER))
        .await
        .expect("right answer");
    let code = server.mailed_code(GUARDED).unwrap();
    let token = step3(&client, &code).await.unwrap();
    step4(&client, &token, PASSWORD, PASSWORD).await.unwrap();
}

/// Step 1's documented success has `IsSucceed: false`; `IsSucceed: true`
/// with no errors is a success too, and errors are a refusal either way.
#[tokio::test]
async fn both_step1_success_styles_and_a_refusal() {
    for style in [Step1Style::Documented, Step1Style::Succeeded] {
        let server = FlowServer::start(style).await;
        let client = client(&server.uri());
        step1(&client, PLAIN, None).await.expect("accepted");
        assert!(server.mailed_code(PLAIN).is_some());
        assert_eq!(
            refusal_codes(step1(&client, "nobody", None).await),
            ["UserNotFound"]
        );
    }
}

#[tokio::test]
async fn a_reused_code_and_a_reused_token_are_refused() {
    let server = FlowServer::start(Step1Style::Documented).await;
    let client = client(&server.uri());
    step1(&client, PLAIN, None).await.unwrap();
    let code = server.mailed_code(PLAIN).unwrap();
    let token = step3(&client, &code).await.unwrap();
    assert_eq!(
        refusal_codes(step3(&client, &code).await),
        ["InvalidConfirmationCode"]
    );
    step4(&client, &token, PASSWORD, PASSWORD).await.unwrap();
    assert_eq!(
        refusal_codes(step4(&client, &token, PASSWORD, PASSWORD).await),
        ["InvalidToken"]
    );
}

#[tokio::test]
async fn a_mismatched_confirmation_is_refused_with_the_servers_reasons() {
    let server = FlowServer::start(Step1Style::Documented).await;
    let client = client(&server.uri());
    step1(&client, PLAIN, None).await.unwrap();
    let token = step3(&client, &server.mailed_code(PLAIN).unwrap())
        .await
        .unwrap();
    match step4(&client, &token, PASSWORD, "Oth3r-passw0rd-x!").await {
        Err(e @ Error::Refused { .. }) => {
            let text = e.to_string();
            assert!(text.starts_with("reset_password: "), "{text}");
            assert!(
                text.contains("do not match") && text.contains("PasswordConfirmationMismatch"),
                "{text}"
            );
            assert!(matches!(e, Error::Refused { status, .. } if status.as_u16() == 400));
            assert_no_secrets("mismatch", &format!("{e:?}"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(server.password().is_none());
}

#[tokio::test]
async fn a_wrong_app_key_is_rejected_on_every_operation() {
    let server = FlowServer::start(Step1Style::Documented).await;
    let client = Client::builder()
        .base_url(server.uri())
        .app_key("wrong-key")
        .build()
        .unwrap();
    let token = Secret::from(TOKEN);
    let results: [(&str, Result<(), Error>); 4] = [
        ("request_password_reset", step1(&client, PLAIN, None).await),
        ("get_secret_question", step2(&client, PLAIN).await.map(drop)),
        (
            "generate_reset_token",
            step3(&client, FIRST_CODE).await.map(drop),
        ),
        (
            "reset_password",
            step4(&client, &token, PASSWORD, PASSWORD).await,
        ),
    ];
    for (operation, result) in results {
        match result {
            Err(e @ Error::AppKeyRejected { .. }) => {
                assert_eq!(e.operation(), operation);
                assert!(
                    e.to_string().contains("Application key is not defined"),
                    "{e}"
                );
            }
            other => panic!("{operation}: expected AppKeyRejected, got {other:?}"),
        }
    }
}
