//! etna-client against local servers on 127.0.0.1: the typed result of every
//! operation, the password-reset flow, secrets, tracing, a client
//! generated from a spec with one more operation, and the streaming runtime
//! against raw streamers.

mod base_urls;
mod behaviour;
mod flow;
mod flow_server;
mod generic;
mod outcome;
mod paging;
mod placement;
mod properties;
mod secrets;
mod shapes;
mod streamer;
mod streaming;
mod streaming_mock;
mod support;
mod tracing_output;
mod trade_example;
mod types;
