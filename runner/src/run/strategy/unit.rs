//! What every strategy shares: the run's context, one worker's state (which is
//! also what the plugin's host callbacks reach), and running one unit with its
//! two events.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::protocol::RunClock;
use crate::protocol::{Event, GilStats, Measurement, UnitSpan, WaitKind, WaitSpan};
use crate::run::plugin::{CallError, HostApi, Instance, UnitResult, WorkerHooks};
use crate::run::{EventSink, Gil, WorkerLog};

/// Everything a strategy needs to run a run's units.
#[derive(Debug)]
pub(crate) struct RunContext<'a> {
    pub(crate) instance: &'a Instance,
    pub(crate) units: u64,
    pub(crate) events: &'a EventSink,
    pub(crate) clock: RunClock,
}

/// What a strategy hands back: one result per unit (`None` where it failed)
/// and the figures measured around the whole strategy.
#[derive(Debug)]
pub(crate) struct StrategyOutcome {
    pub(crate) results: Vec<Option<String>>,
    pub(crate) measurement: Measurement,
    /// Worker processes that died instead of finishing their units.
    pub(crate) worker_failures: Vec<String>,
}

impl StrategyOutcome {
    /// An outcome with every figure but the GIL's.
    pub(crate) fn new(results: Vec<Option<String>>, measurement: Measurement) -> Self {
        Self { results, measurement, worker_failures: Vec::new() }
    }

    /// Adds the simulated lock's figures.
    pub(crate) fn with_gil(mut self, gil: Option<GilStats>) -> Self {
        self.measurement.gil = gil;
        self
    }
}

/// One worker (thread or process) of a run: the plugin's callbacks land here.
#[derive(Debug)]
pub(crate) struct WorkerState<'a> {
    pub(crate) id: u32,
    /// Workers in the run.
    pub(crate) workers: u32,
    clock: RunClock,
    gil: Option<&'a Gil>,
    log: Mutex<WorkerLog<'a>>,
    /// When the current blocking section began (run-clock ns), 0 outside one.
    blocked_since_ns: AtomicU64,
    /// Send each unit's output on the event stream (forked workers, whose
    /// results must reach the run's process for verification).
    send_results: bool,
}

impl<'a> WorkerState<'a> {
    /// A worker that reports on `events`.
    pub(crate) fn new(id: u32, workers: u32, clock: RunClock, events: &'a EventSink, gil: Option<&'a Gil>) -> Self {
        let log = Mutex::new(WorkerLog::new(events, id));
        let state =
            WorkerState { id, workers, clock, gil, log, blocked_since_ns: AtomicU64::new(0), send_results: false };
        state.log(Event::WorkerStarted { worker: id, pid: std::process::id(), t_ns: clock.now_ns() });
        state
    }

    /// Makes this worker send unit outputs on its event stream.
    pub(crate) fn sending_results(mut self) -> Self {
        self.send_results = true;
        self
    }

    fn log(&self, event: Event) {
        if let Ok(mut log) = self.log.lock() {
            log.push(&event);
        }
    }

    /// Runs units `units` on this worker, under the simulated lock if there is
    /// one, and returns their results in order.
    pub(crate) fn run_units(&self, instance: &Instance, units: std::ops::Range<u64>) -> Vec<Option<String>> {
        let hooks: &dyn WorkerHooks = self;
        let host = HostApi::new(&hooks, self.id, self.workers);
        // Released when this worker is done, however it ends.
        let _held = self.gil.map(|gil| gil.hold(self.id));
        units
            .map(|unit| {
                let result = self.run_unit(instance, &host, unit);
                // Between two units is a switch point too, as between bytecodes.
                self.checkpoint();
                result
            })
            .collect()
    }

    /// Runs one unit's async form, reporting when it started and ended.
    pub(crate) async fn run_unit_async(
        &self,
        instance: &Instance,
        host: &HostApi<'_>,
        unit: u64,
    ) -> (u64, Option<String>) {
        let started_ns = self.clock.now_ns();
        let result = instance.run_unit_async(host.raw(), unit).await;
        (unit, self.record(unit, started_ns, result))
    }

    /// Runs one unit, reporting when it started and ended.
    pub(crate) fn run_unit(&self, instance: &Instance, host: &HostApi<'_>, unit: u64) -> Option<String> {
        let started_ns = self.clock.now_ns();
        let result = instance.run_unit(host.raw(), unit);
        self.record(unit, started_ns, result)
    }

    /// Logs how a unit ended and returns its output.
    fn record(&self, unit: u64, started_ns: u64, result: UnitResult) -> Option<String> {
        let finished_ns = self.clock.now_ns();
        let Ok(mut log) = self.log.lock() else { return result.ok() };
        match result {
            Ok(output) => {
                if self.send_results {
                    log.push(&Event::UnitResult { unit, output: output.clone() });
                }
                log.push_span(UnitSpan(unit, started_ns, finished_ns));
                Some(output)
            }
            Err(error) => {
                let (panicked, message) = match error {
                    CallError::Failed(message) => (false, message),
                    CallError::Panicked(message) => (true, message),
                };
                let worker = self.id;
                log.push(&Event::UnitFailed { unit, worker, started_ns, finished_ns, panicked, message });
                None
            }
        }
    }

    /// Records a wait for the timeline.
    fn waited(&self, kind: WaitKind, started_ns: u64, finished_ns: u64) {
        if let Ok(mut log) = self.log.lock() {
            log.push_wait(WaitSpan(kind, started_ns, finished_ns));
        }
    }

    /// Sends whatever events are buffered.
    pub(crate) fn flush(&self) {
        if let Ok(mut log) = self.log.lock() {
            log.flush();
        }
    }
}

impl Drop for WorkerState<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

impl WorkerHooks for WorkerState<'_> {
    fn checkpoint(&self) {
        if let Some(waited) = self.gil.and_then(|gil| gil.checkpoint(self.id)) {
            self.waited(WaitKind::Gil, waited.started_ns, waited.finished_ns);
        }
    }

    fn sleep(&self, duration: Duration) {
        // Blocking IO releases the lock, as CPython's does.
        self.blocking_begin();
        std::thread::sleep(duration);
        self.blocking_end();
    }

    fn blocking_begin(&self) {
        // `max(1)`: zero means "not in a blocking section".
        self.blocked_since_ns.store(self.clock.now_ns().max(1), Ordering::Relaxed);
        if let Some(gil) = self.gil {
            gil.release(self.id);
        }
    }

    fn blocking_end(&self) {
        let since = self.blocked_since_ns.swap(0, Ordering::Relaxed);
        if since > 0 {
            self.waited(WaitKind::Io, since, self.clock.now_ns());
        }
        if let Some(waited) = self.gil.and_then(|gil| gil.acquire(self.id)) {
            self.waited(WaitKind::Gil, waited.started_ns, waited.finished_ns);
        }
    }

    fn fail_run(&self, message: &str) -> ! {
        if let Ok(mut log) = self.log.lock() {
            log.push(&Event::Aborted { worker: self.id, message: message.to_owned() });
            log.flush();
        }
        // SAFETY: ends the process at once: the run cannot finish (the plugin
        // says so), and other threads may be stuck for good.
        unsafe { nix::libc::_exit(crate::protocol::RUN_ABORTED_EXIT) }
    }

    fn emit(&self, name: &str, detail: serde_json::Value) {
        self.log(Event::Custom { worker: self.id, t_ns: self.clock.now_ns(), name: name.to_owned(), detail });
    }
}
