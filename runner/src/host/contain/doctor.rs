//! `runner doctor`: which protections this machine offers a run, and the
//! machine facts that move figures (cores, governor, huge pages, load now).
//! Runs in the host, reads /proc and /sys, and tries in a forked child the
//! things that can only be known by trying (namespaces).

use std::fmt;

use serde::Serialize;

use super::cgroup;

/// The load average under which figures are worth taking.
pub(crate) const QUIET_LOAD: f64 = 0.5;

/// A cgroup join slower than this is worth a word of advice.
const SLOW_JOIN_MS: f64 = 1.0;

/// What `runner doctor` reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Doctor {
    pub(crate) kernel: String,
    pub(crate) root: bool,
    pub(crate) landlock_abi: Result<i64, String>,
    pub(crate) seccomp: Result<(), String>,
    pub(crate) cgroup_version: Option<&'static str>,
    /// Whether the runner could make (and remove) a run's cgroup just now.
    pub(crate) cgroup_creatable: Result<String, String>,
    /// What joining a run's group cost just now, in ms (see `join_cost.rs`).
    pub(crate) cgroup_join_ms: Result<f64, String>,
    pub(crate) user_namespaces: Result<(), String>,
    pub(crate) pid_namespaces: Result<(), String>,
    pub(crate) cores: usize,
    pub(crate) governor: Option<String>,
    pub(crate) transparent_huge_pages: Option<String>,
    pub(crate) load: Option<[f64; 3]>,
}

impl Doctor {
    /// Whether the one-minute load is under [`QUIET_LOAD`].
    pub(crate) fn quiet(&self) -> Option<bool> {
        self.load.map(|l| l[0] < QUIET_LOAD)
    }
}

/// Looks at this machine now (takes a few milliseconds: it forks twice).
pub(crate) fn examine() -> Doctor {
    let read = |path: &str| std::fs::read_to_string(path).ok().map(|s| s.trim().to_owned());
    // SAFETY: geteuid cannot fail.
    let root = unsafe { nix::libc::geteuid() } == 0;
    Doctor {
        kernel: read("/proc/sys/kernel/osrelease").unwrap_or_else(|| "unknown".into()),
        root,
        landlock_abi: crate::machine::landlock_abi(),
        seccomp: seccomp_available(),
        cgroup_version: crate::machine::cgroup::version(),
        cgroup_creatable: cgroup::RunCgroup::create(1 << 30, 64).map(|g| {
            let what: Vec<&str> = g.applied.iter().filter(|(_, r)| r.is_ok()).map(|(n, _)| *n).collect();
            what.join(", ")
        }),
        cgroup_join_ms: super::join_cost::measure().map(|d| d.as_secs_f64() * 1e3),
        user_namespaces: try_in_child(nix::libc::CLONE_NEWUSER),
        pid_namespaces: try_in_child(nix::libc::CLONE_NEWPID | if root { 0 } else { nix::libc::CLONE_NEWUSER }),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        governor: read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        transparent_huge_pages: read("/sys/kernel/mm/transparent_hugepage/enabled").map(|s| {
            // "always [madvise] never": the bracketed one is in force.
            s.split_whitespace().find(|w| w.starts_with('[')).map_or(s.clone(), |w| w.trim_matches(['[', ']']).into())
        }),
        load: read("/proc/loadavg").and_then(|s| {
            let v: Vec<f64> = s.split_whitespace().take(3).filter_map(|x| x.parse().ok()).collect();
            (v.len() == 3).then(|| [v[0], v[1], v[2]])
        }),
    }
}

