//! One run's record, built from its event stream and from how its process ended.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::host::plan::Round;
use crate::host::supervise::{Captured, ChildExit, ChildReport};
use crate::host::timeline::{Bar, CpuSample, Timeline, Wait};
use crate::protocol::{Event, FatalError, Measurement};

/// Unit failures kept per run for the report; the rest are only counted.
const KEPT_FAILURES: usize = 5;
/// Distinct failure messages counted per run.
const KEPT_CAUSES: usize = 20;

/// Everything known about one run.
#[derive(Debug, Clone)]
pub(crate) struct RunRecord {
    pub(crate) strategy: usize,
    pub(crate) round: Round,
    pub(crate) measurement: Option<Measurement>,
    pub(crate) units_ok: u64,
    pub(crate) units_failed: u64,
    /// The first few unit failures, with their messages.
    pub(crate) unit_failures: Vec<UnitFailure>,
    /// How many units failed with each message (at most [`KEPT_CAUSES`] distinct).
    pub(crate) failure_causes: Vec<(String, u64)>,
    /// Distinct workers that reported in.
    pub(crate) workers_seen: u32,
    pub(crate) verdict: Option<Verdict>,
    /// Why the run as a whole failed, if it did.
    pub(crate) failure: Option<RunFailure>,
    /// Bytes the plugin printed on stdout (captured, never shown as output).
    pub(crate) stdout_bytes: u64,
    /// Which worker ran what, when (shared: records are cloned into summaries).
    pub(crate) timeline: Arc<Timeline>,
}

/// One unit's failure.
#[derive(Debug, Clone)]
pub(crate) struct UnitFailure {
    pub(crate) unit: u64,
    pub(crate) panicked: bool,
    pub(crate) message: String,
}

/// The plugin's verdict on a run's results.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub(crate) verified: bool,
    pub(crate) message: String,
    /// Named numbers the plugin reported with its verdict (`lost_updates`…).
    pub(crate) figures: std::collections::BTreeMap<String, f64>,
}

/// Why a run failed as a whole.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum RunFailure {
    #[error("timed out after {} s", .0.as_secs_f64())]
    TimedOut(Duration),
    #[error("the run's process was killed by {signal}{last_words}")]
    Crashed { signal: String, last_words: String },
    #[error("the run's process exited with code {code}{last_words}")]
    Exited { code: i32, last_words: String },
    #[error("{0}")]
    Fatal(FatalError),
    #[error("{0}")]
    WorkerDied(String),
    #[error("the plugin ended the run: {0}")]
    Aborted(String),
    #[error("left {0} process(es) behind, killed")]
    LeftProcesses(usize),
    #[error("interrupted")]
    Interrupted,
    #[error("could not start the run's process: {0}")]
    NotStarted(String),
    #[error("{accounted} of {units} units reported an outcome")]
    UnitsMissing { units: u64, accounted: u64 },
    #[error("the event stream was tampered with: {0}")]
    Tampered(String),
}

impl RunRecord {
    /// Ran every unit, verified, and nothing went wrong.
    pub(crate) fn succeeded(&self) -> bool {
        self.failure.is_none() && self.units_failed == 0 && self.verdict.as_ref().is_some_and(|v| v.verified)
    }

    /// The strategy ran to its end (its figures mean something), whether or
    /// not every unit succeeded.
    pub(crate) fn completed(&self) -> bool {
        self.failure.is_none() && self.measurement.is_some()
    }

    /// Wall time, when the strategy finished.
    pub(crate) fn wall_s(&self) -> Option<f64> {
        self.measurement.map(|m| m.wall_ns as f64 / 1e9)
    }

    /// What went wrong with the run as a whole (its process, or its verdict
    /// when every unit succeeded); unit failures are counted by cause instead.
    pub(crate) fn run_problem(&self) -> Option<String> {
        match (&self.failure, &self.verdict) {
            (Some(failure), _) => Some(failure.to_string()),
            _ if self.units_failed > 0 => None,
            (None, Some(v)) if !v.verified => Some(format!("not verified: {}", v.message)),
            (None, None) => Some("no verdict".to_owned()),
            (None, Some(_)) => None,
        }
    }

