//! The terminal table an instructor shows in class: one row per strategy,
//! then the lock's story and every problem in plain words.

use std::fmt::Write;

use comfy_table::{Cell, CellAlignment, ContentArrangement, presets::UTF8_FULL_CONDENSED};

use super::Report;
use super::exporter::{Exporter, each_scenario};
use super::text::{self, bytes, describe, figure_value, seconds, wall};
use crate::host::execute::EndedBy;
use crate::host::grade::State;
use crate::host::sanitize;
use crate::host::scenario::{FigureTable, Repeat};
use crate::host::stats::StrategySummary;

/// Characters of the widest wall-time bar.
const BAR_WIDTH: usize = 12;

/// A horizontal bar `fraction` of `width` characters long, in eighths.
fn bar(fraction: f64, width: usize) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if !fraction.is_finite() || fraction <= 0.0 {
        return String::new();
    }
    let eighths = (fraction.min(1.0) * width as f64 * 8.0).round().max(1.0) as usize;
    let mut text = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        text.push(EIGHTHS[eighths % 8 - 1]);
    }
    text
}

/// The table exporter.
#[derive(Debug, Default)]
pub(crate) struct Table;

impl Exporter for Table {
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String> {
        Ok(each_scenario(reports, |report| self.render(report)))
    }
}

