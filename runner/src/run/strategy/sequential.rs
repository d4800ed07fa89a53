//! One unit after another on the run's own thread: the baseline.

use super::unit::{RunContext, StrategyOutcome, WorkerState};
use crate::run::UsageMeter;

pub(crate) fn run(cx: &RunContext<'_>) -> StrategyOutcome {
    let meter = UsageMeter::start();
    let worker = WorkerState::new(0, 1, cx.clock, cx.events, None);
    let results = worker.run_units(cx.instance, 0..cx.units);
    drop(worker);
    StrategyOutcome::new(results, meter.finish())
}
