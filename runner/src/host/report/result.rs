//! What the host hands the reports: one scenario's runs, statistics and grade,
//! computed once upstream of every format.

use crate::host::execute::ScenarioRuns;
use crate::host::grade::Grade;
use crate::host::scenario::Scenario;
use crate::host::stats::{FigureRow, StrategySummary, figure_rows, summarize};

/// One scenario's results, owned until every report is written.
#[derive(Debug)]
pub(crate) struct ScenarioResult {
    pub(crate) scenario: Scenario,
    pub(crate) runs: ScenarioRuns,
    pub(crate) summaries: Vec<StrategySummary>,
    /// The `[report]` table's rows, one per summary.
    pub(crate) figure_rows: Vec<Option<FigureRow>>,
    pub(crate) grade: Grade,
}

impl ScenarioResult {
    /// Summarises `runs`; the grade is filled in by the caller.
    pub(crate) fn new(scenario: Scenario, runs: ScenarioRuns) -> ScenarioResult {
        let summaries = summarize(&scenario, &runs.records);
        let figure_rows = figure_rows(&scenario, &summaries);
        let grade = Grade::ungraded(&scenario, &summaries);
        ScenarioResult { scenario, runs, summaries, figure_rows, grade }
    }

    /// The view every format reads.
    pub(crate) fn report(&self) -> Report<'_> {
        Report {
            scenario: &self.scenario,
            runs: &self.runs,
            summaries: &self.summaries,
            figure_rows: &self.figure_rows,
            grade: &self.grade,
        }
    }
}

/// What every report format is given.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Report<'a> {
    pub(crate) scenario: &'a Scenario,
    pub(crate) runs: &'a ScenarioRuns,
    pub(crate) summaries: &'a [StrategySummary],
    pub(crate) figure_rows: &'a [Option<FigureRow>],
    pub(crate) grade: &'a Grade,
}

impl Report<'_> {
    /// Held, and not cut short by an interrupt.
    pub(crate) fn ok(&self) -> bool {
        self.grade.held && self.runs.interrupted.is_none()
    }
}
