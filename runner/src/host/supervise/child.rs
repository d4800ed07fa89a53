//! Spawning one child (`runner __run` or `runner __describe`) and watching
//! it until it ends, times out or the runner is interrupted.
//!
//! The child's exit is detected with `waitid(WNOWAIT)`, which leaves it a
//! zombie: while the group leader's zombie exists its process group id cannot
//! be reused, so killing "whatever is left in the group" cannot hit a stranger.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
use nix::unistd::Pid;

use super::capture::{Capture, Captured};
use super::group::{die_with_parent, kill_and_reap, reap_orphans, signal_group};
use super::signals::{Interrupt, interrupted, set_run_group};
use crate::host::contain::cgroup::CgroupFigures;
use crate::host::contain::{RunContainment, pid_namespace_requested};
use crate::protocol::contain::{Limits, Protections};
use crate::protocol::{EVENT_FD, Event, JOINED, signal_name};

/// How often the loop looks at the clock, the child and the interrupt flag.
const TICK: Duration = Duration::from_millis(20);
/// How often to look for the child's exit once its event stream has closed.
const EXIT_POLL: Duration = Duration::from_millis(1);
/// How long events and output may keep arriving after the child has exited.
const DRAIN_PATIENCE: Duration = Duration::from_secs(2);
/// How long a SIGKILLed child may take to die (one in uninterruptible sleep
/// may take longer; the runner then goes on without it).
const KILL_PATIENCE: Duration = Duration::from_secs(5);
/// Longest event line accepted; longer ones are dropped and counted.
const MAX_EVENT_LINE: usize = 4 << 20;

/// What to run.
#[derive(Debug, Clone)]
pub(crate) struct ChildCommand {
    /// Arguments after the runner's own executable.
    pub(crate) args: Vec<OsString>,
    /// Written to the child's stdin first.
    pub(crate) stdin: Vec<u8>,
    /// Keep stdin open after `stdin` for [`RunControl::go`]; else close it.
    pub(crate) hold_stdin: bool,
    /// Time allowed before the group is sent SIGTERM.
    pub(crate) timeout: Duration,
    /// Time between SIGTERM and SIGKILL.
    pub(crate) grace: Duration,
    /// What the child's cgroup bounds, and its workers (for the task limit).
    pub(crate) limits: Limits,
    pub(crate) workers: u64,
    /// Start it in a PID namespace of its own (`--pid-namespace`, or
    /// `RUNNER_PID_NAMESPACE=1`); only runs ask for one.
    pub(crate) pid_namespace: bool,
}

/// How the child ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChildExit {
    /// Exited on its own with this code.
    Exited(i32),
    /// Killed by a signal it did not ask for (a crash: SIGSEGV, SIGABRT…).
    Signaled(String),
    /// Still running at the timeout; its group was ended.
    TimedOut(Duration),
    /// The runner was interrupted; the group was ended.
    Interrupted(Interrupt),
}

/// Everything learnt about a finished child besides its events.
#[derive(Debug, Clone)]
pub(crate) struct ChildReport {
    pub(crate) exit: ChildExit,
    pub(crate) stdout: Captured,
    pub(crate) stderr: Captured,
    /// Processes of its group (or escaped from it) still alive after it ended; killed since.
    pub(crate) leftovers: usize,
    /// Lines on the event stream that were not events.
    pub(crate) malformed_events: u64,
    /// What the kernel counted for the child and the descendants it reaped
    /// (`wait4`), when it was reaped.
    pub(crate) usage: Option<ReapedUsage>,
    /// The kernel's figures for the run's cgroup, when it had one.
    pub(crate) cgroup: Option<CgroupFigures>,
    /// What the host set up around the child (cgroup, namespace, itself).
    pub(crate) protections: Protections,
}

/// A reaped child's resource usage, from the kernel (`wait4`): its whole
/// life, its own threads and every descendant it waited for.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ReapedUsage {
    pub(crate) user_ns: u64,
    pub(crate) sys_ns: u64,
    pub(crate) max_rss_bytes: u64,
    pub(crate) voluntary_switches: u64,
    pub(crate) involuntary_switches: u64,
}

