//! The host's half of a PID namespace per run: between fork and exec of the
//! run's process, `unshare(CLONE_NEWPID)`; the run's half (its init and the
//! run as pid 2) is `crate::run::contain::pidns`.

use nix::libc;

/// For `Command::pre_exec`: the run's process's children will be in a new
/// PID namespace. Only `unshare`: async-signal-safe.
pub(crate) fn unshare_from_pre_exec() -> impl Fn() -> std::io::Result<()> + Send + Sync + 'static {
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    move || {
        let flags = libc::CLONE_NEWPID | if root { 0 } else { libc::CLONE_NEWUSER };
        // SAFETY: unshare with integer flags.
        if unsafe { libc::unshare(flags) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
}
