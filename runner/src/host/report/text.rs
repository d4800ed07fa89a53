//! Formatting that several report formats share: durations, sizes, a
//! `[report]` figure in its unit, and an expectation's explanation.

use crate::host::grade::ExpectationOutcome;
use crate::host::scenario::FigureUnit;

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
    let mut lines: Vec<String> = outcome.values.clone();
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
