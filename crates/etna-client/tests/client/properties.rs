//! Properties: any envelope the types can hold survives JSON and back
//! unchanged and its `Debug` never shows the token; no status and body makes
//! any operation's response mapping panic or leak.

use etna_client::types::{HttpStatusCodeName, ResetTokenEnvelope};
use etna_client::{Dispatch, HttpStatusCode, Secret, generated::Client};
use proptest::prelude::*;

fn status_code() -> impl Strategy<Value = HttpStatusCode> {
    prop_oneof![
        prop_oneof![
            Just(HttpStatusCodeName::Continue),
            Just(HttpStatusCodeName::Ok),
            Just(HttpStatusCodeName::BadRequest),
            Just(HttpStatusCodeName::InternalServerError),
        ]
        .prop_map(HttpStatusCode::Known),
        // Names the spec does not list (a listed one decodes as Known).
        "[A-Za-z]{1,24}"
            .prop_filter("unlisted", |s| s.parse::<HttpStatusCodeName>().is_err())
            .prop_map(HttpStatusCode::Unlisted),
        any::<i64>().prop_map(HttpStatusCode::Numeric),
    ]
}

fn envelope() -> impl Strategy<Value = ResetTokenEnvelope> {
    (
        proptest::option::of("[ -~]{1,40}".prop_map(|t| Secret::new(format!("tok:{t}")))),
        proptest::option::of(proptest::collection::vec(any::<String>(), 0..4)),
        proptest::option::of(proptest::collection::vec("[A-Za-z0-9_]{0,12}", 0..4)),
        proptest::option::of(status_code()),
        any::<bool>(),
    )
        .prop_map(
            |(model, errors, errors_code, status_code, is_succeed)| ResetTokenEnvelope {
                model,
                errors,
                errors_code,
                status_code,
                is_succeed,
            },
        )
}

proptest! {
    #[test]
    fn envelopes_round_trip_through_json(envelope in envelope()) {
        let json = serde_json::to_string(&envelope).unwrap();
        let back: ResetTokenEnvelope = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &envelope);
        if let Some(token) = &envelope.model {
            let debug = format!("{:?}", envelope);
            prop_assert!(!debug.contains(token.expose()));
        }
    }

    #[test]
    fn decoding_arbitrary_json_never_panics(value in any::<Vec<u8>>()) {
        let _ = serde_json::from_slice::<ResetTokenEnvelope>(&value);
        let _ = serde_json::from_slice::<etna_client::types::ErrorBody>(&value);
    }
}

proptest! {
    /// What the fuzzer runs, in miniature, for every operation: no
    /// status/body pair panics, and no result quotes the app key or a secret.
    #[test]
    fn response_mapping_never_panics_or_leaks(
        operation in proptest::sample::select(<Client as etna_client::GeneratedClient>::OPERATIONS),
        status in prop_oneof![Just(200u16), Just(400), Just(403), Just(500), 100u16..600],
        body in prop_oneof![
            any::<Vec<u8>>(),
            "[ -~\\n]{0,300}".prop_map(String::into_bytes),
            Just(br#"{"Model": "tok-secret", "IsSucceed": tru"#.to_vec()),
            Just(br#"{"Token": "tok-secret", "Password": "tok-secret", "IsSucceed": 1}"#.to_vec()),
            Just(br#"{"Model": "tok-secret", "IsSucceed": true}"#.to_vec()),
            Just(b"<html>the key is k3y-secret</html>".to_vec()),
        ],
    ) {
        let result = Client::decode_answer(operation.id, status, &body, "k3y-secret")
            .expect("every documented operation decodes");
        match result {
            // A model shows what it holds (a question is no secret), but
            // never the app key; a secret model is covered by its Debug.
            Ok(model) => prop_assert!(!model.contains("k3y-secret"), "{}", model),
            Err(e) => {
                let text = format!("{e} {e:?}");
                prop_assert!(!text.contains("k3y-secret"), "{}", text);
                prop_assert!(!text.contains("tok-secret"), "{}", text);
            }
        }
    }
}
