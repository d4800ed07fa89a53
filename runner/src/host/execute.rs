//! Carrying out a scenario's plan: each run in its own supervised child
//! process, one after another, stopping early only when the runner is
//! interrupted.

use std::time::Duration;

use crate::host::plan::{PlannedRun, plan};
use crate::host::record::{Recorder, RunRecord};
use crate::protocol::Event;
use runner_sdk::ParamValue;

use crate::host::scenario::{Scenario, ServerSpec};
use crate::host::serve::ServerProcess;
use crate::host::supervise::{ChildCommand, Interrupt, interrupted, supervise};
use crate::protocol::RunSpec;

/// Time between SIGTERM and SIGKILL when a run times out.
const GRACE: Duration = Duration::from_secs(1);

/// The records of a scenario's runs, warmups included.
#[derive(Debug, Clone)]
pub(crate) struct ScenarioRuns {
    pub(crate) records: Vec<RunRecord>,
    /// Set when the runner was interrupted before the plan was done.
    pub(crate) interrupted: Option<Interrupt>,
}

/// How to carry out a plan.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExecuteOptions {
    /// Keep each run's spans and sample every core's load during it (for
    /// timelines); off unless a picture was asked for, so a plain run pays
    /// neither the sampler nor the memory.
    pub(crate) pictures: bool,
}

/// What the caller of [`execute`] hears as the runs go (progress, logs).
pub(crate) trait Observer {
    /// Run `index` of `total` is about to start.
    fn run_started(&mut self, _scenario: &Scenario, _run: PlannedRun, _index: usize, _total: usize) {}
    /// The current run has accounted for `units` units so far.
    fn units_done(&mut self, _units: u64) {}
    /// Run `index` of `total` ended.
    fn run_finished(&mut self, _scenario: &Scenario, _record: &RunRecord, _index: usize, _total: usize) {}
}

/// Runs every planned run of `scenario`, telling `observer` as it goes.
pub(crate) fn execute(scenario: &Scenario, options: ExecuteOptions, observer: &mut dyn Observer) -> ScenarioRuns {
    let planned = plan(scenario.strategies.len(), scenario.warmup, scenario.repeat);
    // Started once for all runs; stopped when this function returns, however.
    let server = match &scenario.server {
        Some(ServerSpec::Embedded(options)) => match ServerProcess::start(options) {
            Ok(server) => Some(server),
            Err(e) => {
                let records = planned.iter().map(|run| not_started(scenario, *run, &e)).collect();
                return ScenarioRuns { records, interrupted: None };
            }
        },
        _ => None,
    };
    let url = match (&server, &scenario.server) {
        (Some(server), _) => Some(server.url.clone()),
        (None, Some(ServerSpec::External(url))) => Some(url.clone()),
        _ => None,
    };
    let mut records = Vec::with_capacity(planned.len());
    for (index, run) in planned.iter().enumerate() {
        if let Some(signal) = interrupted() {
            return ScenarioRuns { records, interrupted: Some(signal) };
        }
        observer.run_started(scenario, *run, index, planned.len());
        let record = run_once(scenario, *run, url.as_deref(), options, observer);
        observer.run_finished(scenario, &record, index, planned.len());
        records.push(record);
    }
    ScenarioRuns { records, interrupted: interrupted() }
}

fn not_started(scenario: &Scenario, run: PlannedRun, why: &str) -> RunRecord {
    Recorder::new(run.strategy, run.round, scenario.workload.units).not_started(why.to_owned())
}

fn run_once(
    scenario: &Scenario,
    run: PlannedRun,
    url: Option<&str>,
    options: ExecuteOptions,
    observer: &mut dyn Observer,
) -> RunRecord {
    let strategy = &scenario.strategies[run.strategy];
    let mut params = strategy.params.clone();
    // The server's URL goes to a workload that declares `url` and left it empty.
    if let Some(url) = url {
        for (name, value) in &mut params {
            if name == "url" && *value == ParamValue::String(String::new()) {
                *value = ParamValue::String(url.to_owned());
            }
        }
    }
    // Removed when this function returns: after the run's processes are gone.
    let scratch = match Scratch::make() {
        Ok(scratch) => scratch,
        Err(e) => {
            return Recorder::new(run.strategy, run.round, scenario.workload.units)
                .not_started(format!("could not make the run's scratch directory: {e}"));
        }
    };
    let spec = RunSpec {
        plugin: scenario.workload.library.clone(),
        workload: strategy.workload.clone(),
        params_json: crate::host::scenario::params_json(&params),
        units: scenario.workload.units,
        strategy: strategy.spec,
        scratch_dir: Some(scratch.path.clone()),
    };
    let command = ChildCommand {
        args: vec![crate::protocol::RUN_SUBCOMMAND.into()],
        stdin: serde_json::to_vec(&spec).unwrap_or_default(),
        timeout: scenario.timeout,
        grace: GRACE,
    };
    let mut recorder = Recorder::new(run.strategy, run.round, scenario.workload.units);
    let sampler = if options.pictures { crate::host::timeline::cpu::CpuSampler::start() } else { None };
    let supervised = supervise(&command, |event| {
        let progress = matches!(event, Event::UnitsDone { .. } | Event::UnitFailed { .. });
        recorder.observe(event);
        if progress {
            observer.units_done(recorder.units_accounted());
        }
    });
    let samples = sampler.map(|s| s.stop()).unwrap_or_default();
    let pictures = options.pictures.then_some(samples);
    match supervised {
        Ok(report) => {
            tracing::debug!(
                strategy = %strategy.label, exit = ?report.exit, stdout_bytes = report.stdout.bytes,
                malformed_events = report.malformed_events,
                stderr = %report.stderr.tail.trim_end(), "run ended"
            );
            recorder.finish(&report, pictures)
        }
        Err(e) => recorder.not_started(e.to_string()),
    }
}

/// A run's private directory under the system's temporary directory, made
/// before the run (mode 0700) and removed when dropped: after the run's whole
/// process group is gone, however the run ended, Ctrl-C included.
struct Scratch {
    path: std::path::PathBuf,
}

impl Scratch {
    fn make() -> std::io::Result<Scratch> {
        use std::os::unix::fs::DirBuilderExt;
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("{SCRATCH_PREFIX}{}-{n}", std::process::id()));
        std::fs::DirBuilder::new().mode(0o700).create(&path)?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("could not remove the run's scratch directory {}: {e}", self.path.display());
        }
    }
}

/// Name prefix of scratch directories: `runner-scratch-<runner pid>-<n>`.
pub(crate) const SCRATCH_PREFIX: &str = "runner-scratch-";

/// Removes scratch directories left by runners that no longer exist (killed
/// with SIGKILL, say), so no temporary file outlives the next run either.
pub(crate) fn remove_stale_scratch() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(SCRATCH_PREFIX)) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
