//! The event stream from a run's process to the host.
//!
//! A run's child process writes one JSON object per line to file descriptor 3;
//! the host parses the stream and computes every figure from it. Later features
//! (timelines, progress, grading) read the same stream, so events carry raw
//! facts (which unit, which worker, when) rather than conclusions.

use serde::{Deserialize, Serialize};

use runner_sdk::Manifest;

use crate::plugin::LoadError;

/// One line of the event stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Answer of `runner __describe`: the plugin's manifest.
    Manifest { manifest: Manifest },
    /// The plugin is loaded and the workload instance is prepared.
    Prepared { pid: u32 },
    /// A worker (thread or process) began.
    WorkerStarted { worker: u32, pid: u32, t_ns: u64 },
    /// A unit began on a worker. Times are nanoseconds of `CLOCK_MONOTONIC`
    /// since the run started, comparable across the run's processes.
    UnitStarted { unit: u64, worker: u32, t_ns: u64 },
    /// A unit ended.
    UnitFinished {
        unit: u64,
        worker: u32,
        t_ns: u64,
        outcome: UnitOutcome,
    },
    /// A custom event reported by the plugin through the host context.
    Custom {
        worker: u32,
        t_ns: u64,
        name: String,
        detail: serde_json::Value,
    },
    /// A worker process of the `processes` strategy ended abnormally.
    WorkerFailed { cause: String },
    /// The strategy finished running every unit; its measured figures.
    Measured { measurement: Measurement },
    /// The plugin's verdict on the results.
    Verified { verified: bool, message: String },
    /// The run could not go on (plugin failed to load or prepare, fork refused…).
    Fatal { error: FatalError },
}

/// How a unit ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UnitOutcome {
    /// The unit returned a result.
    Ok { output: String },
    /// The unit returned an error.
    Failed { message: String },
    /// The unit panicked; the SDK caught it.
    Panicked { message: String },
}

/// Figures the run's process measures around the strategy (not around plugin
/// loading or verification).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub wall_ns: u64,
    pub user_ns: u64,
    pub sys_ns: u64,
    /// Peak resident set of the run's process or of its largest worker process.
    pub max_rss_bytes: u64,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
    /// Present when the simulated interpreter lock was in use.
    pub gil: Option<GilStats>,
}

/// What the simulated interpreter lock did during a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GilStats {
    /// Times the lock passed from one thread to another.
    pub switches: u64,
    /// Time threads spent waiting for the lock, summed over threads.
    pub wait_ns: u64,
}

/// Why a run's process gave up before or instead of running units.
#[derive(Debug, Clone, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FatalError {
    #[error(transparent)]
    Load { error: LoadError },
    #[error("workload `{workload}` could not be prepared: {message}")]
    Prepare {
        workload: String,
        message: String,
        panicked: bool,
    },
    #[error("{message}")]
    Strategy { message: String },
    #[error("internal error in the run's process: {message}")]
    Internal { message: String },
}
