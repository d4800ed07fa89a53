//! Carrying out a scenario's plan: each run in its own supervised child
//! process, one after another, stopping early only when the runner is
//! interrupted. With `repeat = "auto"`, rounds go on after the first ones
//! until every speedup's interval is as narrow as the scenario asks, or its
//! time budget would be spent by one more round.

use std::time::Duration;

use crate::host::plan::{PlannedRun, Round, plan, round_runs};
use crate::host::plugin::Pin;
use crate::host::record::Probe;
use crate::host::record::{RecordLimits, Recorder, RunRecord, VerdictSource};
use crate::host::scenario::{StrategyEntry, Verifier};
use crate::host::supervise::RunControl;
use crate::host::verifier::{Verification, verify};
use crate::host::witness::{CpuTime, event_fd_problem};
use crate::protocol::Event;
use crate::protocol::GO;
use crate::protocol::contain::{ChildPlan, NetPlan};
use runner_sdk::ParamValue;
use std::path::Path;

use crate::host::scenario::{AUTO_MAX_ROUNDS, Repeat, Scenario, ServerSpec};
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
    /// How many measured rounds ran, and what ended them.
    pub(crate) rounds: RoundsEnded,
}

/// How many measured rounds ran, and what ended them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct RoundsEnded {
    pub(crate) measured: u32,
    pub(crate) by: EndedBy,
    /// The widest speedup interval's half-width, as a fraction of its median,
    /// when `repeat = "auto"` looked (`None` when no speedup had one).
    pub(crate) widest: Option<f64>,
}

/// What ended a scenario's measured rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum EndedBy {
    /// A fixed `repeat`: the plan was done.
    #[default]
    Plan,
    /// `repeat = "auto"`: every speedup's interval reached the target.
    Target,
    /// `repeat = "auto"`: one more round would have gone past the budget.
    Budget,
    /// `repeat = "auto"`: the most rounds the runner measures.
    MaxRounds,
}

impl EndedBy {
    /// How reports name it: `plan`, `target`, `budget`, `max_rounds`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            EndedBy::Plan => "plan",
            EndedBy::Target => "target",
            EndedBy::Budget => "budget",
            EndedBy::MaxRounds => "max_rounds",
        }
    }
}

/// How to carry out a plan.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExecuteOptions {
    /// Keep each run's spans and sample every core's load during it (for
    /// timelines); off unless a picture was asked for, so a plain run pays
    /// neither the sampler nor the memory.
    pub(crate) pictures: bool,
    /// `--pid-namespace`: every run in a PID namespace of its own.
    pub(crate) pid_namespace: bool,
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
                let rounds = RoundsEnded { measured: scenario.repeat, ..RoundsEnded::default() };
                return ScenarioRuns { records, interrupted: None, rounds };
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
    let mut rounds = RoundsEnded { measured: scenario.repeat, ..RoundsEnded::default() };
    let mut measuring_since = None;
    let mut round_now = 0;
    let mut queue: std::collections::VecDeque<PlannedRun> = planned.into();
    let mut total = queue.len();
    let mut index = 0;
    loop {
        let Some(run) = queue.pop_front() else {
            // The plan is done; `repeat = "auto"` may add a round.
            let Repeat::Auto(auto) = scenario.rounds else { break };
            let since = *measuring_since.get_or_insert_with(std::time::Instant::now);
            let widest = crate::host::stats::widest_speedup_interval(scenario, &records);
            rounds.widest = widest.flatten();
            let per_round = since.elapsed() / rounds.measured.max(1);
            let by = match widest {
                Some(Some(w)) if w <= auto.target => Some(EndedBy::Target),
                // No strategy has a speedup to narrow (each failed, or only a baseline).
                Some(None) => Some(EndedBy::Target),
                _ if since.elapsed() + per_round > auto.budget => Some(EndedBy::Budget),
                _ if rounds.measured >= AUTO_MAX_ROUNDS => Some(EndedBy::MaxRounds),
                _ => None,
            };
            if let Some(by) = by {
                rounds.by = by;
                break;
            }
            queue.extend(round_runs(scenario.strategies.len(), Round::Measured(rounds.measured)));
            rounds.measured += 1;
            total += scenario.strategies.len();
            continue;
        };
        if let Some(signal) = interrupted() {
            return ScenarioRuns { records, interrupted: Some(signal), rounds };
        }
        if matches!(run.round, Round::Measured(_)) && measuring_since.is_none() {
            measuring_since = Some(std::time::Instant::now());
        }
        // `repeat = "auto"`: the budget holds from the third round on, also
        // within the first rounds (slow rounds would overrun it otherwise);
        // only whole rounds are kept, so the speedups' pairs stay whole.
        if let (Repeat::Auto(auto), Round::Measured(n), Some(since)) = (scenario.rounds, run.round, measuring_since)
            && n >= 2
            && n != round_now
        {
            round_now = n;
            if since.elapsed() + since.elapsed() / n > auto.budget {
                rounds.measured = n;
                rounds.by = EndedBy::Budget;
                rounds.widest = crate::host::stats::widest_speedup_interval(scenario, &records).flatten();
                break;
            }
        }
        observer.run_started(scenario, run, index, total);
        let before = server.as_ref().and_then(ServerProcess::requests);
        let mut record = run_once(scenario, run, url.as_deref(), options, observer);
        let after = server.as_ref().and_then(ServerProcess::requests);
        record.server_requests = before.zip(after).map(|(b, a)| a.saturating_sub(b));
        observer.run_finished(scenario, &record, index, total);
        records.push(record);
        index += 1;
    }
    ScenarioRuns { records, interrupted: interrupted(), rounds }
}

