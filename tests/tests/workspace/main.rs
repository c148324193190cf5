//! What crosses crates: the generated client is current, the spec-wide drift
//! snapshots, every corpus change that is not docs only fails one of these
//! tests, and the rendered API reference in Chromium.

mod codegen;
mod common;
mod corpus_guards;
mod docs_page;
mod snapshots;
