//! `--timeline`: each strategy's median run drawn in the terminal, after the
//! table. The drawing itself is [`crate::host::timeline::terminal`].

use std::fmt::Write;

use super::Report;
use crate::host::timeline::terminal;

/// Timelines of every strategy's median run, `width` columns wide.
pub(crate) fn for_terminal(report: &Report<'_>, width: usize) -> String {
    let mut out = String::new();
    for summary in report.summaries {
        let label = &report.scenario.strategies[summary.index].label;
        match summary.median_run() {
            Some(run) => {
                let wall = run.wall_s().unwrap_or(0.0);
                let _ = writeln!(out, "{label} · median run, {wall:.3} s");
                out.push_str(&terminal::render(&run.timeline, width));
            }
            None => {
                let _ = writeln!(out, "{label} · no run completed, nothing to draw");
            }
        }
        out.push('\n');
    }
    out.push_str(&terminal::legend());
    out
}
