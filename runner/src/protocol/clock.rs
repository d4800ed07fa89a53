//! Timestamps that mean the same in every process of a run.
//!
//! `Instant` cannot cross a fork or a pipe, so events carry nanoseconds of
//! `CLOCK_MONOTONIC` (one clock for all processes of the machine) since the run
//! started.

use nix::time::{ClockId, clock_gettime};

/// The run's time origin.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunClock {
    origin_ns: u64,
}

impl RunClock {
    /// A clock whose zero is now.
    pub(crate) fn start() -> RunClock {
        RunClock { origin_ns: monotonic_ns() }
    }

    /// The clock's zero in `CLOCK_MONOTONIC` nanoseconds.
    pub(crate) fn origin_ns(self) -> u64 {
        self.origin_ns
    }

    /// Nanoseconds since the run started.
    pub(crate) fn now_ns(self) -> u64 {
        monotonic_ns().saturating_sub(self.origin_ns)
    }
}

/// Now, in `CLOCK_MONOTONIC` nanoseconds (the same clock in every process).
pub(crate) fn monotonic_ns() -> u64 {
    clock_gettime(ClockId::CLOCK_MONOTONIC).map(|t| t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64).unwrap_or(0)
}