impl Table {
    fn render(&self, report: &Report<'_>) -> String {
        let scenario = report.scenario;
        let workload = &scenario.workload;
        let mut out = String::new();
        let _ = writeln!(out, "{}", scenario.name);
        if !scenario.description.is_empty() {
            let _ = writeln!(out, "{}", scenario.description);
        }
        let params: Vec<String> = workload.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(
            out,
            "{}/{} · {} unit(s) · {} · {} · {}\n",
            workload.manifest.name,
            workload.name,
            workload.units,
            params.join(" "),
            rounds_text(report),
            scenario.path.display()
        );

        if let Some(figures) = &scenario.figure_table {
            let _ = writeln!(out, "{}", figure_table(report, figures));
        } else {
            // IO scenarios get throughput and efficiency; failures get a column when there are any.
            let io = scenario.server.is_some();
            let any_failed = report.summaries.iter().any(|s| s.units_failed.is_some_and(|n| n > 0.0));
            let mut header = vec![
                "strategy",
                "workers",
                "wall median [interval]",
                "",
                "CPU",
                "util",
                "peak mem",
                "ctx sw vol/invol",
                "speedup",
            ];
            if io {
                header.extend(["units/s", "efficiency"]);
            }
            if any_failed {
                header.push("failed");
            }
            header.push("verified");
            let mut table = comfy_table::Table::new();
            table.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
            table.set_header(header);
            let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
            let longest = report.summaries.iter().filter_map(|s| s.wall_s.map(|w| w.median)).fold(0.0, f64::max);
            for summary in report.summaries {
                let entry = &scenario.strategies[summary.index];
                let baseline = summary.index == scenario.baseline;
                let mut row = vec![
                    Cell::new(strategy_cell(entry)),
                    right(entry.spec.workers.to_string()),
                    right(wall(summary.wall_ci)),
                    Cell::new(summary.wall_s.map_or(String::new(), |w| bar(w.median / longest, BAR_WIDTH))),
                    right(summary.cpu_s.map_or("—".into(), |s| seconds(s.median))),
                    right(summary.utilisation.map_or("—".into(), |u| format!("{:.0} %", u * 100.0))),
                    right(summary.max_rss_bytes.map_or("—".into(), bytes)),
                    right(switches(summary)),
                    right(speedup(summary, baseline)),
                ];
                if io {
                    row.push(right(summary.units_per_s.map_or("—".into(), |r| format!("{r:.0}"))));
                    row.push(right(summary.efficiency.map_or("—".into(), |e| format!("{e:.2}"))));
                }
                if any_failed {
                    row.push(right(summary.units_failed.map_or("—".into(), |n| format!("{n:.0}"))));
                }
                row.push(Cell::new(verified(summary)));
                table.add_row(row);
            }
            let _ = writeln!(out, "{table}");
            if let Some(line) = interval_note(report) {
                let _ = writeln!(out, "{line}");
            }
        }
        for summary in report.summaries {
            if let Some(noise) = text::noise(summary, &scenario.strategies[summary.index].label) {
                let _ = writeln!(out, "noise: {noise}");
            }
        }

        for summary in report.summaries {
            let label = &scenario.strategies[summary.index].label;
            if let (Some(gil), Some(wall)) = (summary.gil, summary.wall_s) {
                let _ = writeln!(
                    out,
                    "{label}: the simulated interpreter lock changed hands {} times; threads waited {} for it in all \
                     (wall {}), so only one thread ran at a time.",
                    gil.switches,
                    seconds(gil.wait_ns as f64 / 1e9),
                    seconds(wall.median),
                );
            }
        }
        for summary in report.summaries {
            let label = &scenario.strategies[summary.index].label;
            if summary.all_succeeded() {
                continue;
            }
            let total = summary.runs.len();
            for (problem, count) in summary.problems() {
                let _ = writeln!(out, "{label}: {problem} ({count} of {total} runs)");
            }
            if !summary.failure_causes.is_empty() {
                let units: u64 = summary.failure_causes.iter().map(|(_, n)| n).sum();
                let causes: Vec<String> =
                    summary.failure_causes.iter().map(|(cause, n)| format!("{n} × {cause}")).collect();
                let _ = writeln!(out, "{label}: {units} unit(s) failed over {total} runs: {}", causes.join("; "));
            }
        }
        for summary in report.summaries {
            let printed = summary.runs.iter().map(|r| r.stdout_bytes).max().unwrap_or(0);
            if printed > 0 {
                let label = &scenario.strategies[summary.index].label;
                let _ = writeln!(out, "{label}: the plugin printed {} on stdout (captured, not shown)", bytes(printed));
            }
        }
        // One line when every strategy's verdict says the same, else one each.
        let verdicts: Vec<(&str, &str)> = report
            .summaries
            .iter()
            .filter(|s| s.verified)
            .filter_map(|s| Some((scenario.strategies[s.index].label.as_str(), s.verdict_message.as_deref()?)))
            .collect();
        match verdicts.as_slice() {
            [] => {}
            [(_, first), rest @ ..] if rest.iter().all(|(_, m)| m == first) => {
                let _ = writeln!(out, "verified: {first}");
            }
            all => {
                for (label, message) in all {
                    let _ = writeln!(out, "{label}: {message}");
                }
            }
        }
        if !report.grade.outcomes.is_empty() {
            let total = report.grade.score;
            let _ = writeln!(out, "\nexpectations: {} of {} points", total.earned, total.possible);
            for outcome in &report.grade.outcomes {
                let expectation = &scenario.expectations[outcome.index];
                let mark = match (outcome.state, outcome.flaky) {
                    (State::Held, false) => "✓",
                    (State::Held, true) => "✓ (flaky: passed on a retry)",
                    (State::Inconclusive, _) => "? inconclusive:",
                    (State::Failed, _) => "✗",
                };
                let points = outcome.earned;
                let _ = writeln!(out, "  {mark} {} [{points}/{}]", expectation.name, expectation.points);
                if !outcome.passed || expectation.name != expectation.text {
                    let _ = writeln!(out, "      {}", expectation.text);
                }
                if !outcome.passed {
                    for line in describe(outcome, expectation.hint.as_deref()).lines() {
                        let _ = writeln!(out, "      {line}");
                    }
                }
            }
        }
        let off: std::collections::BTreeSet<&str> =
            report.summaries.iter().flat_map(|s| s.protections_off.iter().map(String::as_str)).collect();
        if !off.is_empty() {
            let off: Vec<&str> = off.into_iter().collect();
            let _ = writeln!(out, "protections off for some runs: {} (see `runner doctor`)", off.join(", "));
        }
        if let Some(signal) = report.runs.interrupted {
            let _ = writeln!(out, "interrupted by {}: the figures above cover the runs that finished.", signal.name());
        }
        // Cells were escaped as they went in (so columns line up); this catches
        // every other line that quotes a plugin or the scenario.
        sanitize::multiline(&out).into_owned()
    }
}

