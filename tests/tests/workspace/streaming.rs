//! The message types generated from `openapi/etna-streaming.yaml` read every
//! example the document gives, as the streamers send it (every value text),
//! with every digit; the commands are written as documented; a change to a
//! message shows in a snapshot.

use etna_client::stream::messages::{self, EntityType, Event, Streamers};
use etna_client::stream::{Protocol, SessionReply};
use etna_client::{Open, Secret, Timestamp};
use serde_json::Value;

fn document() -> (Value, etna_spec::KeyOrder) {
    let path = etna_codegen::workspace_root().join(etna_codegen::STREAMING_SPEC_PATH);
    let text = std::fs::read_to_string(path).expect("the AsyncAPI document is readable");
    etna_spec::parse_with_order(&text).expect("the AsyncAPI document is YAML")
}

/// `(message name, payload schema, example name, example payload)` of every
/// message example of the document.
fn examples(document: &Value) -> Vec<(String, Value, String, Value)> {
    let mut out = Vec::new();
    for (name, message) in document["components"]["messages"].as_object().unwrap() {
        let schema = etna_spec::follow(document, &message["payload"])
            .unwrap()
            .clone();
        for example in message["examples"].as_array().into_iter().flatten() {
            out.push((
                name.clone(),
                schema.clone(),
                example["name"].as_str().unwrap_or_default().to_owned(),
                example["payload"].clone(),
            ));
        }
    }
    out
}

/// Whether the schema has the discriminator: a pushed message.
fn is_event(schema: &Value) -> bool {
    schema["properties"]["EntityType"].get("const").is_some()
}

/// What `text` (as the streamer sent it) must read as, written back by the
/// generated type: every digit of a number, the moment of a date.
fn written_back(document: &Value, property: &Value, key: &str, text: &str) -> String {
    let property = etna_spec::follow(document, property).unwrap_or(property);
    let json_key = serde_json::to_string(key).unwrap();
    match property.get("format").and_then(Value::as_str) {
        Some("decimal" | "int32" | "int64") => format!("{json_key}:{text}"),
        Some("boolean") => format!("{json_key}:{}", text.to_lowercase()),
        Some("unix-time-ms") => {
            let at = Timestamp::from_unix_millis(text.parse().unwrap()).unwrap();
            format!("{json_key}:\"{at}\"")
        }
        _ if property.get("contentMediaType").is_some() => {
            // Nested as the JSON it holds, numbers as written.
            format!("{json_key}:{text}")
        }
        _ => format!("{json_key}:{}", serde_json::to_string(text).unwrap()),
    }
}

#[test]
fn every_pushed_example_decodes_with_every_digit() {
    let (document, _) = document();
    let mut events = 0;
    for (name, schema, example, payload) in examples(&document) {
        if !is_event(&schema) {
            continue;
        }
        let frame = serde_json::to_string(&payload).unwrap();
        let event: Event = serde_json::from_str(&frame)
            .unwrap_or_else(|e| panic!("{name} example {example}: {e}"));
        assert_eq!(
            event.entity().to_string(),
            payload["EntityType"].as_str().unwrap(),
            "{name}"
        );
        let written = serde_json::to_string(&event).unwrap();
        for (key, value) in payload.as_object().unwrap() {
            let text = value.as_str().expect("the streamers send text");
            let property = &schema["properties"][key];
            assert!(!property.is_null(), "{name}: {key} is not in its schema");
            let want = written_back(&document, property, key, text);
            assert!(
                written.contains(&want),
                "{name} example {example}: {want} not in {written}"
            );
        }
        events += 1;
    }
    assert!(events >= 5, "only {events} pushed examples");
}

