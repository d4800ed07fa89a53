//! What the host sees of a run for itself, from the kernel, without the run's
//! help: the CPU time its processes used, what the rest of the machine used
//! meanwhile, and whether its event descriptor is still the pipe the host
//! gave it. A plugin can write anything to the event stream; it cannot change
//! these.

mod descriptors;
mod machine;
mod usage;

pub(crate) use descriptors::event_fd_problem;
pub(crate) use machine::{MachineLoad, MachineTicks};
pub(crate) use usage::CpuTime;