/// What the host can do to a child while it runs: see which process it is,
/// which pipe its events come on, and send it the go byte.
#[derive(Debug)]
pub(crate) struct RunControl {
    pid: i32,
    event_pipe: (u64, u64),
    stdin: Option<mpsc::Sender<u8>>,
}

impl RunControl {
    /// The child's pid (the leader of its process group).
    pub(crate) fn pid(&self) -> i32 {
        self.pid
    }

    /// `(st_dev, st_ino)` of the pipe the host reads events from.
    pub(crate) fn event_pipe(&self) -> (u64, u64) {
        self.event_pipe
    }

    /// Writes `byte` to the child's held stdin (never blocks the host).
    pub(crate) fn send(&self, byte: u8) {
        if let Some(stdin) = &self.stdin {
            let _ = stdin.send(byte);
        }
    }
}

/// Runs `command` under supervision, handing each event to `on_event` as it
/// arrives, with the host's time of arrival. Errors only when the child cannot
/// be started at all.
pub(crate) fn supervise(
    command: &ChildCommand,
    mut on_event: impl FnMut(Event, Instant, &mut RunControl),
) -> std::io::Result<ChildReport> {
    let (events_rx, events_tx) = std::io::pipe()?;
    let event_pipe = {
        let meta = std::fs::File::from(std::os::fd::OwnedFd::from(events_tx.try_clone()?)).metadata()?;
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    };
    // Started before the child, so nothing can fail between spawning it and
    // watching it.
    let events = read_events(events_rx)?;
    // contain: a cgroup for the run, made before the spawn; a run's process waits
    // for JOINED before it contains itself and loads the plugin: the host joins it.
    let pid_namespace = command.pid_namespace || pid_namespace_requested();
    let mut containment = RunContainment::prepare(&command.limits, command.workers, pid_namespace, command.hold_stdin);
    let mut child = spawn(command, events_tx.as_raw_fd(), &containment)?;
    drop(events_tx);
    let pid = Pid::from_raw(child.id() as i32);
    set_run_group(pid.as_raw());

    let stdin = feed_stdin(&mut child, command.stdin.clone(), command.hold_stdin);
    let mut control = RunControl { pid: pid.as_raw(), event_pipe, stdin };
    if containment.host_joins() {
        // While the child is exec'd and starts (see `contain/setup.rs`).
        containment.join(pid.as_raw());
    }
    if command.hold_stdin {
        control.send(JOINED);
    }
    let stdout = Capture::start(child.stdout.take().expect("piped"), "stdout");
    let stderr = Capture::start(child.stderr.take().expect("piped"), "stderr");

    let mut malformed_events = 0;
    let mut handle = |(at, item): (Instant, Result<Event, ()>)| match item {
        Ok(event) => on_event(event, at, &mut control),
        Err(()) => malformed_events += 1,
    };

    let deadline = Instant::now() + command.timeout;
    let exit_watch = ExitWatch::open(pid);
    let mut events_open = true;
    let ended = loop {
        if let Some(signal) = interrupted() {
            break Ending::Interrupted(signal);
        }
        if Instant::now() >= deadline {
            break Ending::TimedOut;
        }
        let wait = TICK.min(deadline.saturating_duration_since(Instant::now()));
        if events_open {
            match events.recv_timeout(wait) {
                Ok(item) => {
                    handle(item);
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => events_open = false,
                Err(RecvTimeoutError::Timeout) => {}
            }
        } else {
            // The event stream closes as the child exits: wait for its exit.
            exit_watch.wait(wait);
        }
        if has_exited(pid) {
            break Ending::Exited;
        }
    };

    let exit = match ended {
        Ending::Exited => None,
        Ending::TimedOut => Some(ChildExit::TimedOut(command.timeout)),
        Ending::Interrupted(signal) => Some(ChildExit::Interrupted(signal)),
    };
    if exit.is_some() {
        let grace = if matches!(ended, Ending::Interrupted(_)) { Duration::from_millis(500) } else { command.grace };
        end_group(pid, grace);
    }
    // contain: the cgroup kills everything the run left, escaped or not, without a race.
    let protections = containment.report.clone();
    let cgroup = containment.finish();
    // The leader is a zombie (or stuck): its group id is still ours to kill.
    let emptied = cgroup.as_ref().is_some_and(|c| c.emptied);
    let mut leftovers = kill_and_reap(pid, emptied) + cgroup.as_ref().map_or(0, |c| c.killed_leftovers as usize);
    let reaped = reap(pid);
    let status = reaped.map(|(status, _)| status);
    set_run_group(0);
    leftovers += reap_orphans();
    let exit = exit.unwrap_or_else(|| status.map_or(ChildExit::Exited(-1), exit_of));

    let drain_until = Instant::now() + DRAIN_PATIENCE;
    while events_open {
        match events.recv_timeout(drain_until.saturating_duration_since(Instant::now())) {
            Ok(item) => handle(item),
            Err(_) => events_open = false,
        }
    }
    Ok(ChildReport {
        exit: exit.clone(),
        stdout: stdout.finish(DRAIN_PATIENCE),
        stderr: stderr.finish(DRAIN_PATIENCE),
        // A run that was ended by force leaves its workers behind by design.
        leftovers: if matches!(exit, ChildExit::Exited(_) | ChildExit::Signaled(_)) { leftovers } else { 0 },
        malformed_events,
        usage: reaped.map(|(_, usage)| usage),
        cgroup,
        protections,
    })
}

#[derive(Debug, Clone, Copy)]
enum Ending {
    Exited,
    TimedOut,
    Interrupted(Interrupt),
}

fn spawn(command: &ChildCommand, event_fd: i32, containment: &RunContainment) -> std::io::Result<Child> {
    // The running binary itself, even if the file was rebuilt since it started.
    let mut cmd = Command::new("/proc/self/exe");
    cmd.args(&command.args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let parent = std::process::id() as i32;
    // contain: join the run's cgroup first, so that everything the child starts is in it.
    // SAFETY: only write(2) on descriptors opened before the fork, and unshare(2).
    unsafe { cmd.pre_exec(containment.pre_exec()) };
    // SAFETY: only async-signal-safe calls (prctl, getppid, dup2, fcntl)
    // between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            // If the runner dies (even by SIGKILL), the run dies with it.
            die_with_parent(parent)?;
            if event_fd == EVENT_FD {
                // dup2 onto itself keeps close-on-exec; clear it instead.
                if nix::libc::fcntl(EVENT_FD, nix::libc::F_SETFD, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if nix::libc::dup2(event_fd, EVENT_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// Reads event lines on a thread. A line that is too long, not UTF-8 or not an
/// event is counted as malformed and skipped; the stream goes on.
fn read_events(pipe: std::io::PipeReader) -> std::io::Result<Receiver<(Instant, Result<Event, ()>)>> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new().name("events".into()).spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match (&mut reader).take(MAX_EVENT_LINE as u64 + 1).read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
            let complete = line.ends_with(b"\n");
            if !complete && line.len() > MAX_EVENT_LINE {
                // Skip the rest of the overlong line.
                let mut rest = Vec::new();
                while !rest.ends_with(b"\n") {
                    rest.clear();
                    match (&mut reader).take(MAX_EVENT_LINE as u64).read_until(b'\n', &mut rest) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                if tx.send((Instant::now(), Err(()))).is_err() {
                    break;
                }
                continue;
            }
            let parsed = serde_json::from_slice::<Event>(&line).map_err(|_| ());
            if tx.send((Instant::now(), parsed)).is_err() {
                break;
            }
        }
    })?;
    Ok(rx)
}

/// Waits for a child's exit without polling: a pidfd is readable once the
/// process has exited (Linux ≥ 5.3). A run's events close a few hundred
/// microseconds before its exit (the kernel closes files before it tears
/// down memory), so a first look there nearly always missed, and each miss
/// slept up to a millisecond.
struct ExitWatch(Option<std::os::fd::OwnedFd>);

impl ExitWatch {
    fn open(pid: Pid) -> ExitWatch {
        // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
        let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, pid.as_raw(), 0) };
        // SAFETY: a non-negative result is a descriptor this process now owns.
        ExitWatch((fd >= 0).then(|| unsafe { std::os::fd::FromRawFd::from_raw_fd(fd as i32) }))
    }

    /// Returns when the child has exited or `most` has passed (at most
    /// [`EXIT_POLL`] without a pidfd).
    fn wait(&self, most: Duration) {
        let Some(fd) = &self.0 else {
            std::thread::sleep(EXIT_POLL.min(most));
            return;
        };
        let mut poll = nix::libc::pollfd { fd: fd.as_raw_fd(), events: nix::libc::POLLIN, revents: 0 };
        let ms = most.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd for the call's duration.
        unsafe { nix::libc::poll(&mut poll, 1, ms) };
    }
}

/// Whether the child has exited, leaving it unreaped (a zombie).
fn has_exited(pid: Pid) -> bool {
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT | WaitPidFlag::WNOHANG;
    !matches!(waitid(Id::Pid(pid), flags), Ok(WaitStatus::StillAlive))
}

/// Reaps the child with `wait4` (which also says what it used), giving up
/// after [`KILL_PATIENCE`].
fn reap(pid: Pid) -> Option<(ExitStatus, ReapedUsage)> {
    let until = Instant::now() + KILL_PATIENCE;
    loop {
        let mut status = 0;
        // SAFETY: rusage is plain old data that wait4 fills in.
        let mut usage: nix::libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child by pid; both out-pointers are valid.
        let rc = unsafe { nix::libc::wait4(pid.as_raw(), &mut status, nix::libc::WNOHANG, &mut usage) };
        match rc {
            rc if rc == pid.as_raw() => return Some((ExitStatus::from_raw(status), reaped_usage(&usage))),
            0 if Instant::now() < until => std::thread::sleep(EXIT_POLL),
            0 => {
                tracing::warn!("run process {pid} did not die after SIGKILL; going on without it");
                return None;
            }
            _ if Errno::last() == Errno::EINTR => {}
            _ => {
                tracing::warn!("could not wait for run process {pid}: {}", Errno::last());
                return None;
            }
        }
    }
}

fn reaped_usage(usage: &nix::libc::rusage) -> ReapedUsage {
    let ns = |t: nix::libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1_000;
    ReapedUsage {
        user_ns: ns(usage.ru_utime),
        sys_ns: ns(usage.ru_stime),
        max_rss_bytes: usage.ru_maxrss.max(0) as u64 * 1024,
        voluntary_switches: usage.ru_nvcsw.max(0) as u64,
        involuntary_switches: usage.ru_nivcsw.max(0) as u64,
    }
}

/// Writes the child's input on a thread, so a child that never reads cannot
/// block the runner; with `hold`, the thread then writes whatever bytes come
/// on the returned channel, and closes stdin when its sender is dropped.
fn feed_stdin(child: &mut Child, input: Vec<u8>, hold: bool) -> Option<mpsc::Sender<u8>> {
    let mut stdin = child.stdin.take()?;
    let (tx, rx) = mpsc::channel::<u8>();
    let _ = std::thread::Builder::new().name("stdin".into()).spawn(move || {
        if stdin.write_all(&input).is_err() || !hold {
            return;
        }
        while let Ok(byte) = rx.recv() {
            if stdin.write_all(&[byte]).is_err() {
                return;
            }
        }
    });
    hold.then_some(tx)
}

/// SIGTERM to the group, up to `grace` for the leader to exit, then SIGKILL to
/// the group; returns once the leader has exited or [`KILL_PATIENCE`] passed.
fn end_group(pid: Pid, grace: Duration) {
    signal_group(pid, Signal::SIGTERM);
    let until = Instant::now() + grace;
    while Instant::now() < until && !has_exited(pid) {
        std::thread::sleep(EXIT_POLL);
    }
    signal_group(pid, Signal::SIGKILL);
    let until = Instant::now() + KILL_PATIENCE;
    while Instant::now() < until && !has_exited(pid) {
        std::thread::sleep(EXIT_POLL);
    }
}

fn exit_of(status: ExitStatus) -> ChildExit {
    match (status.code(), status.signal()) {
        (Some(code), _) => ChildExit::Exited(code),
        (None, Some(signal)) => ChildExit::Signaled(signal_name(signal)),
        (None, None) => ChildExit::Exited(-1),
    }
}
