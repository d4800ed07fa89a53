//! Builds a run's record as its events arrive. The host times the measured
//! phase itself: it says go when the run is prepared and stops its clock when
//! it reads `measured`, reading the kernel's CPU count at both points; what the
//! run says it measured is only a cross-check.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use super::model::{RunFailure, RunRecord, Verdict, VerdictSource};
use super::stream::{Phase, StreamCheck};
use crate::host::plan::Round;
use crate::host::supervise::{Captured, ChildExit, ChildReport};
use crate::host::timeline::{Bar, CpuSample, Timeline, Wait};
use crate::host::witness::{CpuTime, MachineTicks};
use crate::protocol::{Event, Measurement, forbidden_call_in, monotonic_ns};

/// How far the run's own wall time may exceed the host's (it is measured
/// inside the host's window, so only clock reads separate them).
const WALL_SLACK_NS: u64 = 5_000_000;
/// How far the run's own CPU time may exceed the host's: two clock ticks of
/// `/proc` granularity and a little for the reads themselves.
const CPU_SLACK_NS: u64 = 30_000_000;
/// Results kept per run for a separate verifier; more fails the run.
const MAX_RESULT_BYTES: usize = 64 << 20;

/// What the recorder needs from the live run: the host's own view of it.
pub(crate) trait Probe {
    /// Starts the measured phase, and later lets the run go on after it (writes
    /// the go byte).
    fn go(&mut self);
    /// The run's CPU time now, from the kernel.
    fn cpu(&self) -> Option<CpuTime>;
    /// What is wrong with the run's event descriptor, if anything.
    fn event_fd_problem(&self) -> Option<String>;
    /// The whole machine's CPU counters now (to tell what others used).
    fn machine(&self) -> Option<MachineTicks> {
        MachineTicks::read()
    }
}

/// A probe for records built without a live run (tests).
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct NoProbe;

#[cfg(test)]
impl Probe for NoProbe {
    fn go(&mut self) {}
    fn cpu(&self) -> Option<CpuTime> {
        None
    }
    fn event_fd_problem(&self) -> Option<String> {
        None
    }
    fn machine(&self) -> Option<MachineTicks> {
        None
    }
}

/// The host's clock and counters around the measured phase.
#[derive(Debug, Default)]
struct HostWindow {
    go_at: Option<Instant>,
    cpu_at_go: Option<CpuTime>,
    measured_at: Option<Instant>,
    cpu_at_measured: Option<CpuTime>,
    machine_at_go: Option<MachineTicks>,
    machine_at_measured: Option<MachineTicks>,
}

/// Builds a [`RunRecord`] from a run's events as they arrive.
#[derive(Debug)]
pub(crate) struct Recorder {
    record: RunRecord,
    workers: BTreeSet<u32>,
    /// Units the run was asked to run.
    units: u64,
    stream: StreamCheck,
    host: HostWindow,
    timeline: Timeline,
    /// The run clock's zero in `CLOCK_MONOTONIC` ns, from `prepared`.
    clock_origin_ns: Option<u64>,
    /// Every unit's output, when a verifier will need them.
    results: Option<Vec<Option<String>>>,
    result_bytes: usize,
    /// Custom events seen, and how many the run may emit.
    custom_events: u64,
    limits: RecordLimits,
}

/// What a run may emit before its record says it went over.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordLimits {
    pub(crate) events: u64,
    pub(crate) output_bytes: u64,
}

impl Default for RecordLimits {
    fn default() -> Self {
        RecordLimits { events: u64::MAX, output_bytes: u64::MAX }
    }
}

