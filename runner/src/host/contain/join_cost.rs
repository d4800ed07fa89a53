//! What joining a run's cgroup costs on this machine, measured by `runner
//! doctor`: a forked child joins a fresh group the way a run's process does
//! (between fork and exec) and times it.
//!
//! Why it matters: moving a task between cgroups takes the kernel's
//! `cgroup_threadgroup_rwsem` for writing, which waits for an RCU grace
//! period unless the kernel favours dynamic cgroup changes. Measured here
//! (v1, kernel 6.18, load ~5): 0.15–31 ms per join, median ~11 ms; after
//! mounting any hierarchy with `favordynmods` (the mode is the whole
//! kernel's, and stayed after the mount was gone), 0.11–0.20 ms.

use std::time::Duration;

use super::cgroup::RunCgroup;

/// The median of a few joins, or why none could be timed.
pub(crate) fn measure() -> Result<Duration, String> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let group = RunCgroup::create(1 << 30, 64)?;
        times.push(join_once(&group)?);
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// How to remove the wait, for the machine's cgroup version.
pub(crate) fn advice(version: Option<&str>) -> &'static str {
    if version == Some("v2") {
        "as root: mount -o remount,favordynmods /sys/fs/cgroup (until reboot)"
    } else {
        "as root: mkdir -p /run/runner-favordynmods && mount -t cgroup -o none,name=runner,favordynmods cgroup \
         /run/runner-favordynmods (until reboot; the mode is the kernel's)"
    }
}

fn join_once(group: &RunCgroup) -> Result<Duration, String> {
    let join = group.join_from_pre_exec();
    let (mut read, write) = std::io::pipe().map_err(|e| e.to_string())?;
    // SAFETY: the child only joins (write(2)), reads the clock, writes a
    // pipe and _exits: async-signal-safe.
    let pid = unsafe { nix::libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        use std::os::fd::AsRawFd;
        let started = crate::protocol::monotonic_ns();
        let ok = join().is_ok();
        let took: u64 = if ok { crate::protocol::monotonic_ns() - started } else { u64::MAX };
        // SAFETY: as above.
        unsafe {
            nix::libc::write(write.as_raw_fd(), took.to_ne_bytes().as_ptr().cast(), 8);
            nix::libc::_exit(0);
        }
    }
    drop(write);
    let mut bytes = [0u8; 8];
    let got = std::io::Read::read_exact(&mut read, &mut bytes);
    let mut status = 0;
    // SAFETY: waits for the child just forked, by pid.
    unsafe { nix::libc::waitpid(pid, &mut status, 0) };
    got.map_err(|e| format!("the child said nothing: {e}"))?;
    match u64::from_ne_bytes(bytes) {
        u64::MAX => Err("the child could not join the group".into()),
        ns => Ok(Duration::from_nanos(ns)),
    }
}
