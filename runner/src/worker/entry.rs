//! Entry points of the run's child process.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use super::{EventSink, RunClock, RunSpec};
use crate::event::{Event, FatalError};
use crate::plugin::{CallError, HostApi, Plugin};
use crate::strategy::{self, RunContext};
use crate::supervise::EVENT_FD;

/// Exit code of a run process that a plugin ended with `fail_run`.
pub const RUN_ABORTED_EXIT: i32 = 3;

/// `runner __worker`: one measured run, described by JSON on stdin.
pub fn worker_main() -> ExitCode {
    // contain: in a PID namespace made by the host, only the run (its pid 2) returns from here.
    if let Err(e) = crate::contain::pidns::enter() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let Some(sink) = open_sink() else {
        return ExitCode::from(2);
    };
    let mut input = String::new();
    let spec = std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_str::<RunSpec>(&input).map_err(|e| e.to_string()));
    let result = match spec {
        Ok(spec) => {
            // contain: the run contains itself, still single-threaded, before the plugin loads.
            let plan = crate::contain::child::plan_from_run_json(
                &input,
                spec.scratch_dir.as_deref(),
                &spec.plugin,
                &spec.params_json,
                u64::from(spec.strategy.workers),
            );
            let _protections = crate::contain::protect(&plan); // TODO(lead): send to the host as an event
            run(&spec, &sink)
        }
        Err(e) => Err(FatalError::Internal { message: format!("unreadable run description: {e}") }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            sink.send(&Event::Fatal { error });
            ExitCode::FAILURE
        }
    }
}

/// `runner __describe PATH`: loads a plugin and reports its manifest.
pub fn describe_main(path: &Path) -> ExitCode {
    let Some(sink) = open_sink() else {
        return ExitCode::from(2);
    };
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

fn run(spec: &RunSpec, sink: &EventSink) -> Result<(), FatalError> {
    if let Some(dir) = &spec.scratch_dir {
        crate::plugin::set_scratch_dir(dir);
    }
    let plugin = Plugin::open(&spec.plugin).map_err(|error| FatalError::Load { error })?;
    let host = HostApi::plain(spec.strategy.workers);
    let instance = plugin.prepare(host.raw(), &spec.workload, &spec.params_json, spec.units).map_err(|e| {
        let (message, panicked) = match e {
            CallError::Failed(m) => (m, false),
            CallError::Panicked(m) => (m, true),
        };
        FatalError::Prepare { workload: spec.workload.clone(), message, panicked }
    })?;
    let clock = RunClock::start();
    sink.send(&Event::Prepared { pid: std::process::id(), clock_origin_ns: clock.origin_ns() });

    let cx = RunContext { instance: &instance, units: spec.units, events: sink, clock };
    let outcome = strategy::execute(&spec.strategy, &cx)?;
    for cause in outcome.worker_failures {
        sink.send(&Event::WorkerFailed { cause });
    }
    sink.send(&Event::Measured { measurement: outcome.measurement });

    let (verified, message) = match instance.verify(host.raw(), &outcome.results) {
        Ok(message) => (true, message),
        Err(CallError::Failed(message)) => (false, message),
        Err(CallError::Panicked(message)) => (false, format!("verification panicked: {message}")),
    };
    let (message, figures) = split_figures(message);
    sink.send(&Event::Verified { verified, message, figures });
    Ok(())
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
