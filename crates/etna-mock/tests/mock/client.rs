//! etna-client against the stateful mock: each sign-in outcome the client
//! types, and the session it holds, accepted and refused by the mock's
//! session table.

use std::time::Duration;

use etna_client::types::{PasswordChange, PinCodeChange};
use etna_client::{Client, Error, Operation, Secret, SignIn};
use etna_mock::MockServer;

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), MockServer::APP_KEY).unwrap()
}

fn secret(text: &str) -> Secret {
    Secret::from(text)
}

#[tokio::test]
async fn one_factor_then_the_session_until_the_moved_clock_ends_it() {
    let server = MockServer::start().await.unwrap();
    let client = client(&server);
    let outcome = client.sign_in("robert.zak", &secret("Passw0rd!")).await;
    assert!(matches!(outcome, Ok(SignIn::SignedIn(_))), "{outcome:?}");
    client.list_security_images().call().await.unwrap();
    let change = PasswordChange {
        old_password: secret("Passw0rd!"),
        password: secret("Chang3d!"),
        password_confirm: secret("Chang3d!"),
    };
    let () = client
        .change_password()
        .user_id("@me")
        .body(change)
        .call()
        .await
        .unwrap();
    server.advance_clock(Duration::from_secs(24 * 60 * 60));
    let error = client.list_security_images().call().await.unwrap_err();
    assert!(matches!(error, Error::SessionRejected { .. }), "{error:?}");

    let old = client.sign_in("robert.zak", &secret("Passw0rd!")).await;
    let Ok(SignIn::Refused { step, reason }) = old else {
        panic!("{old:?}");
    };
    assert_eq!(step.as_deref(), Some("BaseAuthentication"));
    assert_eq!(reason.as_deref(), Some("Invalid credentials"));
    let new = client.sign_in("robert.zak", &secret("Chang3d!")).await;
    assert!(matches!(new, Ok(SignIn::SignedIn(_))), "{new:?}");
}

#[tokio::test]
async fn two_factors_with_the_code_from_the_outbox() {
    let server = MockServer::start().await.unwrap();
    let client = client(&server);
    let password = secret("Hell0-passw0rd!");
    let first = client.sign_in("hello", &password).await;
    assert!(matches!(first, Ok(SignIn::CodeNeeded)), "{first:?}");
    let code = secret(&server.last_code_for("hello").unwrap());
    let second = client.sign_in_with_code("hello", &password, &code).await;
    assert!(matches!(second, Ok(SignIn::SignedIn(_))), "{second:?}");
    client.list_security_images().call().await.unwrap();
}

#[tokio::test]
async fn an_expired_password_is_reset_with_the_token_sign_in_gave() {
    let server = MockServer::start().await.unwrap();
    let client = client(&server);
    let expired = client.sign_in("old.timer", &secret("0ld-passw0rd!")).await;
    let Ok(SignIn::PasswordExpired { token: Some(token) }) = expired else {
        panic!("{expired:?}");
    };
    let step4 = client
        .password_reset()
        .set_password(token, "Fr3sh-passw0rd!");
    step4.call().await.unwrap();
    let signed_in = client
        .sign_in("old.timer", &secret("Fr3sh-passw0rd!"))
        .await;
    assert!(
        matches!(signed_in, Ok(SignIn::SignedIn(_))),
        "{signed_in:?}"
    );
}

#[tokio::test]
async fn a_trader_without_a_pin_sets_one_with_the_token_sign_in_gave() {
    let server = MockServer::start().await.unwrap();
    let client = client(&server);
    let password = secret("N3w-p1n-passw0rd!");
    let first = client.sign_in("new.pin", &password).await;
    assert!(matches!(first, Ok(SignIn::PinNotSet)), "{first:?}");
    client.list_security_images().call().await.unwrap();
    // From JSON, the spec's example: the PIN's Rust type is the client's
    // business (an integer, or a secret one), not this test's.
    let pin: PinCodeChange = serde_json::from_value(serde_json::json!({
        "Token": "someConfirmationToken",
        "Pin": 1234,
        "ImageName": "apple.png",
        "PersonalPhrase": "My apple tree",
    }))
    .unwrap();
    client.change_pin_code().body(pin).call().await.unwrap();
    let again = client.sign_in("new.pin", &password).await;
    assert!(matches!(again, Ok(SignIn::SignedIn(_))), "{again:?}");
}