fn seccomp_available() -> Result<(), String> {
    // SAFETY: prctl with integer arguments only.
    let mode = unsafe { nix::libc::prctl(nix::libc::PR_GET_SECCOMP, 0, 0, 0, 0) };
    if mode < 0 {
        return Err(format!("PR_GET_SECCOMP: {}", std::io::Error::last_os_error()));
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if !status.contains("Seccomp_filters:") && !status.contains("Seccomp:") {
        return Err("the kernel reports no seccomp".into());
    }
    Ok(())
}

/// unshare(`flags`) in a forked child; only async-signal-safe calls there.
fn try_in_child(flags: i32) -> Result<(), String> {
    // SAFETY: the child calls only unshare and _exit.
    let pid = unsafe { nix::libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        // SAFETY: as above.
        unsafe {
            let errno = if nix::libc::unshare(flags) == 0 { 0 } else { *nix::libc::__errno_location() };
            nix::libc::_exit(errno.min(255));
        }
    }
    let mut status = 0;
    // SAFETY: waits for the child just forked, by pid.
    unsafe { nix::libc::waitpid(pid, &mut status, 0) };
    match nix::libc::WEXITSTATUS(status) {
        0 => Ok(()),
        errno => Err(format!("unshare: {}", std::io::Error::from_raw_os_error(errno))),
    }
}

fn yes(r: &Result<(), String>) -> String {
    match r {
        Ok(()) => "yes".into(),
        Err(e) => format!("no ({e})"),
    }
}

impl fmt::Display for Doctor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "protections a run can have here")?;
        writeln!(f, "  kernel                 {}", self.kernel)?;
        writeln!(
            f,
            "  running as root        {}",
            if self.root { "yes (capabilities are dropped in runs)" } else { "no" }
        )?;
        match &self.landlock_abi {
            Ok(v) => writeln!(
                f,
                "  Landlock               ABI {v}{}",
                match v {
                    ..=3 => " (filesystem only: no TCP rules, no signal scope)",
                    4..=5 => " (filesystem and TCP; no signal scope: a run can signal the runner)",
                    _ => " (filesystem, TCP, signal and abstract-socket scope)",
                }
            )?,
            Err(e) => writeln!(f, "  Landlock               no ({e})")?,
        }
        writeln!(f, "  seccomp filters        {}", yes(&self.seccomp))?;
        writeln!(f, "  cgroup                 {}", self.cgroup_version.unwrap_or("none"))?;
        match &self.cgroup_creatable {
            Ok(what) => writeln!(f, "  run cgroups            yes: {what}")?,
            Err(e) => writeln!(f, "  run cgroups            no ({e})")?,
        }
        match &self.cgroup_join_ms {
            Ok(ms) if *ms > SLOW_JOIN_MS => writeln!(
                f,
                "  joining a run's cgroup {ms:.2} ms per run (the kernel waits for an RCU grace period; {})",
                super::join_cost::advice(self.cgroup_version)
            )?,
            Ok(ms) => writeln!(f, "  joining a run's cgroup {ms:.2} ms per run")?,
            Err(_) => {}
        }
        writeln!(f, "  user namespaces        {}", yes(&self.user_namespaces))?;
        writeln!(f, "  PID namespaces         {}", yes(&self.pid_namespaces))?;
        writeln!(f, "machine facts that move figures")?;
        writeln!(f, "  cores                  {}", self.cores)?;
        writeln!(
            f,
            "  frequency governor     {}",
            self.governor.as_deref().unwrap_or("none exposed (no cpufreq: a VM, or fixed frequency)")
        )?;
        writeln!(f, "  transparent huge pages {}", self.transparent_huge_pages.as_deref().unwrap_or("unknown"))?;
        match (self.load, self.quiet()) {
            (Some([one, five, fifteen]), Some(quiet)) => {
                writeln!(f, "  load average           {one:.2} {five:.2} {fifteen:.2}")?;
                if quiet {
                    writeln!(f, "quiet enough to measure: yes (load {one:.2} < {QUIET_LOAD})")
                } else {
                    writeln!(f, "quiet enough to measure: no (load {one:.2} ≥ {QUIET_LOAD}: figures will be noisy)")
                }
            }
            _ => writeln!(f, "quiet enough to measure: unknown (no /proc/loadavg)"),
        }
    }
}
