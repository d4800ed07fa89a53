//! Whether a scenario held: its expectations evaluated (each failing one with
//! `retries` measured again), its score, and the rule that decides "held".

use super::evaluate::{ExpectationOutcome, Score, State, evaluate, score};
use crate::host::scenario::{InconclusivePolicy, Scenario};
use crate::host::stats::StrategySummary;

/// A scenario's grade: what every report shows and the exit code follows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grade {
    pub(crate) outcomes: Vec<ExpectationOutcome>,
    pub(crate) score: Score,
    /// Every expectation held when the scenario has some, else every run of
    /// every strategy succeeded.
    pub(crate) held: bool,
}

impl Grade {
    /// The grade of a scenario whose expectations were not evaluated (it was
    /// interrupted before): held only if it has none and every run succeeded.
    pub(crate) fn ungraded(scenario: &Scenario, summaries: &[StrategySummary]) -> Grade {
        Grade::of(scenario, summaries, Vec::new())
    }

    fn of(scenario: &Scenario, summaries: &[StrategySummary], outcomes: Vec<ExpectationOutcome>) -> Grade {
        let held = if scenario.expectations.is_empty() {
            summaries.iter().all(StrategySummary::all_succeeded)
        } else {
            // An inconclusive check counts as held only where the lab says so.
            let counts = |o: &ExpectationOutcome| {
                o.passed || (o.state == State::Inconclusive && scenario.inconclusive == InconclusivePolicy::Pass)
            };
            outcomes.len() == scenario.expectations.len() && outcomes.iter().all(counts)
        };
        Grade { score: score(scenario, &outcomes), outcomes, held }
    }
}

/// Evaluates every expectation; a failing or inconclusive one with `retries`
/// is measured again through `remeasure` (up to that many times) and passes
/// as flaky if it then holds. `remeasure` gets the subset of the scenario to run again and
/// returns its summaries, or `None` when the runner was interrupted, which
/// ends grading there.
pub(crate) fn grade(
    scenario: &Scenario,
    summaries: &[StrategySummary],
    remeasure: &mut dyn FnMut(&Scenario) -> Option<Vec<StrategySummary>>,
) -> Grade {
    let mut outcomes = Vec::new();
    for index in 0..scenario.expectations.len() {
        let mut outcome = evaluate(scenario, summaries, index);
        let expectation = &scenario.expectations[index];
        while !outcome.passed && outcome.attempts <= expectation.retries {
            let attempts = outcome.attempts;
            tracing::info!("`{}` {}; measuring again (retry {attempts})", expectation.name, outcome.state.name());
            let subset = subset_for(scenario, index);
            let Some(again) = remeasure(&subset) else {
                outcomes.push(outcome);
                return Grade::of(scenario, summaries, outcomes);
            };
            outcome = evaluate(&subset, &again, index);
            outcome.attempts = attempts + 1;
            outcome.flaky = outcome.passed;
        }
        outcomes.push(outcome);
    }
    Grade::of(scenario, summaries, outcomes)
}

/// The strategies expectation `index` names, and the baseline (which speedups
/// need).
fn subset_for(scenario: &Scenario, index: usize) -> Scenario {
    let labels: Vec<String> = scenario.expectations[index].check.calls().into_iter().map(|c| c.label).collect();
    let baseline = &scenario.strategies[scenario.baseline].label;
    let mut subset = scenario.clone();
    subset.strategies.retain(|s| labels.contains(&s.label) || &s.label == baseline);
    subset.baseline = subset.strategies.iter().position(|s| &s.label == baseline).unwrap_or(0);
    subset
}
