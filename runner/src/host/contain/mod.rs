//! What the host sets up around a run: a cgroup (v2, or v1 memory, pids,
//! cpuacct and freezer) that bounds its memory and tasks, counts its CPU and
//! peak memory, and kills everything in it when the run ends, escaped or not
//! ([`cgroup`], [`setup`]); a PID namespace on request ([`pidns`]); the
//! runner made non-dumpable; and what this machine offers ([`doctor`]),
//! including what a cgroup join costs here ([`join_cost`]).

pub(crate) mod cgroup;
pub(crate) mod doctor;
mod join_cost;
mod pidns;
mod setup;

pub use setup::RunContainment;
pub(crate) use setup::{harden_runner, pid_namespace_requested};
