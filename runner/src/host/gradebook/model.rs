//! The gradebook as data: the labs it was graded with (their columns), and
//! one row per submission. Rows are kept sorted by id, so the files are the
//! same whatever order the submissions were graded in, on one machine or
//! on many (`runner merge`).

use serde::{Deserialize, Serialize};

use crate::host::grade::ExpectationOutcome;
use crate::host::scenario::{Expectation, Scenario};

/// A class's grades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Gradebook {
    pub(crate) gradebook_version: u32,
    pub(crate) runner_version: String,
    /// [`super::lab_hash`] of the labs' text.
    pub(crate) lab_hash: String,
    pub(crate) labs: Vec<LabColumns>,
    /// Sorted by id, each id once.
    pub(crate) submissions: Vec<SubmissionRow>,
}

/// One lab's columns: its expectations, in the lab's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LabColumns {
    pub(crate) name: String,
    pub(crate) file: String,
    pub(crate) expectations: Vec<Column>,
}

/// One expectation's column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) points: f64,
}

/// One submission's grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SubmissionRow {
    /// The submission directory's name.
    pub(crate) id: String,
    pub(crate) status: Status,
    pub(crate) total: f64,
    pub(crate) max: f64,
    /// One per column, labs in order.
    pub(crate) marks: Vec<Mark>,
    /// Why points were lost before any check could run (the build's last
    /// lines, the load error), or what went wrong in the runs; empty when
    /// nothing did.
    pub(crate) feedback: String,
    /// Host-measured: grading this submission, its build and its report files included.
    pub(crate) seconds: f64,
    /// Host-measured: of which, its runs (and their verification).
    pub(crate) runs_seconds: f64,
}

/// One expectation of one submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Mark {
    pub(crate) lab: String,
    pub(crate) name: String,
    /// Points earned.
    pub(crate) points: f64,
    pub(crate) max: f64,
    pub(crate) passed: bool,
}

impl Mark {
    /// How an evaluated expectation counts in the gradebook. The one place
    /// that reads an outcome's pass/fail and points: when outcomes gain
    /// states, only this changes.
    pub(crate) fn of(lab: &str, expectation: &Expectation, outcome: Option<&ExpectationOutcome>) -> Mark {
        let passed = outcome.is_some_and(|o| o.passed);
        Mark {
            lab: lab.to_owned(),
            name: expectation.name.clone(),
            // An inconclusive check earns the lab's share (`[grading] inconclusive`).
            points: outcome.map_or(0.0, |o| o.earned),
            max: expectation.points,
            passed,
        }
    }

    /// Every expectation of `lab` at 0: nothing could be run.
    pub(crate) fn none_of(lab: &Scenario) -> Vec<Mark> {
        lab.expectations.iter().map(|e| Mark::of(&lab.name, e, None)).collect()
    }
}

/// What happened to a submission, worst first. JSON has the snake_case name,
/// the CSV and the terminal the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// The build command failed or timed out.
    BuildFailed,
    /// No library where the lab says it is (after the build, if any).
    MissingLibrary,
    /// The library would not load or does not fit the lab (its manifest).
    LoadFailed,
    /// A run's stream could not be right, or its figures were impossible.
    Tampered,
    TimedOut,
    /// A run died of a signal or exited on its own.
    Crashed,
    /// A run left processes behind (killed since).
    LeftProcesses,
    /// A run went over one of the lab's `[limits]`.
    OverLimit,
    /// A run could not be started (the machine's fault, not the submission's).
    CouldNotRun,
    /// Every run ran to its end; the checks decided the points.
    Graded,
}

impl Status {
    /// The status a run's cause code (`timed_out`, `tampered`…) stands for.
    pub(crate) fn of_cause(cause: &str) -> Status {
        match cause {
            "timed_out" => Status::TimedOut,
            "killed_by_signal" | "exited" | "worker_died" | "could_not_run" => Status::Crashed,
            "tampered" | "impossible" | "forbidden_operation" => Status::Tampered,
            "left_processes" => Status::LeftProcesses,
            "out_of_memory"
            | "too_many_processes"
            | "file_too_large"
            | "cpu_time"
            | "output_limit"
            | "event_limit"
            | "too_many_open_files" => Status::OverLimit,
            "not_started" => Status::CouldNotRun,
            // ok, units_failed, not_verified, aborted, units_missing,
            // interrupted: the run ended and the checks judge it.
            _ => Status::Graded,
        }
    }

    /// The words in the CSV and the summary.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Status::BuildFailed => "build failed",
            Status::MissingLibrary => "missing library",
            Status::LoadFailed => "load failed",
            Status::Tampered => "tampered",
            Status::TimedOut => "timed out",
            Status::Crashed => "crashed",
            Status::LeftProcesses => "left processes",
            Status::OverLimit => "over limit",
            Status::CouldNotRun => "could not run",
            Status::Graded => "graded",
        }
    }
}

impl LabColumns {
    /// The columns of a validated lab.
    pub(crate) fn of(lab: &Scenario) -> LabColumns {
        LabColumns {
            name: lab.name.clone(),
            file: lab.path.display().to_string(),
            expectations: lab.expectations.iter().map(|e| Column { name: e.name.clone(), points: e.points }).collect(),
        }
    }
}

impl Gradebook {
    /// An empty gradebook for these labs.
    pub(crate) fn new(labs: Vec<LabColumns>, lab_hash: String) -> Gradebook {
        Gradebook {
            gradebook_version: super::GRADEBOOK_VERSION,
            runner_version: env!("CARGO_PKG_VERSION").to_owned(),
            lab_hash,
            labs,
            submissions: Vec::new(),
        }
    }

    /// Points possible over every lab.
    pub(crate) fn max(&self) -> f64 {
        self.labs.iter().flat_map(|l| &l.expectations).map(|c| c.points).sum()
    }

    /// Adds `row`, replacing a row of the same id, keeping the order by id.
    pub(crate) fn put(&mut self, row: SubmissionRow) {
        match self.submissions.binary_search_by(|r| r.id.as_str().cmp(&row.id)) {
            Ok(at) => self.submissions[at] = row,
            Err(at) => self.submissions.insert(at, row),
        }
    }

    /// The row of `id`, if graded.
    pub(crate) fn row(&self, id: &str) -> Option<&SubmissionRow> {
        self.submissions.binary_search_by(|r| r.id.as_str().cmp(id)).ok().map(|at| &self.submissions[at])
    }
}
