//! Cross-crate tests live in tests/tests/workspace/, one test binary.
//!
//! The workspace's Markdown pages are doctests here (`cargo test -p
//! etna-tests --doc`): they belong to no one crate, and their Rust blocks
//! use etna-client and etna-mock together. A block written without a
//! language is compiled as Rust too, so it fails instead of going unnoticed.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct Readme;

#[cfg(doctest)]
#[doc = include_str!("../../CONTRIBUTING.md")]
struct Contributing;

#[cfg(doctest)]
#[doc = include_str!("../../crates/etna-cli/README.md")]
struct CliReadme;

#[cfg(doctest)]
#[doc = include_str!("../../crates/etna-mock/README.md")]
struct MockReadme;

#[cfg(doctest)]
#[doc = include_str!("../../crates/etna-client/README.md")]
struct ClientReadme;
