//! `--format markdown`: the results as a Markdown table, with the
//! expectations as a checklist, for pasting into a report or a pull request.

use std::fmt::Write;

use super::table::{bytes, seconds};
use super::{Format, Report};
use crate::expect::score;

/// The Markdown exporter.
#[derive(Debug, Default)]
pub struct Markdown;

impl Format for Markdown {
    fn render(&self, report: &Report<'_>) -> String {
        let scenario = report.scenario;
        let mut out = format!("## {}\n\n", scenario.name);
        if !scenario.description.is_empty() {
            let _ = writeln!(out, "{}\n", scenario.description);
        }
        out.push_str("| strategy | workers | wall median | min–max | CPU | peak mem | speedup | verified |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for summary in report.summaries {
            let entry = &scenario.strategies[summary.index];
            let dash = || "—".to_owned();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                entry.label.replace('|', "\\|"),
                entry.spec.workers,
                summary.wall_s.map_or_else(dash, |s| seconds(s.median)),
                summary.wall_s.map_or_else(dash, |s| format!("{}–{}", seconds(s.min), seconds(s.max))),
                summary.cpu_s.map_or_else(dash, |s| seconds(s.median)),
                summary.max_rss_bytes.map_or_else(dash, bytes),
                summary.speedup.map_or_else(dash, |s| format!("{:.2}×", s.median)),
                if summary.all_succeeded() { "yes" } else { "no" },
            );
        }
        if !report.expectations.is_empty() {
            let total = score(scenario, report.expectations);
            let _ = writeln!(out, "\n**Expectations: {} / {} points**\n", total.earned, total.possible);
            for outcome in report.expectations {
                let e = &scenario.expectations[outcome.index];
                let mark = if outcome.passed { "x" } else { " " };
                let flaky = if outcome.flaky { " (flaky)" } else { "" };
                let _ = writeln!(out, "- [{mark}] {}{flaky} — `{}` ({} points)", e.name, e.text, e.points);
            }
        }
        out
    }
}
