//! CPU time of a run's process from outside: the kernel's per-process CPU
//! clock (`clock_getcpuclockid`, ns, every thread including those that have
//! exited) plus, from `/proc/PID/stat`, the children it has reaped (in clock
//! ticks). Read when the host says go and when it reads `measured`; the
//! difference is the measured phase's CPU.

/// CPU time of a process and its reaped children, in ns, split as the kernel
/// splits it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CpuTime {
    pub(crate) user_ns: u64,
    pub(crate) sys_ns: u64,
}

impl CpuTime {
    /// `pid`'s CPU time now, or `None` once it is gone.
    pub(crate) fn of(pid: i32) -> Option<CpuTime> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name, which may hold spaces: utime is field 14.
        let fields: Vec<u64> =
            stat[stat.rfind(')')? + 2..].split_whitespace().skip(11).take(4).filter_map(|f| f.parse().ok()).collect();
        let [utime, stime, cutime, cstime] = fields[..] else { return None };
        let tick = 1_000_000_000 / clock_ticks_per_second();
        // The CPU clock counts the process itself to the ns; the ticks only
        // split it into user and system time.
        let own_ns = process_clock_ns(pid).unwrap_or((utime + stime) * tick);
        let own_ticks = utime + stime;
        let own_user = (own_ns * utime).checked_div(own_ticks).unwrap_or(own_ns);
        Some(CpuTime { user_ns: own_user + cutime * tick, sys_ns: own_ns - own_user + cstime * tick })
    }

    /// The CPU used between `earlier` and `self`.
    pub(crate) fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user_ns: self.user_ns.saturating_sub(earlier.user_ns),
            sys_ns: self.sys_ns.saturating_sub(earlier.sys_ns),
        }
    }

    #[cfg(test)]
    pub(crate) fn total_ns(self) -> u64 {
        self.user_ns + self.sys_ns
    }
}

fn process_clock_ns(pid: i32) -> Option<u64> {
    let mut clock: nix::libc::clockid_t = 0;
    // SAFETY: writes the clock id of `pid` into `clock`.
    if unsafe { nix::libc::clock_getcpuclockid(pid, &mut clock) } != 0 {
        return None;
    }
    // SAFETY: timespec is plain old data that clock_gettime fills in.
    let mut now: nix::libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: a valid clock id and a valid out-pointer.
    if unsafe { nix::libc::clock_gettime(clock, &mut now) } != 0 {
        return None;
    }
    Some(now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64)
}

/// The kernel's clock tick (`USER_HZ`), the unit of /proc's CPU counters.
pub(super) fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { nix::libc::sysconf(nix::libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as u64 } else { 100 }
}

#[cfg(test)]
mod tests {
    use super::CpuTime;

    #[test]
    fn counts_this_process_spinning() {
        let pid = std::process::id() as i32;
        let before = CpuTime::of(pid).unwrap();
        // Spin until the kernel has counted 50 ms of CPU (however loaded the
        // machine is); the clock must see it, and not much more.
        let start = std::time::Instant::now();
        let mut x = 0u64;
        let used = loop {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_add(1));
            }
            let used = CpuTime::of(pid).unwrap().since(before);
            if used.total_ns() >= 50_000_000 || start.elapsed() > std::time::Duration::from_secs(20) {
                break used;
            }
        };
        assert!(used.total_ns() >= 50_000_000, "{used:?}");
    }
}
