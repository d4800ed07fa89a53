//! Figures per strategy from the measured runs' records: medians and spreads,
//! utilisation, and speedup as the median of per-round ratios against the
//! baseline (pairs from the same round saw the same machine conditions).
//! Each median has its confidence interval ([`interval`]), and each strategy
//! says whether other processes disturbed its figures ([`noise`]).
//! Nothing here prints.

mod interval;
mod noise;

pub(crate) use interval::Interval;
pub(crate) use noise::Noise;

use crate::host::plan::Round;
use crate::host::record::{RunRecord, VerdictSource};
use crate::host::scenario::{Scenario, ServerSpec};
use crate::protocol::GilStats;
use crate::protocol::StrategyKind;

/// The finite values of `values` in order, and their median; `None` for none.
pub(crate) fn sorted_with_median(values: &[f64]) -> Option<(Vec<f64>, f64)> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
    Some((sorted, median))
}

/// Median, min and max of a figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spread {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

impl Spread {
    /// `None` for no values.
    pub(crate) fn of(values: &[f64]) -> Option<Spread> {
        let (sorted, median) = sorted_with_median(values)?;
        Some(Spread { median, min: sorted[0], max: sorted[sorted.len() - 1] })
    }
}

/// One strategy's figures over its measured runs.
#[derive(Debug, Clone)]
pub(crate) struct StrategySummary {
    pub(crate) index: usize,
    /// Measured runs, in round order.
    pub(crate) runs: Vec<RunRecord>,
    /// Runs that succeeded (all units ran, verified, no failure).
    pub(crate) succeeded: usize,
    pub(crate) wall_s: Option<Spread>,
    pub(crate) cpu_s: Option<Spread>,
    /// The wall time's median with its confidence interval.
    pub(crate) wall_ci: Option<Interval>,
    /// The CPU time's median with its confidence interval.
    pub(crate) cpu_ci: Option<Interval>,
    /// Median over runs of CPU time / wall time: how many cores were busy.
    pub(crate) utilisation: Option<f64>,
    pub(crate) max_rss_bytes: Option<u64>,
    pub(crate) voluntary_switches: Option<f64>,
    pub(crate) involuntary_switches: Option<f64>,
    /// Median of baseline wall / this wall over rounds where both completed.
    pub(crate) speedup: Option<Spread>,
    /// The same paired per-round ratios' median with its confidence interval.
    pub(crate) speedup_ci: Option<Interval>,
    /// What the rest of the machine did to these runs.
    pub(crate) noise: Noise,
    /// Median over completed runs of the units that failed.
    pub(crate) units_failed: Option<f64>,
    /// Failure messages over all measured runs, most frequent first.
    pub(crate) failure_causes: Vec<(String, u64)>,
    /// Median over completed runs of successful units per second of wall time.
    pub(crate) units_per_s: Option<f64>,
    /// Medians of the figures plugins named in their verdicts.
    pub(crate) figures: std::collections::BTreeMap<String, f64>,
    /// The same figures' medians, minima and maxima over the runs.
    pub(crate) figure_spreads: std::collections::BTreeMap<String, Spread>,
    /// Ideal time / measured median, when the scenario's server delay says
    /// what ideal is: `ceil(units / concurrency) × delay`.
    pub(crate) efficiency: Option<f64>,
    /// Median over runs of the requests the embedded server answered.
    pub(crate) server_requests: Option<f64>,
    /// Every measured run verified.
    pub(crate) verified: bool,
    pub(crate) verdict_message: Option<String>,
    /// Whose code gave the verdicts (and their figures): the least trusted
    /// over the runs.
    pub(crate) verdict_source: Option<VerdictSource>,
    /// Protections some run went without, each once.
    pub(crate) protections_off: Vec<String>,
    pub(crate) gil: Option<GilStats>,
}

impl StrategySummary {
    /// Every measured run succeeded (and there was at least one).
    pub(crate) fn all_succeeded(&self) -> bool {
        !self.runs.is_empty() && self.succeeded == self.runs.len()
    }

