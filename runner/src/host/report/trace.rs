//! `--trace FILE.json`: every run of every scenario in the Chrome trace-event
//! format (the JSON object form), which Perfetto UI and chrome://tracing
//! open. A process per run, a thread track per worker (more for a worker with
//! several units in flight, see [`crate::host::timeline::tracks`]), a slice
//! per unit with its id and outcome, the waits for the simulated lock and for
//! IO as slices of their own, lock hand-overs and failures as instant events,
//! each core's load as a counter track, and metadata naming the strategy and
//! round of every process. Built from the same timelines as the pictures;
//! nothing here measures.
//!
//! Every run starts at time 0 (its own clock, from just before its strategy
//! started), so the runs of a scenario line up one under another for
//! comparison; they did not run at once (`otherData.clock` says so).

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::Report;
use super::exporter::Exporter;
use crate::host::plan::Round;
use crate::host::record::RunRecord;
use crate::host::timeline::{Timeline, tracks};
use crate::protocol::WaitKind;

/// The trace exporter.
#[derive(Debug, Default)]
pub(crate) struct Trace;

/// The file: the trace-event format's JSON object form.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TraceFile {
    trace_events: Vec<TraceEvent>,
    display_time_unit: &'static str,
    other_data: Value,
}

/// One trace event. Times are microseconds, as the format says.
#[derive(Serialize)]
struct TraceEvent {
    name: Cow<'static, str>,
    /// Phase: `X` complete slice, `i` instant, `C` counter, `M` metadata.
    ph: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cat: Option<&'static str>,
    ts: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
    pid: u32,
    tid: u32,
    /// Scope of an instant: `t` its thread, `p` its process.
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'static str>,
    #[serde(skip_serializing_if = "Value::is_null")]
    args: Value,
}

impl TraceEvent {
    fn new(name: impl Into<Cow<'static, str>>, ph: &'static str, pid: u32, tid: u32, ts_ns: u64) -> TraceEvent {
        TraceEvent {
            name: name.into(),
            ph,
            cat: None,
            ts: micros(ts_ns),
            dur: None,
            pid,
            tid,
            s: None,
            args: Value::Null,
        }
    }

    fn metadata(name: &'static str, pid: u32, tid: u32, args: Value) -> TraceEvent {
        TraceEvent { args, ..TraceEvent::new(name, "M", pid, tid, 0) }
    }

    fn slice(
        name: impl Into<Cow<'static, str>>,
        cat: &'static str,
        pid: u32,
        tid: u32,
        span: (u64, u64),
    ) -> TraceEvent {
        let dur = Some(micros(span.1.saturating_sub(span.0)));
        TraceEvent { cat: Some(cat), dur, ..TraceEvent::new(name, "X", pid, tid, span.0) }
    }

    fn instant(name: impl Into<Cow<'static, str>>, scope: &'static str, pid: u32, tid: u32, ts_ns: u64) -> TraceEvent {
        TraceEvent { s: Some(scope), ..TraceEvent::new(name, "i", pid, tid, ts_ns) }
    }

    fn with_args(self, args: Value) -> TraceEvent {
        TraceEvent { args, ..self }
    }
}

