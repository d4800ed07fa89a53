//! Evaluating expectations against a scenario's summaries: what each function
//! of the language means in terms of the measured figures. Timed figures
//! carry their confidence intervals, so a check holds, fails or is
//! inconclusive; and a check that fails on figures other processes disturbed
//! is inconclusive too: the machine was too noisy to decide.

use super::admissible::{completion_refused, impossible_efficiency, impossible_speedup, timing_refused};
use crate::host::expect::{Call, Figures, Meaning, Source, Truth, Value};
use crate::host::record::{RunFailure, VerdictSource};
use crate::host::scenario::{Expectation, Scenario};
use crate::host::stats::{Interval, Noise, Spread, StrategySummary};

/// Held, failed, or not decided by figures this noisy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Held,
    Failed,
    /// The figures' intervals straddle the check's line, or other processes
    /// disturbed the figures it failed on.
    Inconclusive,
}

impl State {
    /// How reports name it: `held`, `failed`, `inconclusive`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            State::Held => "held",
            State::Failed => "failed",
            State::Inconclusive => "inconclusive",
        }
    }
}

/// How one expectation came out.
#[derive(Debug, Clone)]
pub(crate) struct ExpectationOutcome {
    /// Index into the scenario's expectations.
    pub(crate) index: usize,
    /// Held (for inconclusive checks, see `state` and the lab's policy).
    pub(crate) passed: bool,
    pub(crate) state: State,
    /// Why it is inconclusive: what made the machine too noisy to decide.
    pub(crate) inconclusive: Option<String>,
    /// Points it earned: all when held, the lab's share when inconclusive.
    pub(crate) earned: f64,
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
    /// The interval of a timed figure, where the function has one (from two
    /// values on: one value has no spread to speak of).
    fn interval(&self, call: &Call) -> Option<Interval> {
        let s = self.summary(&call.label).ok().filter(|s| timing_refused(s).is_none())?;
        let interval = match call.function.meaning {
            Meaning::Speedup => s.speedup_ci,
            Meaning::Wall => s.wall_ci,
            Meaning::Cpu => s.cpu_ci,
            _ => None,
        }?;
        (interval.n >= 2).then_some(interval)
    }

    /// What disturbed the figure a call reads, if anything did: the
    /// strategy's own runs, or for a speedup either side of a pair.
    fn disturbance(&self, call: &Call) -> Option<(String, Noise)> {
        let s = self.summary(&call.label).ok()?;
        let disturbed = match call.function.meaning {
            Meaning::Speedup => s.noise.disturbed_pairs > 0,
            Meaning::Wall | Meaning::Cpu | Meaning::UnitsPerSecond | Meaning::Efficiency => s.noise.figures_disturbed(),
            _ => false,
        };
        disturbed.then(|| (call.label.clone(), s.noise))
    }

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

/// A median with its interval (a plain number from fewer than two values).
fn estimate(interval: Option<Interval>, what: &str) -> Result<Value, String> {
    match interval {
        Some(i) if i.n >= 2 && i.lo < i.hi => Ok(Value::Range { mid: i.median, lo: i.lo, hi: i.hi }),
        other => number(other.map(|i| i.median), what),
    }
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
                if let Some(why) = impossible_speedup(s) {
                    return Err(why);
                }
                estimate(s.speedup_ci, "speedup")
            }
            Meaning::Wall => timed().and_then(|()| estimate(s.wall_ci, "wall time")),
            Meaning::Cpu => timed().and_then(|()| estimate(s.cpu_ci, "CPU time")),
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
    let calls = expectation.check.calls();
    let disturbed: Vec<(String, Noise)> = calls.iter().filter_map(|c| board.disturbance(c)).collect();
    let noisy = || noise_reason(&disturbed);
    let (state, error, inconclusive) = match expectation.check.judge(&board, expectation.tolerance) {
        Ok(Truth::Holds) => (State::Held, None, None),
        Ok(Truth::Undecided) => {
            let why = noisy().unwrap_or_else(|| {
                "the machine was too noisy to decide: the figures' intervals straddle the check's line \
                 (more rounds, or a quieter machine, would decide it)"
                    .to_owned()
            });
            (State::Inconclusive, None, Some(why))
        }
        // A failure on disturbed figures says more about the machine than the submission.
        Ok(Truth::Fails) => match noisy() {
            Some(why) => (State::Inconclusive, None, Some(why)),
            None => (State::Failed, None, None),
        },
        Err(e) => match noisy() {
            Some(why) => (State::Inconclusive, Some(e), Some(why)),
            None => (State::Failed, Some(e), None),
        },
    };
    // Each value with its spread over the runs, so a near miss reads as one.
    let values = calls
        .iter()
        .zip(expectation.check.explain(&board))
        .map(|(call, line)| {
            let interval = board.interval(call).map_or(String::new(), |i| {
                format!(" ({:.0} % interval of the median, {} runs)", i.confidence * 100.0, i.n)
            });
            match board.spread(call) {
                Some(s) => format!("{line}{interval} (min {:.3}, max {:.3} over the runs)", s.min, s.max),
                None => line,
            }
        })
        .collect();
    let mut sources: Vec<&'static str> = Vec::new();
    for call in &calls {
        let source = board.source(call);
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    let earned = match state {
        State::Held => expectation.points,
        State::Inconclusive => expectation.points * scenario.inconclusive.share(),
        State::Failed => 0.0,
    };
    ExpectationOutcome {
        index,
        passed: state == State::Held,
        state,
        inconclusive,
        earned,
        flaky: false,
        attempts: 1,
        values,
        error,
        sources,
    }
}

/// "the machine was too noisy to decide: …" for figures others disturbed.
fn noise_reason(disturbed: &[(String, Noise)]) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut parts = Vec::new();
    for (label, noise) in disturbed {
        if seen.contains(&label.as_str()) {
            continue;
        }
        seen.push(label);
        parts.push(noise.explain(label));
    }
    (!parts.is_empty()).then(|| format!("the machine was too noisy to decide: {}", parts.join("; ")))
}

/// The score of a scenario's outcomes.
pub(super) fn score(scenario: &Scenario, outcomes: &[ExpectationOutcome]) -> Score {
    let points = |o: &ExpectationOutcome| scenario.expectations[o.index].points;
    // `+ 0.0` turns the `-0.0` that an empty float sum is into `0`, which no
    // report should print as `-0`.
    Score {
        earned: outcomes.iter().map(|o| o.earned).sum::<f64>() + 0.0,
        possible: outcomes.iter().map(points).sum::<f64>() + 0.0,
    }
}
