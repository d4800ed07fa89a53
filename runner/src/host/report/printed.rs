//! `--show-output`: what each strategy's median run printed, line by line,
//! with the run's time and the worker, between its units' starts and ends
//! (the lecture's "Sending request 0 … Got response from request 0" order).
//! The HTML report shows the same list ([`entries`]).

use std::fmt::Write;

use super::Report;
use crate::host::timeline::Timeline;

/// Entries listed per run; the rest are counted.
const MAX_ENTRIES: usize = 300;

/// One line of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) t_ns: u64,
    pub(crate) worker: u32,
    /// `stdout`, `stderr`, or `unit` for a unit's start or end.
    pub(crate) what: &'static str,
    pub(crate) text: String,
}

/// A run's printed lines and its units' starts and ends, in time order, at
/// most [`MAX_ENTRIES`]; and how many more there were.
pub(crate) fn entries(timeline: &Timeline) -> (Vec<Entry>, u64) {
    let mut all: Vec<Entry> = timeline
        .printed
        .lines
        .iter()
        .map(|line| Entry {
            t_ns: line.t_ns,
            worker: line.worker,
            what: if line.stream == "stderr" { "stderr" } else { "stdout" },
            text: line.text.clone(),
        })
        .collect();
    if !all.is_empty() {
        for bar in &timeline.bars {
            let end = if bar.failed { "failed" } else { "ends" };
            all.push(Entry {
                t_ns: bar.start_ns,
                worker: bar.worker,
                what: "unit",
                text: format!("unit {} starts", bar.unit),
            });
            all.push(Entry {
                t_ns: bar.end_ns,
                worker: bar.worker,
                what: "unit",
                text: format!("unit {} {end}", bar.unit),
            });
        }
    }
    // Stable: lines printed at the same instant keep their order.
    all.sort_by_key(|e| e.t_ns);
    let more = all.len().saturating_sub(MAX_ENTRIES) as u64 + timeline.printed.dropped;
    all.truncate(MAX_ENTRIES);
    (all, more)
}

/// The listing of every strategy's median run, for the terminal.
pub(crate) fn for_terminal(report: &Report<'_>) -> String {
    let mut out = String::new();
    for summary in report.summaries {
        let label = &report.scenario.strategies[summary.index].label;
        let Some(run) = summary.median_run() else {
            let _ = writeln!(out, "{label} · no run completed, nothing printed to show\n");
            continue;
        };
        let (entries, more) = entries(&run.timeline);
        if entries.is_empty() {
            let _ = writeln!(out, "{label} · the median run printed no lines its plugin reported\n");
            continue;
        }
        let _ = writeln!(out, "{label} · what the median run printed (seconds since it started, worker)");
        for entry in entries {
            let marker = match entry.what {
                "unit" => "·",
                "stderr" => "!",
                _ => "│",
            };
            let _ = writeln!(
                out,
                "  {:>8.3} s  worker {:<3} {marker} {}",
                entry.t_ns as f64 / 1e9,
                entry.worker,
                entry.text
            );
        }
        if more > 0 {
            let _ = writeln!(out, "  … {more} more not shown");
        }
        out.push('\n');
    }
    out.push_str("      key:  │ stdout  ! stderr  · a unit starts or ends\n");
    out
}

/// The same listing for one run in the HTML report (folded, no script), or
/// nothing when its plugin reported no lines.
pub(crate) fn for_html(timeline: &Timeline) -> String {
    use crate::host::timeline::svg::escape_xml as esc;
    let (entries, more) = entries(timeline);
    if entries.is_empty() {
        return String::new();
    }
    let printed = entries.iter().filter(|e| e.what != "unit").count();
    let mut html = format!(
        "<details><summary>what it printed ({printed} lines, between its units' starts and ends)</summary><pre>"
    );
    for entry in &entries {
        let text = esc(&entry.text);
        let line = match entry.what {
            "unit" => format!("<i>{text}</i>"),
            "stderr" => format!("<b>{text}</b>"),
            _ => text,
        };
        let _ = writeln!(html, "{:>8.3} s  worker {:<3} {line}", entry.t_ns as f64 / 1e9, entry.worker);
    }
    if more > 0 {
        let _ = writeln!(html, "… {more} more not shown");
    }
    html.push_str("</pre></details>");
    html
}