fn not_started(scenario: &Scenario, run: PlannedRun, why: &str) -> RunRecord {
    Recorder::new(run.strategy, run.round, scenario.workload.units, false).not_started(why.to_owned())
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
    for (name, value) in &mut params {
        match (name.as_str(), &value) {
            // The server's URL goes to a workload that declares `url` and left it empty.
            ("url", ParamValue::String(s)) if s.is_empty() && url.is_some() => {
                *value = ParamValue::String(url.unwrap_or_default().to_owned());
            }
            // A fresh secret per run, so no result can be worked out in advance.
            ("seed", ParamValue::Int(0)) => *value = ParamValue::Int(fresh_seed()),
            _ => {}
        }
    }
    if let Some(why) = scenario.workload.pin.as_ref().and_then(Pin::changed) {
        return Recorder::new(run.strategy, run.round, scenario.workload.units, false).not_started(why);
    }
    // Removed when this function returns: after the run's processes are gone.
    let scratch = match Scratch::make() {
        Ok(scratch) => scratch,
        Err(e) => {
            return Recorder::new(run.strategy, run.round, scenario.workload.units, false)
                .not_started(format!("could not make the run's scratch directory: {e}"));
        }
    };
    let contain = containment_plan(scenario, strategy, &params, &scratch.path, url);
    let spec = RunSpec {
        plugin: scenario.workload.library.clone(),
        workload: strategy.workload.clone(),
        params_json: crate::host::scenario::params_json(&params),
        units: scenario.workload.units,
        strategy: strategy.spec,
        scratch_dir: Some(scratch.path.clone()),
        contain: Some(contain),
    };
    let mut stdin = serde_json::to_vec(&spec).unwrap_or_default();
    stdin.push(b'\n');
    let command = ChildCommand {
        args: vec![crate::protocol::RUN_SUBCOMMAND.into()],
        stdin,
        hold_stdin: true,
        timeout: scenario.timeout,
        grace: GRACE,
        limits: strategy.limits,
        workers: u64::from(strategy.spec.workers),
        pid_namespace: options.pid_namespace,
    };
    let verifier = &scenario.workload.verifier;
    let keep_results = matches!(verifier, Verifier::Instructor(_));
    let limits = RecordLimits { events: strategy.limits.events, output_bytes: strategy.limits.output_bytes };
    let mut recorder =
        Recorder::new(run.strategy, run.round, scenario.workload.units, keep_results).with_limits(limits);
    let sampler = if options.pictures { crate::host::timeline::cpu::CpuSampler::start() } else { None };
    let supervised = supervise(&command, |event, at, control| {
        let progress = matches!(event, Event::UnitsDone { .. } | Event::UnitFailed { .. });
        recorder.observe(event, at, &mut LiveRun(control));
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
            let results = recorder.take_results();
            let mut record = recorder.finish(&report, pictures);
            match verifier {
                Verifier::InRun => {}
                Verifier::Submission => {
                    if let Some(verdict) = &mut record.verdict {
                        verdict.source = VerdictSource::Submission;
                    }
                }
                Verifier::Instructor(library) => {
                    let mut own = record.verdict.take();
                    if let Some(verdict) = &mut own {
                        verdict.source = VerdictSource::Submission;
                    }
                    record.own_verdict = own;
                    if let (None, Some(results)) = (&record.failure, results) {
                        let what = Verification {
                            library,
                            workload: &strategy.workload,
                            params_json: &spec.params_json,
                            units: scenario.workload.units,
                            timeout: scenario.timeout,
                        };
                        record.verdict = Some(verify(&what, results));
                    }
                }
            }
            record
        }
        Err(e) => recorder.not_started(e.to_string()),
    }
}

