//! The reset flow with state, through etna-client against the running mock:
//! codes in the outbox, single use, the secret question, the outbox over
//! HTTP, and many flows at once.

use std::time::Duration;

use etna_client::{Client, Secret};
use etna_mock::{Mail, MockServer};
use etna_test_fixtures::flow::{refusal_codes, step1, step2, step3, step4};
use serde_json::{Value, json};

use crate::answers::http;

const QUESTION: &str = "What street did you live on in third grade?";

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), MockServer::APP_KEY).unwrap()
}

fn refusal(result: Result<impl std::fmt::Debug, etna_client::Error>) -> String {
    refusal_codes(result).join(",")
}

#[tokio::test]
async fn robert_zak_resets_his_password_in_four_steps() {
    let server = MockServer::start().await.unwrap();
    let client = client(&server);
    server.take_outbox();
    step1(&client, "robert.zak", None).await.unwrap();
    assert_eq!(step2(&client, "robert.zak").await.unwrap(), "");
    let mail = server.outbox();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].login, "robert.zak");
    assert_eq!(mail[0].to, "robert.zak@example.com");
    assert_eq!(mail[0].code.len(), 6);
    let token = step3(&client, &mail[0].code).await.unwrap();
    step4(&client, &token, "N3w-passw0rd!", "N3w-passw0rd!")
        .await
        .unwrap();
    assert!(server.password_is("robert.zak", "N3w-passw0rd!"));
    assert!(!server.password_is("robert.zak", "other"));

    // Each code and token works once.
    assert_eq!(
        refusal(step3(&client, &mail[0].code).await),
        "InvalidConfirmationCode"
    );
    assert_eq!(
        refusal(step4(&client, &token, "x", "x").await),
        "InvalidResetToken"
    );
}

#[tokio::test]
async fn step1_answers_exactly_as_documented() {
    let server = MockServer::start().await.unwrap();
    let response = http()
        .post(format!("{}/v1.0/users/password/reset", server.base_url()))
        .header("Et-App-Key", MockServer::APP_KEY)
        .json(&json!({ "User": "robert.zak" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "Errors": [], "IsSucceed": false }));
}

#[tokio::test]
async fn a_secret_question_is_asked_until_the_answer_is_right() {
    let server = MockServer::start().await.unwrap();
    let client = client(&server);
    for answer in [None, Some("peterson"), Some("Wrong")] {
        assert_eq!(
            refusal(step1(&client, "hello", answer).await),
            "ErrorIncorrectAnswer"
        );
    }
    assert!(server.last_code_for("hello").is_none());
    // By login or by email.
    assert_eq!(step2(&client, "hello").await.unwrap(), QUESTION);
    assert_eq!(
        step2(&client, "hello@etnatrader.com").await.unwrap(),
        QUESTION
    );
    step1(&client, "hello@etnatrader.com", Some("Peterson"))
        .await
        .unwrap();
    let code = server.last_code_for("hello").unwrap();
    let token = step3(&client, &code).await.unwrap();
    step4(&client, &token, "pw-1", "pw-1").await.unwrap();
    assert!(server.password_is("hello", "pw-1"));
}

#[tokio::test]
async fn unknown_logins_and_codes_are_refused() {
    let server = MockServer::start().await.unwrap();
    let client = client(&server);
    assert_eq!(
        refusal(step1(&client, "nobody", None).await),
        "UserNotFound"
    );
    assert_eq!(refusal(step2(&client, "nobody").await), "UserNotFound");
    assert_eq!(
        refusal(step3(&client, "000000").await),
        "InvalidConfirmationCode"
    );
    assert_eq!(
        refusal(step4(&client, &Secret::from("no-such-token"), "a", "a").await),
        "InvalidResetToken"
    );
}

#[tokio::test]
async fn a_new_code_replaces_the_old_and_a_mismatch_keeps_the_token() {
    let server = MockServer::start().await.unwrap();
    let client = client(&server);
    step1(&client, "robert.zak", None).await.unwrap();
    let mail = server.outbox();
    let (seeded, fresh) = (&mail[0].code, &mail[1].code);
    assert_eq!(seeded, "231408");
    assert_eq!(
        refusal(step3(&client, seeded).await),
        "InvalidConfirmationCode"
    );
    let token = step3(&client, fresh).await.unwrap();
    assert_eq!(
        refusal(step4(&client, &token, "one", "two").await),
        "PasswordConfirmationMismatch"
    );
    step4(&client, &token, "one", "one").await.unwrap();
}

#[tokio::test]
async fn the_outbox_over_http_for_other_languages() {
    let server = MockServer::start().await.unwrap();
    step1(&client(&server), "robert.zak", None).await.unwrap();
    let url = format!("{}{}", server.base_url(), etna_mock::OUTBOX_PATH);
    // No app key needed: the path is the mock's own, outside the API.
    let read: Vec<Value> = http().get(&url).send().await.unwrap().json().await.unwrap();
    let expected: Vec<Value> = server
        .outbox()
        .iter()
        .map(|m| serde_json::to_value(m).unwrap())
        .collect();
    assert_eq!(read, expected);
    assert_eq!(read.len(), 2);
    assert_eq!(read[1]["login"], "robert.zak");
    assert!(read[1]["code"].is_string());
    let taken: Vec<Value> = http()
        .delete(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(taken, expected);
    assert!(server.outbox().is_empty());
}

#[tokio::test]
async fn mail_arrives_for_subscribers_and_the_outbox_is_capped() {
    let server = MockServer::builder()
        .outbox_capacity(3)
        .start()
        .await
        .unwrap();
    let mut arrivals = server.subscribe_outbox();
    let client = client(&server);
    for _ in 0..5 {
        step1(&client, "robert.zak", None).await.unwrap();
    }
    let first: Mail = tokio::time::timeout(Duration::from_secs(5), arrivals.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.login, "robert.zak");
    let kept = server.outbox();
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[2].code, server.last_code_for("robert.zak").unwrap());
}

#[tokio::test]
async fn many_flows_at_once_each_get_their_own_codes() {
    let accounts: String = (0..32).map(|i| format!("  - login: trader{i}\n")).collect();
    let server = MockServer::builder()
        .accounts(format!("accounts:\n{accounts}"))
        .start()
        .await
        .unwrap();
    let base = server.base_url();
    let server = std::sync::Arc::new(server);
    let mut flows = Vec::new();
    for i in 0..32 {
        let (server, base) = (server.clone(), base.clone());
        flows.push(tokio::spawn(async move {
            let client = Client::new(&base, MockServer::APP_KEY).unwrap();
            let login = format!("trader{i}");
            step1(&client, &login, None).await.unwrap();
            let code = server.last_code_for(&login).unwrap();
            let token = step3(&client, &code).await.unwrap();
            let password = format!("pw-{i}");
            step4(&client, &token, &password, &password).await.unwrap();
            assert!(server.password_is(&login, &password));
        }));
    }
    for flow in flows {
        flow.await.unwrap();
    }
}
