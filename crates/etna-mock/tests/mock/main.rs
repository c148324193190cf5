//! The mock server over real HTTP on 127.0.0.1.

mod answers;
mod client;
mod client_stream;
mod exchange;
mod faults;
mod flow;
mod generic;
mod placement;
mod sessions;
mod sign_in;
mod streamer;
