//! Drift snapshots: every client-relevant spec change shows up here in review.
//! Every list is derived from the spec (its operations, their examples) or
//! from what generation emitted (`json_schemas`, `Dispatch`), never kept by
//! hand.
//!
//! A failing snapshot names itself; accept an intended change with
//! `cargo insta review`, or `INSTA_UPDATE=always cargo test` without cargo-insta.

use crate::common::{
    APP_KEY, SESSION, client, contract, operations, request_example, response_body_text,
    response_examples, spec,
};
use etna_client::{Dispatch, GeneratedClient, generated};
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
        // insta's default directory is fixed when the test is compiled; a
        // binary reused from another clone must read this clone's snapshots.
        settings.set_snapshot_path(
            etna_codegen::workspace_root().join("tests/tests/workspace/snapshots"),
        );
        settings
    }};
}

#[test]
fn json_schemas_of_public_types() {
    let schemas = generated::json_schemas();
    let spec = spec();
    // Every component schema of the spec is among them.
    for name in spec["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            schemas.iter().any(|(n, _)| n == name),
            "component schema {name} has no generated type"
        );
    }
    settings!().bind(|| {
        for (name, schema) in schemas {
            let mut schema = serde_json::to_value(schema).unwrap();
            // Independent of serde_json's `preserve_order` in the build.
            schema.sort_all_objects();
            insta::assert_json_snapshot!(format!("schema_{name}"), schema);
        }
    });
}

#[test]
fn spec_contract() {
    // The spec without its documentation, as YAML for readable diffs: catches
    // the changes progenitor ignores (see common::contract).
    let rendered = serde_yaml_ng::to_string(&contract(&spec())).unwrap();
    settings!().bind(|| insta::assert_snapshot!("spec_contract", rendered));
}

#[test]
fn app_key_header_matches_the_spec() {
    // Progenitor ignores security schemes: the header etna-client sends the
    // key in is generated from the scheme; this keeps the two in step.
    let spec = spec();
    let scheme = &spec["components"]["securitySchemes"]["EtAppKey"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(
        scheme["name"],
        <generated::Client as GeneratedClient>::APP_KEY_HEADER
    );
}

#[test]
fn every_operation_of_the_spec_is_dispatched() {
    let spec = spec();
    let mut documented: Vec<String> = operations(&spec).into_iter().map(|(id, _)| id).collect();
    let mut dispatched: Vec<&str> = generated::Client::OPERATIONS.iter().map(|d| d.id).collect();
    documented.sort();
    dispatched.sort();
    assert_eq!(documented, dispatched);
}

/// The exact HTTP request each operation sends for the spec's request
/// example; secret values (by the spec's `format: password`) show as
/// `<secret>`.
#[tokio::test]
async fn http_request_for_each_spec_example() {
    let spec = spec();
    for (id, operation) in operations(&spec) {
        let server = MockServer::start().await;
        // The operation's first documented success, so that the call ends
        // well whatever the shape of its answers.
        let (status, _, body) = response_examples(&spec, operation)
            .into_iter()
            .find(|(status, _, _)| (200..300).contains(status))
            .expect("a documented success");
        let template = ResponseTemplate::new(status);
        let template = if body.is_null() {
            template
        } else {
            template.set_body_json(&body)
        };
        Mock::given(any())
            .respond_with(template)
            .mount(&server)
            .await;
        let args = request_example(&spec, operation);
        let reply = client(&server.uri())
            .dispatch(&id, &args)
            .await
            .expect("a dispatched operation")
            .expect("the example is sent");
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1, "{id}");
        let request = &requests[0];
        let doc = generated::Client::OPERATIONS
            .iter()
            .find(|d| d.id == id)
            .unwrap();
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(name, value)| {
                let value = match name.as_str() {
                    "et-app-key" if value == APP_KEY => "<the app key>".to_owned(),
                    "et-app-key" => "<WRONG app key>".to_owned(),
                    "authorization" if value == format!("Bearer {SESSION}").as_str() => {
                        "Bearer <the session>".to_owned()
                    }
                    "authorization" => "<WRONG authorization>".to_owned(),
                    name if doc
                        .parameters
                        .iter()
                        .any(|p| p.secret && p.name.eq_ignore_ascii_case(name)) =>
                    {
                        "<secret>".to_owned()
                    }
                    "host" => "<host>".to_owned(),
                    _ => value.to_str().unwrap_or("<not UTF-8>").to_owned(),
                };
                (name.to_string(), value)
            })
            .collect();
        headers.sort();
        let body = if request.body.is_empty() {
            "(no body)".to_owned()
        } else {
            let mut body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            for secret in doc.body.map(|b| b.secret_properties).unwrap_or_default() {
                if let Some(value) = body.get_mut(*secret) {
                    *value = "<secret>".into();
                }
            }
            // The key the client filled in (`x-etna-client-id`) is fresh
            // on every run.
            if let Some(key) = &reply.client_id
                && let Some(value) = body.get_mut(key.property)
                && *value == key.value.as_str()
            {
                *value = "<the filled client id>".into();
            }
            serde_json::to_string_pretty(&body).unwrap()
        };
        let query = request
            .url
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let rendered = format!(
            "{} {}{query}\n{}\n\n{body}\n",
            request.method,
            request.url.path(),
            headers
                .iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        settings!().bind(|| insta::assert_snapshot!(format!("request_{id}"), rendered));
    }
}

/// How each documented response example of each operation decodes, and what
/// the operation's typed result makes of it.
#[tokio::test]
async fn each_documented_response_decodes_to_its_shape() {
    let spec = spec();
    for (id, operation) in operations(&spec) {
        let examples = response_examples(&spec, operation);
        assert!(!examples.is_empty(), "{id} documents no response example");
        let mut rendered = String::new();
        for (status, name, body) in examples {
            let server = MockServer::start().await;
            let template = ResponseTemplate::new(status);
            let template = if body.is_null() {
                template
            } else {
                // As written in the spec, every digit of its numbers.
                let text = response_body_text(&spec, &id, status, &name, &body);
                template.set_body_raw(text, "application/json")
            };
            Mock::given(any())
                .respond_with(template)
                .mount(&server)
                .await;
            let args = request_example(&spec, operation);
            let reply = client(&server.uri())
                .dispatch(&id, &args)
                .await
                .expect("dispatched");
            let shown = match reply {
                Ok(reply) => format!(
                    "HTTP {} accepted={}\n{}\ncall: {}",
                    reply.status.as_u16(),
                    reply.accepted,
                    reply.body_debug,
                    match &reply.outcome {
                        Ok(model) => format!("Ok({model})"),
                        Err(e) => format!("Err({e:?})\n  Display: {e}"),
                    }
                ),
                Err(e) => format!("Err({e:?})\n  Display: {e}"),
            };
            rendered.push_str(&format!("## {status} {name}\n{shown}\n\n"));
        }
        assert!(!rendered.contains(APP_KEY));
        settings!().bind(|| insta::assert_snapshot!(format!("responses_{id}"), rendered));
    }
}
