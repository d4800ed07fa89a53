//! Spawning one child (`runner __worker` or `runner __describe`) and watching
//! it until it ends, times out or the runner is interrupted.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::unistd::Pid;

use super::capture::{Capture, Captured};
use super::group::{kill_and_reap, signal_group};
use super::signals::{Interrupt, interrupted};
use crate::event::Event;

/// How often the loop looks at the clock, the child and the interrupt flag.
const TICK: Duration = Duration::from_millis(20);
/// How often to look for the child's exit once its event stream has closed.
const EXIT_POLL: Duration = Duration::from_millis(1);
/// How long events and output may keep arriving after the child has exited.
const DRAIN_PATIENCE: Duration = Duration::from_secs(2);

/// The file descriptor on which a child writes its events.
pub const EVENT_FD: i32 = 3;

/// What to run.
#[derive(Debug, Clone)]
pub struct ChildCommand {
    /// Arguments after the runner's own executable.
    pub args: Vec<OsString>,
    /// Written to the child's stdin, which is then closed.
    pub stdin: Vec<u8>,
    /// Time allowed before the group is sent SIGTERM.
    pub timeout: Duration,
    /// Time between SIGTERM and SIGKILL.
    pub grace: Duration,
}

/// How the child ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildExit {
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
pub struct ChildReport {
    pub exit: ChildExit,
    pub stdout: Captured,
    pub stderr: Captured,
    /// Processes of its group still alive after it ended (killed since).
    pub leftovers: usize,
    /// Lines on the event stream that were not events.
    pub malformed_events: u64,
}

/// Runs `command` under supervision, handing each event to `on_event` as it
/// arrives. Errors only when the child cannot be started at all.
pub fn supervise(command: &ChildCommand, mut on_event: impl FnMut(Event)) -> std::io::Result<ChildReport> {
    let (events_rx, events_tx) = std::io::pipe()?;
    let event_fd = events_tx.as_raw_fd();
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(&command.args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    // SAFETY: only async-signal-safe calls (dup2, fcntl) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
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
    let mut child = cmd.spawn()?;
    drop(events_tx);
    drop(cmd);
    let pgid = Pid::from_raw(child.id() as i32);

    feed_stdin(&mut child, command.stdin.clone());
    let stdout = Capture::start(child.stdout.take().expect("piped"), "stdout");
    let stderr = Capture::start(child.stderr.take().expect("piped"), "stderr");
    let (tx, rx) = mpsc::channel::<Result<Event, String>>();
    std::thread::Builder::new().name("events".into()).spawn(move || {
        for line in BufReader::new(events_rx).lines() {
            let Ok(line) = line else { break };
            let parsed = serde_json::from_str::<Event>(&line).map_err(|_| line);
            if tx.send(parsed).is_err() {
                break;
            }
        }
    })?;

    let mut malformed_events = 0;
    let mut handle = |item: Result<Event, String>| match item {
        Ok(event) => on_event(event),
        Err(line) => {
            malformed_events += 1;
            tracing::debug!("not an event: {}", line.chars().take(200).collect::<String>());
        }
    };

    let deadline = Instant::now() + command.timeout;
    let mut events_open = true;
    let exit = loop {
        if let Some(signal) = interrupted() {
            end_group(&mut child, pgid, Duration::from_millis(500));
            break ChildExit::Interrupted(signal);
        }
        if events_open {
            match rx.recv_timeout(TICK.min(deadline.saturating_duration_since(Instant::now()))) {
                Ok(item) => {
                    handle(item);
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => events_open = false,
                Err(RecvTimeoutError::Timeout) => {}
            }
        } else {
            // The event stream closes as the child exits: look again soon.
            std::thread::sleep(EXIT_POLL.min(deadline.saturating_duration_since(Instant::now())));
        }
        if let Some(status) = child.try_wait()? {
            break exit_of(status);
        }
        if Instant::now() >= deadline {
            end_group(&mut child, pgid, command.grace);
            break ChildExit::TimedOut(command.timeout);
        }
    };

    // Whatever the child left in its group dies now, before we wait for pipes
    // that those processes might hold open.
    let leftovers = kill_and_reap(pgid);
    let drain_until = Instant::now() + DRAIN_PATIENCE;
    while events_open {
        match rx.recv_timeout(drain_until.saturating_duration_since(Instant::now())) {
            Ok(item) => handle(item),
            Err(_) => events_open = false,
        }
    }
    Ok(ChildReport {
        exit,
        stdout: stdout.finish(DRAIN_PATIENCE),
        stderr: stderr.finish(DRAIN_PATIENCE),
        leftovers,
        malformed_events,
    })
}

/// Writes the child's input on a thread, so a child that never reads cannot
/// block the runner.
fn feed_stdin(child: &mut Child, input: Vec<u8>) {
    if let Some(mut stdin) = child.stdin.take() {
        let _ = std::thread::Builder::new().name("stdin".into()).spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
}

/// SIGTERM to the group, up to `grace` for the child to go, then SIGKILL; the
/// child is reaped either way.
fn end_group(child: &mut Child, pgid: Pid, grace: Duration) {
    signal_group(pgid, Signal::SIGTERM);
    let until = Instant::now() + grace;
    while Instant::now() < until {
        if let Ok(Some(_)) = child.try_wait() {
            signal_group(pgid, Signal::SIGKILL);
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    signal_group(pgid, Signal::SIGKILL);
    let _ = child.wait();
}

fn exit_of(status: ExitStatus) -> ChildExit {
    match (status.code(), status.signal()) {
        (Some(code), _) => ChildExit::Exited(code),
        (None, Some(signal)) => ChildExit::Signaled(signal_name(signal)),
        (None, None) => ChildExit::Exited(-1),
    }
}

/// `SIGSEGV` for 11, or `signal N` when the number is not known.
pub fn signal_name(signal: i32) -> String {
    Signal::try_from(signal).map(|s| s.as_str().to_owned()).unwrap_or_else(|_| format!("signal {signal}"))
}
