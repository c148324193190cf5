//! A client generated from the spec plus one operation (`set_pin_code`, see
//! `fixture/extra-operation.yaml`) gets the typed result, redacted secrets
//! and the same errors with no hand-written line for that operation.

use etna_client::{ClientBuilder, Error, Operation};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::fixture;
use crate::support::{APP_KEY, TOKEN, assert_no_secrets};

fn client(base_url: &str) -> fixture::Client {
    ClientBuilder::default()
        .base_url(base_url)
        .app_key(APP_KEY)
        .build_generated::<fixture::Client>()
        .unwrap()
}

fn body() -> fixture::types::PinCodeUpdate {
    fixture::types::PinCodeUpdate {
        token: TOKEN.into(),
        pin: "code-774411".into(),
        image_name: "cat.png".to_owned(),
    }
}

#[tokio::test]
async fn the_extra_operation_has_a_typed_result_with_redacted_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/v1.0/users/pin-code"))
        .and(header("Et-App-Key", APP_KEY))
        .and(body_json(
            json!({"Token": TOKEN, "Pin": "code-774411", "ImageName": "cat.png"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "Model": {"Hint": "answer-Peterson-x", "ImageName": "cat.png"},
            "Errors": [], "IsSucceed": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let request = client.set_pin_code().body(body());
    assert_no_secrets("request builder", &format!("{request:?}"));
    let model = request.call().await.expect("typed model");
    assert_eq!(model.hint.expose(), "answer-Peterson-x");
    assert_eq!(model.image_name.as_deref(), Some("cat.png"));
    assert_no_secrets("model", &format!("{model:?}"));
}

#[tokio::test]
async fn the_extra_operation_gets_the_same_refusals_and_key_errors() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "Errors": ["PIN too short"], "ErrorsCode": ["PinTooShort"], "IsSucceed": false
        })))
        .mount(&server)
        .await;
    match client(&server.uri())
        .set_pin_code()
        .body(body())
        .call()
        .await
    {
        Err(e @ Error::Refused { .. }) => {
            assert_eq!(e.operation(), "set_pin_code");
            assert!(e.to_string().contains("PinTooShort"), "{e}");
        }
        other => panic!("expected Refused, got {other:?}"),
    }

    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": "no such key"})))
        .mount(&server)
        .await;
    let result = client(&server.uri())
        .set_pin_code()
        .body(body())
        .call()
        .await;
    assert!(
        matches!(
            result,
            Err(Error::AppKeyRejected {
                operation: "set_pin_code",
                ..
            })
        ),
        "{result:?}"
    );
}

#[test]
fn the_extra_operation_is_described_by_generated_constants() {
    type SetPin<'a> = fixture::builder::SetPinCode<'a>;
    assert_eq!(<SetPin as Operation>::ID, "set_pin_code");
    assert_eq!(<SetPin as Operation>::SPEC.method, "PUT");
    assert_eq!(
        <SetPin as Operation>::SPEC.full_path,
        "/v{version}/users/pin-code"
    );
    let secrets = <fixture::Client as etna_client::GeneratedClient>::SECRET_PROPERTIES;
    for name in ["Hint", "Pin", "Token"] {
        assert!(secrets.contains(&name), "{name} in {secrets:?}");
    }
}