    /// The completed run whose wall time is nearest the median: the run a
    /// picture of this strategy shows.
    pub(crate) fn median_run(&self) -> Option<&RunRecord> {
        let median = self.wall_s?.median;
        self.runs.iter().filter(|r| r.completed()).min_by(|a, b| {
            let distance = |r: &RunRecord| (r.wall_s().unwrap_or(f64::MAX) - median).abs();
            distance(a).total_cmp(&distance(b))
        })
    }

    /// Distinct run-level problems of this strategy's runs, most frequent
    /// first (unit failures are in `failure_causes`).
    pub(crate) fn problems(&self) -> Vec<(String, usize)> {
        let mut problems: Vec<(String, usize)> = Vec::new();
        for problem in self.runs.iter().filter_map(RunRecord::run_problem) {
            match problems.iter_mut().find(|(p, _)| *p == problem) {
                Some((_, n)) => *n += 1,
                None => problems.push((problem, 1)),
            }
        }
        problems.sort_by_key(|p| std::cmp::Reverse(p.1));
        problems
    }
}

/// Summaries for every strategy of `scenario`, in scenario order.
pub(crate) fn summarize(scenario: &Scenario, records: &[RunRecord]) -> Vec<StrategySummary> {
    let measured = |index: usize| -> Vec<RunRecord> {
        records.iter().filter(|r| r.strategy == index && matches!(r.round, Round::Measured(_))).cloned().collect()
    };
    let baseline = measured(scenario.baseline);
    // The cores the runs saw (the kernel's count, read with the machine's
    // load), else this machine's.
    let cores = records
        .iter()
        .filter_map(|r| r.machine.map(|m| m.cores))
        .max()
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u32));
    let mut summaries: Vec<StrategySummary> = (0..scenario.strategies.len())
        .map(|index| {
            let mut summary = summarize_one(index, measured(index), &baseline);
            summary.efficiency = efficiency(scenario, index, summary.wall_s);
            let workers = noise::Workers {
                strategy: scenario.strategies[index].spec.workers,
                baseline: scenario.strategies[scenario.baseline].spec.workers,
            };
            let completed: Vec<&RunRecord> = summary.runs.iter().filter(|r| r.completed()).collect();
            summary.noise = noise::of_runs(&completed, &baseline, workers, cores);
            summary
        })
        .collect();
    let base_utilisation = summaries.get(scenario.baseline).and_then(|b| b.utilisation);
    for summary in &mut summaries {
        summary.noise.speedup_above = speedup_above_cores(summary, base_utilisation);
    }
    summaries
}

/// The widest speedup interval among the strategies other than the
/// baseline, as a fraction of its median: `Some(Some(w))` when every
/// strategy with a speedup has a 95 % interval, `Some(None)` when none has a
/// speedup at all, `None` while some speedup's interval is short of 95 %.
/// What `repeat = "auto"` measures until it is narrow enough.
pub(crate) fn widest_speedup_interval(scenario: &Scenario, records: &[RunRecord]) -> Option<Option<f64>> {
    let summaries = summarize(scenario, records);
    let mut widest: Option<f64> = None;
    for summary in summaries.iter().filter(|s| s.index != scenario.baseline) {
        let Some(interval) = summary.speedup_ci else { continue };
        if !interval.is_full_confidence() {
            return None;
        }
        widest = Some(widest.map_or(interval.relative_half_width(), |w| w.max(interval.relative_half_width())));
    }
    Some(widest)
}

/// Slack over a physical limit before a figure is beyond it: timing noise on
/// a loaded machine, never enough to let a forgery through.
pub(crate) const LIMIT_SLACK: f64 = 1.10;
/// Below this CPU / wall the baseline is not CPU-bound, and cores bound
/// nothing (overlapped waits speed up far past the core count).
pub(crate) const CPU_BOUND_UTILISATION: f64 = 0.5;

/// The most a speedup can be with the cores `summary` could use over a
/// baseline that kept `base_utilisation` of a core busy, when the median is
/// above it (else `None`, and `None` for a baseline that is not CPU-bound).
fn speedup_above_cores(summary: &StrategySummary, base_utilisation: Option<f64>) -> Option<f64> {
    let speedup = summary.speedup?.median;
    let utilisation = base_utilisation.filter(|u| *u >= CPU_BOUND_UTILISATION)?;
    let limit = f64::from(summary.noise.usable_cores) / utilisation.min(1.0) * LIMIT_SLACK;
    (speedup > limit).then_some(limit)
}

