//! `--gradescope FILE`: Gradescope's autograder `results.json`
//! (<https://gradescope-autograders.readthedocs.io/en/latest/specs/>): score,
//! max_score and one test per expectation with its own score, status, output
//! and visibility.

use serde::Serialize;

use super::text::describe;
use super::{Exporter, Report};

#[derive(Serialize)]
struct Results {
    score: f64,
    max_score: f64,
    output: String,
    tests: Vec<Test>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    score: f64,
    max_score: f64,
    status: &'static str,
    output: String,
    visibility: &'static str,
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
    let (mut earned, mut possible) = (0.0, 0.0);
    for report in reports {
        let scenario = report.scenario;
        let total = report.grade.score;
        earned += total.earned;
        possible += total.possible;
        lines.push(format!("{}: {} / {} points", scenario.name, total.earned, total.possible));
        for outcome in &report.grade.outcomes {
            let expectation = &scenario.expectations[outcome.index];
            let mut output = format!("{}\n{}", expectation.text, describe(outcome, expectation.hint.as_deref()));
            if outcome.flaky {
                output.push_str("\nflaky: failed first, passed on a retry");
            }
            tests.push(Test {
                name: format!("{}: {}", scenario.name, expectation.name),
                score: outcome.earned,
                max_score: expectation.points,
                status: if outcome.passed { "passed" } else { "failed" },
                output,
                visibility: "visible",
            });
        }
    }
    let results = Results { score: earned, max_score: possible, output: lines.join("\n"), tests };
    serde_json::to_string_pretty(&results).map_err(|e| e.to_string())
}
