//! Containment applied by the run's process to itself (`runner __run`),
//! single-threaded, after reading its run description and before loading the
//! plugin: everything it forks inherits it, and nothing the plugin does can
//! undo it.
//!
//! Order matters: rlimits first (lowering needs no privilege), then
//! no_new_privs (Landlock and seccomp need it without CAP_SYS_ADMIN), then
//! Landlock, then dropping capabilities, then seccomp last (it denies calls
//! the earlier steps might use). Every step is reported, applied or not.

use super::{landlock_rules, privs, rlimits, seccomp};
use crate::protocol::contain::{ChildPlan, Protections};

/// Applies every protection of `plan` to this process; never fails (a
/// protection that cannot be had is reported as unavailable, and the host
/// decides whether the run may go on without it).
pub fn protect(plan: &ChildPlan) -> Protections {
    let mut report = Protections::default();
    step(&mut report, "rlimits", |r| rlimits::apply(plan, r));
    step(&mut report, "no_new_privs", privs::apply_no_new_privs);
    step(&mut report, "landlock", |r| landlock_rules::apply(plan, r));
    step(&mut report, "capabilities", privs::apply_drop_capabilities);
    step(&mut report, "seccomp", seccomp::apply);
    report
}

fn step(report: &mut Protections, name: &str, apply: impl FnOnce(&mut Protections)) {
    let started = std::time::Instant::now();
    apply(report);
    report.step_ns.push((name.to_owned(), started.elapsed().as_nanos() as u64));
}
