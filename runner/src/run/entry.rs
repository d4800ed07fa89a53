//! Entry points of the run's child process.

use std::io::{BufRead, Read};
use std::path::Path;
use std::process::ExitCode;

use super::EventSink;
use super::contain::protect;
use super::plugin::{CallError, HostApi, Instance, Plugin};
use super::strategy::{self, RunContext};
use crate::protocol::contain::{ChildPlan, NetPlan};
use crate::protocol::{EVENT_FD, Event, FatalError, GO, JOINED, RunClock, RunSpec, VerifySpec};

/// Bytes of unit outputs per `results` event: well under the host's line limit.
const RESULTS_BATCH_BYTES: usize = 1 << 20;

/// `runner __run`: one measured run, described by a JSON line on stdin; the
/// measured phase waits for the host's go byte after it.
pub(crate) fn run_main() -> ExitCode {
    // In a PID namespace the host made, only the run (its pid 2) returns here.
    if let Err(e) = super::contain::pidns::enter() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let Some(sink) = open_sink() else {
        return ExitCode::from(2);
    };
    let mut input = std::io::stdin().lock();
    let mut line = String::new();
    let spec = input
        .read_line(&mut line)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_str::<RunSpec>(&line).map_err(|e| e.to_string()));
    let result = match spec {
        // Nothing of the plugin's runs before this process is in its cgroup,
        // and the process contains itself knowing its group (whose pids.max
        // spares it counting the uid's tasks in /proc for RLIMIT_NPROC).
        Ok(_) if !host_says(&mut input, JOINED) => {
            Err(FatalError::Internal { message: "the host never said the run joined its cgroup".to_owned() })
        }
        Ok(spec) => {
            // Still single-threaded, before the plugin loads: the run contains itself.
            // The host always sends its plan; without one, the strictest
            // that still runs: writes only in scratch, reads the library.
            let plan = spec.contain.clone().unwrap_or_else(|| ChildPlan {
                workers: u64::from(spec.strategy.workers),
                scratch_dir: spec.scratch_dir.clone(),
                readable: vec![spec.plugin.clone()],
                ..ChildPlan::default()
            });
            sink.send(&Event::Contained { protections: protect(&plan) });
            run(&spec, &sink, &mut input)
        }
        Err(e) => Err(FatalError::Internal { message: format!("unreadable run description: {e}") }),
    };
    finish(&sink, result)
}

/// `runner __verify`: the instructor's verdict on a run's results, from a
/// process the submission never touched.
pub(crate) fn verify_main() -> ExitCode {
    let Some(sink) = open_sink() else {
        return ExitCode::from(2);
    };
    let mut input = String::new();
    let spec = std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_str::<VerifySpec>(&input).map_err(|e| e.to_string()));
    let result = match spec {
        Ok(spec) => verify(&spec, &sink),
        Err(e) => Err(FatalError::Internal { message: format!("unreadable verification: {e}") }),
    };
    finish(&sink, result)
}

fn finish(sink: &EventSink, result: Result<(), FatalError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            sink.send(&Event::Fatal { error });
            ExitCode::FAILURE
        }
    }
}

/// `runner __describe PATH`: loads a plugin and reports its manifest.
pub(crate) fn describe_main(path: Option<&Path>) -> ExitCode {
    let (Some(sink), Some(path)) = (open_sink(), path) else {
        return ExitCode::from(2);
    };
    // A library's constructors run as it loads: contained like a run, with
    // nothing to write and no network (the report stays here: a describe
    // child answers with a manifest only).
    let plan = ChildPlan {
        workers: 1,
        readable: vec![path.to_owned()],
        net: NetPlan { connect_ports: Some(Vec::new()), bind_ephemeral: false },
        ..ChildPlan::default()
    };
    let _ = protect(&plan);
    let described = Plugin::open(path).and_then(|plugin| plugin.manifest(HostApi::plain(0).raw()));
    match described {
        Ok(manifest) => {
            sink.send(&Event::Manifest { manifest });
            ExitCode::SUCCESS
        }
        Err(error) => {
            sink.send(&Event::Fatal { error: FatalError::Load { error } });
            ExitCode::FAILURE
        }
    }
}

fn open_sink() -> Option<EventSink> {
    match EventSink::from_fd(EVENT_FD) {
        Ok(sink) => Some(sink),
        Err(_) => {
            eprintln!(
                "error: this subcommand is internal to `runner`: it runs inside a child process the runner supervises"
            );
            None
        }
    }
}

