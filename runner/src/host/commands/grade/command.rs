//! `runner grade LAB.toml... SUBMISSION_DIR... --out DIR`: every submission
//! graded against every lab, one after another, into one gradebook. Labs
//! are validated first against the instructor's plugins (exit 2 if one is
//! unusable), so no submission is graded against a broken lab. After each
//! submission its files and the whole gradebook are rewritten by rename:
//! Ctrl-C ends the current submission's runs, which is then left out, and
//! what finished stays consistent on disk for `--resume`.

use std::path::{Path, PathBuf};

use super::build::Fence;
use super::outputs::OutDir;
use super::parallel::{Jobs, grade_side_by_side};
use super::progress::ClassProgress;
use super::submission::{Class, Outcome, Submission, grade_submission, submission_at};
use super::summary::summary;
use crate::host::cli::{GlobalArgs, GradeArgs};
use crate::host::execute::ExecuteOptions;
use crate::host::exit_code;
use crate::host::expect::Meaning;
use crate::host::gradebook::{self, Gradebook, LabColumns};
use crate::host::plugin::Catalog;
use crate::host::sanitize;
use crate::host::scenario::{self, Scenario};
use crate::host::stdout::Stdout;
use crate::host::supervise::{Interrupt, interrupted};

/// The functions whose figures are timings: two submissions graded at once
/// would compete for the cores and slow each other's figures down.
const TIMED: &[Meaning] =
    &[Meaning::Speedup, Meaning::Wall, Meaning::Cpu, Meaning::Efficiency, Meaning::UnitsPerSecond];

pub(crate) fn grade(args: &GradeArgs, global: &GlobalArgs, catalog: &mut Catalog) -> u8 {
    match prepare(args, catalog) {
        Ok(plan) => grade_class(args, global, catalog, plan),
        Err(e) => {
            eprintln!("error: {e}");
            exit_code::INPUT_UNUSABLE
        }
    }
}

/// Everything checked before the first submission is graded.
struct Plan {
    labs: Vec<Scenario>,
    todo: Vec<Submission>,
    book: Gradebook,
    out: OutDir,
    fence: Fence,
}

fn prepare(args: &GradeArgs, catalog: &mut Catalog) -> Result<Plan, String> {
    if args.require_containment
        && let Some(missing) = crate::host::commands::run::missing_containment()
    {
        return Err(format!("--require-containment, but this machine lacks: {missing}\n(see `runner doctor`)"));
    }
    let (lab_files, dirs): (Vec<&PathBuf>, Vec<&PathBuf>) = args.inputs.iter().partition(|p| !p.is_dir());
    if lab_files.is_empty() {
        return Err("no lab given\n(`runner grade LAB.toml... SUBMISSION_DIR... --out DIR`)".into());
    }
    let mut labs = Vec::new();
    for file in &lab_files {
        let lab = scenario::load(file, catalog).map_err(|e| sanitize::multiline(&e.to_string()).into_owned())?;
        if lab.submission.plugin.is_none() {
            return Err(format!(
                "lab `{}` names its plugin by path: a submission can only stand in for a plugin named by name",
                file.display()
            ));
        }
        labs.push(lab);
    }
    let mut submissions = dirs.iter().map(|d| submission_at(d)).collect::<Result<Vec<_>, _>>()?;
    submissions.sort();
    if let Some(twice) = submissions.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(format!(
            "two submissions are named `{}` ({} and {})\n(a submission's id is its directory's name)",
            twice[0].id,
            twice[0].dir.display(),
            twice[1].dir.display()
        ));
    }
    if let Some((k, n)) = args.shard {
        submissions = submissions.into_iter().enumerate().filter(|(i, _)| i % n == k - 1).map(|(_, s)| s).collect();
    }

    let out = OutDir::open(&args.out)?;
    let columns: Vec<LabColumns> = labs.iter().map(LabColumns::of).collect();
    let hash = gradebook::lab_hash(labs.iter().map(|l| l.text.as_str()));
    let book = match gradebook::read(&out.json())? {
        None => Gradebook::new(columns, hash),
        Some(_) if !args.resume => {
            return Err(format!(
                "`{}` already holds a gradebook\n(pass --resume to grade only the submissions it lacks, or choose another --out)",
                out.json().display()
            ));
        }
        Some(book) if book.lab_hash != hash || book.labs != columns => {
            return Err(format!(
                "`{}` was graded with other labs ({}, now {hash}): resuming would mix two labs in one gradebook\n(choose another --out)",
                out.json().display(),
                book.lab_hash
            ));
        }
        Some(book) => book,
    };
    let before = submissions.len();
    let todo: Vec<Submission> = submissions.into_iter().filter(|s| book.row(&s.id).is_none()).collect();
    if args.resume {
        tracing::warn!("resuming: {} of {before} submission(s) already graded", before - todo.len());
    }

    // A build reads neither the labs nor the class nor the gradebook.
    let mut private_dirs: Vec<PathBuf> = lab_files.iter().filter_map(|f| parent_of(f)).collect();
    private_dirs.extend(todo.iter().filter_map(|s| s.dir.parent().map(Path::to_owned)));
    private_dirs.extend(args.out.canonicalize().ok());
    private_dirs.extend(args.fence.iter().filter_map(|d| d.canonicalize().ok()));
    private_dirs.sort();
    private_dirs.dedup();
    let fence = Fence { private_dirs, limits: labs[0].limits };
    Ok(Plan { labs, todo, book, out, fence })
}

