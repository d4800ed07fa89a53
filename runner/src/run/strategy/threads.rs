//! N OS threads, each running one contiguous chunk of the units, as the
//! lecture's `threading.Thread` example splits its steps; optionally under the
//! simulated interpreter lock, to show why CPython threads do not speed up
//! CPU-bound work.

use super::chunks::chunk;
use super::unit::{RunContext, StrategyOutcome, WorkerState};
use crate::protocol::GilConfig;
use crate::run::{Gil, UsageMeter};

pub(crate) fn run(cx: &RunContext<'_>, workers: u32, gil: Option<GilConfig>) -> StrategyOutcome {
    let gil = gil.map(|config| Gil::new(config.switch_interval(), cx.clock));
    let meter = UsageMeter::start();
    let mut results = Vec::with_capacity(cx.units as usize);
    let mut worker_failures = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|id| {
                let gil = gil.as_ref();
                std::thread::Builder::new().name(format!("worker-{id}")).spawn_scoped(scope, move || {
                    WorkerState::new(id, workers, cx.clock, cx.events, gil)
                        .run_units(cx.instance, chunk(cx.units, workers, id))
                })
            })
            .collect();
        for (id, handle) in handles.into_iter().enumerate() {
            let chunk_len = chunk(cx.units, workers, id as u32).count();
            match handle.map(|h| h.join()) {
                Ok(Ok(part)) => results.extend(part),
                // A thread that could not start, or whose runner code panicked,
                // leaves its units without results; the run fails for it.
                Ok(Err(_)) => {
                    worker_failures.push(format!("worker thread {id} panicked in the runner's own code"));
                    results.extend(std::iter::repeat_n(None, chunk_len));
                }
                Err(e) => {
                    worker_failures.push(format!("worker thread {id} could not start: {e}"));
                    results.extend(std::iter::repeat_n(None, chunk_len));
                }
            }
        }
    });
    let outcome = StrategyOutcome { results, measurement: meter.finish(), worker_failures };
    outcome.with_gil(gil.map(|g| g.stats()))
}
