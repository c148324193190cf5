//! Drift snapshots: every client-relevant spec change shows up here in review.
//!
//! A failing snapshot names itself; accept an intended change with
//! `cargo insta review`, or `INSTA_UPDATE=always cargo test` without cargo-insta.

mod common;

use common::{APP_KEY, TOKEN, client, contract, request_example, response_examples, spec};
use etna_client::types;
use schemars::{JsonSchema, schema_for};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

macro_rules! settings {
    () => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_description(
            "Drift snapshot of etna-client. If it changed on purpose: `cargo insta review`, \
             or `INSTA_UPDATE=always cargo test` when cargo-insta is not installed.",
        );
        settings.set_omit_expression(true);
        settings
    }};
}

fn schema_of<T: JsonSchema>() -> serde_json::Value {
    let mut schema = serde_json::to_value(schema_for!(T)).unwrap();
    // Independent of serde_json's `preserve_order` in the build.
    schema.sort_all_objects();
    schema
}

#[test]
fn json_schemas_of_public_types() {
    let schemas = [
        ("ResetCodeRequest", schema_of::<types::ResetCodeRequest>()),
        (
            "ResetCodeRequestCode",
            schema_of::<types::ResetCodeRequestCode>(),
        ),
        ("ResetIdentifier", schema_of::<types::ResetIdentifier>()),
        (
            "ResetTokenEnvelope",
            schema_of::<types::ResetTokenEnvelope>(),
        ),
        ("ErrorBody", schema_of::<types::ErrorBody>()),
        ("AppKeyError", schema_of::<types::AppKeyError>()),
        ("HttpStatusCode", schema_of::<etna_client::HttpStatusCode>()),
        (
            "HttpStatusCodeName",
            schema_of::<types::HttpStatusCodeName>(),
        ),
        ("ResetToken", schema_of::<etna_client::ResetToken>()),
    ];
    settings!().bind(|| {
        for (name, schema) in schemas {
            insta::assert_json_snapshot!(format!("schema_{name}"), schema);
        }
    });
}

#[test]
fn every_component_schema_has_a_snapshotted_type() {
    // A schema added to the spec must be added to the list above.
    let spec = spec();
    let names: Vec<_> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let snapshotted = [
        "ResetCodeRequest",
        "ResetIdentifier",
        "ResetTokenEnvelope",
        "ErrorBody",
        "AppKeyError",
        "HttpStatusCode",
        "HttpStatusCodeName",
        "ResetToken",
    ];
    for name in &names {
        assert!(
            snapshotted.contains(&name.as_str()),
            "schema {name} has no JSON Schema snapshot; add it to json_schemas_of_public_types"
        );
    }
}

#[test]
fn spec_contract() {
    // The spec without its documentation, as YAML for readable diffs: catches
    // the changes progenitor ignores (see common::contract).
    let rendered = serde_yaml_ng::to_string(&contract(&spec())).unwrap();
    settings!().bind(|| insta::assert_snapshot!("spec_contract", rendered));
}

#[test]
fn default_api_version_matches_the_spec() {
    let spec = spec();
    let default = &spec["components"]["parameters"]["ApiVersion"]["schema"]["default"];
    assert_eq!(default, etna_client::ClientBuilder::DEFAULT_API_VERSION);
}

#[test]
fn app_key_header_matches_the_spec() {
    // Progenitor ignores security schemes, so the client names the header by
    // hand; this keeps the two in step.
    let spec = spec();
    let scheme = &spec["components"]["securitySchemes"]["EtAppKey"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], etna_client::APP_KEY_HEADER);
}

#[tokio::test]
async fn http_request_for_the_spec_example() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "Model": TOKEN, "IsSucceed": true
        })))
        .mount(&server)
        .await;
    let (code, identifier) = request_example(&spec());
    let identifier: types::ResetIdentifier = identifier.parse().unwrap();
    client(&server.uri())
        .reset_token(&code, identifier)
        .await
        .expect("the example succeeds against a server that accepts it");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let value = match name.as_str() {
                "et-app-key" if value == APP_KEY => "<the app key>".to_owned(),
                "et-app-key" => "<WRONG app key>".to_owned(),
                "host" => "<host>".to_owned(),
                _ => value.to_str().unwrap_or("<not UTF-8>").to_owned(),
            };
            (name.to_string(), value)
        })
        .collect();
    headers.sort();
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    let rendered = format!(
        "{} {}\n{}\n\n{}\n",
        request.method,
        request.url.path(),
        headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
        serde_json::to_string_pretty(&body).unwrap()
    );
    settings!().bind(|| insta::assert_snapshot!("request_reset_code", rendered));
}

#[tokio::test]
async fn each_documented_response_decodes_to_its_shape() {
    let examples = response_examples(&spec());
    assert!(
        examples.len() >= 4,
        "expected the documented examples, got {examples:?}"
    );
    let mut rendered = String::new();
    for (status, name, body) in examples {
        // The typed shape the generated client decodes this status into.
        let typed = if status == 200 {
            format!(
                "{:#?}",
                serde_json::from_value::<types::ResetTokenEnvelope>(body.clone())
            )
        } else {
            format!(
                "{:#?}",
                serde_json::from_value::<types::ErrorBody>(body.clone())
            )
        };
        // What `reset_token` makes of it.
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_json(&body))
            .mount(&server)
            .await;
        let outcome = client(&server.uri())
            .reset_token("231408", types::ResetIdentifier::ResetPassword)
            .await;
        let outcome = match &outcome {
            Ok(token) => format!("Ok({token:?})"),
            Err(e) => format!("Err({e:?})\n  Display: {e}"),
        };
        rendered.push_str(&format!(
            "## {status} {name}\n{typed}\nreset_token: {outcome}\n\n"
        ));
    }
    assert!(!rendered.contains(APP_KEY));
    settings!().bind(|| insta::assert_snapshot!("documented_responses", rendered));
}

#[test]
fn the_app_key_error_decodes_as_app_key_error_not_as_an_envelope() {
    for (status, name, body) in response_examples(&spec()) {
        if status == 200 {
            continue;
        }
        let decoded: types::ErrorBody = serde_json::from_value(body.clone()).unwrap();
        let has_error_field = body.get("error").is_some();
        match decoded {
            types::ErrorBody::AppKeyError(_) => assert!(has_error_field, "{name}"),
            types::ErrorBody::ResetTokenEnvelope(_) => assert!(!has_error_field, "{name}"),
        }
    }
}
