//! What a run's process's end means to the host.

use nix::sys::signal::Signal;

/// Exit code of a run process that a plugin ended with `fail_run`.
pub(crate) const RUN_ABORTED_EXIT: i32 = 3;

/// `SIGSEGV` for 11, or `signal N` when the number is not known: how both sides
/// name a process killed by a signal.
pub(crate) fn signal_name(signal: i32) -> String {
    Signal::try_from(signal).map(|s| s.as_str().to_owned()).unwrap_or_else(|_| format!("signal {signal}"))
}
