//! etna-spec-review on the workspace's spec.

mod workspace_rules;
