//! Reports of a scenario's results, one format per file behind one trait.
//! Reports read the summaries and records; they compute nothing themselves.

mod csv;
pub mod gradescope;
pub mod html;
mod json;
pub mod junit;
mod markdown;
mod table;
mod timelines;

pub use csv::Csv;
pub use json::{Json, SCHEMA_VERSION};
pub use markdown::Markdown;
pub use table::Table;
pub use timelines::for_terminal as timelines_for_terminal;

use crate::execute::ScenarioRuns;
use crate::expect::ExpectationOutcome;
use crate::scenario::Scenario;
use crate::stats::StrategySummary;

/// What every report format is given.
#[derive(Debug)]
pub struct Report<'a> {
    pub scenario: &'a Scenario,
    pub runs: &'a ScenarioRuns,
    pub summaries: &'a [StrategySummary],
    pub expectations: &'a [ExpectationOutcome],
}

/// One output format.
pub trait Format {
    /// The whole report for one scenario, ready to print.
    fn render(&self, report: &Report<'_>) -> String;
}

#[cfg(test)]
mod tests;
