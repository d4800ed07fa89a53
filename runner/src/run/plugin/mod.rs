//! The plugin as the run's process sees it: the library loaded (only ever
//! here, never in the host: a plugin's code may print, exit or crash while
//! loading, and none of that may touch the runner's own output or exit code)
//! and called through the C ABI of `runner_sdk::abi`, and the table of host
//! functions it calls back.

mod host_api;
mod library;

pub(crate) use host_api::{HostApi, WorkerHooks, set_scratch_dir};
pub(crate) use library::{CallError, Instance, Plugin, UnitResult};