    /// One line on what went wrong, or `None`.
    pub(crate) fn problem(&self) -> Option<String> {
        if let Some(failure) = &self.failure {
            return Some(failure.to_string());
        }
        if let Some(first) = self.unit_failures.first() {
            let how = if first.panicked { "panicked" } else { "failed" };
            return Some(format!("{} unit(s) failed; unit {} {how}: {}", self.units_failed, first.unit, first.message));
        }
        match &self.verdict {
            Some(v) if !v.verified => Some(format!("not verified: {}", v.message)),
            None => Some("no verdict".to_owned()),
            Some(_) => None,
        }
    }
}

/// Builds a [`RunRecord`] from a run's events as they arrive.
#[derive(Debug)]
pub(crate) struct Recorder {
    record: RunRecord,
    workers: BTreeSet<u32>,
    /// Units the run was asked to run.
    units: u64,
    /// Set when an event arrives that the run's process sends only once, twice.
    tampered: Option<String>,
    timeline: Timeline,
    /// The run clock's zero in `CLOCK_MONOTONIC` ns, from `prepared`.
    clock_origin_ns: Option<u64>,
}

impl Recorder {
    /// An empty record for a run of `units` units.
    pub(crate) fn new(strategy: usize, round: Round, units: u64) -> Recorder {
        Recorder {
            record: RunRecord {
                strategy,
                round,
                measurement: None,
                units_ok: 0,
                units_failed: 0,
                unit_failures: Vec::new(),
                failure_causes: Vec::new(),
                workers_seen: 0,
                verdict: None,
                failure: None,
                stdout_bytes: 0,
                timeline: Arc::default(),
            },
            workers: BTreeSet::new(),
            units,
            tampered: None,
            timeline: Timeline::default(),
            clock_origin_ns: None,
        }
    }

    /// Takes in one event.
    pub(crate) fn observe(&mut self, event: Event) {
        let record = &mut self.record;
        match event {
            Event::WorkerStarted { worker, pid, .. } => {
                self.workers.insert(worker);
                self.timeline.see_worker(worker, pid);
            }
            Event::UnitsDone { worker, spans } => {
                self.workers.insert(worker);
                self.timeline.see_worker(worker, 0);
                record.units_ok += spans.len() as u64;
                for span in spans {
                    let (unit, start_ns, end_ns) = (span.unit(), span.started_ns(), span.finished_ns());
                    self.timeline.push_bar(Bar { worker, unit, start_ns, end_ns, failed: false });
                }
            }
            Event::Waits { worker, spans } => {
                for span in spans {
                    self.timeline.push_wait(Wait { worker, kind: span.0, start_ns: span.1, end_ns: span.2 });
                }
            }
            Event::UnitFailed { unit, worker, started_ns, finished_ns, panicked, message } => {
                self.workers.insert(worker);
                self.timeline.see_worker(worker, 0);
                self.timeline.push_bar(Bar { worker, unit, start_ns: started_ns, end_ns: finished_ns, failed: true });
                record.fail_unit(unit, panicked, message);
            }
            Event::Prepared { clock_origin_ns, .. } => {
                self.clock_origin_ns = (clock_origin_ns > 0).then_some(clock_origin_ns);
            }
            // The run's process sends each of these once, after the units: a
            // second one can only come from plugin code writing to the stream.
            Event::Measured { measurement } => {
                if record.measurement.replace(measurement).is_some() {
                    self.tampered.get_or_insert_with(|| "a second `measured` event".to_owned());
                }
            }
            Event::Verified { verified, message, figures } => {
                if record.verdict.replace(Verdict { verified, message, figures }).is_some() {
                    self.tampered.get_or_insert_with(|| "a second `verified` event".to_owned());
                }
            }
            Event::WorkerFailed { cause } => {
                record.failure.get_or_insert(RunFailure::WorkerDied(cause));
            }
            Event::Fatal { error } => record.failure = Some(RunFailure::Fatal(error)),
            Event::Aborted { message, .. } => {
                record.failure.get_or_insert(RunFailure::Aborted(message));
            }
            Event::Manifest { .. } | Event::UnitResult { .. } | Event::Custom { .. } => {}
        }
    }

