//! The three output formats: text (one line per change), JSON and markdown.

use serde::Serialize;

use crate::change::{Change, Class};
use crate::semver::Advice;

/// An output format of `cargo xtask drift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per change, then the summary.
    Text,
    /// One JSON object, for tools.
    Json,
    /// A table, for a review comment.
    Markdown,
}

/// How many changes of each class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Breaking changes.
    pub breaking: usize,
    /// Warnings.
    pub warning: usize,
    /// Compatible changes.
    pub compatible: usize,
    /// Documentation-only changes.
    pub docs: usize,
}

impl Summary {
    fn of(changes: &[Change]) -> Self {
        let count = |class| changes.iter().filter(|c| c.class == class).count();
        Self {
            breaking: count(Class::Breaking),
            warning: count(Class::Warning),
            compatible: count(Class::Compatible),
            docs: count(Class::Docs),
        }
    }

    fn sentence(&self) -> String {
        format!(
            "{} breaking, {} warning, {} compatible, {} docs",
            self.breaking, self.warning, self.compatible, self.docs
        )
    }
}

/// The result of one comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What is compared, e.g. `HEAD:openapi/etna-trader.yaml -> working tree`.
    pub compared: String,
    /// Every change, most severe first.
    pub changes: Vec<Change>,
    /// Counts per class.
    pub summary: Summary,
    /// The version advice for `etna-client`.
    pub advice: Advice,
}

impl Report {
    /// A report of `changes`.
    pub fn new(compared: impl Into<String>, changes: Vec<Change>, advice: Advice) -> Self {
        let summary = Summary::of(&changes);
        Self {
            compared: compared.into(),
            changes,
            summary,
            advice,
        }
    }

    /// Renders the report.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Json => serde_json::to_string_pretty(self).unwrap_or_default() + "\n",
            Format::Markdown => self.markdown(),
        }
    }

    fn text(&self) -> String {
        if self.changes.is_empty() {
            return "no changes\n".to_owned();
        }
        let width = self
            .changes
            .iter()
            .map(|c| c.location().len())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for c in &self.changes {
            out.push_str(&format!(
                "{:<10}  {:<width$}  {}  [{}]\n",
                c.class.name().to_uppercase(),
                c.location(),
                c.message,
                c.pointer
            ));
        }
        out.push_str(&format!(
            "\nsummary: {} ({})\n{}\n",
            self.summary.sentence(),
            self.compared,
            self.advice.sentence()
        ));
        out
    }

    fn markdown(&self) -> String {
        if self.changes.is_empty() {
            return format!("### API drift\n\nno changes ({})\n", self.compared);
        }
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut out = format!(
            "### API drift: {}\n\nCompared: {}\n\n| Class | Operation | Change | Where |\n| --- | --- | --- | --- |\n",
            self.summary.sentence(),
            cell(&self.compared)
        );
        for c in &self.changes {
            let class = match c.class {
                Class::Breaking => "**breaking**".to_owned(),
                other => other.name().to_owned(),
            };
            out.push_str(&format!(
                "| {class} | `{}` | {} | `{}` |\n",
                cell(c.location()),
                cell(&c.message),
                cell(&c.pointer)
            ));
        }
        out.push_str(&format!("\n**{}**\n", cell(&self.advice.sentence())));
        out
    }
}
