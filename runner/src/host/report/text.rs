//! Formatting that several report formats share: durations, sizes, a
//! `[report]` figure in its unit, and an expectation's explanation.

use crate::host::grade::ExpectationOutcome;
use crate::host::scenario::FigureUnit;
use crate::host::stats::{Interval, StrategySummary};

/// `1.74× [1.61–1.88]`; a speedup past the cores is noise, never a figure:
/// `noise (2.52× > 2.20×)`.
pub(crate) fn speedup(summary: &StrategySummary) -> String {
    match (summary.speedup_ci, summary.noise.speedup_above) {
        (Some(s), Some(limit)) => format!("noise ({:.2}× > {limit:.2}×)", s.median),
        (Some(s), None) if s.n >= 2 && s.lo < s.hi => format!("{:.2}× [{:.2}–{:.2}]", s.median, s.lo, s.hi),
        (Some(s), None) => format!("{:.2}×", s.median),
        (None, _) => "—".into(),
    }
}

/// `339.4 ms [331.9 ms–414.4 ms]`: a median and its interval.
pub(crate) fn wall(interval: Option<Interval>) -> String {
    interval.map_or("—".into(), |i| format!("{} [{}–{}]", seconds(i.median), seconds(i.lo), seconds(i.hi)))
}

/// What a strategy's noise was, when there was any.
pub(crate) fn noise(summary: &StrategySummary, label: &str) -> Option<String> {
    let noise = &summary.noise;
    (noise.figures_disturbed() || noise.speedup_disturbed()).then(|| noise.explain(label))
}

/// A figure's value in its unit: nanoseconds scaled to read well.
pub(crate) fn figure_value(value: f64, unit: &FigureUnit) -> String {
    match unit {
        FigureUnit::Nanoseconds if value < 10.0 => format!("{value:.2} ns"),
        FigureUnit::Nanoseconds if value < 1e3 => format!("{value:.1} ns"),
        FigureUnit::Nanoseconds => seconds(value / 1e9),
        FigureUnit::Other(unit) => format!("{value:.4} {unit}"),
    }
}

/// `1.37 s`, `452 ms`, `83.0 µs`.
pub(crate) fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// `2.1 MiB`.
pub(crate) fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}

/// Values, error and hint of an expectation, for reports.
pub(crate) fn describe(outcome: &ExpectationOutcome, hint: Option<&str>) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(why) = &outcome.inconclusive {
        lines.push(format!("inconclusive: {why}"));
    }
    lines.extend(outcome.values.iter().cloned());
    if let Some(error) = &outcome.error {
        lines.push(format!("could not evaluate: {error}"));
    }
    if let Some(hint) = hint {
        lines.push(format!("hint: {hint}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(seconds(1.374), "1.37 s");
        assert_eq!(seconds(0.452), "452.0 ms");
        assert_eq!(seconds(0.000083), "83.0 µs");
        assert_eq!(bytes(3 * 1024 * 1024 / 2), "1.5 MiB");
        assert_eq!(bytes(2048), "2 KiB");
    }
}