#[test]
fn the_documented_values_read_as_the_client_types() {
    let (document, _) = document();
    let example = |name: &str| -> Event {
        let payload = &document["components"]["messages"][name]["examples"][0]["payload"];
        serde_json::from_value(payload.clone()).unwrap()
    };
    let Event::Order(order) = example("Order") else {
        panic!("not an order")
    };
    assert_eq!(order.quantity.unwrap().to_string(), "100.00000");
    assert_eq!(*order.id.unwrap(), 9626);
    assert_eq!(*order.parent_id.unwrap(), -1);
    assert_eq!(
        order.create_date.unwrap().get().unwrap().timestamp_millis(),
        1_439_992_835_673
    );
    // "-62135596800000": the REST side's "no date".
    assert_eq!(order.underlying_expiration_date.unwrap().get(), None);
    assert_eq!(
        order.side.clone().unwrap(),
        Open::Listed(etna_client::types::OrderSide::Buy)
    );
    let Event::AccountBalance(balance) = example("AccountBalance") else {
        panic!("not a balance")
    };
    let items = balance.items.unwrap();
    let change = items.iter().find(|i| i.name == "changePercent").unwrap();
    assert_eq!(change.value.to_string(), "-0.1031318408562315568923557400");
    let Event::Quote(quote) = example("Quote") else {
        panic!("not a quote")
    };
    assert_eq!(quote.bid.unwrap().to_string(), "72.9");
    assert!(!*quote.ask_update.unwrap());
    assert_eq!(
        Streamers::latest_key(&Event::Quote(quote)).as_deref(),
        Some("738939")
    );
    let order = Event::Order(order);
    assert_eq!(Streamers::latest_key(&order), None);
    // `x-etna-identity`: what a live view keys its rows by.
    assert_eq!(order.identity().as_deref(), Some("9626"));
    // The columns of a table: the scalar properties in the document's
    // order, without the discriminator or the JSON text.
    let names: Vec<&str> = Event::columns(EntityType::Order)
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(&names[..4], ["Id", "SecurityId", "Quantity", "Price"]);
    assert!(!names.contains(&"EntityType"));
    let balance: Vec<&str> = Event::columns(EntityType::AccountBalance)
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        balance,
        [
            "AccountId",
            "CashBalance",
            "PendingCash",
            "PendingOrdersCount"
        ]
    );
}

