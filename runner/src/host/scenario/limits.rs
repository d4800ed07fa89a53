//! Bounds on every number in a scenario that sizes an allocation or a duration
//! (units, rounds, the timeout, the rows a sweep makes, points, floats handed
//! to a plugin), checked at validation so that a typo such as `units = 10^18`
//! or `timeout = 1e-300` is refused with its place (exit 2) instead of failing
//! every run later. README.md lists them beside the keys.

use std::time::Duration;

use toml::Spanned;

use super::error::Located;

/// Units per scenario: each one is a result slot and events in every run.
pub(super) const MAX_UNITS: i64 = 1_000_000;
/// Below this a run cannot even start its process.
pub(super) const MIN_TIMEOUT_S: f64 = 0.01;
/// A day: longer is a typo, not a lecture demo.
pub(super) const MAX_TIMEOUT_S: f64 = 86_400.0;
/// Points of one expectation.
pub(super) const MAX_POINTS: f64 = 10_000.0;
/// Rows of one scenario: strategies, times every combination of a sweep.
pub(super) const MAX_ROWS: usize = 1_000;
/// The shortest simulated switch interval, in milliseconds (1 µs).
pub(super) const MIN_SWITCH_INTERVAL_MS: f64 = 0.001;

/// `timeout` in seconds, `default` when absent.
pub(super) fn timeout(value: Option<&Spanned<f64>>, default: f64) -> Result<Duration, Located> {
    match value {
        None => Ok(Duration::from_secs_f64(default)),
        Some(t) if (MIN_TIMEOUT_S..=MAX_TIMEOUT_S).contains(t.get_ref()) => Ok(Duration::from_secs_f64(*t.get_ref())),
        Some(t) => Err(Located::new(
            t.span(),
            format!(
                "`timeout` must be a positive number of seconds, from {MIN_TIMEOUT_S} to {MAX_TIMEOUT_S}, found {}",
                number(*t.get_ref())
            ),
        )
        .help("seconds a run may take before it is stopped, e.g. `timeout = 60`")),
    }
}

/// `v` as a person wrote it: `1e-300`, not three hundred zeros.
fn number(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-3..1e9).contains(&v.abs()) { format!("{v:e}") } else { v.to_string() }
}

/// `repeat` or `warmup`: from `min` to 10000, `default` when absent.
pub(super) fn count(value: Option<&Spanned<i64>>, default: u32, min: i64, key: &str) -> Result<u32, Located> {
    match value {
        None => Ok(default),
        Some(v) if (min..=10_000).contains(v.get_ref()) => Ok(*v.get_ref() as u32),
        Some(v) => {
            Err(Located::new(v.span(), format!("`{key}` must be between {min} and 10000, found {}", v.get_ref())))
        }
    }
}

/// `units`, 1 when absent.
pub(super) fn units(value: Option<&Spanned<i64>>) -> Result<u64, Located> {
    match value {
        None => Ok(1),
        Some(u) if *u.get_ref() < 1 => {
            Err(Located::new(u.span(), format!("`units` must be at least 1, found {}", u.get_ref())))
        }
        Some(u) if *u.get_ref() > MAX_UNITS => {
            Err(Located::new(u.span(), format!("`units` must be at most {MAX_UNITS}, found {}", u.get_ref())).help(
                "a unit is one independent piece of work; make each unit bigger through the workload's parameters",
            ))
        }
        Some(u) => Ok(*u.get_ref() as u64),
    }
}

/// Refuses `nan` and `inf` anywhere in a parameter's value (tables included):
/// no workload can use them, and JSON cannot carry them to the plugin.
pub(super) fn finite(value: &Spanned<toml::Value>, name: &str) -> Result<(), Located> {
    fn all_finite(value: &toml::Value) -> bool {
        match value {
            toml::Value::Float(f) => f.is_finite(),
            toml::Value::Array(items) => items.iter().all(all_finite),
            toml::Value::Table(table) => table.values().all(all_finite),
            _ => true,
        }
    }
    if all_finite(value.get_ref()) {
        Ok(())
    } else {
        Err(Located::new(
            value.span(),
            format!("parameter `{name}`: `nan` and `inf` are not numbers a workload can use"),
        )
        .help("write a finite number, e.g. `1.5`"))
    }
}

/// Refuses a scenario of more than [`MAX_ROWS`] rows.
pub(super) fn rows(count: usize, span: std::ops::Range<usize>, what: &str) -> Result<(), Located> {
    if count <= MAX_ROWS {
        return Ok(());
    }
    Err(Located::new(span, format!("{what} make {count} rows; a scenario has at most {MAX_ROWS}"))
        .help("split it into several scenario files, or sweep fewer values"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spanned<T>(value: T) -> Spanned<T> {
        Spanned::new(0..1, value)
    }

    #[test]
    fn numbers_outside_their_bounds_are_refused() {
        assert!(timeout(Some(&spanned(1e-300)), 60.0).is_err());
        assert!(timeout(Some(&spanned(f64::NAN)), 60.0).is_err());
        assert!(timeout(Some(&spanned(1e9)), 60.0).is_err());
        assert_eq!(timeout(Some(&spanned(0.5)), 60.0).unwrap(), Duration::from_millis(500));
        assert!(units(Some(&spanned(1_000_000_000_000_000_000))).is_err());
        assert_eq!(units(None).unwrap(), 1);
        let nested = toml::Value::Table(toml::from_str("a = [1.0, nan]").unwrap());
        assert!(finite(&spanned(nested), "kwargs").is_err());
        assert!(finite(&spanned(toml::Value::Float(f64::INFINITY)), "x").is_err());
        assert!(finite(&spanned(toml::Value::Float(2.5)), "x").is_ok());
        assert!(rows(MAX_ROWS + 1, 0..1, "the sweep").is_err());
    }
}
