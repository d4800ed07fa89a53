//! `--jobs N` for labs without timing checks: N submissions graded at once,
//! each by a runner of its own (`runner grade LAB... DIR --out
//! OUT/.jobs/ID`), so that each has its own subreaper, interrupt flag and
//! leftover sweep: one submission's processes can never be taken for
//! another's, and a submission's runner that dies takes only its own
//! submission with it. This runner collects each finished row and folder
//! into the gradebook, one at a time, as the one-by-one path does.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::command::Ended;
use super::outputs::OutDir;
use super::progress::ClassProgress;
use super::submission::Submission;
use crate::host::cli::{GlobalArgs, GradeArgs};
use crate::host::gradebook::{self, Gradebook};
use crate::host::supervise::{die_with_parent, interrupted};

/// How often the loop looks at its children and the interrupt flag.
const TICK: Duration = Duration::from_millis(20);

/// What every submission's runner is started with.
pub(crate) struct Jobs<'a> {
    pub(crate) args: &'a GradeArgs,
    pub(crate) global: &'a GlobalArgs,
    /// What builds may not read, passed on (`--fence`).
    pub(crate) fence: &'a super::build::Fence,
    pub(crate) jobs: usize,
}

struct Running {
    id: String,
    out: PathBuf,
    child: Child,
}

/// Grades `todo`, `jobs.jobs` at a time.
pub(crate) fn grade_side_by_side(
    jobs: &Jobs<'_>,
    todo: &[Submission],
    book: &mut Gradebook,
    out: &OutDir,
    progress: &mut ClassProgress,
) -> Ended {
    let scratch = out.root().join(".jobs");
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        return Ended::Failed(format!("cannot create `{}`: {e}", scratch.display()));
    }
    let mut queue = todo.iter();
    let mut running: Vec<Running> = Vec::new();
    let mut ended = Ended::Done;
    loop {
        if let Some(signal) = interrupted() {
            // Each submission's runner ends its runs and records nothing.
            for job in &running {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(job.child.id() as i32),
                    match signal {
                        crate::host::supervise::Interrupt::Int => nix::sys::signal::Signal::SIGINT,
                        crate::host::supervise::Interrupt::Term => nix::sys::signal::Signal::SIGTERM,
                    },
                );
            }
            for job in &mut running {
                let _ = job.child.wait();
                let _ = std::fs::remove_dir_all(&job.out);
            }
            return Ended::Interrupted(signal);
        }
        while running.len() < jobs.jobs && matches!(ended, Ended::Done) {
            let Some(submission) = queue.next() else { break };
            progress.start(&submission.id);
            match start(jobs, submission, &scratch) {
                Ok(job) => running.push(job),
                Err(e) => ended = Ended::Failed(e),
            }
        }
        if running.is_empty() {
            let _ = std::fs::remove_dir(&scratch);
            return ended;
        }
        std::thread::sleep(TICK);
        let mut at = 0;
        while at < running.len() {
            match running[at].child.try_wait() {
                Ok(None) => at += 1,
                Ok(Some(_)) | Err(_) => {
                    let job = running.swap_remove(at);
                    if let Err(e) = collect(&job, book, out, progress) {
                        ended = Ended::Failed(e);
                    }
                }
            }
        }
    }
}

/// Starts the runner that grades `submission` alone.
fn start(jobs: &Jobs<'_>, submission: &Submission, scratch: &Path) -> Result<Running, String> {
    let job_out = scratch.join(&submission.id);
    let _ = std::fs::remove_dir_all(&job_out);
    let labs = jobs.args.inputs.iter().filter(|p| !p.is_dir());
    let mut cmd = Command::new("/proc/self/exe");
    cmd.arg("grade").args(labs).arg(&submission.dir).arg("--out").arg(&job_out).args(["--no-progress", "--quiet"]);
    for dir in &jobs.global.plugin_dirs {
        cmd.arg("--plugin-dir").arg(dir);
    }
    for limit in &jobs.args.limits {
        cmd.arg("--limit").arg(limit);
    }
    if jobs.args.pid_namespace {
        cmd.arg("--pid-namespace");
    }
    if jobs.args.require_containment {
        cmd.arg("--require-containment");
    }
    for dir in &jobs.fence.private_dirs {
        cmd.arg("--fence").arg(dir);
    }
    // Its own group: a terminal's Ctrl-C reaches this runner only, which
    // passes it on, as it does to runs.
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).process_group(0);
    let parent = std::process::id() as i32;
    // SAFETY: only async-signal-safe calls (prctl, getppid) between fork and exec.
    unsafe { cmd.pre_exec(move || die_with_parent(parent)) };
    let child = cmd.spawn().map_err(|e| format!("cannot start a runner for `{}`: {e}", submission.id))?;
    Ok(Running { id: submission.id.clone(), out: job_out, child })
}

/// Takes a finished submission's row and folder into the class's.
fn collect(job: &Running, book: &mut Gradebook, out: &OutDir, progress: &mut ClassProgress) -> Result<(), String> {
    let child_out = OutDir::open(&job.out)?;
    let row = gradebook::read(&child_out.json())?.and_then(|b| b.row(&job.id).cloned());
    let Some(row) = row else {
        let _ = std::fs::remove_dir_all(&job.out);
        return Err(format!("the runner grading `{}` ended without grading it", job.id));
    };
    let target = out.submission(&job.id);
    let _ = std::fs::remove_dir_all(&target);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    }
    std::fs::rename(child_out.submission(&job.id), &target)
        .map_err(|e| format!("cannot move `{}`'s reports into `{}`: {e}", job.id, target.display()))?;
    let _ = std::fs::remove_dir_all(&job.out);
    progress.finished(&row);
    book.put(row);
    out.write_gradebook(book)
}
