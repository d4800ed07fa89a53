//! Process groups: who is still in one, ending all of them, and reaping the
//! orphans that the runner adopts as a subreaper.
//!
//! Why a subreaper: a worker process that dies leaves its own children to the
//! nearest subreaper, else to PID 1 — which in a container may never reap them,
//! leaving zombies. As a subreaper the runner adopts them and reaps them itself,
//! by pid (never `waitpid(-1)`, which could steal another part's child).

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

/// Makes this process the subreaper of its descendants (Linux only).
pub(crate) fn become_subreaper() {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only sets a process attribute.
    let rc = unsafe { nix::libc::prctl(nix::libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    if rc != 0 {
        tracing::debug!("could not become a child subreaper: {}", std::io::Error::last_os_error());
    }
}

/// For `pre_exec` in a child of `parent`: the child gets SIGKILL when the
/// runner dies (even by SIGKILL), and gives up if the runner is already gone.
/// Only async-signal-safe calls.
pub(crate) fn die_with_parent(parent: i32) -> std::io::Result<()> {
    // SAFETY: prctl and getppid are async-signal-safe and touch no memory.
    let armed = unsafe { nix::libc::prctl(nix::libc::PR_SET_PDEATHSIG, nix::libc::SIGKILL, 0, 0, 0) } == 0;
    // SAFETY: as above.
    if !armed || unsafe { nix::libc::getppid() } != parent {
        return Err(std::io::Error::other("the runner exited while starting a child"));
    }
    Ok(())
}

/// A process as `/proc/PID/stat` describes it.
#[derive(Debug, Clone, Copy)]
struct ProcStat {
    pid: i32,
    state: char,
    ppid: i32,
    pgrp: i32,
}

fn read_stat(pid: i32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: split after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some(ProcStat { pid, state, ppid, pgrp })
}

fn all_processes() -> impl Iterator<Item = ProcStat> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(read_stat)
}

/// This process's children: what every thread's `/proc/self/task/TID/children`
/// lists (an adopted orphan's parent is any live thread of the subreaper).
/// A few small reads where scanning `/proc` reads every process's stat
/// (measured: 3 scans of ~70 processes were a fifth of a no-op run's CPU).
/// `None` where the kernel lacks these files (CONFIG_PROC_CHILDREN).
fn own_children() -> Option<Vec<i32>> {
    if !std::path::Path::new("/proc/thread-self/children").exists() {
        return None;
    }
    let mut pids = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        // A thread that ended meanwhile has handed its children to another.
        let Ok(text) = std::fs::read_to_string(task.path().join("children")) else { continue };
        pids.extend(text.split_whitespace().filter_map(|p| p.parse::<i32>().ok()));
    }
    Some(pids)
}

/// This process's children as `/proc/PID/stat` describes them.
fn children() -> Vec<ProcStat> {
    match own_children() {
        Some(pids) => pids.into_iter().filter_map(read_stat).collect(),
        None => {
            let me = std::process::id() as i32;
            all_processes().filter(|p| p.ppid == me).collect()
        }
    }
}

/// Live (non-zombie) members of process group `pgid`, the leader included if alive.
pub(crate) fn live_members(pgid: Pid) -> usize {
    all_processes().filter(|p| p.pgrp == pgid.as_raw() && p.state != 'Z').count()
}

/// Sends `signal` to every process of the group; a group that is already gone
/// is not an error.
pub(crate) fn signal_group(pgid: Pid, signal: Signal) {
    match killpg(pgid, signal) {
        Ok(()) | Err(Errno::ESRCH) => {}
        Err(e) => tracing::warn!("could not send {signal} to process group {pgid}: {e}"),
    }
}

/// Kills what is left of group `pgid` and reaps those of its processes that
/// were adopted by this (subreaper) process. Returns how many were still alive.
/// `emptied`: the run's cgroup held all its processes and is empty now, so
/// nothing of the group can be alive (and `/proc` need not be scanned).
pub(crate) fn kill_and_reap(pgid: Pid, emptied: bool) -> usize {
    let left = if emptied { 0 } else { live_members(pgid) };
    if left > 0 {
        signal_group(pgid, Signal::SIGKILL);
    }
    reap_adopted(pgid);
    left
}

/// Reaps this process's children that belong to group `pgid`, waiting briefly
/// for SIGKILLed ones to die.
fn reap_adopted(pgid: Pid) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        // The leader (pid == pgid) is left to its owner, who reaps it with its status.
        let mine: Vec<ProcStat> =
            children().into_iter().filter(|p| p.pgrp == pgid.as_raw() && p.pid != pgid.as_raw()).collect();
        if mine.is_empty() {
            return;
        }
        for p in &mine {
            let flags = if p.state == 'Z' { None } else { Some(WaitPidFlag::WNOHANG) };
            let _ = waitpid(Pid::from_raw(p.pid), flags);
        }
        if std::time::Instant::now() >= deadline {
            tracing::warn!("{} process(es) of group {pgid} did not die after SIGKILL", mine.len());
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Children the runner started on purpose and keeps (the embedded server).
static KEPT: std::sync::Mutex<Vec<i32>> = std::sync::Mutex::new(Vec::new());

/// Marks `pid`, a child of the runner, as not an orphan.
pub(crate) fn keep_child(pid: u32) {
    KEPT.lock().unwrap_or_else(|p| p.into_inner()).push(pid as i32);
}

/// Forgets a child marked with [`keep_child`].
pub(crate) fn forget_child(pid: u32) {
    KEPT.lock().unwrap_or_else(|p| p.into_inner()).retain(|&kept| kept != pid as i32);
}

/// Kills and reaps every child this (subreaper) process has adopted: processes
/// of a finished run that escaped its group (`setsid`) and were orphaned when
/// the run's process died. Called when no run is in flight, so every child
/// found, other than those kept on purpose, is such an orphan. Returns how
/// many there were.
pub(crate) fn reap_orphans() -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let mut killed = std::collections::BTreeSet::new();
    loop {
        let kept = KEPT.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let orphans: Vec<ProcStat> = children().into_iter().filter(|p| !kept.contains(&p.pid)).collect();
        if orphans.is_empty() || std::time::Instant::now() >= deadline {
            return killed.len();
        }
        for p in &orphans {
            let pid = Pid::from_raw(p.pid);
            if p.state != 'Z' {
                killed.insert(p.pid);
                let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
            }
            let flags = if p.state == 'Z' { None } else { Some(WaitPidFlag::WNOHANG) };
            let _ = waitpid(pid, flags);
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