impl Recorder {
    /// An empty record for a run of `units` units; `keep_results` when a
    /// verifier of the host's will check the units' outputs.
    pub(crate) fn new(strategy: usize, round: Round, units: u64, keep_results: bool) -> Recorder {
        Recorder {
            record: RunRecord {
                strategy,
                round,
                measurement: None,
                reported: None,
                units_ok: 0,
                units_failed: 0,
                unit_failures: Vec::new(),
                failure_causes: Vec::new(),
                workers_seen: 0,
                verdict: None,
                own_verdict: None,
                failure: None,
                protections: None,
                server_requests: None,
                machine: None,
                stdout_bytes: 0,
                timeline: Arc::default(),
            },
            workers: BTreeSet::new(),
            units,
            stream: StreamCheck::new(units),
            host: HostWindow::default(),
            timeline: Timeline::default(),
            clock_origin_ns: None,
            results: keep_results.then(Vec::new),
            result_bytes: 0,
            custom_events: 0,
            limits: RecordLimits::default(),
        }
    }

    /// The run's event and output limits.
    pub(crate) fn with_limits(mut self, limits: RecordLimits) -> Recorder {
        self.limits = limits;
        self
    }

    /// Takes in one event, read by the host at `at`.
    pub(crate) fn observe(&mut self, event: Event, at: Instant, probe: &mut dyn Probe) {
        let now_ns = monotonic_ns().saturating_sub(self.clock_origin_ns.unwrap_or(0));
        let record = &mut self.record;
        match event {
            Event::Contained { protections } => {
                if self.stream.phase != Phase::Starting || record.protections.is_some() {
                    self.stream.fail(|| "`contained` arrived after the run had started".to_owned());
                } else {
                    record.protections = Some(protections);
                }
            }
            Event::Prepared { clock_origin_ns, .. } => {
                self.stream.advance("prepared", Phase::Starting, Phase::Prepared);
                if self.host.go_at.is_none() {
                    self.clock_origin_ns = (clock_origin_ns > 0).then_some(clock_origin_ns);
                    self.host.machine_at_go = probe.machine();
                    self.host.cpu_at_go = probe.cpu();
                    let go_ns = monotonic_ns().saturating_sub(clock_origin_ns);
                    self.host.go_at = Some(Instant::now());
                    probe.go();
                    self.stream.started(go_ns);
                }
            }
            Event::WorkerStarted { worker, pid, .. } => {
                self.stream.while_running("worker_started");
                self.workers.insert(worker);
                self.timeline.see_worker(worker, pid);
            }
            Event::UnitsDone { worker, spans } => {
                self.stream.while_running("units_done");
                self.workers.insert(worker);
                self.timeline.see_worker(worker, 0);
                record.units_ok += spans.len() as u64;
                for span in spans {
                    let (unit, start_ns, end_ns) = (span.unit(), span.started_ns(), span.finished_ns());
                    self.stream.unit(unit, start_ns, end_ns, now_ns);
                    self.timeline.push_bar(Bar { worker, unit, start_ns, end_ns, failed: false });
                }
            }
            Event::Waits { worker, spans } => {
                self.stream.while_running("waits");
                for span in spans {
                    self.timeline.push_wait(Wait { worker, kind: span.0, start_ns: span.1, end_ns: span.2 });
                }
            }
            Event::UnitFailed { unit, worker, started_ns, finished_ns, panicked, message } => {
                self.stream.while_running("unit_failed");
                self.stream.unit(unit, started_ns, finished_ns, now_ns);
                self.workers.insert(worker);
                self.timeline.see_worker(worker, 0);
                self.timeline.push_bar(Bar { worker, unit, start_ns: started_ns, end_ns: finished_ns, failed: true });
                record.fail_unit(unit, panicked, message);
            }
            Event::Measured { measurement } => {
                self.host.measured_at = Some(at);
                self.host.cpu_at_measured = probe.cpu();
                self.host.machine_at_measured = probe.machine();
                if let Some(problem) = probe.event_fd_problem() {
                    self.stream.fail(|| problem);
                }
                self.stream.advance("measured", Phase::Running, Phase::Measured);
                record.reported = Some(measurement);
                probe.go();
            }
            Event::Results { first, results } => {
                self.stream.results(first, results.len() as u64);
                if let Some(kept) = &mut self.results {
                    self.result_bytes += results.iter().flatten().map(String::len).sum::<usize>();
                    if self.result_bytes > MAX_RESULT_BYTES {
                        record.failure.get_or_insert(RunFailure::Impossible(format!(
                            "the units' results are over {} MiB",
                            MAX_RESULT_BYTES >> 20
                        )));
                        self.results = None;
                    } else {
                        kept.extend(results);
                    }
                }
            }
            Event::Verified { verified, message, figures } => {
                if !self.stream.all_results() {
                    self.stream.fail(|| "the verdict arrived before every unit's result".to_owned());
                }
                self.stream.advance("verified", Phase::Measured, Phase::Verified);
                record.verdict = Some(Verdict { verified, message, figures, source: VerdictSource::Plugin });
            }
            Event::WorkerFailed { cause } => {
                record.failure.get_or_insert(RunFailure::WorkerDied(cause));
            }
            Event::Fatal { error } => record.failure = Some(RunFailure::Fatal(error)),
            Event::Aborted { message, .. } => {
                record.failure.get_or_insert(RunFailure::Aborted(message));
            }
            Event::Manifest { .. } | Event::UnitResult { .. } => {
                self.stream.fail(|| "an event only a worker or a describe child sends".to_owned());
            }
            // Counted against the run's limit; only printed lines are kept
            // (a bounded number, for `--show-output`), so the host's memory
            // stays bounded whatever a plugin emits.
            Event::Custom { worker, t_ns, name, detail } => {
                self.custom_events += 1;
                if name == crate::host::timeline::output::EVENT {
                    self.timeline.printed.push(worker, t_ns, &detail);
                }
            }
        }
    }

