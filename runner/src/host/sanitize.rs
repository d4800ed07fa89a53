//! The one sanitiser for text the runner did not write itself (a plugin's
//! verdicts, failure messages and manifest, a scenario's names and labels) on
//! its way to a terminal, Markdown or CSV. Control characters (C0, DEL, C1) and
//! the bidi overrides and isolates are shown as visible escapes (`\x1b`,
//! `\u{9b}`, `\u{202e}`), never passed through and never silently deleted, so
//! a verdict cannot clear the screen, retitle the terminal or reorder a line,
//! and the reader still sees that something odd was there.
//!
//! JSON, JUnit and HTML have escaping of their own and do not come here.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as it is.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `c` as a visible escape.
fn push_escape(out: &mut String, c: char) {
    let _ = match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        c if (c as u32) < 0x80 => write!(out, "\\x{:02x}", c as u32),
        c => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let keep = |c: char| !is_unsafe(c) || (keep_newlines && c == '\n');
    if text.chars().all(keep) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if keep(c) {
            out.push(c);
        } else {
            push_escape(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// One line of untrusted text for a terminal: every control character, the
/// newline included, shown as an escape.
pub(crate) fn line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Untrusted text that may span lines (a failure message with a traceback):
/// newlines kept, every other control character shown as an escape.
pub(crate) fn multiline(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// Untrusted text for Markdown prose (a heading, a list item): controls
/// escaped and HTML made inert (`<script>` shows as text), lines kept.
pub(crate) fn markdown_text(text: &str) -> String {
    html_inert(&multiline(text))
}

/// Untrusted text for one Markdown table cell: on one line, HTML inert, and
/// `|` escaped so it cannot end the cell.
pub(crate) fn markdown_cell(text: &str) -> String {
    html_inert(&line(text)).replace('|', "\\|")
}

/// Untrusted text as a Markdown code span: controls escaped, and a fence
/// longer than any run of backticks inside it (HTML is inert in a code span).
pub(crate) fn markdown_code(text: &str) -> String {
    let text = line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// One CSV field: controls escaped (a CSV is often `cat` to a terminal), then
/// RFC 4180 quoting where needed.
pub(crate) fn csv_field(text: &str) -> String {
    let text = line(text);
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.into_owned() }
}

fn html_inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(line("ok"), Cow::Borrowed("ok"));
        assert_eq!(line("\x1b[2J\x1b]0;owned\x07done"), "\\x1b[2J\\x1b]0;owned\\x07done");
        assert_eq!(line("a\u{9b}31mb\u{7f}"), "a\\u{9b}31mb\\x7f");
        assert_eq!(line("x\u{202e}fdp.exe\u{2066}"), "x\\u{202e}fdp.exe\\u{2066}");
        assert_eq!(line("two\nlines\r\tend"), "two\\nlines\\r\\tend");
        assert_eq!(multiline("two\nlines\r"), "two\nlines\\r");
        assert_eq!(line("é ✓ → 漢"), Cow::Borrowed("é ✓ → 漢"));
    }

    #[test]
    fn markdown_makes_html_inert_and_keeps_cells_whole() {
        assert_eq!(markdown_text("<script>alert(1)</script> & co"), "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co");
        assert_eq!(markdown_cell("a|b\n<i>"), "a\\|b\\n&lt;i&gt;");
        assert_eq!(markdown_code("wall(\"x\") > 1"), "`wall(\"x\") > 1`");
        assert_eq!(markdown_code("a ``b`` c"), "```a ``b`` c```");
        assert_eq!(markdown_code("`x"), "`` `x ``");
    }

    #[test]
    fn csv_fields_stay_one_field() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(csv_field("a\nb\x1b"), "a\\nb\\x1b");
    }
}
