//! Colour for the table on a terminal: ✓ green, ✗ and the rows and checks
//! that failed red, noisy and flaky marks yellow, the score bold. Painted
//! over the rendered text, after the columns are laid out (the escapes take
//! no width in the terminal but would in comfy-table's arithmetic). Only the
//! runner's own marks are painted: the text has passed through
//! [`crate::host::sanitize`], so no escape in it comes from a plugin.
//!
//! `--color auto` (the default) paints only when stdout is a terminal, `TERM`
//! is not `dumb` and `NO_COLOR` is unset or empty (no-color.org); `always`
//! paints even into a pipe (for `less -R`); `never` never does.

use std::io::IsTerminal;

use clap::ValueEnum;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour, even into a pipe or a file.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether the table on this process's stdout gets colour.
    pub(crate) fn enabled(self) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && !dumb && std::io::stdout().is_terminal(),
        }
    }
}

const RED: &str = "\x1b[31m";
const BOLD_RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Phrases painted yellow wherever they appear.
const WARNINGS: [&str; 2] = ["(flaky: passed on a retry)", "noisy: min or max over 2× from the median"];

/// `text` (the table format's rendering) with colour.
pub(crate) fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&paint_line(line));
    }
    out
}

fn paint_line(line: &str) -> String {
    let trimmed = line.trim_start();
    let is_row = trimmed.starts_with('│');
    let is_mark = trimmed.starts_with("✓ ") || trimmed.starts_with("✗ ");
    if (is_row || is_mark) && line.contains('✗') {
        // A failed strategy's row, a failed check, a scenario that did not hold.
        let body = line.replace('✗', &format!("{BOLD_RED}✗{RESET}{RED}"));
        return format!("{RED}{body}{RESET}");
    }
    if trimmed.starts_with("expectations: ") {
        return format!("{BOLD}{line}{RESET}");
    }
    let mut painted = line.to_owned();
    if is_row || is_mark {
        painted = painted.replace('✓', &format!("{GREEN}✓{RESET}"));
    }
    for warning in WARNINGS {
        painted = painted.replace(warning, &format!("{YELLOW}{warning}{RESET}"));
    }
    painted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_rows_and_checks_are_painted_and_nothing_else() {
        let table = "cpu\n│ threads ┆ 2 ┆ ✓        │\n│ procs   ┆ 2 ┆ ✗ 1/5 ok │\nverified: ✓ said the plugin\n\
                     expectations: 1 of 2 points\n  ✓ fast (flaky: passed on a retry) [1/1]\n  ✗ slow [0/1]";
        let painted = paint(table);
        let lines: Vec<&str> = painted.lines().collect();
        assert_eq!(lines[0], "cpu");
        assert_eq!(lines[1], "│ threads ┆ 2 ┆ \x1b[32m✓\x1b[0m        │");
        assert_eq!(lines[2], "\x1b[31m│ procs   ┆ 2 ┆ \x1b[1;31m✗\x1b[0m\x1b[31m 1/5 ok │\x1b[0m");
        assert_eq!(lines[3], "verified: ✓ said the plugin", "a ✓ in running text is not a mark");
        assert_eq!(lines[4], "\x1b[1mexpectations: 1 of 2 points\x1b[0m");
        assert_eq!(lines[5], "  \x1b[32m✓\x1b[0m fast \x1b[33m(flaky: passed on a retry)\x1b[0m [1/1]");
        assert!(lines[6].starts_with("\x1b[31m  \x1b[1;31m✗"), "{:?}", lines[6]);
        let stripped: String = painted.split('\x1b').map(|p| p.find('m').map_or(p, |i| &p[i + 1..])).collect();
        assert_eq!(stripped, table, "only escapes are added");
    }
}
