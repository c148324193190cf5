//! The classes a change can have, by what it does to callers: the one
//! vocabulary that the rules, the changes and the report share.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a change affects callers of `etna-client`. Ordered from most to least
/// severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Existing callers can fail to compile or fail at run time.
    Breaking,
    /// May break; the spec does not say enough to tell.
    Warning,
    /// A new capability; existing callers keep working.
    Compatible,
    /// Descriptions, summaries or examples only.
    Docs,
}

impl Class {
    /// The lower-case name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Self::Breaking => "breaking",
            Self::Warning => "warning",
            Self::Compatible => "compatible",
            Self::Docs => "docs",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
