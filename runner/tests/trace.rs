//! `--trace FILE.json`: the file is a Chrome trace-event document that
//! Perfetto and chrome://tracing open: every event has the fields its phase
//! needs, every process and thread track is named, the slices on each track
//! nest, and what the trace shows agrees with the JSON report (a process per
//! run, a slice per unit, the waits, hand-overs, CPU counters).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{runner, scenario};
use serde_json::Value;

/// A slice on a track: start and end in µs, and its name.
type Slice = (f64, f64, String);

/// Checks `trace` against the trace-event format; returns the events.
fn check_format(trace: &Value) -> Vec<Value> {
    let events = trace["traceEvents"].as_array().expect("a traceEvents array").clone();
    assert!(["ms", "ns"].contains(&trace["displayTimeUnit"].as_str().unwrap()));
    let mut named_processes = BTreeSet::new();
    let mut named_threads = BTreeSet::new();
    let mut slices: BTreeMap<(u64, u64), Vec<Slice>> = BTreeMap::new();
    for e in &events {
        let ph = e["ph"].as_str().unwrap_or_else(|| panic!("no ph: {e}"));
        assert!(e["name"].is_string(), "no name: {e}");
        let (pid, tid) = (e["pid"].as_u64().expect("pid"), e["tid"].as_u64().expect("tid"));
        let ts = e["ts"].as_f64().unwrap_or_else(|| panic!("no ts: {e}"));
        assert!(ts >= 0.0, "{e}");
        match ph {
            "X" => {
                let dur = e["dur"].as_f64().unwrap_or_else(|| panic!("a slice without dur: {e}"));
                assert!(dur >= 0.0, "{e}");
                slices.entry((pid, tid)).or_default().push((ts, ts + dur, e["name"].as_str().unwrap().to_owned()));
            }
            "i" => assert!(["t", "p", "g"].contains(&e["s"].as_str().unwrap_or("")), "instant scope: {e}"),
            "C" => {
                let args = e["args"].as_object().unwrap_or_else(|| panic!("a counter without args: {e}"));
                assert!(!args.is_empty() && args.values().all(Value::is_number), "{e}");
            }
            "M" => match e["name"].as_str().unwrap() {
                "process_name" => assert!(named_processes.insert(pid) && e["args"]["name"].is_string(), "{e}"),
                "thread_name" => assert!(named_threads.insert((pid, tid)) && e["args"]["name"].is_string(), "{e}"),
                "process_sort_index" | "thread_sort_index" => assert!(e["args"]["sort_index"].is_number(), "{e}"),
                "process_labels" => assert!(e["args"]["labels"].is_string(), "{e}"),
                other => panic!("unknown metadata event `{other}`"),
            },
            other => panic!("unexpected phase `{other}`: {e}"),
        }
        assert!(named_processes.contains(&pid) || ph == "M", "process {pid} used before it is named: {e}");
    }
    // Slices on one track nest: each starts after the enclosing one ends or ends inside it.
    const SLACK_US: f64 = 0.002;
    for (track, mut spans) in slices {
        assert!(named_threads.contains(&track), "track {track:?} has slices but no thread_name");
        spans.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut open: Vec<Slice> = Vec::new();
        for span in spans {
            while open.last().is_some_and(|top| top.1 <= span.0 + SLACK_US) {
                open.pop();
            }
            if let Some(top) = open.last() {
                assert!(
                    span.1 <= top.1 + SLACK_US,
                    "on {track:?} `{}` {:?} overlaps `{}` {:?}",
                    span.2,
                    (span.0, span.1),
                    top.2,
                    (top.0, top.1)
                );
            }
            open.push(span);
        }
    }
    events
}

fn trace_of(file: &std::path::Path, marker: &str) -> (Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.json");
    let out = runner(marker).arg(file).args(["--format", "json", "--trace"]).arg(&trace).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = common::json(&out.stdout);
    let trace: Value = serde_json::from_slice(&std::fs::read(&trace).unwrap()).expect("the trace is JSON");
    (report, trace)
}

#[test]
fn the_io_bound_trace_is_well_formed_and_shows_every_unit_and_wait() {
    // The lecture's io_bound, in one measured round (its 3 + 1 take a minute).
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/io_bound.toml")).unwrap();
    let text = text.replace("repeat = 3", "repeat = 1").replace("warmup = 1", "warmup = 0");
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "io_bound.toml", &text);
    let (report, trace) = trace_of(&file, "trace-io");
    let events = check_format(&trace);
    let strategies = report["strategies"].as_array().unwrap();
    let names: Vec<&str> =
        events.iter().filter(|e| e["name"] == "process_name").map(|e| e["args"]["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), strategies.len(), "a process per run: {names:?}");
    for s in strategies {
        let label = s["label"].as_str().unwrap();
        assert!(names.contains(&format!("io_bound · {label} · round 1").as_str()), "{label} in {names:?}");
    }
    for pid in 1..=strategies.len() as u64 {
        let of_run = |name: &str| events.iter().filter(|e| e["pid"] == pid && e["cat"] == name).count();
        assert_eq!(of_run("unit"), 100, "a slice per unit in process {pid}");
        assert!(events.iter().any(|e| e["pid"] == pid && e["ph"] == "C"), "CPU counters in process {pid}");
    }
    let units: Vec<&Value> = events.iter().filter(|e| e["cat"] == "unit").collect();
    assert!(units.iter().all(|u| u["args"]["unit"].is_u64() && u["args"]["outcome"] == "ok"), "unit id and outcome");
    let ids: BTreeSet<u64> =
        units.iter().filter(|u| u["pid"] == 1).map(|u| u["args"]["unit"].as_u64().unwrap()).collect();
    assert_eq!(ids, (0..100).collect(), "every unit once");
    // Sequential blocks in IO: a wait of about 100 ms inside each of its units.
    let io: Vec<&Value> = events.iter().filter(|e| e["pid"] == 1 && e["cat"] == "wait.io").collect();
    assert!(io.len() >= 100, "{} IO waits", io.len());
    assert!(io.iter().all(|w| w["dur"].as_f64().unwrap() >= 90_000.0), "each wait about the server's delay");
    assert_eq!(trace["otherData"]["scenarios"][0]["name"], "io_bound");
}

const GIL: &str = r#"
[scenario]
name = "lock"
repeat = 1
warmup = 0

[workload]
plugin = "cpu"
workload = "count"
units = 4

[workload.params]
steps = 40_000_000

[[strategy]]
kind = "threads"
workers = 2
options = { gil = true, switch_interval_ms = 1 }
"#;

#[test]
fn lock_waits_and_hand_overs_are_on_the_workers_tracks() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "gil.toml", GIL);
    let (report, trace) = trace_of(&file, "trace-gil");
    let events = check_format(&trace);
    let waits = events.iter().filter(|e| e["cat"] == "wait.lock").count();
    let hand_overs = events.iter().filter(|e| e["name"] == "lock handed over").count();
    assert!(waits > 0 && hand_overs == waits, "{waits} lock waits, {hand_overs} hand-overs");
    let threads = events.iter().filter(|e| e["name"] == "thread_name").count();
    assert_eq!(threads, 2, "a track per worker");
    let switches = report["strategies"][0]["gil_switches"].as_u64().unwrap();
    assert!(switches > 0, "{switches}");
}
