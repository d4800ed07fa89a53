//! SIGINT and SIGTERM to the runner: recorded by a handler that the
//! supervision loop polls, so the current run's process group is ended and
//! reaped before the runner reports what it has and exits (130 / 143).
//!
//! Run processes are in their own process groups, so a terminal's Ctrl-C
//! reaches only the runner; it is the runner's job to pass it on. The sender of
//! each signal is recorded too: a plugin may not stop the runner (and so change
//! its exit code) by signalling it, so signals sent from inside the current
//! run are ignored.

use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::Signal;

static SIGNAL: AtomicI32 = AtomicI32::new(0);
static SENDER: AtomicI32 = AtomicI32::new(0);
/// Process group of the run being supervised, 0 when none.
static RUN_GROUP: AtomicI32 = AtomicI32::new(0);

/// A signal that asked the runner to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupt {
    /// SIGINT (Ctrl-C): exit code 130.
    Int,
    /// SIGTERM: exit code 143.
    Term,
}

impl Interrupt {
    /// The conventional exit code, 128 + signal number.
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Interrupt::Int => 130,
            Interrupt::Term => 143,
        }
    }

    /// `SIGINT` or `SIGTERM`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Interrupt::Int => "SIGINT",
            Interrupt::Term => "SIGTERM",
        }
    }
}

/// Installs the handlers. Until then, the default actions apply.
pub(crate) fn install_interrupt_handler() -> std::io::Result<()> {
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        let number = signal as i32;
        // SAFETY: the action only stores to atomics, which is async-signal-safe.
        unsafe {
            signal_hook_registry::register_sigaction(number, move |info: &nix::libc::siginfo_t| {
                SENDER.store(info.si_pid(), Ordering::SeqCst);
                SIGNAL.store(number, Ordering::SeqCst);
            })?;
        }
    }
    Ok(())
}

/// Tells the signal check which process group is the current run's.
pub(super) fn set_run_group(pgid: i32) {
    RUN_GROUP.store(pgid, Ordering::SeqCst);
}

/// The signal received so far, if any, unless it came from the current run.
pub(crate) fn interrupted() -> Option<Interrupt> {
    let signal = SIGNAL.load(Ordering::SeqCst);
    let interrupt = match signal {
        0 => return None,
        s if s == Signal::SIGINT as i32 => Interrupt::Int,
        _ => Interrupt::Term,
    };
    let sender = SENDER.load(Ordering::SeqCst);
    let group = RUN_GROUP.load(Ordering::SeqCst);
    if sender > 0 && group > 0 && sent_from_run(sender, group) {
        tracing::warn!("ignored {} sent by process {sender} of the run being measured", interrupt.name());
        let _ = SIGNAL.compare_exchange(signal, 0, Ordering::SeqCst, Ordering::SeqCst);
        return None;
    }
    Some(interrupt)
}

/// Whether `pid` is in the run's group or descends from its leader (a plugin
/// may have left the group with `setsid`).
fn sent_from_run(pid: i32, group: i32) -> bool {
    let mut current = pid;
    for _ in 0..64 {
        let Some((ppid, pgrp)) = parent_and_group(current) else { return false };
        if pgrp == group || current == group {
            return true;
        }
        if ppid <= 1 || ppid == std::process::id() as i32 {
            return false;
        }
        current = ppid;
    }
    false
}

fn parent_and_group(pid: i32) -> Option<(i32, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace().skip(1);
    Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
}
