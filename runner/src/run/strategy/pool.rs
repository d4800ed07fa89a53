//! A bounded pool of N threads fed from one queue: each worker takes the next
//! unit as soon as it is free, as `ThreadPoolExecutor.submit` + `as_completed`
//! do in the lecture (unlike `threads`, which splits the units into fixed
//! chunks up front). Outcomes reach the event stream in completion order.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::unit::{RunContext, StrategyOutcome, WorkerState};
use crate::run::UsageMeter;
use crate::run::plugin::{HostApi, WorkerHooks};

pub(crate) fn run(cx: &RunContext<'_>, workers: u32) -> StrategyOutcome {
    let meter = UsageMeter::start();
    let next = AtomicU64::new(0);
    let results = Mutex::new(vec![None; cx.units as usize]);
    let mut worker_failures = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|id| {
                let (next, results) = (&next, &results);
                std::thread::Builder::new().name(format!("pool-{id}")).spawn_scoped(scope, move || {
                    let worker = WorkerState::new(id, workers, cx.clock, cx.events, None);
                    let hooks: &dyn WorkerHooks = &worker;
                    let host = HostApi::new(&hooks, id, workers);
                    loop {
                        let unit = next.fetch_add(1, Ordering::Relaxed);
                        if unit >= cx.units {
                            break;
                        }
                        let result = worker.run_unit(cx.instance, &host, unit);
                        if let Ok(mut results) = results.lock() {
                            results[unit as usize] = result;
                        }
                    }
                })
            })
            .collect();
        for (id, handle) in handles.into_iter().enumerate() {
            match handle.map(|h| h.join()) {
                Ok(Ok(())) => {}
                Ok(Err(_)) => worker_failures.push(format!("pool thread {id} panicked in the runner's own code")),
                Err(e) => worker_failures.push(format!("pool thread {id} could not start: {e}")),
            }
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    StrategyOutcome { results, measurement: meter.finish(), worker_failures }
}