fn parent_of(file: &Path) -> Option<PathBuf> {
    file.canonicalize().ok()?.parent().map(Path::to_owned)
}

fn grade_class(args: &GradeArgs, global: &GlobalArgs, catalog: &mut Catalog, plan: Plan) -> u8 {
    let Plan { labs, todo, mut book, out, fence } = plan;
    let side_by_side = args.jobs > 1
        && match labs.iter().find_map(timed_check) {
            Some((lab, check)) => {
                tracing::warn!(
                    "--jobs {}: lab `{lab}` checks timing (`{check}`), so submissions are graded one at a time \
                     (side by side they would share the cores and slow each other's figures down)",
                    args.jobs
                );
                false
            }
            None => true,
        };
    crate::host::execute::remove_stale_scratch();
    if let Err(e) = out.write_gradebook(&book) {
        eprintln!("error: {e}");
        return exit_code::RUN_FAILED;
    }
    let mut progress = ClassProgress::new(todo.len(), !args.no_progress && !global.quiet);
    let ended = if side_by_side {
        let jobs = Jobs { args, global, fence: &fence, jobs: usize::from(args.jobs) };
        grade_side_by_side(&jobs, &todo, &mut book, &out, &mut progress)
    } else {
        let class = Class {
            labs: &labs,
            fence,
            limit_args: &args.limits,
            // The HTML report draws each strategy's median run.
            options: ExecuteOptions { pictures: true, pid_namespace: args.pid_namespace },
        };
        grade_one_by_one(&class, &todo, catalog, &mut book, &out, &mut progress)
    };
    progress.finish();
    let mut stdout = Stdout::new();
    stdout.line(&summary(&book));
    stdout.line(&format!("gradebook: {} and {}", out.csv().display(), out.json().display()));
    match ended {
        Ended::Done => exit_code::OK,
        Ended::Failed(e) => {
            eprintln!("error: {e}");
            exit_code::RUN_FAILED
        }
        Ended::Interrupted(signal) => {
            let left = todo.iter().filter(|s| book.row(&s.id).is_none()).count();
            eprintln!("interrupted ({}): {left} submission(s) not graded; `--resume` grades them", signal.name());
            signal.exit_code()
        }
    }
}

/// How a pass over the submissions ended.
pub(super) enum Ended {
    Done,
    /// Ctrl-C or SIGTERM: the submission being graded is left out.
    Interrupted(Interrupt),
    /// The output folder could not be written (or, side by side, a
    /// submission's runner failed): grading stops there.
    Failed(String),
}

/// Every submission in turn, in this process.
fn grade_one_by_one(
    class: &Class<'_>,
    todo: &[Submission],
    catalog: &mut Catalog,
    book: &mut Gradebook,
    out: &OutDir,
    progress: &mut ClassProgress,
) -> Ended {
    for submission in todo {
        if let Some(signal) = interrupted() {
            return Ended::Interrupted(signal);
        }
        progress.start(&submission.id);
        let mut graded = match grade_submission(submission, class, catalog, progress) {
            Outcome::Graded(graded) => graded,
            Outcome::Interrupted(signal) => return Ended::Interrupted(signal),
        };
        // The submission's time includes writing its reports.
        let writing = std::time::Instant::now();
        let written = out.write_submission(&graded).and_then(|()| {
            graded.row.seconds += writing.elapsed().as_secs_f64();
            book.put(graded.row.clone());
            out.write_gradebook(book)
        });
        progress.finished(&graded.row);
        if let Err(e) = written {
            return Ended::Failed(e);
        }
    }
    Ended::Done
}

/// The first check of `lab` that reads a timing, as written.
fn timed_check(lab: &Scenario) -> Option<(String, String)> {
    lab.expectations
        .iter()
        .find(|e| e.check.calls().iter().any(|c| TIMED.contains(&c.function.meaning)))
        .map(|e| (lab.name.clone(), e.text.clone()))
}
