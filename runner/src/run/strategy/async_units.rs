//! All units in flight at once on one OS thread: a current-thread tokio
//! runtime, made here (after any fork), polling every unit's async form, as
//! the lecture's `asyncio.gather` does. Optionally at most `units_in_flight`
//! at a time. IO goes through the host's runtime (see `crate::run::io`).

use std::ops::Range;

use futures_util::StreamExt;

use super::unit::{RunContext, StrategyOutcome, WorkerState};
use crate::protocol::FatalError;
use crate::run::UsageMeter;
use crate::run::plugin::{HostApi, WorkerHooks};

pub(crate) fn run(cx: &RunContext<'_>, units_in_flight: Option<u32>) -> Result<StrategyOutcome, FatalError> {
    let meter = UsageMeter::start();
    let worker = WorkerState::new(0, 1, cx.clock, cx.events, None);
    let results = run_chunk(cx, &worker, 0..cx.units, units_in_flight)?;
    drop(worker);
    Ok(StrategyOutcome::new(results, meter.finish()))
}

/// Runs `units` concurrently on a fresh current-thread runtime; results in
/// unit order (index 0 = `units.start`).
pub(crate) fn run_chunk(
    cx: &RunContext<'_>,
    worker: &WorkerState<'_>,
    units: Range<u64>,
    units_in_flight: Option<u32>,
) -> Result<Vec<Option<String>>, FatalError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| FatalError::Strategy { message: format!("could not start a tokio runtime: {e}") })?;
    let hooks: &dyn WorkerHooks = worker;
    let host = HostApi::new(&hooks, worker.id, worker.workers);
    let first = units.start;
    let mut results = vec![None; (units.end - units.start) as usize];
    let limit = units_in_flight.map_or(usize::MAX, |n| n as usize);
    runtime.block_on(async {
        let mut done = futures_util::stream::iter(units)
            .map(|unit| worker.run_unit_async(cx.instance, &host, unit))
            .buffer_unordered(limit);
        while let Some((unit, result)) = done.next().await {
            results[(unit - first) as usize] = result;
        }
    });
    Ok(results)
}
