//! `--junit FILE`: JUnit XML (Jenkins' schema, through quick-junit) for CI
//! systems: one testsuite per scenario, one testcase per expectation and per
//! run that failed. Written after all scenarios have run.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestRerun, TestSuite};

use super::text::describe;
use super::{Exporter, Report};
use crate::host::grade::State;

/// The `junit` file exporter.
#[derive(Debug, Default)]
pub(crate) struct Junit;

impl Exporter for Junit {
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String> {
        render(reports)
    }
}

/// The whole JUnit document for `reports`.
fn render(reports: &[Report<'_>]) -> Result<String, String> {
    let mut junit = JunitReport::new("runner");
    for report in reports {
        let scenario = report.scenario;
        let mut suite = TestSuite::new(scenario.name.as_str());
        for outcome in &report.grade.outcomes {
            let expectation = &scenario.expectations[outcome.index];
            let mut status = if outcome.passed {
                TestCaseStatus::success()
            } else if outcome.state == State::Inconclusive {
                // Neither a pass nor a failure of the submission: its own kind.
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_type("inconclusive");
                status.set_message(format!(
                    "inconclusive (the machine was too noisy to decide; policy `{}`): {}",
                    scenario.inconclusive.name(),
                    expectation.text
                ));
                status.set_description(describe(outcome, expectation.hint.as_deref()));
                status
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!("expectation failed: {}", expectation.text));
                status.set_description(describe(outcome, expectation.hint.as_deref()));
                status
            };
            if outcome.flaky {
                // Failed first, passed on a retry: JUnit's flakyFailure.
                let mut rerun = TestRerun::new(NonSuccessKind::Failure);
                rerun.set_message("failed before passing on a retry");
                status.add_rerun(rerun);
            }
            let mut case = TestCase::new(expectation.name.as_str(), status);
            case.set_classname(format!("{}.expectations", scenario.name));
            suite.add_test_case(case);
        }
        for summary in report.summaries {
            let label = &scenario.strategies[summary.index].label;
            for run in summary.runs.iter().filter(|r| !r.succeeded()) {
                let round = match run.round {
                    crate::host::plan::Round::Warmup(n) | crate::host::plan::Round::Measured(n) => n,
                };
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(run.problem().unwrap_or_else(|| "failed".into()));
                let mut case = TestCase::new(format!("{label} run {round}"), status);
                case.set_classname(format!("{}.runs", scenario.name));
                if let Some(wall) = run.wall_s() {
                    case.set_time(Duration::from_secs_f64(wall));
                }
                suite.add_test_case(case);
            }
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().map_err(|e| e.to_string())
}