/// How a run contains itself: the scenario's limits; writes only in its
/// scratch directory; nothing under the lab's folder but its own library and
/// its `path` parameters; TCP only to the scenario's server when it has one.
fn containment_plan(
    scenario: &Scenario,
    strategy: &StrategyEntry,
    params: &[(String, ParamValue)],
    scratch: &Path,
    url: Option<&str>,
) -> ChildPlan {
    // A `path` parameter's folder, not just the file: a demo's module imports
    // its helpers from beside it.
    let mut readable = vec![scenario.workload.library.clone()];
    readable.extend(params.iter().filter_map(|(_, v)| match v {
        ParamValue::String(s) if Path::new(s).is_absolute() && Path::new(s).exists() => {
            Path::new(s).parent().map(Path::to_owned)
        }
        _ => None,
    }));
    let lab = scenario.path.canonicalize().ok().and_then(|p| p.parent().map(Path::to_owned));
    let server_port = url.and_then(|u| u.rsplit(':').next()?.trim_end_matches('/').parse::<u16>().ok());
    let net = match server_port {
        Some(port) => NetPlan { connect_ports: Some(vec![port]), bind_ephemeral: false },
        // No server to talk to: loopback experiments (the latency table's
        // echo) bind a port the kernel picks and connect to it.
        None => NetPlan { connect_ports: None, bind_ephemeral: true },
    };
    ChildPlan {
        limits: strategy.limits,
        workers: u64::from(strategy.spec.workers),
        scratch_dir: Some(scratch.to_owned()),
        private_dirs: lab.into_iter().chain(scenario.private_dirs.iter().cloned()).collect(),
        readable,
        net,
        cgroup_bounds_tasks: false,
    }
}

/// A random seed for one run: exact in JSON (under 2^53), never 0.
fn fresh_seed() -> i64 {
    use std::io::Read;
    let mut bytes = [0u8; 8];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    let value = match random {
        Ok(()) => u64::from_le_bytes(bytes),
        // No /dev/urandom: the clock, which a submission cannot know in advance either.
        Err(_) => crate::protocol::monotonic_ns().wrapping_mul(0x9e37_79b9_7f4a_7c15),
    };
    ((value & ((1 << 53) - 1)) | 1) as i64
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

/// The live run as the recorder sees it: its process, read through `/proc`.
#[derive(Debug)]
struct LiveRun<'a>(&'a mut RunControl);

impl Probe for LiveRun<'_> {
    fn go(&mut self) {
        self.0.send(GO);
    }

    fn cpu(&self) -> Option<CpuTime> {
        CpuTime::of(self.0.pid())
    }

    fn event_fd_problem(&self) -> Option<String> {
        event_fd_problem(self.0.pid(), self.0.event_pipe())
    }
}