/// How close a strategy came to the ideal of an IO-bound scenario: each unit
/// waits the server's delay, and `concurrency` units wait at once.
fn efficiency(scenario: &Scenario, index: usize, wall: Option<Spread>) -> Option<f64> {
    let Some(ServerSpec::Embedded(server)) = &scenario.server else { return None };
    if server.delay.is_zero() {
        return None;
    }
    let spec = scenario.strategies[index].spec;
    let units = scenario.workload.units;
    let in_flight = u64::from(spec.units_in_flight.unwrap_or(u32::MAX));
    let concurrency = match spec.kind {
        StrategyKind::Sequential => 1,
        StrategyKind::Async => in_flight.min(units),
        StrategyKind::AsyncProcesses => (in_flight.saturating_mul(u64::from(spec.workers))).min(units),
        _ => u64::from(spec.workers),
    };
    let ideal = units.div_ceil(concurrency.max(1)) as f64 * server.delay.as_secs_f64();
    Some(ideal / wall?.median)
}

fn summarize_one(index: usize, runs: Vec<RunRecord>, baseline: &[RunRecord]) -> StrategySummary {
    // Figures come from every run that ran to its end, failed units or not:
    // an IO run with some failed downloads still has a meaningful wall time.
    let good: Vec<&RunRecord> = runs.iter().filter(|r| r.completed()).collect();
    let succeeded = runs.iter().filter(|r| r.succeeded()).count();
    let figures = |f: &dyn Fn(&crate::protocol::Measurement) -> f64| -> Vec<f64> {
        good.iter().filter_map(|r| r.measurement.as_ref()).map(f).collect()
    };
    let wall = figures(&|m| m.wall_ns as f64 / 1e9);
    let cpu = figures(&|m| (m.user_ns + m.sys_ns) as f64 / 1e9);
    let utilisation = figures(&|m| (m.user_ns + m.sys_ns) as f64 / (m.wall_ns.max(1) as f64));
    let ratios: Vec<f64> = good
        .iter()
        .filter_map(|run| {
            let base = baseline.iter().find(|b| b.round == run.round && b.completed())?;
            Some(base.wall_s()? / run.wall_s()?)
        })
        .collect();
    let gil = good.iter().filter_map(|r| r.measurement.and_then(|m| m.gil)).collect::<Vec<_>>();
    let gil = (!gil.is_empty()).then(|| GilStats {
        switches: median_u64(gil.iter().map(|g| g.switches)),
        wait_ns: median_u64(gil.iter().map(|g| g.wait_ns)),
    });
    let verified = !runs.is_empty() && runs.iter().all(|r| r.verdict.as_ref().is_some_and(|v| v.verified));
    let verdict_message =
        runs.iter().filter_map(|r| r.verdict.as_ref()).find(|v| v.verified == verified).map(|v| v.message.clone());
    let units_failed = Spread::of(&good.iter().map(|r| r.units_failed as f64).collect::<Vec<_>>()).map(|s| s.median);
    let units_per_s =
        Spread::of(&good.iter().filter_map(|r| Some(r.units_ok as f64 / r.wall_s()?.max(1e-9))).collect::<Vec<_>>())
            .map(|s| s.median);
    let mut failure_causes: Vec<(String, u64)> = Vec::new();
    for (cause, count) in runs.iter().flat_map(|r| &r.failure_causes) {
        match failure_causes.iter_mut().find(|(c, _)| c == cause) {
            Some((_, total)) => *total += count,
            None => failure_causes.push((cause.clone(), *count)),
        }
    }
    failure_causes.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    let mut plugin_figures = std::collections::BTreeMap::new();
    let mut figure_spreads = std::collections::BTreeMap::new();
    let names: std::collections::BTreeSet<&String> =
        runs.iter().filter_map(|r| r.verdict.as_ref()).flat_map(|v| v.figures.keys()).collect();
    for name in names {
        let values: Vec<f64> = runs.iter().filter_map(|r| r.verdict.as_ref()?.figures.get(name).copied()).collect();
        if let Some(spread) = Spread::of(&values) {
            plugin_figures.insert(name.clone(), spread.median);
            figure_spreads.insert(name.clone(), spread);
        }
    }
    StrategySummary {
        index,
        succeeded,
        figures: plugin_figures,
        figure_spreads,
        units_failed,
        failure_causes,
        units_per_s,
        efficiency: None,
        server_requests: Spread::of(
            &runs.iter().filter_map(|r| r.server_requests.map(|n| n as f64)).collect::<Vec<_>>(),
        )
        .map(|s| s.median),
        wall_s: Spread::of(&wall),
        cpu_s: Spread::of(&cpu),
        wall_ci: Interval::of_median(&wall),
        cpu_ci: Interval::of_median(&cpu),
        speedup_ci: Interval::of_median(&ratios),
        noise: Noise::default(),
        utilisation: Spread::of(&utilisation).map(|s| s.median),
        max_rss_bytes: good.iter().filter_map(|r| r.measurement.map(|m| m.max_rss_bytes)).max(),
        voluntary_switches: Spread::of(&figures(&|m| m.voluntary_switches as f64)).map(|s| s.median),
        involuntary_switches: Spread::of(&figures(&|m| m.involuntary_switches as f64)).map(|s| s.median),
        speedup: Spread::of(&ratios),
        verified,
        verdict_message,
        verdict_source: runs.iter().filter_map(|r| r.verdict.as_ref().map(|v| v.source)).max(),
        protections_off: {
            let off: std::collections::BTreeSet<&str> =
                runs.iter().filter_map(|r| r.protections.as_ref()).flat_map(|p| p.missing()).collect();
            off.into_iter().map(str::to_owned).collect()
        },
        gil,
        runs,
    }
}

