//! `--gradescope FILE`: Gradescope's autograder `results.json`
//! (<https://gradescope-autograders.readthedocs.io/en/latest/specs/>): score,
//! max_score and one test per expectation with its own score, status,
//! visibility (`visibility` / `hidden` on the `[[expect]]`) and Markdown
//! output (`output_format = "md"`: the check as code, its measured values as
//! a list, untrusted text made inert); `execution_time`; and `extra_data`
//! with the figures, per test (the values the check read, their sources) and
//! for the whole submission (each strategy's medians).

use serde::Serialize;
use serde_json::{Value, json};

use super::{Exporter, Report};
use crate::host::grade::ExpectationOutcome;
use crate::host::sanitize;
use crate::host::scenario::Expectation;

#[derive(Serialize)]
struct Results {
    score: f64,
    max_score: f64,
    /// Seconds the runs' measured phases took, summed (the host's clock).
    execution_time: f64,
    output: String,
    output_format: &'static str,
    test_output_format: &'static str,
    tests: Vec<Test>,
    extra_data: Value,
}

#[derive(Serialize)]
struct Test {
    name: String,
    score: f64,
    max_score: f64,
    status: &'static str,
    output: String,
    output_format: &'static str,
    visibility: &'static str,
    extra_data: Value,
}

/// A check of a submission that never ran (a failed build, a missing
/// library), for [`without_runs`].
pub(crate) struct NotRun {
    pub(crate) name: String,
    pub(crate) score: f64,
    pub(crate) max_score: f64,
    pub(crate) passed: bool,
}

/// The `results.json` document for a submission some lab could not run:
/// its points, and `feedback` (plain text) as the output of the submission
/// and of every check it could not earn. Same document as the exporter's.
pub(crate) fn without_runs(tests: Vec<NotRun>, score: f64, max_score: f64, feedback: &str) -> Result<String, String> {
    let tests = tests
        .into_iter()
        .map(|t| Test {
            name: t.name,
            score: t.score,
            max_score: t.max_score,
            status: if t.passed { "passed" } else { "failed" },
            output: if t.passed { String::new() } else { feedback.to_owned() },
            output_format: "text",
            visibility: "visible",
            extra_data: json!({}),
        })
        .collect();
    let results = Results {
        score,
        max_score,
        execution_time: 0.0,
        output: feedback.to_owned(),
        output_format: "text",
        test_output_format: "text",
        tests,
        extra_data: json!({}),
    };
    serde_json::to_string_pretty(&results).map_err(|e| e.to_string())
}

/// The `gradescope` file exporter.
#[derive(Debug, Default)]
pub(crate) struct Gradescope;

impl Exporter for Gradescope {
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String> {
        render(reports)
    }
}

/// The `results.json` document for `reports`.
fn render(reports: &[Report<'_>]) -> Result<String, String> {
    let mut tests = Vec::new();
    let mut lines = Vec::new();
    let mut scenarios = Vec::new();
    let (mut earned, mut possible, mut seconds) = (0.0, 0.0, 0.0);
    for report in reports {
        let scenario = report.scenario;
        let total = report.grade.score;
        earned += total.earned;
        possible += total.possible;
        seconds += report.runs.records.iter().filter_map(|r| r.wall_s()).sum::<f64>();
        lines.push(format!(
            "- {}: {} / {} points",
            sanitize::markdown_code(&scenario.name),
            total.earned,
            total.possible
        ));
        for outcome in &report.grade.outcomes {
            let expectation = &scenario.expectations[outcome.index];
            tests.push(Test {
                name: format!("{}: {}", scenario.name, expectation.name),
                score: outcome.earned,
                max_score: expectation.points,
                status: if outcome.passed { "passed" } else { "failed" },
                output: test_output(expectation, outcome),
                output_format: "md",
                visibility: expectation.visibility.name(),
                extra_data: json!({
                    "scenario": scenario.name,
                    "check": expectation.text,
                    "values": outcome.values,
                    "sources": outcome.sources,
                    "attempts": outcome.attempts,
                    "flaky": outcome.flaky,
                    "state": outcome.state.name(),
                }),
            });
        }
        scenarios.push(figures(report));
    }
    let results = Results {
        score: earned,
        max_score: possible,
        // To the millisecond: a sum of floats has noise digits past that.
        execution_time: (seconds * 1000.0).round() / 1000.0,
        output: lines.join("\n"),
        output_format: "md",
        test_output_format: "md",
        tests,
        extra_data: json!({ "runner_version": env!("CARGO_PKG_VERSION"), "scenarios": scenarios }),
    };
    serde_json::to_string_pretty(&results).map_err(|e| e.to_string())
}

/// A test's feedback in Markdown: the check, what it read, why it failed
/// and the hint. Values and messages may quote a plugin: they go in as
/// code spans or inert text.
fn test_output(expectation: &Expectation, outcome: &ExpectationOutcome) -> String {
    let mut out = format!("check: {}", sanitize::markdown_code(&expectation.text));
    if let Some(why) = &outcome.inconclusive {
        out.push_str(&format!("\n\n**inconclusive:** {}", sanitize::markdown_text(why)));
    }
    for value in &outcome.values {
        out.push_str(&format!("\n- {}", sanitize::markdown_code(value)));
    }
    if let Some(error) = &outcome.error {
        out.push_str(&format!("\n\ncould not evaluate: {}", sanitize::markdown_text(error)));
    }
    if let (false, Some(hint)) = (outcome.passed, &expectation.hint) {
        out.push_str(&format!("\n\n**hint:** {}", sanitize::markdown_text(hint)));
    }
    if outcome.flaky {
        out.push_str(&format!("\n\n*flaky: failed first, passed on a retry ({} attempts)*", outcome.attempts));
    }
    out
}

/// One scenario's figures for `extra_data`: each strategy's medians.
fn figures(report: &Report<'_>) -> Value {
    let strategies: Vec<Value> = report
        .summaries
        .iter()
        .map(|s| {
            json!({
                "label": report.scenario.strategies[s.index].label,
                "wall_s": s.wall_s.map(|w| w.median),
                "cpu_s": s.cpu_s.map(|c| c.median),
                "speedup": s.speedup.map(|x| x.median),
                "units_per_s": s.units_per_s,
                "efficiency": s.efficiency,
                "verified": s.verified,
                "figures": s.figures,
            })
        })
        .collect();
    json!({
        "name": report.scenario.name,
        "score": { "earned": report.grade.score.earned, "possible": report.grade.score.possible },
        "strategies": strategies,
    })
}
