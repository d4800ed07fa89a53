//! `--format markdown`: the results as a Markdown table, with the
//! expectations as a checklist, for pasting into a report or a pull request.

use std::fmt::Write;

use super::Report;
use super::exporter::{Exporter, each_scenario};
use super::text::{bytes, figure_value, noise, seconds, speedup, wall};
use crate::host::sanitize::{self, markdown_cell, markdown_code, markdown_text};
use crate::host::scenario::FigureTable;

/// The Markdown exporter.
#[derive(Debug, Default)]
pub(crate) struct Markdown;

impl Exporter for Markdown {
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String> {
        Ok(each_scenario(reports, |report| self.render(report)))
    }
}

impl Markdown {
    fn render(&self, report: &Report<'_>) -> String {
        let scenario = report.scenario;
        let mut out = format!("## {}\n\n", markdown_cell(&scenario.name));
        if !scenario.description.is_empty() {
            let _ = writeln!(out, "{}\n", markdown_text(&scenario.description));
        }
        if let Some(figures) = &scenario.figure_table {
            figure_table(&mut out, report, figures);
        } else {
            wall_table(&mut out, report);
        }
        if !report.grade.outcomes.is_empty() {
            let total = report.grade.score;
            let _ = writeln!(out, "\n**Expectations: {} / {} points**\n", total.earned, total.possible);
            for outcome in &report.grade.outcomes {
                let e = &scenario.expectations[outcome.index];
                let mark = if outcome.passed { "x" } else { " " };
                let flaky = if outcome.flaky { " (flaky)" } else { "" };
                let (name, text) = (markdown_cell(&e.name), markdown_code(&e.text));
                let inconclusive = outcome
                    .inconclusive
                    .as_ref()
                    .map_or(String::new(), |why| format!(" — **inconclusive**: {}", markdown_text(why)));
                let _ = writeln!(
                    out,
                    "- [{mark}] {name}{flaky} — {text} ({} of {} points){inconclusive}",
                    outcome.earned, e.points
                );
            }
        }
        sanitize::multiline(&out).into_owned()
    }
}

fn cell(text: &str) -> String {
    markdown_cell(text)
}

/// A `[report]` table: the figure's median and spread, the figure beside it,
/// the ratio to one row.
fn figure_table(out: &mut String, report: &Report<'_>, figures: &FigureTable) {
    let reference = figures.relative_to.map(|i| format!(" × {} |", cell(&report.scenario.strategies[i].label)));
    let beside = figures.beside.as_ref().map(|b| format!(" {} |", cell(b)));
    let _ = writeln!(
        out,
        "| | median | min–max |{}{} note |",
        beside.as_deref().unwrap_or(""),
        reference.as_deref().unwrap_or("")
    );
    let columns = 3 + usize::from(beside.is_some()) + usize::from(reference.is_some());
    let _ = writeln!(out, "|---|{}---|", "---:|".repeat(columns - 1));
    let rows = report.figure_rows.iter().copied();
    for (summary, row) in report.summaries.iter().zip(rows) {
        let label = cell(&report.scenario.strategies[summary.index].label);
        let value = |v: f64| cell(&figure_value(v, &figures.unit));
        let mut line = format!("| {label} |");
        match row {
            Some(row) => {
                let _ = write!(
                    line,
                    " {} | {}–{} |",
                    value(row.spread.median),
                    value(row.spread.min),
                    value(row.spread.max)
                );
                if figures.beside.is_some() {
                    let _ = write!(line, " {} |", row.beside.map_or(String::new(), value));
                }
                if figures.relative_to.is_some() {
                    let _ = write!(line, " {} |", row.ratio.map_or("—".into(), |r| format!("{r:.3}×")));
                }
                let _ = write!(line, " {} |", if row.noisy { "noisy" } else { "" });
            }
            None => {
                let _ = write!(line, " — | |{}", " |".repeat(columns - 3));
                let _ = write!(line, " {} |", cell(summary.verdict_message.as_deref().unwrap_or("no figure")));
            }
        }
        let _ = writeln!(out, "{line}");
    }
}

fn wall_table(out: &mut String, report: &Report<'_>) {
    let scenario = report.scenario;
    out.push_str("| strategy | workers | wall median [interval] | min–max | CPU | peak mem | speedup | verified |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for summary in report.summaries {
        let entry = &scenario.strategies[summary.index];
        let dash = || "—".to_owned();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&entry.label),
            entry.spec.workers,
            wall(summary.wall_ci),
            summary.wall_s.map_or_else(dash, |s| format!("{}–{}", seconds(s.min), seconds(s.max))),
            summary.cpu_s.map_or_else(dash, |s| seconds(s.median)),
            summary.max_rss_bytes.map_or_else(dash, bytes),
            speedup(summary),
            if summary.all_succeeded() { "yes" } else { "no" },
        );
    }
    for summary in report.summaries {
        if let Some(noise) = noise(summary, &scenario.strategies[summary.index].label) {
            let _ = writeln!(out, "\n> noise: {}", markdown_text(&noise));
        }
    }
}
