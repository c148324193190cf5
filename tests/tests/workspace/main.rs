//! What crosses crates: the generated client is current, the spec-wide drift
//! snapshots, every corpus change that is not docs only fails one of these
//! tests, the rendered API reference in Chromium, and the Markdown pages'
//! links.

mod codegen;
mod common;
mod corpus_guards;
mod docs_page;
mod markdown;
mod snapshots;
mod streaming;
