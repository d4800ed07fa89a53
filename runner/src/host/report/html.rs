//! `--report FILE.html`: one self-contained page (no network, no scripts)
//! per call, with every scenario's results table, each strategy's median run
//! as a timeline with CPU load per core, the verdicts and expectations, and
//! the scenario text. Large type, for a projector. The same code renders
//! every scenario: nothing here knows about particular workloads.

use std::fmt::Write;

use super::text::{self, bytes, figure_value, seconds};
use super::{Exporter, Report};
use crate::host::grade::State;
use crate::host::scenario::FigureTable;
use crate::host::stats::StrategySummary;
use crate::host::timeline::svg::{self, escape_xml as esc};
use crate::protocol::WaitKind;

const STYLE: &str = "body{font:18px/1.45 system-ui,sans-serif;color:#222;max-width:1000px;margin:2em auto;padding:0 1em}\
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.6em}.meta{color:#555}\
table.results{border-collapse:collapse;width:100%;margin:1em 0}\
.results th,.results td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:right}\
.results th:first-child,.results td:first-child{text-align:left}\
.bar{display:inline-block;height:.8em;background:#3b75af;vertical-align:middle}\
.ok{color:#1a7f37}.bad{color:#c62828}.strategy{margin:1.4em 0}.strategy h3{margin:.2em 0}\
.caption{color:#555;font-size:.85em}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:.8em}";

/// The `html` file exporter.
#[derive(Debug, Default)]
pub(crate) struct Html;

impl Exporter for Html {
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String> {
        Ok(render(reports))
    }
}

/// The page for every scenario of the call.
fn render(reports: &[Report<'_>]) -> String {
    let title = match reports {
        [one] => one.scenario.name.clone(),
        _ => format!("{} scenarios", reports.len()),
    };
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} · runner</title><style>{STYLE}</style></head><body>\n",
        esc(&title)
    );
    for report in reports {
        scenario_section(&mut page, report);
    }
    let _ = writeln!(page, "<p class=\"caption\">made by runner {}</p></body></html>", env!("CARGO_PKG_VERSION"));
    page
}

fn scenario_section(page: &mut String, report: &Report<'_>) {
    let scenario = report.scenario;
    let workload = &scenario.workload;
    let _ = write!(page, "<section class=\"scenario\"><h1>{}</h1>", esc(&scenario.name));
    if !scenario.description.is_empty() {
        let _ = write!(page, "<p>{}</p>", esc(&scenario.description));
    }
    let _ = write!(
        page,
        "<p class=\"meta\">{}/{} · {} unit(s) · {} round(s) after {} warmup · {}</p>",
        esc(&workload.manifest.name),
        esc(&workload.name),
        workload.units,
        scenario.repeat,
        scenario.warmup,
        esc(&scenario.path.display().to_string())
    );
    match &scenario.figure_table {
        Some(figures) => figure_results(page, report, figures),
        None => results_table(page, report),
    }
    verdicts(page, report);
    let _ = write!(page, "<h2>What each strategy did (its median run)</h2>{}", svg::legend());
    for summary in report.summaries {
        strategy_timeline(page, report, summary);
    }
    // The text read when the scenario was loaded: a run cannot change it since.
    let text = &scenario.text;
    let _ = writeln!(page, "<h2>The scenario</h2><pre>{}</pre></section>", esc(text));
}

fn results_table(page: &mut String, report: &Report<'_>) {
    let longest = report.summaries.iter().filter_map(|s| s.wall_s.map(|w| w.median)).fold(0.0, f64::max);
    page.push_str(
        "<table class=\"results\"><tr><th>strategy</th><th>workers</th><th>wall median [interval]</th><th></th>\
         <th>speedup</th><th>CPU busy</th><th>peak mem</th><th>verified</th></tr>",
    );
    for summary in report.summaries {
        let entry = &report.scenario.strategies[summary.index];
        let wall = text::wall(summary.wall_ci);
        let bar = summary.wall_s.map_or(0.0, |w| w.median / longest.max(1e-12) * 160.0);
        let speedup = esc(&text::speedup(summary));
        let util = summary.utilisation.map_or("—".into(), |u| format!("{:.0} %", u * 100.0));
        let mem = summary.max_rss_bytes.map_or("—".into(), bytes);
        let verified = match summary.all_succeeded() {
            true => "<span class=\"ok\">✓</span>".to_owned(),
            false => format!("<span class=\"bad\">✗ {}/{} ok</span>", summary.succeeded, summary.runs.len()),
        };
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{wall}</td><td style=\"text-align:left\"><span class=\"bar\" style=\"width:{bar:.0}px\"></span></td>\
             <td>{speedup}</td><td>{util}</td><td>{mem}</td><td>{verified}</td></tr>",
            esc(&entry.label),
            entry.spec.workers
        );
    }
    page.push_str("</table>");
    for summary in report.summaries {
        if let Some(noise) = text::noise(summary, &report.scenario.strategies[summary.index].label) {
            let _ = write!(page, "<p class=\"bad\">noise: {}</p>", esc(&noise));
        }
    }
}

