//! A run's process: `runner __run` loads the plugin, prepares the workload,
//! runs one strategy, verifies and streams events on fd 3; `runner __describe`
//! loads a plugin and reports its manifest; `runner __build` contains itself
//! and becomes a submission's build command. All start with a single thread,
//! which is what lets the `processes` strategy fork safely.
//!
//! Everything under this module runs in that child, beside untrusted plugin
//! code; it talks to the host only through [`crate::protocol`].
//!
//! "Worker" means one thread or forked process inside a run, never the run's
//! process itself.

mod build;
pub(crate) mod contain;
mod entry;
mod events;
mod gil;
pub(crate) mod io;
pub(crate) mod plugin;
pub(crate) mod strategy;
mod usage;

pub(crate) use build::build_main;
pub(crate) use entry::{describe_main, run_main, verify_main};
pub(crate) use events::{EventSink, WorkerLog};
pub(crate) use gil::Gil;
pub(crate) use usage::UsageMeter;
