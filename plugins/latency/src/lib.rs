//! The lecture's latency table measured on the machine in front of you (L1 and
//! main-memory references, reading 1 MiB from memory, the page cache and the
//! device, a loopback round trip), beside the costs that decide between
//! threads, processes and async (spawning, forking, switching, locking).
//!
//! One workload per row, one unit per workload: the unit times many operations
//! in several trials and returns the median nanoseconds per operation; the
//! verdict reports it as the figure `ns` (and `lecture_ns` where the lecture
//! has one), so a scenario with one strategy per workload prints the table.

mod chase;
mod file;
mod measure;
mod mutex;
mod net;
mod spawn;
mod stream;
mod switch;
mod sys;

use std::time::Duration;

use runner_sdk::{ParamSpec, Params, UnitContext, Workload, export_plugin, with_figures};
use serde_json::{Value, json};

use measure::{Budget, Trials};

/// One row of the table: what is measured, and how.
trait Row: Sized + Send + Sync + 'static {
    /// The workload's name.
    const NAME: &'static str;
    /// How it is measured, in a line or two, for `runner list`.
    const DESCRIPTION: &'static str;
    /// The lecture's figure for this row, in nanoseconds, if it has one.
    const LECTURE_NS: Option<f64> = None;

    /// Builds what the measurement needs (buffers, files) before the run.
    fn prepare() -> Result<Self, String>;

    /// Times the operation within `budget`.
    fn measure(&self, budget: Budget) -> Result<Outcome, String>;
}

/// What a row's measurement came to.
#[derive(Debug)]
enum Outcome {
    /// Nanoseconds per operation in each trial, and what one operation is
    /// ("per dependent load in a 256 MiB buffer").
    Measured { trials: Trials, what: String },
    /// The platform does not allow this measurement; the reason says why.
    Unavailable(String),
}

impl Outcome {
    fn measured(trials: Trials, what: impl Into<String>) -> Self {
        Outcome::Measured { trials, what: what.into() }
    }

    /// The unit's result text (JSON).
    fn to_json(&self) -> String {
        match self {
            Outcome::Measured { trials, what } => {
                let (ns, min, max) = trials.summary();
                json!({ "ns": ns, "min": min, "max": max, "trials": trials.len(), "what": what }).to_string()
            }
            Outcome::Unavailable(why) => json!({ "unavailable": why }).to_string(),
        }
    }
}

/// A row as a workload: the budget comes from the parameters.
#[derive(Debug)]
struct Latency<R> {
    row: R,
    budget: Budget,
}

/// Default measuring time per unit: thirteen rows of six runs stay well under 30 s.
const DEFAULT_MILLIS: i64 = 100;
const DEFAULT_TRIALS: i64 = 5;

impl<R: Row> Workload for Latency<R> {
    const NAME: &'static str = R::NAME;
    const DESCRIPTION: &'static str = R::DESCRIPTION;

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::int("millis", DEFAULT_MILLIS, "target measuring time of the unit, over all its trials"),
            ParamSpec::int("trials", DEFAULT_TRIALS, "timed trials per unit; the unit reports their median"),
        ]
    }

    fn prepare(params: &Params, _units: u64) -> Result<Self, String> {
        let millis =
            u64::try_from(params.int("millis")?).ok().filter(|&m| m > 0).ok_or("`millis` must be at least 1")?;
        let trials =
            usize::try_from(params.int("trials")?).ok().filter(|&t| t > 0).ok_or("`trials` must be at least 1")?;
        let budget = Budget { per_trial: Duration::from_millis(millis) / trials as u32, trials };
        Ok(Latency { row: R::prepare()?, budget })
    }

    fn run_unit(&self, _unit: u64, _cx: &UnitContext<'_>) -> Result<String, String> {
        self.row.measure(self.budget).map(|outcome| outcome.to_json())
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let mut medians = Vec::with_capacity(results.len());
        let mut shown = String::new();
        for (unit, result) in results.iter().enumerate() {
            let text = result.as_deref().ok_or_else(|| format!("unit {unit} measured nothing"))?;
            let value: Value = serde_json::from_str(text).map_err(|e| format!("unit {unit} returned {text:?}: {e}"))?;
            if let Some(why) = value["unavailable"].as_str() {
                return Ok(format!("not measured: {why}"));
            }
            let ns = value["ns"].as_f64().filter(|ns| ns.is_finite() && *ns > 0.0);
            let ns = ns.ok_or_else(|| format!("unit {unit} measured no positive time: {text}"))?;
            medians.push(ns);
            if unit == 0 {
                shown = describe(&value, R::LECTURE_NS);
            }
        }
        medians.sort_by(f64::total_cmp);
        let ns = *medians.get(medians.len() / 2).ok_or("no unit ran")?;
        let mut figures = vec![("ns", ns)];
        figures.extend(R::LECTURE_NS.map(|lecture| ("lecture_ns", lecture)));
        Ok(with_figures(shown, &figures))
    }
}

/// The verdict's words for one unit's result: the figure, what it is, the
/// spread of the trials (flagged when it is wider than 2× the median), and the
/// lecture's figure.
fn describe(value: &Value, lecture: Option<f64>) -> String {
    let ns = value["ns"].as_f64().unwrap_or(f64::NAN);
    let (min, max) = (value["min"].as_f64().unwrap_or(ns), value["max"].as_f64().unwrap_or(ns));
    let noisy = if max > 2.0 * ns || min < ns / 2.0 { ", noisy" } else { "" };
    let mut text = format!(
        "{} {} (median of {} trials, {}–{}{noisy})",
        human(ns),
        value["what"].as_str().unwrap_or("per operation"),
        value["trials"].as_u64().unwrap_or(1),
        human(min),
        human(max),
    );
    if let Some(lecture) = lecture {
        text.push_str(&format!("; the lecture: {}", human(lecture)));
    }
    text
}

/// Nanoseconds in the unit that suits them, with three significant digits.
fn human(ns: f64) -> String {
    let (value, unit) = match ns {
        ns if ns >= 1e6 => (ns / 1e6, "ms"),
        ns if ns >= 1e3 => (ns / 1e3, "µs"),
        ns => (ns, "ns"),
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}

export_plugin! {
    name: "latency",
    description: "the lecture's latency table measured here, beside the costs of threads, processes and async",
    workloads: [
        Latency<chase::L1>,
        Latency<chase::Memory>,
        Latency<stream::ReadMemory>,
        Latency<file::CachedFile>,
        Latency<file::DirectFile>,
        Latency<net::TcpRoundTrip>,
        Latency<spawn::ThreadSpawn>,
        Latency<spawn::Fork>,
        Latency<switch::ThreadSwitch>,
        Latency<switch::ProcessSwitch>,
        Latency<spawn::TokioSpawn>,
        Latency<mutex::Uncontended>,
        Latency<mutex::Contended>,
    ],
}