/// Min or max this far from the median (either way) makes a figure noisy.
pub(crate) const NOISY_FACTOR: f64 = 2.0;

/// One row of a `[report]` figure table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FigureRow {
    pub(crate) spread: Spread,
    /// The `beside` figure's median.
    pub(crate) beside: Option<f64>,
    /// This row's median over the `relative_to` row's.
    pub(crate) ratio: Option<f64>,
    /// Min or max further than [`NOISY_FACTOR`] from the median.
    pub(crate) noisy: bool,
}

/// The `[report]` table's rows, one per strategy (`None` where the plugin
/// reported no such figure), or nothing when the scenario has no `[report]`.
pub(crate) fn figure_rows(scenario: &Scenario, summaries: &[StrategySummary]) -> Vec<Option<FigureRow>> {
    let Some(table) = &scenario.figure_table else { return Vec::new() };
    let reference = table
        .relative_to
        .and_then(|i| summaries.iter().find(|s| s.index == i))
        .and_then(|s| s.figure_spreads.get(&table.figure))
        .map(|s| s.median);
    summaries
        .iter()
        .map(|summary| {
            let spread = *summary.figure_spreads.get(&table.figure)?;
            let noisy = spread.max > spread.median * NOISY_FACTOR || spread.min * NOISY_FACTOR < spread.median;
            Some(FigureRow {
                spread,
                beside: table.beside.as_ref().and_then(|b| summary.figures.get(b).copied()),
                ratio: reference.filter(|r| *r > 0.0).map(|r| spread.median / r),
                noisy,
            })
        })
        .collect()
}

fn median_u64(values: impl Iterator<Item = u64>) -> u64 {
    let values: Vec<f64> = values.map(|v| v as f64).collect();
    Spread::of(&values).map_or(0, |s| s.median as u64)
}

#[cfg(test)]
mod tests {
    use super::Spread;

    #[test]
    fn spread_of_odd_and_even_counts() {
        assert_eq!(Spread::of(&[3.0, 1.0, 2.0]), Some(Spread { median: 2.0, min: 1.0, max: 3.0 }));
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 3.0]), Some(Spread { median: 2.5, min: 1.0, max: 4.0 }));
        assert_eq!(Spread::of(&[]), None);
    }
}
