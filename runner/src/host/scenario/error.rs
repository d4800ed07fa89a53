//! Scenario errors with their place in the file, rendered like a compiler's:
//! `path:line:column: message`, the offending line, a caret, and a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::excerpt::excerpt;
use super::string_span::{ceil_char_boundary, floor_char_boundary};

/// A message tied to a byte range of the scenario's text.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

impl Located {
    /// An error at `span`.
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>) -> Located {
        Located { span, message: message.into(), help: None }
    }

    /// Adds a hint (what is allowed, what to do).
    pub(crate) fn help(mut self, help: impl Into<String>) -> Located {
        self.help = Some(help.into());
        self
    }

    /// Rewords serde's messages in the file's terms (`i64` means an integer here).
    pub(super) fn from_toml(error: &toml::de::Error) -> Located {
        let message = error
            .message()
            .trim()
            .replace("expected i64", "expected an integer")
            .replace("expected f64", "expected a number")
            .replace("expected a boolean", "expected `true` or `false`");
        let located = Located::new(error.span().unwrap_or(0..0), message.clone());
        if message.starts_with("missing field") {
            located
                .help("a scenario has a `[scenario]` table, a `[workload]` table and one or more `[[strategy]]` tables")
        } else {
            located
        }
    }
}

/// Why a scenario file cannot be used.
#[derive(Debug, Clone)]
pub(crate) enum ScenarioError {
    /// The file could not be read.
    Read { path: PathBuf, reason: String },
    /// Something in the file is wrong, at a known place.
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        source_line: String,
        width: usize,
        message: String,
        help: Option<String>,
    },
}

impl ScenarioError {
    /// Places `located` in `text` (the contents of `path`).
    pub(crate) fn at(path: &Path, text: &str, located: Located) -> ScenarioError {
        // Spans come from many places; a bad one must never split a character.
        let start = floor_char_boundary(text, located.span.start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let end = ceil_char_boundary(text, located.span.end.clamp(start, line_end));
        let width = text[start..end].chars().count().max(1);
        ScenarioError::Invalid {
            path: path.to_owned(),
            line,
            column,
            source_line: text[line_start..line_end].trim_end_matches('\r').to_owned(),
            width,
            message: located.message,
            help: located.help,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { path, reason } => {
                write!(f, "cannot read scenario `{}`: {reason}", path.display())
            }
            ScenarioError::Invalid { path, line, column, source_line, width, message, help } => {
                writeln!(f, "{}:{line}:{column}: {message}", path.display())?;
                let gutter = line.to_string().len();
                writeln!(f, "{:gutter$} |", "")?;
                let (shown, column, width) = excerpt(source_line, *column, *width);
                writeln!(f, "{line} | {shown}")?;
                write!(f, "{:gutter$} | {}{}", "", " ".repeat(column - 1), "^".repeat(width))?;
                if let Some(help) = help {
                    write!(f, "\n{:gutter$} = help: {help}", "")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_line_column_and_caret() {
        let text = "[scenario]\nname = \"x\"\nrepeat = \"five\"\n";
        let start = text.find("\"five\"").unwrap();
        let err = ScenarioError::at(
            Path::new("s.toml"),
            text,
            Located::new(start..start + 6, "expected an integer").help("e.g. repeat = 5"),
        );
        let shown = err.to_string();
        assert!(shown.starts_with("s.toml:3:10: expected an integer\n"), "{shown}");
        assert!(shown.contains("3 | repeat = \"five\""), "{shown}");
        assert!(shown.contains("  |          ^^^^^^"), "{shown}");
        assert!(shown.ends_with("= help: e.g. repeat = 5"), "{shown}");
    }
}
