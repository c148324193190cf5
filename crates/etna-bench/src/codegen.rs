//! Generation cost against spec size: parse + generate + format, the work of
//! `cargo xtask codegen` (minus file I/O), on [`synthetic`] specs.

use std::time::{Duration, Instant};

use crate::request::median;
use crate::synthetic;

/// Parses `text` and generates the formatted client, as `cargo xtask codegen`
/// does; returns the generated file.
pub fn generate(text: &str) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let spec = etna_codegen::parse_spec(text, "synthetic spec")?;
    Ok(etna_codegen::generate_client(&spec)?)
}

/// The timing of one spec size.
#[derive(Clone, Debug)]
pub struct CodegenRow {
    /// Operations in the spec.
    pub operations: usize,
    /// Timed runs (after one untimed run).
    pub runs: usize,
    /// Median time of one parse + generate + format.
    pub median: Duration,
    /// Lines of generated code.
    pub lines: usize,
}

impl CodegenRow {
    /// Median time divided by the number of operations.
    pub fn per_operation(&self) -> Duration {
        self.median / self.operations.max(1) as u32
    }
}

/// Times each size: one untimed run, then runs until `budget` is spent, at
/// least `min_runs` and at most `max_runs`.
pub fn measure(
    sizes: &[usize],
    budget: Duration,
    min_runs: usize,
    max_runs: usize,
) -> Result<Vec<CodegenRow>, Box<dyn std::error::Error + Send + Sync>> {
    let mut rows = Vec::new();
    for &copies in sizes {
        let operations = copies * synthetic::real_operations();
        let text = synthetic::spec(copies)?;
        let lines = generate(&text)?.lines().count();
        let mut times = Vec::new();
        let start = Instant::now();
        while times.len() < max_runs && (times.len() < min_runs || start.elapsed() < budget) {
            let one = Instant::now();
            std::hint::black_box(generate(std::hint::black_box(&text))?);
            times.push(one.elapsed().as_secs_f64());
        }
        rows.push(CodegenRow {
            operations,
            runs: times.len(),
            median: Duration::from_secs_f64(median(&mut times)),
            lines,
        });
    }
    Ok(rows)
}

/// Extra time per added operation between two sizes: the slope of total time,
/// which stays flat when generation is linear in the spec.
pub fn marginal(smaller: &CodegenRow, larger: &CodegenRow) -> Option<Duration> {
    let added = larger.operations.checked_sub(smaller.operations)?;
    if added == 0 {
        return None;
    }
    Some(larger.median.saturating_sub(smaller.median) / added as u32)
}
