//! The closing summary of `runner grade` and `runner merge`: how many
//! submissions of each status, the score histogram, the checks most often
//! failed, and the slowest submissions (host-measured).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::host::gradebook::{Gradebook, Status};
use crate::host::sanitize;

/// Bars of the histogram: tenths of the maximum.
const BUCKETS: usize = 10;
/// Widest bar, in characters.
const BAR: usize = 40;
/// Rows of the "most failed" and "slowest" lists.
const TOP: usize = 5;

/// The summary text of `book`.
pub(crate) fn summary(book: &Gradebook) -> String {
    let rows = &book.submissions;
    let mut out = String::new();
    let max = book.max();
    let _ = writeln!(out, "{} submission(s), {} point(s) possible", rows.len(), max);
    let mut statuses: BTreeMap<Status, usize> = BTreeMap::new();
    for row in rows {
        *statuses.entry(row.status).or_default() += 1;
    }
    let counts: Vec<String> = statuses.iter().map(|(s, n)| format!("{n} {}", s.words())).collect();
    let _ = writeln!(out, "status: {}", counts.join(", "));
    if rows.is_empty() {
        return out;
    }

    let mut buckets = [0usize; BUCKETS + 1];
    for row in rows {
        let at = if max > 0.0 { ((row.total / max) * BUCKETS as f64).floor() as usize } else { BUCKETS };
        buckets[at.min(BUCKETS)] += 1;
    }
    let most = buckets.iter().copied().max().unwrap_or(1).max(1);
    let _ = writeln!(out, "\nscores:");
    for (i, count) in buckets.iter().enumerate() {
        let label = if i == BUCKETS {
            format!("{:>9}", number(max))
        } else {
            let low = max * i as f64 / BUCKETS as f64;
            let high = max * (i + 1) as f64 / BUCKETS as f64;
            format!("{:>4}–{:<4}", number(low), number(high))
        };
        let bar = "█".repeat((count * BAR).div_ceil(most).min(BAR) * usize::from(*count > 0));
        let _ = writeln!(out, "  {label} │{bar} {count}");
    }

    let mut failed: Vec<(usize, String)> = Vec::new();
    let columns = book.labs.iter().flat_map(|l| l.expectations.iter().map(move |c| (&l.name, &c.name)));
    for (i, (lab, name)) in columns.enumerate() {
        let count = rows.iter().filter(|r| r.marks.get(i).is_some_and(|m| !m.passed)).count();
        if count > 0 {
            let name = if book.labs.len() > 1 { format!("{lab}: {name}") } else { name.clone() };
            failed.push((count, name));
        }
    }
    failed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    if !failed.is_empty() {
        let _ = writeln!(out, "\nmost failed checks:");
        for (count, name) in failed.iter().take(TOP) {
            let _ = writeln!(out, "  {count:>4} × {}", sanitize::line(name));
        }
    }

    let mut slowest: Vec<_> = rows.iter().collect();
    slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    let _ = writeln!(out, "\nslowest submissions (grading time, its runs):");
    for row in slowest.iter().take(TOP) {
        let _ = writeln!(
            out,
            "  {:>7.2} s  {:>7.2} s  {} ({})",
            row.seconds,
            row.runs_seconds,
            sanitize::line(&row.id),
            row.status.words()
        );
    }
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v}") } else { format!("{v:.1}") }
}
