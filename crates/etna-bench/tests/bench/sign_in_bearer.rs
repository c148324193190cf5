//! Sign-in and the Bearer call (`list_security_images`) on both sides
//! against the benchmark server on 127.0.0.1, and the server refusing what
//! either side must not get away with: a wrong password, a missing or wrong
//! session token. No timing here.

use etna_bench::caller::{APP_KEY, Call, Caller};
use etna_bench::handwritten::HandWritten;
use etna_bench::server::{EnvelopeServer, SESSION_TOKEN, SIGN_IN_PASSWORD, USERNAME};
use etna_client::types::{SecurityImagesEnvelope, SignInAnswer};
use etna_client::{Operation, Secret};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn both_sides_sign_in_and_make_the_bearer_call() {
    let server = EnvelopeServer::start().unwrap();
    let runtime = runtime();
    for call in [Call::SignIn, Call::SecurityImages] {
        let [generated, handwritten] = Caller::both_for(&server.base_url(), call).unwrap();
        assert_eq!(generated.name(), "etna_client");
        assert_eq!(handwritten.name(), "handwritten");
        for caller in [generated, handwritten] {
            for _ in 0..3 {
                runtime
                    .block_on(caller.call())
                    .unwrap_or_else(|e| panic!("{} {call:?}: {e}", caller.name()));
            }
        }
    }
}

#[test]
fn the_operation_ids_come_from_the_generated_client() {
    assert!(Call::SignIn.describe().contains("`sign_in`"));
    assert!(
        Call::SecurityImages
            .describe()
            .contains("`list_security_images`")
    );
}

#[test]
fn the_token_sign_in_returns_serves_the_bearer_call() {
    let server = EnvelopeServer::start().unwrap();
    let runtime = runtime();
    let client = etna_client::Client::new(&server.base_url(), APP_KEY).unwrap();
    let signed_in = runtime.block_on(client.sign_in(USERNAME, &Secret::from(SIGN_IN_PASSWORD)));
    assert!(
        matches!(signed_in, Ok(etna_client::SignIn::SignedIn(_))),
        "{signed_in:?}"
    );
    let images = runtime
        .block_on(client.list_security_images().call())
        .unwrap();
    assert_eq!(images.len(), 1);

    let mut handwritten = HandWritten::new(&server.base_url(), APP_KEY).unwrap();
    runtime
        .block_on(handwritten.sign_in_and_keep(USERNAME, SIGN_IN_PASSWORD))
        .unwrap();
    let envelope: SecurityImagesEnvelope = runtime.block_on(handwritten.security_images()).unwrap();
    assert!(envelope.is_succeed);
}

#[test]
fn the_server_refuses_a_wrong_password_and_a_missing_or_wrong_session() {
    let server = EnvelopeServer::start().unwrap();
    let base = server.base_url();
    let runtime = runtime();

    let client = etna_client::Client::new(&base, APP_KEY).unwrap();
    let refused = runtime.block_on(
        client
            .api()
            .sign_in()
            .username(USERNAME)
            .password(Secret::from("wrong"))
            .call(),
    );
    assert!(refused.is_err(), "a wrong password signed in: {refused:?}");
    let handwritten = HandWritten::new(&base, APP_KEY).unwrap();
    let refused = runtime.block_on(handwritten.sign_in::<SignInAnswer>(USERNAME, "wrong"));
    assert!(refused.is_err(), "a wrong password signed in");

    // No session: etna-client refuses before sending, the hand-written
    // client too.
    assert!(
        runtime
            .block_on(client.list_security_images().call())
            .is_err()
    );
    assert!(
        runtime
            .block_on(handwritten.security_images::<SecurityImagesEnvelope>())
            .is_err()
    );

    // A session the server does not know: 401 on both sides.
    let wrong = format!("{SESSION_TOKEN}-not");
    client
        .set_session_token(Secret::from(wrong.as_str()))
        .unwrap();
    assert!(
        runtime
            .block_on(client.list_security_images().call())
            .is_err()
    );
    let mut handwritten = handwritten;
    handwritten.set_session_token(&wrong).unwrap();
    assert!(
        runtime
            .block_on(handwritten.security_images::<SecurityImagesEnvelope>())
            .is_err()
    );
}
