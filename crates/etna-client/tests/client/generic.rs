//! A client generated from the spec plus one operation of each shape (see
//! etna-test-fixtures' `fixture/extra-operation.yaml`: an envelope with
//! secrets, the API root, a Bearer path parameter, a plain body, and the
//! shapes of ETNA's generated schemas: a bare array, `text/json` beside
//! `application/json`, several error bodies, 204 or 200) gets the typed
//! result, redacted secrets and the same errors with no hand-written line
//! for those operations.

use etna_client::{ClientBuilder, Error, Operation};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{APP_KEY, TOKEN, assert_no_secrets};
use etna_test_fixtures::fixture;

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
        ticket: Some(etna_client::Secret::from("answer-Peterson-x").into()),
    }
}

#[tokio::test]
async fn the_extra_operation_has_a_typed_result_with_redacted_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/v1.0/users/pin-code"))
        .and(header("Et-App-Key", APP_KEY))
        .and(body_json(
            json!({"Token": TOKEN, "Pin": "code-774411", "ImageName": "cat.png", "Ticket": "answer-Peterson-x"}),
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

/// `Ticket` and `Hint` are secrets by `$ref` only (the fixture's
/// `FixtureSecret`): a body that does not decode is quoted with their values
/// scrubbed, as inline secrets are, and the table says which answer fields
/// are secrets.
#[tokio::test]
async fn a_property_that_refers_to_a_password_schema_is_a_secret_everywhere() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"Model": {"Hint": "answer-Peterson-x", "Ticket": "code-774411", "Extra": 1}, "IsSucceed": "yes"}"#,
        ))
        .mount(&server)
        .await;
    let result = client(&server.uri())
        .set_pin_code()
        .body(body())
        .call()
        .await;
    match result {
        Err(e @ Error::Undecodable { .. }) => {
            let text = format!("{e} {e:?}");
            assert_no_secrets("Undecodable", &text);
            assert!(text.contains(r#"\"Hint\": \"<redacted>\""#), "{text}");
            assert!(text.contains(r#"\"Ticket\": \"<redacted>\""#), "{text}");
        }
        other => panic!("expected Undecodable, got {other:?}"),
    }
    type SetPin<'a> = fixture::builder::SetPinCode<'a>;
    let spec = <SetPin as Operation>::SPEC;
    assert_eq!(spec.answer_secrets.properties, ["Hint"]);
    assert_eq!(
        spec.body.map(|b| b.secret_properties),
        Some(&["Pin", "Ticket", "Token"][..])
    );
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

/// Which documented status refuses which credential is the spec's
/// (`x-etna-refuses`), not a rule on 401 and 403: `fixture_plain`'s 401
/// refuses nothing, its 403 is the app key's, named as the spec names it.
#[tokio::test]
async fn only_the_statuses_the_spec_marks_are_credential_refusals() {
    let answer = |status: u16| async move {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"Message": "the thing is locked"})),
            )
            .mount(&server)
            .await;
        client(&server.uri()).fixture_plain().call().await
    };
    match answer(401).await {
        Err(Error::Rejected {
            operation: "fixture_plain",
            status,
            body,
        }) => {
            assert_eq!(status.as_u16(), 401);
            assert!(body.downcast_ref::<fixture::types::ErrorBody>().is_some());
        }
        other => panic!("expected the operation's own refusal, got {other:?}"),
    }
    match answer(403).await {
        Err(e @ Error::AppKeyRejected { header, .. }) => {
            assert_eq!(
                header,
                <fixture::Client as etna_client::GeneratedClient>::APP_KEY_HEADER
            );
            assert!(
                e.to_string().contains(&format!("check the {header}")),
                "{e}"
            );
        }
        other => panic!("expected AppKeyRejected, got {other:?}"),
    }
    type Plain<'a> = fixture::builder::FixturePlain<'a>;
    assert_eq!(
        <Plain as Operation>::SPEC.refusals,
        [(403, etna_client::Credential::AppKey)]
    );
    type Remove<'a> = fixture::builder::FixtureRemoveThing<'a>;
    assert_eq!(
        <Remove as Operation>::SPEC.refusals,
        [
            (401, etna_client::Credential::Session),
            (403, etna_client::Credential::AppKey)
        ]
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
    for name in ["Hint", "Pin", "Ticket", "Token"] {
        assert!(secrets.contains(&name), "{name} in {secrets:?}");
    }
}

/// An operation at the API root, with a secret header parameter and a plain
/// body under two success statuses: the URL has no `/v{version}`, the
/// secret goes out as itself (and sensitive), the result says which status
/// came, and nothing shows the secret.
#[tokio::test]
async fn an_operation_at_the_root_with_a_secret_header_and_two_statuses() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/fixture/at-root"))
        .and(header("X-Fixture-Secret", "code-774411"))
        .and(header("X-Fixture-Plain", "plain-value"))
        .and(header("Et-App-Key", APP_KEY))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(json!({"Value": "later", "Secret": TOKEN})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&format!("{}/api", server.uri()));
    let request = client
        .fixture_at_root()
        .x_fixture_secret("code-774411")
        .x_fixture_plain("plain-value");
    assert_no_secrets("request builder", &format!("{request:?}"));
    let answer = request.call().await.expect("typed answer");
    assert_eq!(answer.status.as_u16(), 202);
    assert_eq!(answer.body.value, "later");
    assert_eq!(answer.body.secret.as_ref().map(|s| s.expose()), Some(TOKEN));
    assert_no_secrets("answer", &format!("{answer:?}"));
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].body.is_empty());
    // No session: the optional Bearer is not sent.
    assert!(requests[0].headers.get("authorization").is_none());
}