/// Nanoseconds as the format's microseconds (kept to the nanosecond).
fn micros(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

impl Exporter for Trace {
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String> {
        let mut events = Vec::new();
        let mut scenarios = Vec::new();
        let mut pid = 0;
        for report in reports {
            let mut processes = Vec::new();
            for record in &report.runs.records {
                pid += 1;
                processes.push(run_events(report, record, pid, &mut events));
            }
            scenarios.push(json!({
                "name": report.scenario.name,
                "file": report.scenario.path.display().to_string(),
                "repeat": report.scenario.repeat,
                "warmup": report.scenario.warmup,
                "strategies": report.scenario.strategies.iter().map(|s| json!({
                    "label": s.label, "kind": s.spec.kind.name(), "workers": s.spec.workers, "gil": s.spec.gil.is_some(),
                })).collect::<Vec<_>>(),
                "processes": processes,
            }));
        }
        let file = TraceFile {
            trace_events: events,
            display_time_unit: "ms",
            other_data: json!({
                "runner_version": env!("CARGO_PKG_VERSION"),
                "clock": "each process is one run, its time from 0 just before its strategy started; runs went one after another, not at once",
                "scenarios": scenarios,
            }),
        };
        serde_json::to_string(&file).map_err(|e| e.to_string())
    }
}

/// Appends one run's events as process `pid`; returns what the metadata says of it.
fn run_events(report: &Report<'_>, record: &RunRecord, pid: u32, events: &mut Vec<TraceEvent>) -> Value {
    let strategy = &report.scenario.strategies[record.strategy];
    let round = match record.round {
        Round::Warmup(n) => format!("warmup {}", n + 1),
        Round::Measured(n) => format!("round {}", n + 1),
    };
    let name = format!("{} · {} · {round}", report.scenario.name, strategy.label);
    let about = json!({
        "pid": pid,
        "strategy": strategy.label,
        "kind": strategy.spec.kind.name(),
        "workers": strategy.spec.workers,
        "round": round,
        "measured": matches!(record.round, Round::Measured(_)),
        "outcome": record.cause(),
        "wall_s": record.wall_s(),
        "gil_switches": record.measurement.and_then(|m| m.gil).map(|g| g.switches),
        "dropped_spans": record.timeline.dropped,
    });
    events.push(TraceEvent::metadata("process_name", pid, 0, json!({ "name": name })));
    events.push(TraceEvent::metadata("process_sort_index", pid, 0, json!({ "sort_index": pid })));
    events.push(TraceEvent::metadata(
        "process_labels",
        pid,
        0,
        json!({ "labels": format!("{} ×{}", strategy.spec.kind.name(), strategy.spec.workers) }),
    ));
    events.push(TraceEvent::instant("run", "p", pid, 0, 0).with_args(about.clone()));
    let timeline = &record.timeline;
    let messages: HashMap<u64, &str> = record.unit_failures.iter().map(|f| (f.unit, f.message.as_str())).collect();
    let mut next_tid = 1;
    for lane in &timeline.lanes {
        next_tid = worker_events(timeline, lane.worker, lane.pid, pid, next_tid, &messages, events);
    }
    cpu_events(timeline, pid, events);
    if let Some(failure) = &record.failure {
        let end = timeline.span_ns();
        events.push(
            TraceEvent::instant(format!("run failed: {}", failure.code()), "p", pid, 0, end)
                .with_args(json!({ "problem": failure.to_string() })),
        );
    }
    about
}

/// One worker's tracks, from thread id `first_tid`; returns the next free id.
fn worker_events(
    timeline: &Timeline,
    worker: u32,
    os_pid: u32,
    pid: u32,
    first_tid: u32,
    messages: &HashMap<u64, &str>,
    events: &mut Vec<TraceEvent>,
) -> u32 {
    let (bars, waits) = (timeline.bars_of(worker), timeline.waits_of(worker));
    let layout = tracks::lay_out(bars, waits);
    let track_count = layout.unit_tracks + layout.wait_tracks;
    let tid_of = |track: usize| first_tid + track as u32;
    for track in 0..track_count {
        let name = match track {
            0 => format!("worker {worker} (pid {os_pid})"),
            t if t < layout.unit_tracks => format!("worker {worker} · unit in flight {}", t + 1),
            _ => format!("worker {worker} · waits"),
        };
        events.push(TraceEvent::metadata("thread_name", pid, tid_of(track), json!({ "name": name })));
        events.push(TraceEvent::metadata(
            "thread_sort_index",
            pid,
            tid_of(track),
            json!({ "sort_index": tid_of(track) }),
        ));
    }
    for (bar, &track) in bars.iter().zip(&layout.bar_track) {
        let outcome = if bar.failed { "failed" } else { "ok" };
        let mut args = json!({ "unit": bar.unit, "outcome": outcome, "worker": worker });
        if let Some(message) = messages.get(&bar.unit) {
            args["message"] = json!(message);
        }
        let tid = tid_of(track);
        events.push(
            TraceEvent::slice(format!("unit {}", bar.unit), "unit", pid, tid, (bar.start_ns, bar.end_ns))
                .with_args(args.clone()),
        );
        if bar.failed {
            events.push(
                TraceEvent::instant(format!("unit {} failed", bar.unit), "t", pid, tid, bar.end_ns).with_args(args),
            );
        }
    }
    for (wait, &track) in waits.iter().zip(&layout.wait_track) {
        let tid = tid_of(track);
        let (name, cat) = match wait.kind {
            WaitKind::Gil => ("waiting for the lock", "wait.lock"),
            WaitKind::Io => ("blocking IO", "wait.io"),
        };
        events.push(TraceEvent::slice(name, cat, pid, tid, (wait.start_ns, wait.end_ns)));
        if wait.kind == WaitKind::Gil {
            // The wait ends when the lock passes to this worker.
            events.push(TraceEvent::instant("lock handed over", "t", pid, tid, wait.end_ns).with_args(
                json!({ "to_worker": worker, "waited_us": micros(wait.end_ns.saturating_sub(wait.start_ns)) }),
            ));
        }
    }
    first_tid + track_count as u32
}

/// A counter track per core: its busy share, in percent, from each host sample.
fn cpu_events(timeline: &Timeline, pid: u32, events: &mut Vec<TraceEvent>) {
    for core in 0..timeline.cores() {
        let name: Cow<'static, str> = format!("CPU {core} busy %").into();
        let mut last = None;
        for sample in &timeline.cpu {
            let Some(&busy) = sample.busy.get(core) else { continue };
            let value = (f64::from(busy) * 1000.0).round() / 10.0;
            events
                .push(TraceEvent::new(name.clone(), "C", pid, 0, sample.start_ns).with_args(json!({ "busy": value })));
            last = Some((sample.end_ns, value));
        }
        // The last value holds until the last sample's end.
        if let Some((end, value)) = last {
            events.push(TraceEvent::new(name, "C", pid, 0, end).with_args(json!({ "busy": value })));
        }
    }
}