    /// Units that succeeded or failed so far.
    pub(crate) fn units_accounted(&self) -> u64 {
        self.record.units_ok + self.record.units_failed
    }

    /// The units' outputs, for a verifier, once every one has arrived.
    pub(crate) fn take_results(&mut self) -> Option<Vec<Option<String>>> {
        self.results.take().filter(|r| r.len() as u64 == self.units)
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
        self.record.measurement = self.host_measurement(report);
        self.record.machine = match (self.record.measurement, self.host.machine_at_go, self.host.machine_at_measured) {
            (Some(m), Some(go), Some(measured)) => {
                measured.load_since(go, m.wall_ns, m.user_ns + m.sys_ns + unreaped_cpu_ns(report))
            }
            _ => None,
        };
        if let Some(problem) = self.cross_check() {
            self.stream.fail(|| problem);
        }
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
        if report.leftovers > 0 {
            // A process that outlived its run outranks how the run ended (a
            // deadlock's `fail_run` included): nothing may outlive a run.
            record.failure = Some(RunFailure::LeftProcesses(report.leftovers));
        }
        // The host's own protections beside what the run applied to itself.
        let protections = record.protections.get_or_insert_with(Default::default);
        protections.items.extend(report.protections.items.iter().cloned());
        let output = report.stdout.bytes + report.stderr.bytes;
        if output > self.limits.output_bytes {
            record.failure = Some(RunFailure::OutputLimit(output, self.limits.output_bytes));
        }
        if self.custom_events > self.limits.events {
            record.failure = Some(RunFailure::EventLimit(self.limits.events));
        }
        if let Some(limit) = limit_hit(report) {
            // A limit the kernel enforced outranks how the process then ended.
            record.failure = Some(limit);
        }
        if matches!(&record.failure, Some(RunFailure::WorkerDied(how)) if how.ends_with("killed by SIGSYS")) {
            record.failure = Some(forbidden(report));
        }
        let accounted = record.units_ok + record.units_failed;
        if record.failure.is_none() && accounted != self.units {
            record.failure = Some(RunFailure::UnitsMissing { units: self.units, accounted });
        }
        if let Some(how) = self.stream.problem() {
            record.failure = Some(RunFailure::Tampered(how.to_owned()));
        }
        if record.failure.is_none() && record.verdict.is_none() {
            record.failure = Some(RunFailure::Exited { code: 0, last_words: " before reporting a verdict".to_owned() });
        }
        self.record
    }

