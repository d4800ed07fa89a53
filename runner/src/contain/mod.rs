//! Containment of runs: the limits a run may use, what the run's process
//! applies to itself before the plugin loads ([`child`]), what the host sets
//! up around it ([`host`], [`cgroup`]), and what this machine offers
//! ([`doctor`]). One folder so it can move as a whole: [`plan`] and
//! [`limits`] are what crosses between the processes, `child` and its
//! helpers run only in the run's process, `host` and `cgroup` only in the
//! runner.
//!
//! Measured here (2 cores, kernel 6.18, root, cgroup v1 hybrid, Landlock ABI 7):
//! - RLIMIT_AS = 1 GiB stops io_bound's 64 threads at the 24th ("Resource
//!   temporarily unavailable") with 24.6 MiB resident; 2 GiB passes.
//!   RLIMIT_DATA = 256 MiB passes, so memory uses RLIMIT_DATA (and the cgroup).
//! - Every lecture scenario and lab verifies under the defaults (threads,
//!   processes, pools, async, O_DIRECT in scratch, CPython from
//!   /usr/lib/python3.11). Speedup expectations need two idle cores, which a
//!   loaded machine fails with or without containment.
//! - Landlock: python reads its lab file only when the host lists it in
//!   `readable` (else "Permission denied" at prepare); io's downloads pass
//!   with connect limited to the server's port and fail (EACCES) on any
//!   other; latency's `tcp_round_trip` needs bind to port 0 *and* connect to
//!   any port (its own listener's ephemeral port), so its plan must say
//!   `connect_ports: None, bind_ephemeral: true`.
//! - A unit's kill/SIGSTOP/ptrace of the runner: EPERM; opening
//!   /proc/<runner>/fd/1: EACCES; mount, unshare: EPERM; bind to a chosen
//!   port: EACCES; the 4097th open file: EMFILE; a 6 GB allocation refused; a
//!   1.2 GB file: SIGXFSZ; the 260th task: EAGAIN (pids.max).
//! - Orphans that setsid and double-fork are counted and killed by the
//!   cgroup; three that outlived a SIGKILLed runner were killed by the next
//!   runner's start.
//! - Set-up cost per run: see `benches/containment.rs`.

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
