//! `[scenario] repeat`: a fixed number of measured rounds, or `"auto"`:
//! rounds go on until every speedup's confidence interval is within
//! `target` of its median (default ±5 %) or the time `budget` is spent
//! (default 30 s), whichever comes first.

use std::time::Duration;

use toml::Spanned;

use super::error::Located;
use super::raw::RawScenario;
use crate::protocol::contain::parse_duration;

/// Measured rounds when `repeat` is absent.
pub(crate) const DEFAULT_REPEAT: u32 = 5;
/// `repeat = "auto"`'s target half-width of each speedup's interval.
pub(crate) const DEFAULT_TARGET: f64 = 0.05;
/// `repeat = "auto"`'s time budget.
pub(crate) const DEFAULT_BUDGET: Duration = Duration::from_secs(30);
/// Rounds `repeat = "auto"` measures before it looks at the intervals: the
/// fewest with a 95 % order-statistic interval.
pub(crate) const AUTO_MIN_ROUNDS: u32 = 6;
/// Rounds `repeat = "auto"` never goes past, whatever the budget.
pub(crate) const AUTO_MAX_ROUNDS: u32 = 10_000;

/// How many rounds to measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Repeat {
    Fixed(u32),
    Auto(AutoRounds),
}

/// `repeat = "auto"`'s stopping rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AutoRounds {
    /// Largest half-width of every speedup's interval, as a fraction of its median.
    pub(crate) target: f64,
    /// Wall time the measured rounds may take in all.
    pub(crate) budget: Duration,
}

impl Repeat {
    /// The rounds planned before any stopping rule looks: all of them, or
    /// `repeat = "auto"`'s first.
    pub(crate) fn initial_rounds(self) -> u32 {
        match self {
            Repeat::Fixed(n) => n,
            Repeat::Auto(_) => AUTO_MIN_ROUNDS,
        }
    }

    /// `--repeat N|auto`: `auto` keeps the scenario's target and budget if it had them.
    pub(crate) fn from_arg(arg: &str, current: Repeat) -> Result<Repeat, String> {
        match arg.trim() {
            "auto" => Ok(match current {
                Repeat::Auto(auto) => Repeat::Auto(auto),
                Repeat::Fixed(_) => Repeat::Auto(AutoRounds { target: DEFAULT_TARGET, budget: DEFAULT_BUDGET }),
            }),
            n => match n.parse::<u32>() {
                Ok(n) if (1..=10_000).contains(&n) => Ok(Repeat::Fixed(n)),
                _ => Err(format!("expected a number of rounds from 1 to 10000, or `auto`, found `{n}`")),
            },
        }
    }
}

/// Reads `repeat`, `target` and `budget` of `[scenario]`.
pub(crate) fn repeat(raw: &RawScenario) -> Result<Repeat, Located> {
    let fixed = match &raw.repeat {
        None => Some(DEFAULT_REPEAT),
        Some(value) => match value.get_ref() {
            toml::Value::String(s) if s.trim() == "auto" => None,
            toml::Value::Integer(n) if (1..=10_000).contains(n) => Some(*n as u32),
            toml::Value::Integer(n) => {
                return Err(Located::new(value.span(), format!("`repeat` must be between 1 and 10000, found {n}")));
            }
            other => {
                return Err(Located::new(
                    value.span(),
                    format!("`repeat` must be a number of rounds or \"auto\", found {}", describe(other)),
                )
                .help("e.g. `repeat = 5`, or `repeat = \"auto\"` to measure until the speedups are known to ±5 %"));
            }
        },
    };
    let Some(rounds) = fixed else {
        return Ok(Repeat::Auto(AutoRounds {
            target: target(raw.target.as_ref())?,
            budget: budget(raw.budget.as_ref())?,
        }));
    };
    if let Some(key) = raw.target.as_ref().map(Spanned::span).or_else(|| raw.budget.as_ref().map(Spanned::span)) {
        return Err(Located::new(key, "`target` and `budget` apply only with `repeat = \"auto\"`")
            .help("say `repeat = \"auto\"`, or remove them"));
    }
    Ok(Repeat::Fixed(rounds))
}

fn describe(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("\"{s}\""),
        other => other.type_str().to_owned(),
    }
}

fn target(value: Option<&Spanned<f64>>) -> Result<f64, Located> {
    match value {
        None => Ok(DEFAULT_TARGET),
        Some(t) if (0.001..=1.0).contains(t.get_ref()) => Ok(*t.get_ref()),
        Some(t) => Err(Located::new(t.span(), format!("`target` must be from 0.001 to 1, found {}", t.get_ref()))
            .help("the largest half-width of each speedup's interval, as a fraction: 0.05 is ±5 %")),
    }
}

fn budget(value: Option<&Spanned<toml::Value>>) -> Result<Duration, Located> {
    let Some(value) = value else { return Ok(DEFAULT_BUDGET) };
    match parse_duration(value.get_ref()) {
        Ok(d) if d >= Duration::from_millis(100) && d <= Duration::from_secs(86_400) => Ok(d),
        Ok(d) => Err(Located::new(
            value.span(),
            format!("`budget` must be from 100 ms to 24 hours, found {} s", d.as_secs_f64()),
        )),
        Err(e) => Err(Located::new(value.span(), format!("`budget`: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_overrides_repeat() {
        let auto = Repeat::Auto(AutoRounds { target: 0.02, budget: Duration::from_secs(9) });
        assert_eq!(Repeat::from_arg("auto", auto), Ok(auto));
        assert_eq!(
            Repeat::from_arg("auto", Repeat::Fixed(3)),
            Ok(Repeat::Auto(AutoRounds { target: DEFAULT_TARGET, budget: DEFAULT_BUDGET }))
        );
        assert_eq!(Repeat::from_arg("7", auto), Ok(Repeat::Fixed(7)));
        assert!(Repeat::from_arg("0", auto).is_err());
        assert!(Repeat::from_arg("lots", auto).is_err());
        assert_eq!(auto.initial_rounds(), AUTO_MIN_ROUNDS);
    }
}
