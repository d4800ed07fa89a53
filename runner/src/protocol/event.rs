//! The event stream from a run's process to the host.
//!
//! A run's child process writes one JSON object per line to file descriptor 3;
//! the host parses the stream and computes every figure from it. Later features
//! (timelines, progress, grading) read the same stream, so events carry raw
//! facts (which unit, which worker, when) rather than conclusions.

use serde::{Deserialize, Serialize};

use runner_sdk::Manifest;

use super::LoadError;

/// One line of the event stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(crate) enum Event {
    /// Answer of `runner __describe`: the plugin's manifest.
    Manifest { manifest: Manifest },
    /// What the run's process applied to itself before loading the plugin.
    Contained { protections: super::contain::Protections },
    /// The plugin is loaded and the workload instance is prepared.
    /// `clock_origin_ns` is the run clock's zero in `CLOCK_MONOTONIC`
    /// nanoseconds, so the host can place its own samples on the run's time.
    Prepared {
        pid: u32,
        #[serde(default)]
        clock_origin_ns: u64,
    },
    /// A worker (thread or process) began.
    WorkerStarted { worker: u32, pid: u32, t_ns: u64 },
    /// Units that a worker ran successfully since its last batch, as
    /// `[unit, started_ns, finished_ns]` triples. Times are nanoseconds of
    /// `CLOCK_MONOTONIC` since the run started, comparable across the run's
    /// processes. Batched because a million tiny units must not cost the
    /// measured run (or the host reading the stream) a million JSON objects.
    UnitsDone { worker: u32, spans: Vec<UnitSpan> },
    /// Times a worker spent waiting since its last batch (inside units, or for
    /// the lock at the switch point between two): for
    /// the simulated interpreter lock, or in blocking IO (what a timeline
    /// draws as waiting rather than running).
    Waits { worker: u32, spans: Vec<WaitSpan> },
    /// A unit that returned an error or panicked.
    UnitFailed { unit: u64, worker: u32, started_ns: u64, finished_ns: u64, panicked: bool, message: String },
    /// A unit's output, from a forked worker to the run's process (used for
    /// verification there; never forwarded to the host).
    UnitResult { unit: u64, output: String },
    /// Units' outputs from the run's process to the host, after `measured`:
    /// units `first..first + results.len()`, `None` where a unit failed. In
    /// batches, so no line grows past the host's limit.
    Results { first: u64, results: Vec<Option<String>> },
    /// A custom event reported by the plugin through the host context.
    Custom { worker: u32, t_ns: u64, name: String, detail: serde_json::Value },
    /// A worker process of the `processes` strategy ended abnormally.
    WorkerFailed { cause: String },
    /// A unit ended the whole run with `fail_run` (a deadlock it detected…).
    Aborted { worker: u32, message: String },
    /// The strategy finished running every unit; its measured figures.
    Measured { measurement: Measurement },
    /// The plugin's verdict on the results, with any figures it named.
    Verified {
        verified: bool,
        message: String,
        #[serde(default)]
        figures: std::collections::BTreeMap<String, f64>,
    },
    /// The run could not go on (plugin failed to load or prepare, fork refused…).
    Fatal { error: FatalError },
}

/// One successful unit: `[unit, started_ns, finished_ns]` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UnitSpan(pub u64, pub u64, pub u64);

impl UnitSpan {
    /// The unit's index.
    pub(crate) fn unit(self) -> u64 {
        self.0
    }
    /// When it started, in ns since the run started.
    pub(crate) fn started_ns(self) -> u64 {
        self.1
    }
    /// When it finished, in ns since the run started.
    pub(crate) fn finished_ns(self) -> u64 {
        self.2
    }
}

/// What a worker waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WaitKind {
    /// The simulated interpreter lock, held by another thread.
    Gil,
    /// Blocking IO (a host sleep or GET, or a section the plugin marked blocking).
    Io,
}

/// One wait: `[kind, started_ns, finished_ns]` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WaitSpan(pub WaitKind, pub u64, pub u64);

/// Figures the run's process measures around the strategy (not around plugin
/// loading or verification).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Measurement {
    pub(crate) wall_ns: u64,
    pub(crate) user_ns: u64,
    pub(crate) sys_ns: u64,
    /// Peak resident set of the run's process or of its largest worker process.
    pub(crate) max_rss_bytes: u64,
    pub(crate) voluntary_switches: u64,
    pub(crate) involuntary_switches: u64,
    /// Present when the simulated interpreter lock was in use.
    pub(crate) gil: Option<GilStats>,
}

/// What the simulated interpreter lock did during a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct GilStats {
    /// Times the lock passed from one thread to another.
    pub(crate) switches: u64,
    /// Time threads spent waiting for the lock, summed over threads.
    pub(crate) wait_ns: u64,
}

/// Why a run's process gave up before or instead of running units.
#[derive(Debug, Clone, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum FatalError {
    #[error(transparent)]
    Load { error: LoadError },
    #[error("workload `{workload}` could not be prepared: {message}")]
    Prepare { workload: String, message: String, panicked: bool },
    #[error("{message}")]
    Strategy { message: String },
    #[error("internal error in the run's process: {message}")]
    Internal { message: String },
}
