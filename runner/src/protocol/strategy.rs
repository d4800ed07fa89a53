//! What the scenario asks of a strategy, in the form the run's process receives.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The strategies the runner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum StrategyKind {
    /// One unit after another on one thread.
    Sequential,
    /// N OS threads, units split among them in contiguous chunks.
    Threads,
    /// N processes forked with `nix`, units split in chunks, results over pipes.
    Processes,
    /// A scoped rayon pool of N threads (never the global pool).
    Rayon,
    /// A bounded pool of N threads fed units from one queue as they free up.
    Pool,
    /// N forked processes fed units from one queue as they free up.
    ProcessPool,
    /// Every unit in flight at once on one thread (a current-thread tokio runtime).
    Async,
    /// N forked processes, each running its chunk of units async on its own runtime.
    AsyncProcesses,
}

impl StrategyKind {
    /// Every kind, in the order `runner list` shows them.
    pub(crate) const ALL: [StrategyKind; 8] = [
        StrategyKind::Sequential,
        StrategyKind::Threads,
        StrategyKind::Processes,
        StrategyKind::Rayon,
        StrategyKind::Pool,
        StrategyKind::ProcessPool,
        StrategyKind::Async,
        StrategyKind::AsyncProcesses,
    ];

    /// The name used in scenario files.
    pub(crate) fn name(self) -> &'static str {
        match self {
            StrategyKind::Sequential => "sequential",
            StrategyKind::Threads => "threads",
            StrategyKind::Processes => "processes",
            StrategyKind::Rayon => "rayon",
            StrategyKind::Pool => "pool",
            StrategyKind::ProcessPool => "process-pool",
            StrategyKind::Async => "async",
            StrategyKind::AsyncProcesses => "async-processes",
        }
    }

    /// Parses a scenario's `kind`.
    pub(crate) fn parse(name: &str) -> Option<StrategyKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// One line for `runner list`.
    pub(crate) fn help(self) -> &'static str {
        match self {
            StrategyKind::Sequential => "one unit after another on one thread (the baseline)",
            StrategyKind::Threads => {
                "N OS threads, units split into N chunks; `options.gil = true` adds a simulated interpreter lock"
            }
            StrategyKind::Processes => "N processes forked with nix, units split into N chunks, results over pipes",
            StrategyKind::Rayon => "a scoped rayon pool of N threads with work stealing",
            StrategyKind::Pool => {
                "a bounded pool of N threads, each taking the next unit when it is free (ThreadPoolExecutor)"
            }
            StrategyKind::ProcessPool => {
                "N forked processes, each taking the next unit when it is free (ProcessPoolExecutor)"
            }
            StrategyKind::Async => "every unit in flight at once on one thread, a tokio runtime (asyncio.gather)",
            StrategyKind::AsyncProcesses => {
                "N forked processes, each running its chunk of units async on its own runtime"
            }
        }
    }

    /// Options this kind accepts in `options = { … }`.
    pub(crate) fn options(self) -> &'static [&'static str] {
        match self {
            StrategyKind::Threads => &["gil", "switch_interval_ms"],
            StrategyKind::Async | StrategyKind::AsyncProcesses => &["units_in_flight"],
            _ => &[],
        }
    }
}

impl std::fmt::Display for StrategyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A strategy as the run's process needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StrategySpec {
    pub(crate) kind: StrategyKind,
    pub(crate) workers: u32,
    /// Set when threads run under the simulated interpreter lock.
    pub(crate) gil: Option<GilConfig>,
    /// For the async kinds: at most this many units in flight (per process).
    #[serde(default)]
    pub(crate) units_in_flight: Option<u32>,
}

impl StrategyKind {
    /// Runs units through their async form.
    pub(crate) fn is_async(self) -> bool {
        matches!(self, StrategyKind::Async | StrategyKind::AsyncProcesses)
    }

    /// Has exactly one worker, whatever the scenario says.
    pub(crate) fn single_worker(self) -> bool {
        matches!(self, StrategyKind::Sequential | StrategyKind::Async)
    }
}

/// The simulated interpreter lock's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GilConfig {
    /// How long a waiting thread lets the holder run before asking it to
    /// drop the lock (CPython's `sys.getswitchinterval()`, 5 ms by default).
    pub(crate) switch_interval_ns: u64,
}

impl GilConfig {
    /// CPython's default switch interval.
    pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_millis(5);

    /// The switch interval.
    pub(crate) fn switch_interval(self) -> Duration {
        Duration::from_nanos(self.switch_interval_ns)
    }
}
