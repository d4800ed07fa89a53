//! What a run's process's end means to the host.

use nix::sys::signal::Signal;

/// Exit code of a run process that a plugin ended with `fail_run`.
pub(crate) const RUN_ABORTED_EXIT: i32 = 3;

/// `SIGSEGV` for 11, or `signal N` when the number is not known: how both sides
/// name a process killed by a signal.
pub(crate) fn signal_name(signal: i32) -> String {
    Signal::try_from(signal).map(|s| s.as_str().to_owned()).unwrap_or_else(|_| format!("signal {signal}"))
}

/// What a run's process writes on stderr, before dying by `SIGSYS`, when it
/// made a system call the sandbox denies: this prefix, the call's name, a
/// newline. The host names the verdict from the signal; the name is the
/// run's word (a submission that forges it only fails itself).
pub(crate) const FORBIDDEN_CALL_MARKER: &str = "runner: forbidden system call: ";

/// The call a run's stderr says it was stopped at, from the last
/// [`FORBIDDEN_CALL_MARKER`] line of `stderr`.
pub(crate) fn forbidden_call_in(stderr: &str) -> Option<&str> {
    let line = stderr.lines().rev().find_map(|l| l.trim().strip_prefix(FORBIDDEN_CALL_MARKER))?;
    // A name of the denied list, not whatever a submission wrote there.
    let name = line.split_whitespace().next()?;
    (name.len() <= 40 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_marker_line_names_the_call() {
        let stderr = format!("hello\n{FORBIDDEN_CALL_MARKER}mount\n{FORBIDDEN_CALL_MARKER}ptrace\nbye\n");
        assert_eq!(forbidden_call_in(&stderr), Some("ptrace"));
        assert_eq!(forbidden_call_in("nothing here"), None);
        assert_eq!(forbidden_call_in(&format!("{FORBIDDEN_CALL_MARKER}<b>x</b>")), None);
    }
}
