//! The documented examples' numbers as the spec's text writes them
//! (`etna_spec::written`), by the mock's key: status and example name.

use std::collections::BTreeMap;

pub(crate) use etna_spec::written::{Node, read};

/// The JSON text of each documented example whose numbers the JSON model
/// rounds, by status and example name.
pub(crate) type Written = BTreeMap<(u16, String), String>;
