//! etna-drift on real specs: the workspace's spec and its output formats, and
//! the corpus under tests/drift/ with the classification of every case.

mod corpus;
mod report;
