//! A rayon pool of N threads built for this run (never rayon's global pool: a
//! global pool would outlive the run and forbid a later fork), with units handed
//! out by work stealing rather than in fixed chunks.

use rayon::prelude::*;

use super::unit::{RunContext, StrategyOutcome, WorkerState};
use crate::protocol::FatalError;
use crate::run::UsageMeter;
use crate::run::plugin::{HostApi, WorkerHooks};

pub(crate) fn run(cx: &RunContext<'_>, workers: u32) -> Result<StrategyOutcome, FatalError> {
    let meter = UsageMeter::start();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers as usize)
        .thread_name(|i| format!("rayon-{i}"))
        .build()
        .map_err(|e| FatalError::Strategy { message: format!("could not build a rayon pool of {workers}: {e}") })?;
    let results: Vec<Option<String>> = pool.install(|| {
        (0..cx.units)
            .into_par_iter()
            .map_init(
                // Called once per piece of work rayon splits off, so a thread
                // may report `worker_started` more than once.
                || {
                    let id = rayon::current_thread_index().unwrap_or(0) as u32;
                    WorkerState::new(id, workers, cx.clock, cx.events, None)
                },
                |worker, unit| {
                    let hooks: &dyn WorkerHooks = worker;
                    worker.run_unit(cx.instance, &HostApi::new(&hooks, worker.id, workers), unit)
                },
            )
            .collect()
    });
    drop(pool);
    Ok(StrategyOutcome::new(results, meter.finish()))
}