#[test]
fn an_unlisted_enum_value_decodes_and_an_unknown_entity_is_an_error() {
    let frame = r#"{"EntityType":"Order","Side":"Sideways","UnderlyingOptionType":"Call","Status":"Parked","Id":"1"}"#;
    let Event::Order(order) = serde_json::from_str(frame).unwrap() else {
        panic!("not an order")
    };
    assert_eq!(order.side, Some(Open::Unlisted("Sideways".to_owned())));
    assert_eq!(
        order.underlying_option_type,
        Some(Open::Unlisted("Call".to_owned()))
    );
    assert_eq!(order.status, Some(Open::Unlisted("Parked".to_owned())));
    // The runtime keeps a message of an unlisted entity type as its text.
    assert_eq!(
        Streamers::unlisted(r#"{"EntityType":"Watchlist","Id":"1"}"#).as_deref(),
        Some("Watchlist")
    );
    assert_eq!(Streamers::unlisted(frame), None);
    assert_eq!(Streamers::unlisted("[]"), None);
    let err = serde_json::from_str::<Event>(r#"{"EntityType":"Watchlist"}"#).unwrap_err();
    assert!(err.to_string().contains("EntityType"), "{err}");
    // A value that is not its format's text is an error, never a panic.
    assert!(serde_json::from_str::<Event>(r#"{"EntityType":"Order","Id":"x"}"#).is_err());
    assert!(serde_json::from_str::<Event>(r#"{"EntityType":"Order","Quantity":"1e"}"#).is_err());
}

#[test]
fn commands_are_the_documented_examples_field_for_field_in_order() {
    let (document, order) = document();
    let mut seen = 0;
    for (name, schema, example, payload) in examples(&document) {
        let action = schema["x-etna-command"]["action"].as_str();
        let write = match action {
            Some("subscribe") => Streamers::subscribe,
            Some("unsubscribe") => Streamers::unsubscribe,
            _ => continue,
        };
        let session = Secret::new(payload["SessionId"].as_str().unwrap());
        let entity: EntityType = payload["EntityType"].as_str().unwrap().parse().unwrap();
        let text = write(&session, entity, payload["Keys"].as_str().unwrap());
        let written: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(written, payload, "{name} example {example}");
        let index = document["components"]["messages"][&name]["examples"]
            .as_array()
            .unwrap()
            .iter()
            .position(|e| e["name"] == example.as_str())
            .unwrap();
        let keys = order.keys(&format!(
            "#/components/messages/{name}/examples/{index}/payload"
        ));
        let quoted: Vec<String> = keys.iter().map(|k| format!("\"{k}\":")).collect();
        let mut positions: Vec<usize> = quoted.iter().map(|k| text.find(k).unwrap()).collect();
        let sorted = {
            let mut p = positions.clone();
            p.sort_unstable();
            p
        };
        assert_eq!(
            positions, sorted,
            "{name}: {text} not in the order {keys:?}"
        );
        positions.clear();
        seen += 1;
    }
    assert!(seen >= 3, "only {seen} command examples");
}

#[test]
fn the_session_reply_handshake_and_servers_come_from_the_document() {
    let (document, _) = document();
    let examples = &document["components"]["messages"]["CreateSessionReply"]["examples"];
    let ok = serde_json::to_string(&examples[0]["payload"]).unwrap();
    match Streamers::session_reply(&ok) {
        Some(SessionReply::Ok(id)) => {
            assert_eq!(id.expose(), "6210cb85-c6bb-44f1-a53b-0e43669bd6f4")
        }
        other => panic!("{other:?}"),
    }
    let refused = serde_json::to_string(&examples[1]["payload"]).unwrap();
    assert!(matches!(
        Streamers::session_reply(&refused),
        Some(SessionReply::Refused)
    ));
    let order = serde_json::to_string(
        &document["components"]["messages"]["Order"]["examples"][0]["payload"],
    )
    .unwrap();
    assert!(Streamers::session_reply(&order).is_none());
    assert!(Streamers::session_reply("not json").is_none());
    assert!(
        Streamers::session_reply(r#"{"Cmd":"Other.txt","StatusCode":"Ok","SessionId":"x"}"#)
            .is_none()
    );
    // The reply's Debug never shows the session id.
    let debug = format!("{:?}", Streamers::session_reply(&ok));
    assert!(!debug.contains("6210cb85"), "{debug}");

    let handshake = Streamers::HANDSHAKE;
    assert_eq!(handshake.path, "/CreateSession.txt");
    assert_eq!((handshake.user, handshake.password), ("User", "Password"));
    assert_eq!(handshake.fixed, [("HttpClientType", "WebSocket")]);
    assert_eq!(Streamers::KEY_SEPARATOR, ";");
    assert_eq!(Streamers::server(EntityType::Quote), "quote");
    for entity in [
        EntityType::Order,
        EntityType::Position,
        EntityType::AccountBalance,
        EntityType::UserBalance,
    ] {
        assert_eq!(Streamers::server(entity), "data", "{entity}");
    }
}

#[test]
fn message_types_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_description(
        "Drift snapshot of the streaming message types (openapi/etna-streaming.yaml). If it \
         changed on purpose: `cargo insta review`, or `INSTA_UPDATE=always cargo test`.",
    );
    settings.set_omit_expression(true);
    settings
        .set_snapshot_path(etna_codegen::workspace_root().join("tests/tests/workspace/snapshots"));
    let (document, _) = document();
    let schemas = messages::json_schemas();
    for (name, schema) in document["components"]["schemas"].as_object().unwrap() {
        // A JSON text is `JsonText<its content>`, no type of its own.
        if schema.get("contentMediaType").is_some() {
            continue;
        }
        assert!(
            schemas.iter().any(|(n, _)| n == name),
            "schema {name} of the AsyncAPI document has no generated type"
        );
    }
    settings.bind(|| {
        for (name, schema) in schemas {
            let mut schema = serde_json::to_value(schema).unwrap();
            schema.sort_all_objects();
            insta::assert_json_snapshot!(format!("stream_message_{name}"), schema);
        }
    });
}
