//! Grading one submission against every lab: its library found or built,
//! each lab validated again with the library standing in for the lab's
//! plugin (`--plugin NAME=PATH`, as a grader would by hand), run, and
//! graded; the row of the gradebook made from what came out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::build::{Fence, NoLibrary, Workspace, library_of};
use crate::host::commands::run::{apply_limit_args, measure_and_grade};
use crate::host::execute::{ExecuteOptions, Observer};
use crate::host::gradebook::{Mark, Status, SubmissionRow};
use crate::host::plugin::Catalog;
use crate::host::report::ScenarioResult;
use crate::host::sanitize;
use crate::host::scenario::{self, Scenario, SubmissionLayout};
use crate::host::supervise::Interrupt;

/// A submission directory and its id (the directory's name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Submission {
    pub(crate) id: String,
    /// Canonical.
    pub(crate) dir: PathBuf,
}

/// What grading needs besides the submission: the labs as the instructor's
/// plugin validated them, and how runs and builds go.
pub(crate) struct Class<'a> {
    pub(crate) labs: &'a [Scenario],
    pub(crate) fence: Fence,
    pub(crate) limit_args: &'a [String],
    pub(crate) options: ExecuteOptions,
}

/// A graded submission: its row, and each lab's results for its report files
/// (a lab it could not run has none).
#[derive(Debug)]
pub(crate) struct Graded {
    pub(crate) row: SubmissionRow,
    pub(crate) results: Vec<ScenarioResult>,
}

/// How grading one submission ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    Graded(Box<Graded>),
    /// Ctrl-C (or SIGTERM) during it: nothing of it is recorded.
    Interrupted(Interrupt),
}

/// Grades `submission` against every lab of `class`.
pub(crate) fn grade_submission(
    submission: &Submission,
    class: &Class<'_>,
    catalog: &mut Catalog,
    observer: &mut dyn Observer,
) -> Outcome {
    let started = Instant::now();
    let mut runs_seconds = 0.0;
    // One build per distinct layout: labs of the same plugin share it.
    let mut libraries: HashMap<SubmissionLayout, (Option<Workspace>, Result<PathBuf, NoLibrary>)> = HashMap::new();
    let mut marks = Vec::new();
    let mut results = Vec::new();
    let mut status = Status::Graded;
    let mut feedback = Vec::new();
    for lab in class.labs {
        let say = |text: &str| if class.labs.len() > 1 { format!("{}: {text}", lab.name) } else { text.to_owned() };
        let (_, library) = libraries
            .entry(lab.submission.clone())
            .or_insert_with(|| library_of(&submission.dir, &lab.submission, &class.fence));
        let library = match library {
            Ok(library) => library.clone(),
            Err(NoLibrary::Interrupted(signal)) => return Outcome::Interrupted(*signal),
            Err(NoLibrary::Failed(why, text)) => {
                status = status.min(*why);
                feedback.push(say(text));
                marks.extend(Mark::none_of(lab));
                continue;
            }
        };
        let scenario = match stand_in(lab, library, catalog, class.limit_args) {
            Ok(mut scenario) => {
                // The class's folder: a run reads its own library, not another's work.
                let class_dir = submission.dir.canonicalize().ok().and_then(|d| d.parent().map(Path::to_owned));
                scenario.private_dirs.extend(class_dir);
                scenario
            }
            Err(text) => {
                status = status.min(Status::LoadFailed);
                feedback.push(say(&text));
                marks.extend(Mark::none_of(lab));
                continue;
            }
        };
        let measuring = Instant::now();
        let result = measure_and_grade(scenario, class.options, observer);
        runs_seconds += measuring.elapsed().as_secs_f64();
        if let Some(signal) = result.runs.interrupted {
            return Outcome::Interrupted(signal);
        }
        let (worst, problems) = what_the_runs_did(&result);
        status = status.min(worst);
        feedback.extend(problems.iter().map(|p| say(p)));
        let outcomes = &result.grade.outcomes;
        marks.extend(
            lab.expectations
                .iter()
                .enumerate()
                .map(|(i, e)| Mark::of(&lab.name, e, outcomes.iter().find(|o| o.index == i))),
        );
        results.push(result);
    }
    let row = SubmissionRow {
        id: submission.id.clone(),
        status,
        total: marks.iter().map(|m| m.points).sum(),
        max: marks.iter().map(|m| m.max).sum(),
        marks,
        feedback: feedback.join("\n"),
        seconds: started.elapsed().as_secs_f64(),
        runs_seconds,
    };
    Outcome::Graded(Box::new(Graded { row, results }))
}

/// The lab validated again with `library` standing in for its plugin: the
/// submission's manifest must fit the lab as the instructor's did.
fn stand_in(lab: &Scenario, library: PathBuf, catalog: &mut Catalog, limits: &[String]) -> Result<Scenario, String> {
    let name = lab.submission.plugin.as_deref().unwrap_or_default();
    catalog.stand_in(name, library);
    let mut scenario = scenario::load_str(&lab.path, &lab.text, catalog)
        .map_err(|e| sanitize::multiline(&e.to_string()).into_owned())?;
    apply_limit_args(&mut scenario, limits)?;
    Ok(scenario)
}

/// The worst status the runs stand for, and what went wrong in them (each
/// problem once, a few at most).
fn what_the_runs_did(result: &ScenarioResult) -> (Status, Vec<String>) {
    let mut worst = Status::Graded;
    let mut problems: Vec<String> = Vec::new();
    for record in &result.runs.records {
        worst = worst.min(Status::of_cause(record.cause()));
        if let Some(problem) = record.problem() {
            let label = &result.scenario.strategies[record.strategy].label;
            let line = format!("{label}: {}", sanitize::line(&problem));
            if problems.len() < 5 && !problems.contains(&line) {
                problems.push(line);
            }
        }
    }
    (worst, problems)
}

/// The submission at `dir`, named by its directory.
pub(crate) fn submission_at(dir: &Path) -> Result<Submission, String> {
    let canonical = dir.canonicalize().map_err(|e| format!("`{}`: {e}", dir.display()))?;
    let id = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("`{}` has no name to use as the submission's id", dir.display()))?;
    Ok(Submission { id, dir: canonical })
}
