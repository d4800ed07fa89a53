//! `[limits]`: what each run of the scenario may use (memory, processes, open
//! files, bytes written, CPU time, output, events), by the names and values
//! of [`Limits::set`]; anything not given keeps a default that protects the
//! machine and leaves the lecture's scenarios untouched.

use toml::Spanned;

use super::error::Located;
use crate::protocol::contain::{LIMIT_NAMES, Limits};

/// The scenario's limits, defaults filled in.
pub(crate) fn limits(raw: Option<&Spanned<toml::Table>>) -> Result<Limits, Located> {
    let mut limits = Limits::default();
    let Some(table) = raw else { return Ok(limits) };
    for (name, value) in table.get_ref() {
        limits.set(name, value).map_err(|e| {
            let e = e.split("\n  = help").next().unwrap_or_default().to_owned();
            Located::new(table.span(), format!("[limits] `{name}`: {e}"))
                .help(format!("expected one of: {}", LIMIT_NAMES.join(", ")))
        })?;
    }
    Ok(limits)
}
