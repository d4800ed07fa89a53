//! The ways a run's units can be executed, one file each. All of them run
//! inside the run's child process (see `crate::run`), take the same
//! [`RunContext`] and return the results in unit order.

mod async_units;
mod chunks;
mod pool;
mod processes;
mod rayon_pool;
mod sequential;
mod threads;
mod unit;
mod worker_pipe;

pub(crate) use unit::{RunContext, StrategyOutcome};

use crate::protocol::{FatalError, StrategyKind, StrategySpec};
use processes::{Body, Feed};

/// Runs every unit of `cx` the way `spec` says.
pub(crate) fn execute(spec: &StrategySpec, cx: &RunContext<'_>) -> Result<StrategyOutcome, FatalError> {
    match spec.kind {
        StrategyKind::Sequential => Ok(sequential::run(cx)),
        StrategyKind::Threads => Ok(threads::run(cx, spec.workers, spec.gil)),
        StrategyKind::Processes => processes::run(cx, spec.workers, Feed::Chunks, Body::Blocking),
        StrategyKind::ProcessPool => processes::run(cx, spec.workers, Feed::Queue, Body::Blocking),
        StrategyKind::Async => async_units::run(cx, spec.units_in_flight),
        StrategyKind::AsyncProcesses => {
            processes::run(cx, spec.workers, Feed::Chunks, Body::Async { units_in_flight: spec.units_in_flight })
        }
        StrategyKind::Rayon => rayon_pool::run(cx, spec.workers),
        StrategyKind::Pool => Ok(pool::run(cx, spec.workers)),
    }
}
