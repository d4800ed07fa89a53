//! Containment of runs: the limits a run may use, what the run's process
//! applies to itself before the plugin loads ([`child`]), what the host sets
//! up around it ([`host`], [`cgroup`]), and what this machine offers
//! ([`doctor`]). One folder so it can move as a whole: [`plan`] and
//! [`limits`] are what crosses between the processes, `child` and its
//! helpers run only in the run's process, `host` and `cgroup` only in the
//! runner.

pub mod cgroup;
pub mod child;
pub mod doctor;
pub mod host;
mod landlock_rules;
pub mod limits;
pub mod pidns;
pub mod plan;
mod privs;
mod rlimits;
pub mod seccomp;

pub use child::protect;
pub use host::RunContainment;
pub use limits::{LIMIT_NAMES, Limits};
pub use plan::{ChildPlan, NetPlan, Protection, Protections, State};
