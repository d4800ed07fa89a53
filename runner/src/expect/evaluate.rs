//! Evaluating expectations against a scenario's summaries: what each function
//! of the language means in terms of the measured figures.

use super::expr::{Figures, Value};
use crate::record::RunFailure;
use crate::scenario::{Expectation, Scenario};
use crate::stats::StrategySummary;

/// How one expectation came out.
#[derive(Debug, Clone)]
pub struct ExpectationOutcome {
    /// Index into the scenario's expectations.
    pub index: usize,
    pub passed: bool,
    /// Failed first, passed on a retry (reported, as nextest does).
    pub flaky: bool,
    /// Measurements made (1 + retries used).
    pub attempts: u32,
    /// Each call with its value, e.g. `speedup("threads") = 1.42 (1.31–1.50)`.
    pub values: Vec<String>,
    /// Why it could not be evaluated, if it could not.
    pub error: Option<String>,
}

/// Points earned out of points possible.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    pub earned: f64,
    pub possible: f64,
}

/// The figures of one scenario's strategies, by label.
struct Board<'a> {
    scenario: &'a Scenario,
    summaries: &'a [StrategySummary],
}

impl Board<'_> {
    /// The spread of a timed figure, where the function has one.
    fn spread(&self, function: &str, label: &str) -> Option<crate::stats::Spread> {
        let s = self.summary(label).ok()?;
        match function {
            "speedup" => s.speedup,
            "wall" => s.wall_s,
            "cpu" => s.cpu_s,
            _ => None,
        }
    }

    fn summary(&self, label: &str) -> Result<&StrategySummary, String> {
        let index = self
            .scenario
            .strategies
            .iter()
            .position(|s| s.label == label)
            .ok_or_else(|| format!("no strategy labelled `{label}`"))?;
        self.summaries.iter().find(|s| s.index == index).ok_or_else(|| format!("`{label}` did not run"))
    }
}

fn number(value: Option<f64>, what: &str) -> Result<Value, String> {
    value.map(Value::Number).ok_or_else(|| format!("no {what}: no run of it completed"))
}

impl Figures for Board<'_> {
    fn call(&self, function: &str, label: &str) -> Result<Value, String> {
        let s = self.summary(label)?;
        match function {
            "speedup" => number(s.speedup.map(|x| x.median), "speedup"),
            "wall" => number(s.wall_s.map(|x| x.median), "wall time"),
            "cpu" => number(s.cpu_s.map(|x| x.median), "CPU time"),
            "efficiency" => number(s.efficiency, "efficiency (needs an embedded [server] with a delay)"),
            "units_per_s" => number(s.units_per_s, "throughput"),
            "errors" => Ok(Value::Number(s.runs.iter().map(|r| r.units_failed as f64).sum())),
            "lost_updates" => number(s.figures.get("lost_updates").copied(), "`lost_updates` figure from the plugin"),
            "verified" => Ok(Value::Bool(s.verified)),
            "ok" => Ok(Value::Bool(s.all_succeeded())),
            "failed" => Ok(Value::Bool(s.runs.iter().any(|r| !r.succeeded()))),
            "deadlocked" => {
                Ok(Value::Bool(s.runs.iter().any(
                    |r| matches!(&r.failure, Some(RunFailure::Aborted(message)) if message.starts_with("deadlock")),
                )))
            }
            other => Err(format!("unknown function `{other}`")),
        }
    }
}

/// Evaluates expectation `index` of `scenario` against `summaries`.
pub fn evaluate(scenario: &Scenario, summaries: &[StrategySummary], index: usize) -> ExpectationOutcome {
    let expectation: &Expectation = &scenario.expectations[index];
    let board = Board { scenario, summaries };
    let (passed, error) = match expectation.check.eval_with_tolerance(&board, expectation.tolerance) {
        Ok(passed) => (passed, None),
        Err(e) => (false, Some(e)),
    };
    // Each value with its spread over the runs, so a near miss reads as one.
    let values = expectation
        .check
        .calls()
        .iter()
        .zip(expectation.check.explain(&board))
        .map(|((function, label), line)| match board.spread(function, label) {
            Some(s) => format!("{line} (min {:.3}, max {:.3} over the runs)", s.min, s.max),
            None => line,
        })
        .collect();
    ExpectationOutcome { index, passed, flaky: false, attempts: 1, values, error }
}

/// The score of a scenario's outcomes.
pub fn score(scenario: &Scenario, outcomes: &[ExpectationOutcome]) -> Score {
    let points = |o: &ExpectationOutcome| scenario.expectations[o.index].points;
    // `+ 0.0` turns the `-0.0` that an empty float sum is into `0`, which no
    // report should print as `-0`.
    Score {
        earned: outcomes.iter().filter(|o| o.passed).map(points).sum::<f64>() + 0.0,
        possible: outcomes.iter().map(points).sum::<f64>() + 0.0,
    }
}
