//! Classifies the changes between two versions of the OpenAPI spec by what they
//! mean for a Rust caller of `etna-client`.
//!
//! The engine works on parsed specs (`openapiv3` types, `$ref`s followed), never
//! on text: [`diff`] walks the operations of both specs and compares what the
//! generated client is made of (methods, builder methods, request and response
//! types), then walks the remaining structure so that nothing that changed goes
//! unreported: documentation becomes [`Class::Docs`], and anything no rule
//! explains becomes a [`Class::Warning`] saying so.
//!
//! Where the effect on Rust code differs from the effect on the wire, the Rust
//! effect decides the class and the message says so: a new optional request
//! property is harmless over HTTP but breaks every struct literal of the
//! generated request type.
//!
//! Each kind of change is found by one [`Rule`], and the rules are one table
//! (id, classes, description): `cargo xtask drift --rules` prints it with the
//! corpus cases that cover each rule ([`corpus_coverage`]).

#![warn(missing_docs)]

mod change;
mod class;
mod corpus;
mod extensions;
mod leftovers;
mod op;
mod operations;
mod parameters;
mod payloads;
mod refused;
mod report;
mod resolve;
mod rules;
mod schemas;
mod security;
mod semver;
mod servers;
mod streaming;
mod success_type;

use std::collections::HashSet;

use openapiv3::OpenAPI;

pub use change::{Change, Class};
pub use corpus::{
    CORPUS_BASE, CORPUS_DIR, Case, Expected, STREAMING_CORPUS_DIR, cases, corpus_coverage,
};
pub use report::{Format, Report, Summary};
pub use rules::{Rule, rules_markdown};
pub use semver::{Advice, Bump, package_version};
pub use streaming::diff_streaming;

/// What the engine needs to know about the code generator.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Component schemas for which the client crate has a hand-written type
    /// (schema name, Rust path such as `crate::HttpStatusCode`); see
    /// `etna_codegen::REPLACED_SCHEMAS`.
    pub replaced: Vec<(String, String)>,
}

impl Options {
    /// Options from a list of `(schema name, Rust path)` replacements.
    pub fn with_replaced(replaced: &[(&str, &str)]) -> Self {
        Self {
            replaced: replaced
                .iter()
                .map(|(schema, path)| ((*schema).to_owned(), (*path).to_owned()))
                .collect(),
        }
    }

    fn hand_written(&self, schema: &str) -> Option<String> {
        self.replaced
            .iter()
            .find(|(name, _)| name == schema)
            .map(|(_, path)| path.replace("crate::", "etna_client::"))
    }
}

/// Shared state of one comparison.
pub(crate) struct Ctx<'a> {
    pub old: &'a OpenAPI,
    pub new: &'a OpenAPI,
    pub options: &'a Options,
    pub changes: Vec<Change>,
    /// Schema pairs already compared in a given place, so that shared and
    /// recursive schemas are walked once.
    pub seen: HashSet<String>,
}

impl Ctx<'_> {
    pub(crate) fn push(&mut self, change: Change) {
        self.changes.push(change);
    }
}

/// Every change from `old` to `new`, most severe first.
pub fn diff(old: &OpenAPI, new: &OpenAPI, options: &Options) -> Vec<Change> {
    let mut ctx = Ctx {
        old,
        new,
        options,
        changes: Vec::new(),
        seen: HashSet::new(),
    };
    operations::compare(&mut ctx);
    security::compare(&mut ctx);
    servers::compare(&mut ctx);
    refused::compare(&mut ctx);
    extensions::compare(&mut ctx);
    success_type::compare(&mut ctx);
    schemas::compare_components(&mut ctx);
    leftovers::compare(&mut ctx);
    let mut changes = ctx.changes;
    changes.sort_by(|a, b| {
        (a.class, &a.operation, &a.pointer, &a.message).cmp(&(
            b.class,
            &b.operation,
            &b.pointer,
            &b.message,
        ))
    });
    changes.dedup_by(|a, b| {
        a.class == b.class
            && a.operation == b.operation
            && a.pointer == b.pointer
            && a.message == b.message
    });
    changes
}