/// A `[report]` scenario's table: the figure per row, as the terminal shows it.
fn figure_results(page: &mut String, report: &Report<'_>, figures: &FigureTable) {
    let strategies = &report.scenario.strategies;
    page.push_str("<table class=\"results\"><tr><th></th><th>median</th><th>min–max</th>");
    if let Some(beside) = &figures.beside {
        let _ = write!(page, "<th>{}</th>", esc(beside));
    }
    if let Some(reference) = figures.relative_to {
        let _ = write!(page, "<th>× {}</th>", esc(&strategies[reference].label));
    }
    page.push_str("<th></th></tr>");
    let value = |v: f64| esc(&figure_value(v, &figures.unit));
    for (summary, row) in report.summaries.iter().zip(report.figure_rows.iter().copied()) {
        let _ = write!(page, "<tr><td>{}</td>", esc(&strategies[summary.index].label));
        match row {
            Some(row) => {
                let (s, max) = (row.spread, value(row.spread.max));
                let _ = write!(page, "<td>{}</td><td>{}–{max}</td>", value(s.median), value(s.min));
                if figures.beside.is_some() {
                    let _ = write!(page, "<td>{}</td>", row.beside.map_or(String::new(), value));
                }
                if figures.relative_to.is_some() {
                    let _ = write!(page, "<td>{}</td>", row.ratio.map_or("—".into(), |r| format!("{r:.3}×")));
                }
                let note = if row.noisy { "<span class=\"bad\">noisy</span>" } else { "" };
                let _ = write!(page, "<td>{note}</td></tr>");
            }
            None => {
                let blanks = 1 + usize::from(figures.beside.is_some()) + usize::from(figures.relative_to.is_some());
                let why = summary.verdict_message.as_deref().unwrap_or("no figure");
                let _ = write!(page, "<td>—</td>{}<td>{}</td></tr>", "<td></td>".repeat(blanks), esc(why));
            }
        }
    }
    page.push_str("</table>");
}

fn verdicts(page: &mut String, report: &Report<'_>) {
    page.push_str("<ul>");
    for summary in report.summaries {
        let label = esc(&report.scenario.strategies[summary.index].label);
        if let Some(message) = &summary.verdict_message {
            let class = if summary.verified { "ok" } else { "bad" };
            let _ = write!(page, "<li><b>{label}</b>: <span class=\"{class}\">{}</span></li>", esc(message));
        }
        for (problem, count) in summary.problems() {
            let _ =
                write!(page, "<li><b>{label}</b>: <span class=\"bad\">{} ({count} run(s))</span></li>", esc(&problem));
        }
    }
    page.push_str("</ul>");
    if report.grade.outcomes.is_empty() {
        return;
    }
    let total = report.grade.score;
    let _ = write!(page, "<h2>Expectations: {} of {} points</h2><ul>", total.earned, total.possible);
    for outcome in &report.grade.outcomes {
        let expectation = &report.scenario.expectations[outcome.index];
        let (mark, class) = match outcome.state {
            State::Held => ("✓", "ok"),
            State::Inconclusive => ("? inconclusive", "bad"),
            State::Failed => ("✗", "bad"),
        };
        let why = outcome.inconclusive.as_ref().map_or(String::new(), |why| format!(" — {}", esc(why)));
        let _ = write!(
            page,
            "<li><span class=\"{class}\">{mark}</span> {} <code>{}</code>{why}</li>",
            esc(&expectation.name),
            esc(&expectation.text)
        );
    }
    page.push_str("</ul>");
}

fn strategy_timeline(page: &mut String, report: &Report<'_>, summary: &StrategySummary) {
    let label = esc(&report.scenario.strategies[summary.index].label);
    let _ = write!(page, "<div class=\"strategy\"><h3>{label}</h3>");
    match summary.median_run() {
        None => page.push_str("<p class=\"bad\">no run completed: nothing to draw</p>"),
        Some(run) => {
            let timeline = &run.timeline;
            page.push_str(&svg::render(timeline));
            let mut caption = format!(
                "{} worker(s) · wall {} · in units {} in all",
                timeline.lanes.len(),
                seconds(run.wall_s().unwrap_or(0.0)),
                seconds(timeline.bars_ns() as f64 / 1e9)
            );
            for (kind, what) in [(WaitKind::Gil, "waiting for the lock"), (WaitKind::Io, "waiting for IO")] {
                let waited = timeline.waits_ns(kind);
                if waited > 0 {
                    let _ = write!(caption, " · {} {what}", seconds(waited as f64 / 1e9));
                }
            }
            if timeline.dropped > 0 {
                let _ = write!(caption, " · {} spans past the first 200,000 not drawn", timeline.dropped);
            }
            if timeline.cpu.is_empty() {
                caption.push_str(" · no CPU samples");
            }
            let _ = write!(page, "<p class=\"caption\">{caption}</p>");
            page.push_str(&super::printed::for_html(timeline));
        }
    }
    page.push_str("</div>");
}
