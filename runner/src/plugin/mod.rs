//! Plugins: finding them, loading them (only ever inside a run's child process)
//! and calling them through the C ABI of `runner_sdk::abi`.
//!
//! The host process itself never loads a plugin: a plugin's code may print, exit
//! or crash while loading, and none of that may touch the runner's own output or
//! exit code. The host asks a child (`runner __describe`) for the manifest instead.

mod catalog;
mod describe;
mod error;
mod host_api;
mod library;
mod manifest_check;
mod search;

pub use catalog::Catalog;
pub use describe::describe;
pub use error::LoadError;
pub use host_api::{HostApi, WorkerHooks, set_scratch_dir};
pub use library::{CallError, Instance, Plugin, UnitResult};
pub use search::{PluginRef, SearchPath};
