//! Containment set up by the host (the `runner` the user started) around
//! each run's process: the runner made non-dumpable (so a run of the same
//! uid cannot read its memory or descriptors through /proc), and a cgroup per
//! run made before the spawn, emptied and removed after the run.
//!
//! Joining the group: a run's process (which waits for [`JOINED`] before it
//! contains itself and loads the plugin) is put there by the host right after
//! the spawn, while it is exec'd and starts, so the kernel's wait for the join
//! overlaps that work; other children (describe, verify) and runs in a PID namespace (whose
//! init forks the run at once) join between fork and exec.
//!
//! [`JOINED`]: crate::protocol::JOINED

use super::cgroup::{CgroupFigures, RunCgroup};
use crate::protocol::contain::Limits;
use crate::protocol::contain::Protections;

/// Host-side containment of one run. Create it before the spawn, call
/// [`RunContainment::pre_exec`] in the spawn's `pre_exec`, and
/// [`RunContainment::finish`] once the run's process has exited (before any
/// report is written); dropping it does the same clean-up.
#[derive(Debug)]
pub struct RunContainment {
    cgroup: Option<RunCgroup>,
    /// Start the run in a PID namespace of its own (see `pidns.rs`).
    pid_namespace: bool,
    /// Join the group between fork and exec, rather than from the host.
    join_in_pre_exec: bool,
    /// The host's join failed: the run's processes are not all in the group.
    join_failed: bool,
    /// What the host applied (cgroup_*, runner_dumpable).
    pub(crate) report: Protections,
}

impl RunContainment {
    /// Everything the host can set up for a run of `workers` workers under
    /// `limits`. `host_joins`: the child waits for [`crate::protocol::JOINED`],
    /// so the host may join it after the spawn ([`RunContainment::join`]).
    pub fn prepare(limits: &Limits, workers: u64, pid_namespace: bool, host_joins: bool) -> RunContainment {
        let mut report = Protections::default();
        report.record("runner_dumpable", harden_runner());
        let cgroup = match RunCgroup::create(limits.memory_bytes, limits.processes_for(workers)) {
            Ok(group) => {
                for (name, result) in &group.applied {
                    report.record(name, result.clone());
                }
                Some(group)
            }
            Err(why) => {
                for name in ["cgroup_memory", "cgroup_pids", "cgroup_cpu", "cgroup_kill"] {
                    report.unavailable(name, why.clone());
                }
                None
            }
        };
        // Only when asked for (--pid-namespace): the cgroup already ends
        // every process of the run and Landlock's signal scope keeps the
        // runner out of reach, so its absence is no gap to report.
        if pid_namespace {
            report
                .applied("pid_namespace", "the run is pid 2 of a namespace of its own; the runner is not in its view");
        }
        RunContainment {
            cgroup,
            pid_namespace,
            join_in_pre_exec: pid_namespace || !host_joins,
            join_failed: false,
            report,
        }
    }

    /// Whether the host is to call [`RunContainment::join`] after the spawn.
    pub(crate) fn host_joins(&self) -> bool {
        !self.join_in_pre_exec
    }

    /// Puts the spawned child in the group (when [`Self::host_joins`]). A
    /// failure leaves the run without the group's limits, which the report
    /// then says.
    pub(crate) fn join(&mut self, pid: i32) {
        let Some(group) = &self.cgroup else { return };
        if let Err(why) = group.join_pid(pid) {
            self.join_failed = true;
            for name in ["cgroup_memory", "cgroup_pids", "cgroup_cpu", "cgroup_kill"] {
                self.report.items.retain(|item| item.name != name);
                self.report.unavailable(name, format!("could not join the run's group: {why}"));
            }
        }
    }

    /// The closure to run in the child between fork and exec
    /// (async-signal-safe): joins the cgroup (unless the host joins it),
    /// then unshares the PID namespace.
    pub(crate) fn pre_exec(&self) -> impl FnMut() -> std::io::Result<()> + Send + Sync + 'static {
        let join = self.cgroup.as_ref().filter(|_| self.join_in_pre_exec).map(RunCgroup::join_from_pre_exec);
        let unshare = self.pid_namespace.then(super::pidns::unshare_from_pre_exec);
        move || {
            if let Some(join) = &join {
                join()?;
            }
            if let Some(unshare) = &unshare {
                unshare()?;
            }
            Ok(())
        }
    }

    /// Ends every process the run left, reads the kernel's figures and
    /// removes the group. `None` when there was no group.
    pub fn finish(mut self) -> Option<CgroupFigures> {
        let mut group = self.cgroup.take()?;
        let empty = group.kill_all();
        // A spawn whose pre_exec join failed never ran: only the host's join can fail unseen.
        let figures = CgroupFigures { emptied: empty && !self.join_failed, ..group.figures() };
        drop(group);
        Some(figures)
    }
}

/// Whether every child gets a PID namespace (`RUNNER_PID_NAMESPACE=1`, which
/// also covers describe and verify; `--pid-namespace` asks for runs). Read by
/// the host only (a run cannot change the host's environment).
pub(crate) fn pid_namespace_requested() -> bool {
    std::env::var_os("RUNNER_PID_NAMESPACE").is_some_and(|v| v == "1")
}

/// PR_SET_DUMPABLE 0 on the runner, once: /proc/<runner>/{mem,fd,environ}
/// and ptrace then need CAP_SYS_PTRACE, which the run has dropped.
pub(crate) fn harden_runner() -> Result<String, String> {
    static DONE: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        // SAFETY: prctl with integer arguments only.
        if unsafe { nix::libc::prctl(nix::libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(format!("prctl(PR_SET_DUMPABLE, 0): {}", std::io::Error::last_os_error()));
        }
        Ok("the runner is not dumpable: its memory and descriptors need CAP_SYS_PTRACE".into())
    })
    .clone()
}