    /// The measured phase as the host saw it: its own clock between go and
    /// `measured`, the kernel's CPU count at both, and peak memory and
    /// switches from `wait4` (the whole process, prepare included).
    fn host_measurement(&self, report: &ChildReport) -> Option<Measurement> {
        let wall = self.host.measured_at?.checked_duration_since(self.host.go_at?)?;
        let cpu = match (self.host.cpu_at_go, self.host.cpu_at_measured) {
            (Some(go), Some(measured)) => measured.since(go),
            // The process was gone before the host could look: its whole life.
            _ => report.usage.map_or(CpuTime::default(), |u| CpuTime { user_ns: u.user_ns, sys_ns: u.sys_ns }),
        };
        let usage = report.usage.unwrap_or_default();
        Some(Measurement {
            wall_ns: wall.as_nanos() as u64,
            user_ns: cpu.user_ns,
            sys_ns: cpu.sys_ns,
            max_rss_bytes: usage.max_rss_bytes,
            voluntary_switches: usage.voluntary_switches,
            involuntary_switches: usage.involuntary_switches,
            // The simulated lock's counters exist only inside the run.
            gil: self.record.reported.and_then(|r| r.gil),
        })
    }

    /// The run's own figures cannot exceed what the host measured around them.
    fn cross_check(&self) -> Option<String> {
        let (host, own) = (self.record.measurement?, self.record.reported?);
        if own.wall_ns > host.wall_ns + WALL_SLACK_NS {
            return Some(format!(
                "the run reported a wall time of {:.3} s, the host measured {:.3} s",
                own.wall_ns as f64 / 1e9,
                host.wall_ns as f64 / 1e9
            ));
        }
        let (own_cpu, host_cpu) = (own.user_ns + own.sys_ns, host.user_ns + host.sys_ns);
        if self.host.cpu_at_measured.is_some() && own_cpu > host_cpu + host_cpu / 10 + CPU_SLACK_NS {
            return Some(format!(
                "the run reported {:.3} s of CPU, the kernel counted {:.3} s",
                own_cpu as f64 / 1e9,
                host_cpu as f64 / 1e9
            ));
        }
        None
    }
}

/// The limit a run ran into, from the kernel's own counts and the signal it
/// used (the run's words about it are not needed).
fn limit_hit(report: &ChildReport) -> Option<RunFailure> {
    let cgroup = report.cgroup.as_ref();
    if let Some(kills) = cgroup.and_then(|c| c.oom_kills).filter(|&n| n > 0) {
        return Some(RunFailure::OutOfMemory(kills));
    }
    match &report.exit {
        ChildExit::Signaled(signal) if signal == "SIGSYS" => return Some(forbidden(report)),
        ChildExit::Signaled(signal) if signal == "SIGXFSZ" => return Some(RunFailure::FileTooLarge),
        ChildExit::Signaled(signal) if signal == "SIGXCPU" => return Some(RunFailure::CpuTime),
        ChildExit::Exited(0) => return None,
        _ => {}
    }
    // Refused forks only explain a run that failed.
    cgroup.and_then(|c| c.pids_limit_hits).filter(|&n| n > 0).map(RunFailure::TooManyProcesses)
}

/// CPU the run's cgroup counted beyond what its process and the children it
/// waited for used: processes that escaped the run's tree. They are the
/// run's own, never "others" — else a submission could spin one to make
/// its failing figures look disturbed, hence inconclusive.
fn unreaped_cpu_ns(report: &ChildReport) -> u64 {
    let (Some(group), Some(usage)) = (report.cgroup.as_ref().and_then(|c| c.cpu_ns), report.usage) else {
        return 0;
    };
    group.saturating_sub(usage.user_ns + usage.sys_ns)
}

/// A process of the run was killed by `SIGSYS`: the seccomp filter stopped a
/// call, which the run's handler named on stderr.
fn forbidden(report: &ChildReport) -> RunFailure {
    let name = forbidden_call_in(&report.stderr.tail).unwrap_or("a system call the run did not name");
    RunFailure::Forbidden(name.to_owned())
}

/// The last non-empty line the process wrote on stderr, as a hint.
fn last_words(stderr: &Captured) -> String {
    stderr
        .last_line()
        .map(|l| format!(" (last words on stderr: {})", l.chars().take(300).collect::<String>()))
        .unwrap_or_default()
}
