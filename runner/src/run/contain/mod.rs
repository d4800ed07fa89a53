//! The run's process contains itself, single-threaded, before the plugin
//! loads: rlimits, no_new_privs, Landlock, capabilities dropped, a seccomp
//! filter ([`protect`]), and, when the host made a PID namespace, an init of
//! its own ([`pidns::enter`]). Each protection the kernel refuses is reported,
//! never silently skipped.
//!
//! Measured here (2 cores, kernel 6.18, root, Landlock ABI 7): RLIMIT_AS = 1
//! GiB stops io_bound's 64 threads at the 24th, so memory uses RLIMIT_DATA
//! (and the host's cgroup); a unit's kill/SIGSTOP/ptrace of the runner gets
//! EPERM (kill and SIGSTOP from Landlock's signal scope; ptrace, mount and
//! unshare end the run by `SIGSYS` as forbidden operations), opening
//! /proc/<runner>/fd/1 EACCES, the
//! 4097th open file EMFILE, a 1.2 GB file SIGXFSZ. Set-up cost per step:
//! `cargo bench -p runner --bench containment`.

mod child;
mod forbidden;
mod landlock_rules;
pub(crate) mod pidns;
mod privs;
mod rlimits;
mod seccomp;

pub use child::protect;