/// A Bearer operation with a path parameter and an answer without a body:
/// no session fails before any I/O; with one, the URL, the `Authorization`
/// header and the `()` result; a 401 is the session refused.
#[tokio::test]
async fn a_bearer_operation_with_a_path_parameter_and_no_body() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v1.0/fixture/things/t-1"))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("Et-App-Key", APP_KEY))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let missing = client.fixture_remove_thing().thing_id("t-1").call().await;
    assert!(
        matches!(missing, Err(Error::SessionMissing { .. })),
        "{missing:?}"
    );
    etna_client::GeneratedClient::state(&client)
        .set_session_token(TOKEN)
        .unwrap();
    let () = client
        .fixture_remove_thing()
        .thing_id("t-1")
        .call()
        .await
        .expect("no body, no error");
    server.reset().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"Message": "denied"})))
        .mount(&server)
        .await;
    let refused = client.fixture_remove_thing().thing_id("t-1").call().await;
    assert!(
        matches!(refused, Err(Error::SessionRejected { .. })),
        "{refused:?}"
    );
    assert_no_secrets("error", &format!("{refused:?}"));
}

/// A plain body under one status is the result itself.
#[tokio::test]
async fn a_plain_body_is_the_result() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/fixture/plain"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Value": "v"})))
        .mount(&server)
        .await;
    let answer = client(&server.uri()).fixture_plain().call().await.unwrap();
    assert_eq!(answer.value, "v");
}

/// A bare JSON array is the result, a `Vec` of the item type.
#[tokio::test]
async fn a_bare_array_answer_is_a_vec() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/fixture/items"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([{"Value": "a"}, {"Value": "b"}])),
        )
        .expect(1)
        .mount(&server)
        .await;
    let items: Vec<fixture::types::FixtureAnswer> = client(&server.uri())
        .fixture_list_items()
        .call()
        .await
        .expect("a typed array");
    let values: Vec<&str> = items.iter().map(|i| i.value.as_str()).collect();
    assert_eq!(values, ["a", "b"]);
}

/// A body the spec offers as `application/json` and `text/json` with one
/// schema is sent as `application/json`.
#[tokio::test]
async fn a_body_offered_as_json_and_text_json_is_sent_as_application_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/fixture/items"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(json!({"Value": "new"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Value": "kept"})))
        .expect(1)
        .mount(&server)
        .await;
    let kept = client(&server.uri())
        .fixture_add_item()
        .body(fixture::types::FixtureAnswer {
            value: "new".to_owned(),
            secret: None,
        })
        .call()
        .await
        .expect("sent as application/json");
    assert_eq!(kept.value, "kept");
}

