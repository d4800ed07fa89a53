//! The run's child process: `runner __worker` loads the plugin, prepares the
//! workload, runs one strategy, verifies and streams events on fd 3; `runner
//! __describe` loads a plugin and reports its manifest. Both start with a
//! single thread, which is what lets the `processes` strategy fork safely.

mod clock;
mod entry;
mod events;
mod gil;
mod spec;
mod usage;

pub use clock::{RunClock, monotonic_ns};
pub use entry::{RUN_ABORTED_EXIT, describe_main, worker_main};
pub use events::{EventSink, WorkerLog};
pub use gil::Gil;
pub use spec::RunSpec;
pub use usage::UsageMeter;
