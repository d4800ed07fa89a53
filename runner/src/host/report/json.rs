//! `--format json`: one JSON document per scenario (one per line when several
//! scenarios run), a public interface that graders parse. The field names and
//! meanings are fixed by [`SCHEMA_VERSION`]; add fields freely, but rename or
//! remove one only with a new version (documented in README.md).

use serde::Serialize;

use super::Report;
use super::exporter::{Exporter, each_scenario};
use crate::host::plan::Round;
use crate::host::record::{RunRecord, VerdictSource};
use crate::host::scenario::Repeat;
use crate::host::stats::{Interval, Noise, Spread};
use crate::protocol::WaitKind;

/// Version of the JSON document's schema.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// The JSON exporter.
#[derive(Debug, Default)]
pub(crate) struct Json;

/// One scenario's results as `runner --format json` prints them (schema
/// version 1: fields are added within a version, never renamed or removed).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Document<'a> {
    #[cfg_attr(test, schemars(extend("const" = 1)))]
    schema_version: u32,
    runner_version: &'static str,
    scenario: ScenarioDoc<'a>,
    workload: WorkloadDoc<'a>,
    strategies: Vec<StrategyDoc<'a>>,
    /// `"SIGINT"`/`"SIGTERM"` when the runner was stopped before the end.
    interrupted: Option<&'static str>,
    /// The `[[expect]]` checks and how they came out.
    expectations: Vec<ExpectationDoc<'a>>,
    /// Points earned and possible over the expectations.
    score: ScoreDoc,
    /// What an inconclusive expectation earns: `fail`, `pass` or `half` (0.4).
    inconclusive_policy: &'static str,
    ok: bool,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ExpectationDoc<'a> {
    name: &'a str,
    check: &'a str,
    points: f64,
    passed: bool,
    flaky: bool,
    attempts: u32,
    values: &'a [String],
    error: Option<&'a str>,
    hint: Option<&'a str>,
    /// Where the figures the check read came from (0.3).
    sources: &'a [&'static str],
    /// `held`, `failed` or `inconclusive` (0.4).
    state: &'static str,
    /// Why it is inconclusive: what made the machine too noisy to decide (0.4).
    inconclusive: Option<&'a str>,
    /// Points it earned (an inconclusive check: the policy's share) (0.4).
    earned: f64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ScoreDoc {
    earned: f64,
    possible: f64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ScenarioDoc<'a> {
    name: &'a str,
    description: &'a str,
    file: String,
    repeat: u32,
    warmup: u32,
    timeout_s: f64,
    /// How many rounds were measured and what ended them (0.4).
    rounds: RoundsDoc,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RoundsDoc {
    /// `fixed` or `auto`.
    mode: &'static str,
    /// Measured rounds run.
    measured: u32,
    /// `plan` (fixed), `target`, `budget` or `max_rounds`.
    ended_by: &'static str,
    /// `auto`: the half-width each speedup's interval had to reach, as a fraction.
    target: Option<f64>,
    /// `auto`: the time budget.
    budget_s: Option<f64>,
    /// `auto`: the widest speedup interval's half-width at the end, as a fraction.
    widest: Option<f64>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct IntervalDoc {
    median: f64,
    lo: f64,
    hi: f64,
    /// The exact probability that such an interval covers the true median.
    confidence: f64,
    /// Values it was made from.
    n: usize,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct NoiseDoc {
    /// Other processes or the hypervisor disturbed this strategy's figures or its speedup.
    disturbed: bool,
    /// What disturbed it, in words.
    message: Option<String>,
    /// Measured runs with a machine reading, and how many of them were disturbed.
    runs_read: usize,
    disturbed_runs: usize,
    /// Rounds whose speedup pair (this run or the baseline's) was disturbed.
    disturbed_pairs: usize,
    /// The most CPU others used during one run, in cores, and the most stolen.
    others_cores_max: f64,
    steal_cores_max: f64,
    cores: u32,
    usable_cores: u32,
    /// Set when the speedup's median is above what the usable cores allow: the limit.
    speedup_above: Option<f64>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MachineDoc {
    cores: u32,
    /// CPU the rest of the machine used over the measured phase, in cores.
    others_cores: f64,
    /// Time stolen by the hypervisor over it, in cores.
    steal_cores: f64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct WorkloadDoc<'a> {
    plugin: &'a str,
    plugin_version: &'a str,
    library: String,
    workload: &'a str,
    units: u64,
    params: serde_json::Value,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct StrategyDoc<'a> {
    label: &'a str,
    kind: &'static str,
    workers: u32,
    gil: bool,
    baseline: bool,
    /// Workload parameters this strategy overrides (`params` in `[[strategy]]`).
    params: serde_json::Value,
    wall_s: Option<SpreadDoc>,
    cpu_s: Option<SpreadDoc>,
    utilisation: Option<f64>,
    max_rss_bytes: Option<u64>,
    voluntary_switches: Option<f64>,
    involuntary_switches: Option<f64>,
    speedup: Option<f64>,
    speedup_spread: Option<SpreadDoc>,
    /// The medians with their confidence intervals (order statistics; the
    /// speedup's over the paired per-round ratios) (0.4).
    wall_ci: Option<IntervalDoc>,
    cpu_ci: Option<IntervalDoc>,
    speedup_ci: Option<IntervalDoc>,
    /// Whether other processes disturbed the figures, and how (0.4).
    noise: NoiseDoc,
    verified: bool,
    verdict: Option<&'a str>,
    /// Whose code gave the verdict and its figures: `instructor` (the
    /// scenario's own plugin, in a verifier process of its own), `plugin` (the
    /// scenario's own plugin, in the run) or `submission` (0.3).
    verdict_source: Option<&'static str>,
    /// Protections some run went without (`runner doctor` says why) (0.3).
    protections_off: &'a [String],
    ok: bool,
    problems: Vec<ProblemDoc>,
    gil_switches: Option<u64>,
    gil_wait_s: Option<f64>,
    /// Median over completed runs of the units that failed.
    units_failed: Option<f64>,
    /// Failure messages with how many units failed so, over all runs.
    failure_causes: Vec<CauseDoc>,
    /// Median successful units per second of wall time.
    units_per_s: Option<f64>,
    /// Ideal / measured time for IO scenarios with an embedded server's delay.
    efficiency: Option<f64>,
    /// Median requests the embedded server answered per run (its count) (0.3).
    server_requests: Option<f64>,
    /// Medians of the figures the plugin named in its verdicts (`lost_updates`…).
    figures: &'a std::collections::BTreeMap<String, f64>,
    /// The same figures with their minima and maxima over the runs.
    figure_spreads: std::collections::BTreeMap<&'a str, SpreadDoc>,
    runs: Vec<RunDoc<'a>>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct CauseDoc {
    message: String,
    units: u64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct SpreadDoc {
    median: f64,
    min: f64,
    max: f64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ProblemDoc {
    message: String,
    runs: usize,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RunDoc<'a> {
    round: u32,
    ok: bool,
    wall_s: Option<f64>,
    user_s: Option<f64>,
    sys_s: Option<f64>,
    max_rss_bytes: Option<u64>,
    voluntary_switches: Option<u64>,
    involuntary_switches: Option<u64>,
    units_ok: u64,
    units_failed: u64,
    workers_seen: u32,
    /// Bytes the plugin printed on stdout (captured, never shown).
    stdout_bytes: u64,
    verified: Option<bool>,
    /// How the run came out, a stable name: `ok`, `units_failed`,
    /// `not_verified`, `timed_out`, `out_of_memory`, `tampered`… (0.3).
    cause: &'static str,
    /// The figures above are the host's; these are what the run said it
    /// measured, a cross-check only (0.3).
    reported: Option<ReportedDoc>,
    /// The submission's own verdict when the instructor's replaced it (0.3).
    own_verdict: Option<OwnVerdictDoc<'a>>,
    problem: Option<String>,
    /// What the rest of the machine did over the measured phase (0.4).
    machine: Option<MachineDoc>,
    /// What the run's timeline adds up to (the picture `--report` draws).
    timeline: TimelineDoc,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ReportedDoc {
    wall_s: f64,
    user_s: f64,
    sys_s: f64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct OwnVerdictDoc<'a> {
    verified: bool,
    message: &'a str,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct TimelineDoc {
    /// Workers that reported (one lane each).
    lanes: usize,
    /// Sum of the units' durations over all workers (waits included).
    busy_s: f64,
    /// Time spent waiting for the simulated interpreter lock (inside units
    /// and at the switch point between them).
    waiting_gil_s: f64,
    /// Time spent in blocking IO, inside units.
    waiting_io_s: f64,
    /// The most units any one worker had in flight at once (above 1: async).
    max_in_flight: usize,
    /// CPU samples taken by the host (0 unless `--report` or `--timeline`).
    cpu_samples: usize,
    /// Spans past the 200,000 a run keeps for its picture (counted in the totals).
    dropped_spans: u64,
}

fn spread(s: Option<Spread>) -> Option<SpreadDoc> {
    s.map(|s| SpreadDoc { median: s.median, min: s.min, max: s.max })
}

fn interval(i: Option<Interval>) -> Option<IntervalDoc> {
    i.map(|i| IntervalDoc { median: i.median, lo: i.lo, hi: i.hi, confidence: i.confidence, n: i.n })
}

fn noise_doc(noise: &Noise, label: &str) -> NoiseDoc {
    let disturbed = noise.figures_disturbed() || noise.speedup_disturbed();
    NoiseDoc {
        disturbed,
        message: disturbed.then(|| noise.explain(label)),
        runs_read: noise.runs_read,
        disturbed_runs: noise.disturbed_runs,
        disturbed_pairs: noise.disturbed_pairs,
        others_cores_max: noise.others_cores,
        steal_cores_max: noise.steal_cores,
        cores: noise.cores,
        usable_cores: noise.usable_cores,
        speedup_above: noise.speedup_above,
    }
}

fn rounds_doc(report: &Report<'_>) -> RoundsDoc {
    let ended = report.runs.rounds;
    let auto = match report.scenario.rounds {
        Repeat::Auto(auto) => Some(auto),
        Repeat::Fixed(_) => None,
    };
    RoundsDoc {
        mode: if auto.is_some() { "auto" } else { "fixed" },
        measured: ended.measured,
        ended_by: ended.by.name(),
        target: auto.map(|a| a.target),
        budget_s: auto.map(|a| a.budget.as_secs_f64()),
        widest: ended.widest,
    }
}

fn run_doc(run: &RunRecord) -> RunDoc<'_> {
    let m = run.measurement;
    RunDoc {
        round: match run.round {
            Round::Warmup(n) | Round::Measured(n) => n,
        },
        ok: run.succeeded(),
        wall_s: run.wall_s(),
        user_s: m.map(|m| m.user_ns as f64 / 1e9),
        sys_s: m.map(|m| m.sys_ns as f64 / 1e9),
        max_rss_bytes: m.map(|m| m.max_rss_bytes),
        voluntary_switches: m.map(|m| m.voluntary_switches),
        involuntary_switches: m.map(|m| m.involuntary_switches),
        units_ok: run.units_ok,
        units_failed: run.units_failed,
        workers_seen: run.workers_seen,
        stdout_bytes: run.stdout_bytes,
        verified: run.verdict.as_ref().map(|v| v.verified),
        cause: run.cause(),
        reported: run.reported.map(|r| ReportedDoc {
            wall_s: r.wall_ns as f64 / 1e9,
            user_s: r.user_ns as f64 / 1e9,
            sys_s: r.sys_ns as f64 / 1e9,
        }),
        own_verdict: run.own_verdict.as_ref().map(|v| OwnVerdictDoc { verified: v.verified, message: &v.message }),
        problem: run.problem(),
        machine: run.machine.map(|m| MachineDoc {
            cores: m.cores,
            others_cores: m.others_cores,
            steal_cores: m.steal_cores,
        }),
        timeline: {
            let t = &run.timeline;
            TimelineDoc {
                lanes: t.lanes.len(),
                busy_s: t.bars_ns() as f64 / 1e9,
                waiting_gil_s: t.waits_ns(WaitKind::Gil) as f64 / 1e9,
                waiting_io_s: t.waits_ns(WaitKind::Io) as f64 / 1e9,
                max_in_flight: t.max_in_flight(),
                dropped_spans: t.dropped,
                cpu_samples: t.cpu.len(),
            }
        },
    }
}

impl Exporter for Json {
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String> {
        Ok(each_scenario(reports, |report| self.render(report)))
    }
}

impl Json {
    fn render(&self, report: &Report<'_>) -> String {
        let scenario = report.scenario;
        let workload = &scenario.workload;
        let params: serde_json::Map<String, serde_json::Value> =
            workload.params.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default())).collect();
        let strategies = report
            .summaries
            .iter()
            .map(|summary| {
                let entry = &scenario.strategies[summary.index];
                StrategyDoc {
                    label: &entry.label,
                    kind: entry.spec.kind.name(),
                    workers: entry.spec.workers,
                    gil: entry.spec.gil.is_some(),
                    params: serde_json::Value::Object(
                        entry
                            .overridden()
                            .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default()))
                            .collect(),
                    ),
                    baseline: summary.index == scenario.baseline,
                    wall_s: spread(summary.wall_s),
                    cpu_s: spread(summary.cpu_s),
                    utilisation: summary.utilisation,
                    max_rss_bytes: summary.max_rss_bytes,
                    voluntary_switches: summary.voluntary_switches,
                    involuntary_switches: summary.involuntary_switches,
                    speedup: summary.speedup.map(|s| s.median),
                    speedup_spread: spread(summary.speedup),
                    wall_ci: interval(summary.wall_ci),
                    cpu_ci: interval(summary.cpu_ci),
                    speedup_ci: interval(summary.speedup_ci),
                    noise: noise_doc(&summary.noise, &entry.label),
                    verified: summary.verified,
                    verdict: summary.verdict_message.as_deref(),
                    verdict_source: summary.verdict_source.map(VerdictSource::name),
                    protections_off: &summary.protections_off,
                    ok: summary.all_succeeded(),
                    problems: summary
                        .problems()
                        .into_iter()
                        .map(|(message, runs)| ProblemDoc { message, runs })
                        .collect(),
                    gil_switches: summary.gil.map(|g| g.switches),
                    gil_wait_s: summary.gil.map(|g| g.wait_ns as f64 / 1e9),
                    units_failed: summary.units_failed,
                    failure_causes: summary
                        .failure_causes
                        .iter()
                        .map(|(message, units)| CauseDoc { message: message.clone(), units: *units })
                        .collect(),
                    units_per_s: summary.units_per_s,
                    efficiency: summary.efficiency,
                    server_requests: summary.server_requests,
                    figures: &summary.figures,
                    figure_spreads: summary
                        .figure_spreads
                        .iter()
                        .filter_map(|(name, s)| Some((name.as_str(), spread(Some(*s))?)))
                        .collect(),
                    runs: summary.runs.iter().map(run_doc).collect(),
                }
            })
            .collect();
        let document = Document {
            schema_version: SCHEMA_VERSION,
            runner_version: env!("CARGO_PKG_VERSION"),
            scenario: ScenarioDoc {
                name: &scenario.name,
                description: &scenario.description,
                file: scenario.path.display().to_string(),
                repeat: scenario.repeat,
                warmup: scenario.warmup,
                timeout_s: scenario.timeout.as_secs_f64(),
                rounds: rounds_doc(report),
            },
            workload: WorkloadDoc {
                plugin: &workload.manifest.name,
                plugin_version: &workload.manifest.version,
                library: workload.library.display().to_string(),
                workload: &workload.name,
                units: workload.units,
                params: serde_json::Value::Object(params),
            },
            strategies,
            interrupted: report.runs.interrupted.map(|i| match i {
                crate::host::supervise::Interrupt::Int => "SIGINT",
                crate::host::supervise::Interrupt::Term => "SIGTERM",
            }),
            expectations: report
                .grade
                .outcomes
                .iter()
                .map(|o| {
                    let e = &scenario.expectations[o.index];
                    ExpectationDoc {
                        name: &e.name,
                        check: &e.text,
                        points: e.points,
                        passed: o.passed,
                        flaky: o.flaky,
                        attempts: o.attempts,
                        values: &o.values,
                        error: o.error.as_deref(),
                        hint: e.hint.as_deref(),
                        sources: &o.sources,
                        state: o.state.name(),
                        inconclusive: o.inconclusive.as_deref(),
                        earned: o.earned,
                    }
                })
                .collect(),
            score: {
                let total = report.grade.score;
                ScoreDoc { earned: total.earned, possible: total.possible }
            },
            inconclusive_policy: scenario.inconclusive.name(),
            ok: report.ok(),
        };
        serde_json::to_string(&document).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

#[cfg(test)]
mod schema;
