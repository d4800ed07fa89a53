//! One run's record: built from its event stream, checked as it arrives
//! ([`stream`]), with the figures the host measured itself beside what the run
//! reported ([`recorder`]), and how its process ended.

mod model;
mod recorder;
mod stream;

pub(crate) use model::{RunFailure, RunRecord, Verdict, VerdictSource};
#[cfg(test)]
pub(crate) use recorder::NoProbe;
pub(crate) use recorder::{Probe, RecordLimits, Recorder};