    /// Units that succeeded or failed so far.
    pub(crate) fn units_accounted(&self) -> u64 {
        self.record.units_ok + self.record.units_failed
    }

    /// Completes the record of a run whose process could not be started.
    pub(crate) fn not_started(self, reason: String) -> RunRecord {
        let mut record = self.record;
        record.failure = Some(RunFailure::NotStarted(reason));
        record
    }

    /// Completes the record with how the process ended. `pictures` is `None`
    /// when no picture was asked for (the timeline keeps only its totals),
    /// else the host's CPU samples taken meanwhile (`CLOCK_MONOTONIC` times).
    pub(crate) fn finish(mut self, report: &ChildReport, pictures: Option<Vec<CpuSample>>) -> RunRecord {
        let end_ns = self.record.measurement.map_or(0, |m| m.wall_ns);
        self.timeline.finish(end_ns, pictures.is_some());
        if let (Some(origin), Some(cpu)) = (self.clock_origin_ns, pictures) {
            self.timeline.cpu = crate::host::timeline::cpu::on_run_clock(cpu, origin, self.timeline.span_ns());
        }
        self.record.timeline = Arc::new(std::mem::take(&mut self.timeline));
        let record = &mut self.record;
        record.workers_seen = self.workers.len() as u32;
        record.stdout_bytes = report.stdout.bytes;
        let last_words = last_words(&report.stderr);
        let ended = match &report.exit {
            ChildExit::Exited(0) if report.leftovers > 0 => Some(RunFailure::LeftProcesses(report.leftovers)),
            ChildExit::Exited(0) => None,
            // A fatal or aborted event already says why the process gave up.
            ChildExit::Exited(_) if record.failure.is_some() => None,
            ChildExit::Exited(code) => Some(RunFailure::Exited { code: *code, last_words }),
            ChildExit::Signaled(signal) => Some(RunFailure::Crashed { signal: signal.clone(), last_words }),
            ChildExit::TimedOut(after) => Some(RunFailure::TimedOut(*after)),
            ChildExit::Interrupted(_) => Some(RunFailure::Interrupted),
        };
        if let Some(ended) = ended {
            // How the process ended outranks what it said before.
            record.failure = Some(ended);
        }
        let accounted = record.units_ok + record.units_failed;
        if record.failure.is_none() && accounted != self.units {
            record.failure = Some(RunFailure::UnitsMissing { units: self.units, accounted });
        }
        if let Some(how) = self.tampered {
            record.failure = Some(RunFailure::Tampered(how));
        }
        if record.failure.is_none() && record.verdict.is_none() {
            record.failure = Some(RunFailure::Exited { code: 0, last_words: " before reporting a verdict".to_owned() });
        }
        self.record
    }
}

impl RunRecord {
    fn fail_unit(&mut self, unit: u64, panicked: bool, message: String) {
        self.units_failed += 1;
        if let Some((_, count)) = self.failure_causes.iter_mut().find(|(cause, _)| *cause == message) {
            *count += 1;
        } else if self.failure_causes.len() < KEPT_CAUSES {
            self.failure_causes.push((message.clone(), 1));
        }
        if self.unit_failures.len() < KEPT_FAILURES {
            self.unit_failures.push(UnitFailure { unit, panicked, message });
        }
    }
}

/// The last non-empty line the process wrote on stderr, as a hint.
fn last_words(stderr: &Captured) -> String {
    stderr
        .last_line()
        .map(|l| format!(" (last words on stderr: {})", l.chars().take(300).collect::<String>()))
        .unwrap_or_default()
}
