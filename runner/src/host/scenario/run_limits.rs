//! `[limits]`: what each run of the scenario may use (memory, processes, open
//! files, bytes written, CPU time, output, events), by the names and values
//! of [`Limits::set`]; anything not given keeps a default that protects the
//! machine and leaves the lecture's scenarios untouched.

use toml::Spanned;

use super::error::Located;
use super::model::StrategyEntry;
use super::raw::RawStrategy;
use crate::protocol::contain::{LIMIT_NAMES, Limits};

/// `base` with the limits of `raw` (a `[limits]` table, or a strategy's
/// `limits`) applied over it.
pub(crate) fn limits(raw: Option<&Spanned<toml::Table>>, base: Limits) -> Result<Limits, Located> {
    let mut limits = base;
    let Some(table) = raw else { return Ok(limits) };
    for (name, value) in table.get_ref() {
        limits.set(name, value).map_err(|e| {
            let e = e.split("\n  = help").next().unwrap_or_default().to_owned();
            let located = Located::new(table.span(), format!("[limits] `{name}`: {e}"));
            match LIMIT_NAMES.contains(&name.as_str()) {
                true => located,
                false => located.help(format!("expected one of: {}", LIMIT_NAMES.join(", "))),
            }
        })?;
    }
    Ok(limits)
}

/// Each strategy's limits: `base` with its own `limits` table over it. Sweeps
/// keep a strategy's label as a prefix, so an entry's table is the one
/// labelled so, else the one with the longest label the entry's starts with.
pub(crate) fn strategy_limits(
    raw: &[Spanned<RawStrategy>],
    strategies: &mut [StrategyEntry],
    base: Limits,
) -> Result<(), Located> {
    let label_of = |r: &Spanned<RawStrategy>| {
        r.get_ref().label.as_ref().map_or(r.get_ref().kind.get_ref(), |l| l.get_ref()).clone()
    };
    for entry in strategies {
        let own = raw.iter().find(|r| label_of(r) == entry.label).or_else(|| {
            raw.iter()
                .filter(|r| entry.label.starts_with(&format!("{} ", label_of(r))))
                .max_by_key(|r| label_of(r).len())
        });
        entry.limits = limits(own.and_then(|r| r.get_ref().limits.as_ref()), base)?;
    }
    Ok(())
}