/// A `[report]` table: one figure per strategy with its spread, the figure
/// beside it and the ratio to one row, instead of wall times.
fn figure_table(report: &Report<'_>, figures: &FigureTable) -> comfy_table::Table {
    let rows = report.figure_rows.iter().copied();
    let mut table = comfy_table::Table::new();
    table.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    let mut header = vec!["".to_owned(), "median".to_owned(), "min–max".to_owned()];
    if let Some(beside) = &figures.beside {
        header.push(sanitize::line(beside).into_owned());
    }
    if let Some(reference) = figures.relative_to {
        header.push(format!("× {}", sanitize::line(&report.scenario.strategies[reference].label)));
    }
    header.push("".to_owned());
    table.set_header(header);
    let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
    for (summary, row) in report.summaries.iter().zip(rows) {
        let label = &report.scenario.strategies[summary.index].label;
        let mut cells = vec![Cell::new(sanitize::line(label))];
        match row {
            Some(row) => {
                cells.push(right(figure_value(row.spread.median, &figures.unit)));
                cells.push(right(format!(
                    "{}–{}",
                    figure_value(row.spread.min, &figures.unit),
                    figure_value(row.spread.max, &figures.unit)
                )));
                if figures.beside.is_some() {
                    cells.push(right(row.beside.map_or(String::new(), |b| figure_value(b, &figures.unit))));
                }
                if figures.relative_to.is_some() {
                    cells.push(right(row.ratio.map_or("—".into(), ratio)));
                }
                let note = match (row.noisy, summary.all_succeeded()) {
                    (_, false) => verified(summary),
                    (true, true) => "noisy: min or max over 2× from the median".to_owned(),
                    (false, true) => String::new(),
                };
                cells.push(Cell::new(note));
            }
            None => {
                cells.extend([right("—".into()), right(String::new())]);
                cells.extend(figures.beside.iter().map(|_| right(String::new())));
                cells.extend(figures.relative_to.iter().map(|_| right(String::new())));
                let why = summary.verdict_message.clone().unwrap_or_else(|| verified(summary));
                cells.push(Cell::new(sanitize::line(&why)));
            }
        }
        table.add_row(cells);
    }
    table
}

/// `0.0050×`, `1.0×`, `830×`.
fn ratio(r: f64) -> String {
    match r {
        r if r < 0.1 => format!("{r:.4}×"),
        r if r < 10.0 => format!("{r:.2}×"),
        r => format!("{r:.0}×"),
    }
}

/// The label, with the parameters this strategy overrides on a second line.
fn strategy_cell(entry: &crate::host::scenario::StrategyEntry) -> String {
    let overrides: Vec<String> = entry.overridden().map(|(k, v)| format!("{k}={v}")).collect();
    let label = sanitize::line(&entry.label);
    if overrides.is_empty() { label.into_owned() } else { format!("{label}\n{}", sanitize::line(&overrides.join(" "))) }
}

fn verified(summary: &StrategySummary) -> String {
    if summary.runs.is_empty() {
        "—".into()
    } else if summary.all_succeeded() {
        "✓".into()
    } else {
        format!("✗ {}/{} ok", summary.succeeded, summary.runs.len())
    }
}

/// The speedup cell: `1.00× (base)` for the baseline.
fn speedup(summary: &StrategySummary, baseline: bool) -> String {
    match summary.speedup_ci {
        Some(s) if baseline => format!("{:.2}× (base)", s.median),
        _ => text::speedup(summary),
    }
}

/// `5 round(s) after 1 warmup`, or what ended `repeat = "auto"`.
fn rounds_text(report: &Report<'_>) -> String {
    let scenario = report.scenario;
    let ended = report.runs.rounds;
    let Repeat::Auto(auto) = scenario.rounds else {
        return format!("{} round(s) after {} warmup", scenario.repeat, scenario.warmup);
    };
    let widest = ended.widest.map_or(String::new(), |w| format!(", widest ±{:.1} %", w * 100.0));
    let why = match ended.by {
        EndedBy::Target => format!("every speedup within ±{:.0} %{widest}", auto.target * 100.0),
        EndedBy::Budget => format!("the {} s budget ended it{widest}", auto.budget.as_secs_f64()),
        EndedBy::MaxRounds => format!("the most rounds the runner measures{widest}"),
        EndedBy::Plan => "not finished".to_owned(),
    };
    format!("auto: {} round(s) after {} warmup ({why})", ended.measured, scenario.warmup)
}

/// What the brackets mean, with the confidence the rounds gave them.
fn interval_note(report: &Report<'_>) -> Option<String> {
    let interval = report.summaries.iter().find_map(|s| s.wall_ci.filter(|i| i.n >= 2))?;
    let how = if interval.is_full_confidence() {
        format!("{:.0} % intervals of the medians", interval.confidence * 100.0)
    } else {
        format!(
            "min–max: only {:.0} % intervals of the medians with {} rounds",
            interval.confidence * 100.0,
            interval.n
        )
    };
    Some(format!("[…]: {how} (order statistics; speedups over the per-round ratios)"))
}

fn switches(summary: &StrategySummary) -> String {
    match (summary.voluntary_switches, summary.involuntary_switches) {
        (Some(v), Some(i)) => format!("{v:.0} / {i:.0}"),
        _ => "—".into(),
    }
}
