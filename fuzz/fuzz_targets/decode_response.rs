//! Fuzzes the response mapping of `Client::reset_token`: any status and body
//! must map to a result without panicking, and no error may quote the app key.
#![no_main]

use libfuzzer_sys::fuzz_target;

const APP_KEY: &str = "fuzz-app-key";

fuzz_target!(|input: (u16, &[u8])| {
    let (status, body) = input;
    if let Err(e) = etna_client::fuzzing::decode(status % 600, body, APP_KEY) {
        let text = format!("{e} {e:?}");
        assert!(!text.contains(APP_KEY), "{text}");
    }
});
