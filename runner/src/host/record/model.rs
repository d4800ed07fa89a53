//! What is known about one run: its host-measured figures, what it reported,
//! its verdict and whose it is, and why it failed if it did.

use std::sync::Arc;
use std::time::Duration;

use crate::host::plan::Round;
use crate::host::timeline::Timeline;
use crate::host::witness::MachineLoad;
use crate::protocol::contain::Protections;
use crate::protocol::{FatalError, Measurement};

/// Unit failures kept per run for the report; the rest are only counted.
const KEPT_FAILURES: usize = 5;
/// Distinct failure messages counted per run.
const KEPT_CAUSES: usize = 20;

/// Everything known about one run.
#[derive(Debug, Clone)]
pub(crate) struct RunRecord {
    pub(crate) strategy: usize,
    pub(crate) round: Round,
    /// Figures the host measured itself (wall time on its own clock, CPU,
    /// memory and switches from the kernel): what statistics and grades use.
    pub(crate) measurement: Option<Measurement>,
    /// What the run's process said it measured: a cross-check only.
    pub(crate) reported: Option<Measurement>,
    pub(crate) units_ok: u64,
    pub(crate) units_failed: u64,
    /// The first few unit failures, with their messages.
    pub(crate) unit_failures: Vec<UnitFailure>,
    /// How many units failed with each message (at most [`KEPT_CAUSES`] distinct).
    pub(crate) failure_causes: Vec<(String, u64)>,
    /// Distinct workers that reported in.
    pub(crate) workers_seen: u32,
    /// The verdict the grade uses (see [`Verdict::source`]).
    pub(crate) verdict: Option<Verdict>,
    /// The run's own verdict, when a verifier of the instructor's replaced it
    /// (shown as information only).
    pub(crate) own_verdict: Option<Verdict>,
    /// Why the run as a whole failed, if it did.
    pub(crate) failure: Option<RunFailure>,
    /// What the run's process applied to itself before loading the plugin.
    pub(crate) protections: Option<Protections>,
    /// Requests the scenario's embedded server answered during the run: the
    /// host's count, not the run's.
    pub(crate) server_requests: Option<u64>,
    /// What the rest of the machine used over the measured phase (the
    /// host's reading of `/proc/stat` at go and at `measured`).
    pub(crate) machine: Option<MachineLoad>,
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
    pub(crate) source: VerdictSource,
}

/// Whose code gave a verdict, from most trusted to least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum VerdictSource {
    /// The scenario's own plugin (the instructor's), in a verifier process of
    /// its own, on the results the units returned to the host.
    Instructor,
    /// The scenario's own plugin, in the run's process.
    Plugin,
    /// A submission standing in for the scenario's plugin, in its own process.
    Submission,
}

impl VerdictSource {
    /// How reports name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            VerdictSource::Plugin => "plugin",
            VerdictSource::Instructor => "instructor",
            VerdictSource::Submission => "submission",
        }
    }
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
    #[error("impossible figures: {0}")]
    Impossible(String),
    #[error("out of memory: the kernel killed {0} process(es) of the run at its memory limit")]
    OutOfMemory(u64),
    #[error("too many processes: {0} fork(s) refused at the run's task limit")]
    TooManyProcesses(u64),
    #[error("file too large: the run wrote past its write limit (SIGXFSZ)")]
    FileTooLarge,
    #[error("CPU time limit: the run used its whole CPU allowance (SIGXCPU)")]
    CpuTime,
    #[error("output limit: the run wrote {0} bytes on stdout and stderr, over its limit of {1}")]
    OutputLimit(u64, u64),
    #[error("event limit: the run emitted more than {0} custom events")]
    EventLimit(u64),
    /// A call the seccomp filter denies; the name is the run's own word.
    #[error("forbidden operation: {0} (the sandbox denies this system call; the process was killed by SIGSYS)")]
    Forbidden(String),
}

impl RunFailure {
    /// A stable name for the cause, for scripts (`cause` in the JSON).
    pub(crate) fn code(&self) -> &'static str {
        match self {
            RunFailure::TimedOut(_) => "timed_out",
            RunFailure::Crashed { .. } => "killed_by_signal",
            RunFailure::Exited { .. } => "exited",
            RunFailure::Fatal(_) => "could_not_run",
            RunFailure::WorkerDied(_) => "worker_died",
            RunFailure::Aborted(_) => "aborted",
            RunFailure::LeftProcesses(_) => "left_processes",
            RunFailure::Interrupted => "interrupted",
            RunFailure::NotStarted(_) => "not_started",
            RunFailure::UnitsMissing { .. } => "units_missing",
            RunFailure::Tampered(_) => "tampered",
            RunFailure::Impossible(_) => "impossible",
            RunFailure::OutOfMemory(_) => "out_of_memory",
            RunFailure::TooManyProcesses(_) => "too_many_processes",
            RunFailure::FileTooLarge => "file_too_large",
            RunFailure::CpuTime => "cpu_time",
            RunFailure::OutputLimit(..) => "output_limit",
            RunFailure::EventLimit(_) => "event_limit",
            RunFailure::Forbidden(_) => "forbidden_operation",
        }
    }
}

impl RunRecord {
    /// How the run came out, as a stable name: `ok`, `units_failed`,
    /// `not_verified`, or the cause of its failure ([`RunFailure::code`]).
    pub(crate) fn cause(&self) -> &'static str {
        match (&self.failure, &self.verdict) {
            (Some(failure), _) => failure.code(),
            _ if self.units_failed > 0 && self.hit_open_files_limit() => "too_many_open_files",
            _ if self.units_failed > 0 => "units_failed",
            (None, Some(v)) if v.verified => "ok",
            (None, _) => "not_verified",
        }
    }

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

    /// A unit failed on EMFILE: the run met its `open_files` limit. The
    /// kernel keeps no count of refused opens, so this reads the units' own
    /// error messages (a submission that forges one only fails itself).
    pub(crate) fn hit_open_files_limit(&self) -> bool {
        self.unit_failures
            .iter()
            .any(|f| f.message.contains("Too many open files") || f.message.contains("os error 24"))
    }

    /// One line on what went wrong, or `None`.
    pub(crate) fn problem(&self) -> Option<String> {
        if let Some(failure) = &self.failure {
            return Some(failure.to_string());
        }
        if let Some(first) = self.unit_failures.first() {
            let how = if first.panicked { "panicked" } else { "failed" };
            let limit =
                if self.hit_open_files_limit() { "too many open files (the run's open_files limit): " } else { "" };
            return Some(format!(
                "{limit}{} unit(s) failed; unit {} {how}: {}",
                self.units_failed, first.unit, first.message
            ));
        }
        match &self.verdict {
            Some(v) if !v.verified => Some(format!("not verified: {}", v.message)),
            None => Some("no verdict".to_owned()),
            Some(_) => None,
        }
    }
}

impl RunRecord {
    pub(super) fn fail_unit(&mut self, unit: u64, panicked: bool, message: String) {
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
