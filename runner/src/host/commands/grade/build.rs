//! A submission's library: found in its directory, or built there first by
//! the lab's `[grading] build` command. The build is the submission's code
//! as much as its library is (a makefile, a `build.rs`), so it runs as a
//! run does: in a child the host supervises (own process group and cgroup,
//! the build's time limit, leftovers killed) that contains itself before it
//! starts the command (`runner __build`). It works on a copy of the
//! submission in a scratch directory of its own, the only place it may
//! write; the lab's and the class's folders are unreadable to it, and it
//! has no network.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::host::gradebook::Status;
use crate::host::plugin::SearchPath;
use crate::host::scenario::SubmissionLayout;
use crate::host::supervise::{ChildCommand, ChildExit, Interrupt, supervise};
use crate::protocol::contain::{ChildPlan, Limits, NetPlan};
use crate::protocol::{BUILD_SUBCOMMAND, BuildSpec};

/// Lines of the build's output kept as the feedback of a failed build.
const FEEDBACK_LINES: usize = 20;
/// Copying a submission stops beyond this many bytes (a build needs its
/// sources, not a disk image).
const MAX_COPY_BYTES: u64 = 1 << 30;

/// Why a submission has no library to grade.
#[derive(Debug, Clone)]
pub(crate) enum NoLibrary {
    /// A graded 0: this status, with this feedback.
    Failed(Status, String),
    /// The runner was interrupted during the build: nothing to record.
    Interrupted(Interrupt),
}

/// A build's scratch directory, removed with everything in it when dropped.
#[derive(Debug)]
pub(crate) struct Workspace {
    root: PathBuf,
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.root)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("could not remove the build directory {}: {e}", self.root.display());
        }
    }
}

/// What the build may not read: the labs' and the submissions' folders, the
/// output folder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fence {
    pub(crate) private_dirs: Vec<PathBuf>,
    pub(crate) limits: Limits,
}

/// The library of the submission at `dir` (canonical), building it first
/// when the lab says how. The workspace, when there was a build, holds the
/// library and must outlive its runs.
pub(crate) fn library_of(
    dir: &Path,
    layout: &SubmissionLayout,
    fence: &Fence,
) -> (Option<Workspace>, Result<PathBuf, NoLibrary>) {
    let Some(plugin) = &layout.plugin else {
        let why = "the lab names its plugin by path, so no submission can stand in for it".to_owned();
        return (None, Err(NoLibrary::Failed(Status::LoadFailed, why)));
    };
    let relative = layout.library.clone().unwrap_or_else(|| PathBuf::from(SearchPath::file_name(plugin)));
    let Some(command) = &layout.build else {
        return (None, find(dir, &relative, None));
    };
    let workspace = match Workspace::make() {
        Ok(w) => w,
        Err(e) => {
            let why = format!("could not make the build's directory: {e}");
            return (None, Err(NoLibrary::Failed(Status::CouldNotRun, why)));
        }
    };
    let source = workspace.root.join("src");
    if let Err(e) = copy_tree(dir, &source, &mut 0) {
        let why = format!("could not copy the submission to build it: {e}");
        return (Some(workspace), Err(NoLibrary::Failed(Status::BuildFailed, why)));
    }
    let built = build(command, &workspace.root, &source, layout.build_timeout, fence);
    let found = built.and_then(|()| find(&source, &relative, Some(command)));
    (Some(workspace), found)
}

/// `relative` inside `root`, a regular file that stays inside it (a link
/// out, to another submission's library, say, does not count).
fn find(root: &Path, relative: &Path, built_by: Option<&str>) -> Result<PathBuf, NoLibrary> {
    let path = root.join(relative);
    let after = built_by.map(|c| format!(" after the build (`{c}`)")).unwrap_or_default();
    let missing =
        || NoLibrary::Failed(Status::MissingLibrary, format!("no `{}` in the submission{after}", relative.display()));
    let canonical = path.canonicalize().map_err(|_| missing())?;
    let root = root.canonicalize().map_err(|_| missing())?;
    if !canonical.starts_with(&root) || !canonical.is_file() {
        return Err(missing());
    }
    Ok(canonical)
}

/// Runs `command` in `source` under supervision; its last lines when it fails.
fn build(command: &str, root: &Path, source: &Path, timeout: Duration, fence: &Fence) -> Result<(), NoLibrary> {
    let tmp = root.join("tmp");
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&tmp)
        .map_err(|e| NoLibrary::Failed(Status::CouldNotRun, format!("could not make the build's TMPDIR: {e}")))?;
    let plan = ChildPlan {
        limits: fence.limits,
        workers: 1,
        scratch_dir: Some(root.to_owned()),
        private_dirs: fence.private_dirs.clone(),
        readable: Vec::new(),
        net: NetPlan { connect_ports: Some(Vec::new()), bind_ephemeral: false },
        cgroup_bounds_tasks: false,
    };
    let spec = BuildSpec {
        command: command.to_owned(),
        dir: source.to_owned(),
        env: vec![("TMPDIR".into(), tmp.display().to_string())],
        contain: plan,
    };
    let mut stdin = serde_json::to_vec(&spec).unwrap_or_default();
    stdin.push(b'\n');
    let child = ChildCommand {
        args: vec![BUILD_SUBCOMMAND.into()],
        stdin,
        hold_stdin: false,
        timeout,
        grace: Duration::from_secs(1),
        limits: fence.limits,
        workers: 1,
        pid_namespace: false,
    };
    let report = supervise(&child, |_, _, _| {})
        .map_err(|e| NoLibrary::Failed(Status::CouldNotRun, format!("could not start the build: {e}")))?;
    let what = match report.exit {
        ChildExit::Exited(0) => return Ok(()),
        ChildExit::Interrupted(signal) => return Err(NoLibrary::Interrupted(signal)),
        ChildExit::Exited(code) => format!("the build (`{command}`) failed with exit code {code}"),
        ChildExit::Signaled(signal) => format!("the build (`{command}`) was killed by {signal}"),
        ChildExit::TimedOut(after) => format!("the build (`{command}`) timed out after {} s", after.as_secs_f64()),
    };
    let output = if report.stderr.tail.trim().is_empty() { &report.stdout.tail } else { &report.stderr.tail };
    Err(NoLibrary::Failed(Status::BuildFailed, format!("{what}:\n{}", last_lines(output, FEEDBACK_LINES))))
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

impl Workspace {
    fn make() -> std::io::Result<Workspace> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // The runs' prefix and pid first: a runner that was SIGKILLed has its
        // builds' directories removed with its runs' at the next start.
        let prefix = crate::host::execute::SCRATCH_PREFIX;
        let root = std::env::temp_dir().join(format!("{prefix}{}-build{n}", std::process::id()));
        std::fs::DirBuilder::new().mode(0o700).create(&root)?;
        Ok(Workspace { root })
    }
}

/// Copies the tree at `from` to `to`: directories, regular files, and
/// symbolic links as links (never followed); anything else is left out.
fn copy_tree(from: &Path, to: &Path, copied: &mut u64) -> std::io::Result<()> {
    std::fs::create_dir(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target, copied)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &target)?;
        } else if kind.is_file() {
            *copied += std::fs::copy(entry.path(), &target)?;
            if *copied > MAX_COPY_BYTES {
                return Err(std::io::Error::other(format!("the submission is over {MAX_COPY_BYTES} bytes")));
            }
        }
    }
    Ok(())
}
