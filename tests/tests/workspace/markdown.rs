//! The Markdown pages point at what exists: every relative link resolves
//! from the page it is on, and every workspace path a page quotes (in
//! backticks, from a top-level directory) is there. Moving or deleting a
//! file that a page names fails here instead of leaving the page wrong.

use std::path::Path;

/// The pages a reader follows; each is read at test time.
const PAGES: &[&str] = &[
    "README.md",
    "CONTRIBUTING.md",
    "ARCHITECTURE.md",
    "crates/etna-client/README.md",
    "crates/etna-cli/README.md",
    "crates/etna-mock/README.md",
];

/// Pages whose quoted paths are all written from the workspace root
/// (ARCHITECTURE.md also quotes paths within a crate).
const ROOT_PATH_PAGES: &[&str] = &[
    "README.md",
    "CONTRIBUTING.md",
    "crates/etna-client/README.md",
    "crates/etna-cli/README.md",
    "crates/etna-mock/README.md",
];

const TOP_LEVEL: &[&str] = &[
    "crates/", "tests/", "tools/", "xtask/", "openapi/", "fuzz/", ".ci/",
];

/// The targets of `[text](target)` links that are neither URLs nor anchors.
fn relative_links(text: &str) -> Vec<&str> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|target| target.split('#').next().unwrap_or(target))
        .filter(|target| !target.is_empty() && !target.contains("://"))
        .collect()
}

/// Backticked spans that look like a path from the workspace root.
fn quoted_paths(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| TOP_LEVEL.iter().any(|top| span.starts_with(top)))
        .filter(|span| {
            span.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c))
        })
        .collect()
}

#[test]
fn every_link_and_quoted_path_of_the_pages_exists() {
    let root = etna_codegen::workspace_root();
    let mut missing = Vec::new();
    let mut checked = 0;
    for page in PAGES {
        let text =
            std::fs::read_to_string(root.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        let dir = Path::new(page).parent().unwrap_or(Path::new(""));
        for link in relative_links(&text) {
            checked += 1;
            if !root.join(dir).join(link).exists() {
                missing.push(format!("{page}: link {link}"));
            }
        }
        if ROOT_PATH_PAGES.contains(page) {
            for path in quoted_paths(&text) {
                checked += 1;
                if !root.join(path).exists() {
                    missing.push(format!("{page}: `{path}`"));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links and paths found: is the parsing wrong?"
    );
    assert!(missing.is_empty(), "these do not exist: {missing:#?}");
}
