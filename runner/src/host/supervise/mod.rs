//! Supervision of a run's child process: spawned in its own process group,
//! streaming events on fd 3, its stdout and stderr captured, ended at its
//! timeout (SIGTERM to the group, a grace period, then SIGKILL), and every
//! process it leaves behind killed and reaped.
//!
//! This is the one place where the host waits on processes, so it is the one
//! place that must get reaping right (nextest's model: each test process in its
//! own group, the group signalled as a whole).

mod capture;
mod child;
mod group;
mod signals;

pub(crate) use capture::Captured;
pub(crate) use child::{ChildCommand, ChildExit, ChildReport, RunControl, supervise};
pub(crate) use group::{become_subreaper, die_with_parent, forget_child, keep_child};
pub(crate) use signals::{Interrupt, install_interrupt_handler, interrupted};
