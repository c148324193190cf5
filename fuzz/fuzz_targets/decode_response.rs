//! Fuzzes the response mapping of every operation's typed result: any status
//! and body must map to a result without panicking, and nothing returned may
//! quote the app key.
#![no_main]

use etna_client::{Dispatch, generated::Client};
use libfuzzer_sys::fuzz_target;

const APP_KEY: &str = "fuzz-app-key";

fuzz_target!(|input: (u8, u16, &[u8])| {
    let (pick, status, body) = input;
    let operations = Client::OPERATION_DOCS;
    let operation = operations[usize::from(pick) % operations.len()];
    let text = match Client::decode_answer(operation.id, status % 600, body, APP_KEY) {
        Some(Ok(model)) => model,
        Some(Err(e)) => format!("{e} {e:?}"),
        None => unreachable!("every documented operation decodes"),
    };
    assert!(!text.contains(APP_KEY), "{text}");
});
