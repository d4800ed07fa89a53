//! What the host sees of a run for itself, from the kernel, without the run's
//! help: the CPU time its processes used, and whether its event descriptor is
//! still the pipe the host gave it. A plugin can write anything to the event
//! stream; it cannot change these.

mod descriptors;
mod usage;

pub(crate) use descriptors::event_fd_problem;
pub(crate) use usage::CpuTime;

use crate::host::record::Probe;
use crate::host::supervise::RunControl;
use crate::protocol::GO;

/// The live run as the recorder sees it: its process, read through `/proc`.
#[derive(Debug)]
pub(crate) struct LiveRun<'a>(pub(crate) &'a mut RunControl);

impl Probe for LiveRun<'_> {
    fn go(&mut self) {
        self.0.send(GO);
    }

    fn cpu(&self) -> Option<CpuTime> {
        CpuTime::of(self.0.pid())
    }

    fn event_fd_problem(&self) -> Option<String> {
        event_fd_problem(self.0.pid(), self.0.event_pipe())
    }
}
