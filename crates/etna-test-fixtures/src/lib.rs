//! What the workspace's tests share, so that no crate compiles another
//! crate's test files: the fixture client ([`fixture`]: a client generated
//! from the spec plus one operation of each shape, which proves that a new
//! operation needs no hand-written line) and the reset flow's steps as the
//! flow tests call them ([`flow`]).
//!
//! A dev-dependency only. etna-client's integration tests may use it (they
//! link the same etna-client as this crate); its unit tests (`src/`) must
//! not, or they would see two copies of its types.

pub mod fixture;
pub mod flow;