/// An operation documenting two error body schemas: each status's body
/// comes back typed in `Error::Rejected` as its own variant of the
/// operation's error type, decoded by status (the operation's own body has
/// no required property, so any object has its shape); an envelope among
/// the shared bodies is still a refusal, and the app key's body still
/// `AppKeyRejected`.
#[tokio::test]
async fn each_documented_error_body_is_typed_by_status() {
    use fixture::types::{ErrorBody, FixtureCheckItemErrorBody as Body};
    let server = MockServer::start().await;
    let check = |status: u16, body: serde_json::Value| {
        let server = &server;
        async move {
            server.reset().await;
            Mock::given(method("POST"))
                .and(path("/v1.0/fixture/items/i-1/check"))
                .respond_with(ResponseTemplate::new(status).set_body_json(body))
                .mount(server)
                .await;
            client(&server.uri())
                .fixture_check_item()
                .item_id("i-1")
                .call()
                .await
        }
    };
    match check(400, json!({"Accepted": false, "Reason": "too big"})).await {
        Err(Error::Rejected {
            operation,
            status,
            body,
        }) => {
            assert_eq!((operation, status.as_u16()), ("fixture_check_item", 400));
            match body.downcast_ref::<Body>() {
                Some(Body::FixtureRefusal(refusal)) => assert_eq!(
                    (refusal.accepted, refusal.reason.as_deref()),
                    (Some(false), Some("too big"))
                ),
                other => panic!("expected the operation's own refusal, got {other:?}"),
            }
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    // The shared body's shape at 422: its own variant, though the 400's
    // body (nothing required) would decode it too.
    match check(422, json!({"Message": "not readable"})).await {
        Err(Error::Rejected { status, body, .. }) => {
            assert_eq!(status.as_u16(), 422);
            assert!(
                matches!(
                    body.downcast_ref::<Body>(),
                    Some(Body::ErrorBody(ErrorBody::MessageError(m))) if m.message == "not readable"
                ),
                "{body:?}"
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    // An inline body has its own type too, named by its status.
    match check(409, json!({"Conflict": "in use"})).await {
        Err(Error::Rejected { body, .. }) => assert!(
            matches!(
                body.downcast_ref::<Body>(),
                Some(Body::FixtureCheckItemErrorBody409(c)) if c.conflict.as_deref() == Some("in use")
            ),
            "{body:?}"
        ),
        other => panic!("expected Rejected, got {other:?}"),
    }
    match check(422, json!({"IsSucceed": false, "Errors": ["no such item"]})).await {
        Err(e @ Error::Refused { .. }) => assert!(e.to_string().contains("no such item"), "{e}"),
        other => panic!("expected Refused, got {other:?}"),
    }
    let key = check(403, json!({"error": "no such key"})).await;
    assert!(matches!(key, Err(Error::AppKeyRejected { .. })), "{key:?}");
    let done = check(200, json!({"Value": "fine"}))
        .await
        .expect("a success");
    assert_eq!(done.value, "fine");
}

/// 204 with no body or 200 with one: both are the success, with the status
/// and the body when there is one; an empty 204 never fails decoding.
#[tokio::test]
async fn a_204_without_a_body_or_a_200_with_one_are_both_the_success() {
    let server = MockServer::start().await;
    let stop = |template: ResponseTemplate| {
        let server = &server;
        async move {
            server.reset().await;
            Mock::given(method("DELETE"))
                .and(path("/v1.0/fixture/items/i-1"))
                .respond_with(template)
                .expect(1)
                .mount(server)
                .await;
            client(&server.uri())
                .fixture_stop_item()
                .item_id("i-1")
                .call()
                .await
        }
    };
    let answer = stop(ResponseTemplate::new(204))
        .await
        .expect("204 is the success");
    assert_eq!((answer.status.as_u16(), answer.body), (204, None));
    // A 204 that says it is JSON but has no body is the same.
    let answer = stop(ResponseTemplate::new(204).insert_header("Content-Type", "application/json"))
        .await
        .expect("an empty JSON 204 is the success");
    assert_eq!((answer.status.as_u16(), answer.body), (204, None));
    let answer = stop(ResponseTemplate::new(200).set_body_json(json!({"Value": "stopped"})))
        .await
        .expect("200 is the success");
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(answer.body.map(|b| b.value).as_deref(), Some("stopped"));
}

/// Every operation of the fixture, those of each shape included, is in the
/// generated table and reachable by `Dispatch`.
#[tokio::test]
async fn every_fixture_operation_is_in_the_table_and_dispatched() {
    use etna_client::dispatch::JsonArgs;
    use etna_client::{Dispatch, GeneratedClient};
    let client = client("http://127.0.0.1:9");
    for op in <fixture::Client as GeneratedClient>::OPERATIONS {
        // Nothing listens on port 9: a dispatched call fails on the
        // connection (or before it, for a missing session), an unknown id
        // gives `None`.
        let reply = client.dispatch(op.id, &JsonArgs::default()).await;
        assert!(reply.is_some(), "{} is not dispatched", op.id);
    }
    for id in [
        "fixture_at_root",
        "fixture_remove_thing",
        "fixture_plain",
        "fixture_list_items",
        "fixture_add_item",
        "fixture_check_item",
        "fixture_stop_item",
        "set_pin_code",
    ] {
        assert!(
            <fixture::Client as GeneratedClient>::OPERATIONS
                .iter()
                .any(|op| op.id == id),
            "{id}"
        );
    }
    let root = <fixture::builder::FixtureAtRoot<'_> as Operation>::SPEC;
    assert_eq!(
        (root.full_path, root.security.bearer),
        ("/fixture/at-root", etna_client::Need::Optional)
    );
}
