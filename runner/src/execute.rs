//! Carrying out a scenario's plan: each run in its own supervised child
//! process, one after another, stopping early only when the runner is
//! interrupted.

use std::time::Duration;

use crate::plan::{PlannedRun, plan};
use crate::record::{Recorder, RunRecord};
use crate::scenario::Scenario;
use crate::supervise::{ChildCommand, Interrupt, interrupted, supervise};
use crate::worker::RunSpec;

/// Time between SIGTERM and SIGKILL when a run times out.
const GRACE: Duration = Duration::from_secs(1);

/// The records of a scenario's runs, warmups included.
#[derive(Debug, Clone)]
pub struct ScenarioRuns {
    pub records: Vec<RunRecord>,
    /// Set when the runner was interrupted before the plan was done.
    pub interrupted: Option<Interrupt>,
}

/// Runs every planned run of `scenario`, calling `on_run` after each.
pub fn execute(scenario: &Scenario, mut on_run: impl FnMut(&RunRecord, usize, usize)) -> ScenarioRuns {
    let planned = plan(scenario.strategies.len(), scenario.warmup, scenario.repeat);
    let mut records = Vec::with_capacity(planned.len());
    for (index, run) in planned.iter().enumerate() {
        if let Some(signal) = interrupted() {
            return ScenarioRuns { records, interrupted: Some(signal) };
        }
        let record = run_once(scenario, *run);
        on_run(&record, index, planned.len());
        records.push(record);
    }
    ScenarioRuns { records, interrupted: interrupted() }
}

fn run_once(scenario: &Scenario, run: PlannedRun) -> RunRecord {
    let strategy = &scenario.strategies[run.strategy];
    let spec = RunSpec {
        plugin: scenario.workload.library.clone(),
        workload: scenario.workload.name.clone(),
        params_json: crate::scenario::params_json(&strategy.params),
        units: scenario.workload.units,
        strategy: strategy.spec,
    };
    let command = ChildCommand {
        args: vec!["__worker".into()],
        stdin: serde_json::to_vec(&spec).unwrap_or_default(),
        timeout: scenario.timeout,
        grace: GRACE,
    };
    let mut recorder = Recorder::new(run.strategy, run.round, scenario.workload.units);
    match supervise(&command, |event| recorder.observe(event)) {
        Ok(report) => {
            tracing::debug!(
                strategy = %strategy.label, exit = ?report.exit, stdout_bytes = report.stdout.bytes,
                stderr = %report.stderr.tail.trim_end(), "run ended"
            );
            recorder.finish(&report)
        }
        Err(e) => recorder.not_started(e.to_string()),
    }
}