fn run(spec: &RunSpec, sink: &EventSink, input: &mut impl BufRead) -> Result<(), FatalError> {
    if let Some(dir) = &spec.scratch_dir {
        super::plugin::set_scratch_dir(dir);
    }
    let plugin = Plugin::open(&spec.plugin).map_err(|error| FatalError::Load { error })?;
    let host = HostApi::plain(spec.strategy.workers);
    let instance = prepare(&plugin, &host, &spec.workload, &spec.params_json, spec.units)?;
    let clock = RunClock::start();
    sink.send(&Event::Prepared { pid: std::process::id(), clock_origin_ns: clock.origin_ns() });
    // The host starts its clock as it sends the go: the measured phase is
    // timed from outside, between points the host controls.
    if !host_says(input, GO) {
        return Err(FatalError::Internal { message: "the host never said go".to_owned() });
    }

    let cx = RunContext { instance: &instance, units: spec.units, events: sink, clock };
    let outcome = strategy::execute(&spec.strategy, &cx)?;
    for cause in outcome.worker_failures {
        sink.send(&Event::WorkerFailed { cause });
    }
    sink.send(&Event::Measured { measurement: outcome.measurement });
    // Stay until the host has looked at this process; go on regardless if it
    // cannot say so (the host reads the rest or not, as it likes).
    host_says(input, GO);
    send_results(sink, &outcome.results);
    // The plugin's own verdict: the grade when the plugin is the scenario's
    // own; only information when a submission stands in for it (the host
    // then asks the instructor's library, in a process of its own).
    sink.send(&verdict(instance.verify(host.raw(), &outcome.results)));
    Ok(())
}

fn verify(spec: &VerifySpec, sink: &EventSink) -> Result<(), FatalError> {
    if spec.results.len() as u64 != spec.units {
        return Err(FatalError::Internal { message: "results for another number of units".to_owned() });
    }
    let plugin = Plugin::open(&spec.plugin).map_err(|error| FatalError::Load { error })?;
    let host = HostApi::plain(1);
    let instance = prepare(&plugin, &host, &spec.workload, &spec.params_json, spec.units)?;
    sink.send(&verdict(instance.verify(host.raw(), &spec.results)));
    Ok(())
}

fn prepare(
    plugin: &Plugin,
    host: &HostApi<'_>,
    workload: &str,
    params_json: &str,
    units: u64,
) -> Result<Instance, FatalError> {
    plugin.prepare(host.raw(), workload, params_json, units).map_err(|e| {
        let (message, panicked) = match e {
            CallError::Failed(m) => (m, false),
            CallError::Panicked(m) => (m, true),
        };
        FatalError::Prepare { workload: workload.to_owned(), message, panicked }
    })
}

fn host_says(input: &mut impl BufRead, byte: u8) -> bool {
    let mut got = [0u8; 1];
    input.read_exact(&mut got).is_ok() && got[0] == byte
}

/// Every unit's output, in batches of about [`RESULTS_BATCH_BYTES`].
fn send_results(sink: &EventSink, results: &[Option<String>]) {
    let mut first = 0;
    while first < results.len() {
        let mut bytes = 0;
        let mut end = first;
        while end < results.len() && (end == first || bytes < RESULTS_BATCH_BYTES) {
            bytes += results[end].as_ref().map_or(4, |r| r.len() + 2);
            end += 1;
        }
        sink.send(&Event::Results { first: first as u64, results: results[first..end].to_vec() });
        first = end;
    }
}

fn verdict(outcome: Result<String, CallError>) -> Event {
    let (verified, message) = match outcome {
        Ok(message) => (true, message),
        Err(CallError::Failed(message)) => (false, message),
        Err(CallError::Panicked(message)) => (false, format!("verification panicked: {message}")),
    };
    let (message, figures) = split_figures(message);
    Event::Verified { verified, message, figures }
}

/// A verdict is plain text, or `{"message": …, "figures": {…}}` (see
/// `runner_sdk::with_figures`).
fn split_figures(text: String) -> (String, std::collections::BTreeMap<String, f64>) {
    #[derive(serde::Deserialize)]
    struct WithFigures {
        message: String,
        #[serde(default)]
        figures: std::collections::BTreeMap<String, f64>,
    }
    match serde_json::from_str::<WithFigures>(&text) {
        Ok(parsed) => (parsed.message, parsed.figures),
        Err(_) => (text, Default::default()),
    }
}
