//! Evaluating expectations against a scenario's summaries: what each function
//! of the language means in terms of the measured figures.

use super::admissible::{completion_refused, impossible_efficiency, impossible_speedup, timing_refused};
use crate::host::expect::{Call, Figures, Meaning, Source, Value};
use crate::host::record::{RunFailure, VerdictSource};
use crate::host::scenario::{Expectation, Scenario};
use crate::host::stats::{Spread, StrategySummary};

/// How one expectation came out.
#[derive(Debug, Clone)]
pub(crate) struct ExpectationOutcome {
    /// Index into the scenario's expectations.
    pub(crate) index: usize,
    pub(crate) passed: bool,
    /// Failed first, passed on a retry (reported, as nextest does).
    pub(crate) flaky: bool,
    /// Measurements made (1 + retries used).
    pub(crate) attempts: u32,
    /// Each call with its value, e.g. `speedup("threads") = 1.42 (1.31–1.50)`.
    pub(crate) values: Vec<String>,
    /// Why it could not be evaluated, if it could not.
    pub(crate) error: Option<String>,
    /// Where the figures it read came from (`host-measured`,
    /// `instructor-verified`, `plugin-reported`, `submission-reported`), each once.
    pub(crate) sources: Vec<&'static str>,
}

/// Points earned out of points possible.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Score {
    pub(crate) earned: f64,
    pub(crate) possible: f64,
}

/// The figures of one scenario's strategies, by label.
struct Board<'a> {
    scenario: &'a Scenario,
    summaries: &'a [StrategySummary],
}

impl Board<'_> {
    /// The spread of a timed figure, where the function has one.
    fn spread(&self, call: &Call) -> Option<Spread> {
        let s = self.summary(&call.label).ok().filter(|s| timing_refused(s).is_none())?;
        match call.function.meaning {
            Meaning::Speedup => s.speedup,
            Meaning::Wall => s.wall_s,
            Meaning::Cpu => s.cpu_s,
            _ => None,
        }
    }

    fn baseline(&self) -> Result<&StrategySummary, String> {
        let label = &self.scenario.strategies[self.scenario.baseline].label;
        self.summary(label)
    }

    /// Where the figure a call reads came from.
    fn source(&self, call: &Call) -> &'static str {
        match call.function.source {
            Source::Host => "host-measured",
            Source::Plugin => match self.summary(&call.label).ok().and_then(|s| s.verdict_source) {
                Some(VerdictSource::Instructor) => "instructor-verified",
                Some(VerdictSource::Submission) => "submission-reported",
                Some(VerdictSource::Plugin) | None => "plugin-reported",
            },
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

fn plugin_figure(s: &StrategySummary, name: &str) -> Result<Value, String> {
    number(s.figures.get(name).copied(), &format!("`{name}` figure from the plugin"))
}

impl Figures for Board<'_> {
    fn call(&self, call: &Call) -> Result<Value, String> {
        let s = self.summary(&call.label)?;
        let timed = || timing_refused(s).map_or(Ok(()), Err);
        let completed = || completion_refused(s).map_or(Ok(()), Err);
        match call.function.meaning {
            Meaning::Speedup => {
                timed()?;
                let baseline = self.baseline()?;
                if let Some(why) = timing_refused(baseline) {
                    return Err(format!("the baseline: {why}"));
                }
                let workers = self.scenario.strategies[s.index].spec.workers;
                if let Some(why) = impossible_speedup(s, workers, baseline) {
                    return Err(why);
                }
                number(s.speedup.map(|x| x.median), "speedup")
            }
            Meaning::Wall => timed().and_then(|()| number(s.wall_s.map(|x| x.median), "wall time")),
            Meaning::Cpu => timed().and_then(|()| number(s.cpu_s.map(|x| x.median), "CPU time")),
            Meaning::Efficiency => {
                timed()?;
                let efficiency = number(s.efficiency, "efficiency (needs an embedded [server] with a delay)")?;
                match efficiency {
                    Value::Number(e) if impossible_efficiency(e).is_some() => {
                        Err(impossible_efficiency(e).unwrap_or_default())
                    }
                    value => Ok(value),
                }
            }
            Meaning::UnitsPerSecond => timed().and_then(|()| number(s.units_per_s, "throughput")),
            Meaning::Requests => {
                completed()?;
                number(s.server_requests, "request count (needs an embedded [server])")
            }
            Meaning::Errors => {
                completed()?;
                Ok(Value::Number(s.runs.iter().map(|r| r.units_failed as f64).sum()))
            }
            Meaning::Figure => completed().and_then(|()| plugin_figure(s, call.figure.as_deref().unwrap_or_default())),
            Meaning::NamedFigure(name) => completed().and_then(|()| plugin_figure(s, name)),
            // A run that failed as a whole (tampered, crashed, left processes
            // behind) verified nothing, whatever its stream said.
            Meaning::Verified => Ok(Value::Bool(s.verified && completion_refused(s).is_none())),
            Meaning::Ok => Ok(Value::Bool(s.all_succeeded())),
            Meaning::Failed => Ok(Value::Bool(s.runs.iter().any(|r| !r.succeeded()))),
            Meaning::Aborted => {
                Ok(Value::Bool(s.runs.iter().any(|r| matches!(&r.failure, Some(RunFailure::Aborted(_))))))
            }
        }
    }
}

/// Evaluates expectation `index` of `scenario` against `summaries`.
pub(super) fn evaluate(scenario: &Scenario, summaries: &[StrategySummary], index: usize) -> ExpectationOutcome {
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
        .map(|(call, line)| match board.spread(call) {
            Some(s) => format!("{line} (min {:.3}, max {:.3} over the runs)", s.min, s.max),
            None => line,
        })
        .collect();
    let mut sources: Vec<&'static str> = Vec::new();
    for call in expectation.check.calls() {
        let source = board.source(&call);
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    ExpectationOutcome { index, passed, flaky: false, attempts: 1, values, error, sources }
}

/// The score of a scenario's outcomes.
pub(super) fn score(scenario: &Scenario, outcomes: &[ExpectationOutcome]) -> Score {
    let points = |o: &ExpectationOutcome| scenario.expectations[o.index].points;
    // `+ 0.0` turns the `-0.0` that an empty float sum is into `0`, which no
    // report should print as `-0`.
    Score {
        earned: outcomes.iter().filter(|o| o.passed).map(points).sum::<f64>() + 0.0,
        possible: outcomes.iter().map(points).sum::<f64>() + 0.0,
    }
}
