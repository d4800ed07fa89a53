//! Where a character of a decoded TOML string sits in the file. An `[[expect]]`
//! check is parsed from its decoded value, but its errors must point at the raw
//! text: past the quotes, a multi-line string's first newline, escapes such as
//! `\t` or `\u00e9`, and a `"""` string's line-ending backslash.

use std::ops::Range;

/// The byte range in `text` of character `index` (0-based, counted in chars)
/// of the string whose raw token, quotes included, is `text[token]`: the whole
/// escape when the character was written as one, an empty range at the end of
/// the content when `index` is past it. The range never splits a character.
pub(crate) fn char_in_string(text: &str, token: Range<usize>, index: usize) -> Range<usize> {
    let Some(raw) = text.get(token.clone()) else {
        let at = floor_char_boundary(text, token.start);
        return at..at;
    };
    let (delimiter, basic) = match raw {
        _ if raw.starts_with("'''") => ("'''", false),
        _ if raw.starts_with("\"\"\"") => ("\"\"\"", true),
        _ if raw.starts_with('\'') => ("'", false),
        _ if raw.starts_with('"') => ("\"", true),
        // Not a quoted string (the span does not come from a string value).
        _ => return token.start..token.start,
    };
    let multi_line = delimiter.len() == 3;
    let mut start = delimiter.len();
    if multi_line {
        // The newline right after the opening delimiter is not part of the value.
        start += [("\n", 1), ("\r\n", 2)].iter().find(|(nl, _)| raw[start..].starts_with(nl)).map_or(0, |(_, n)| *n);
    }
    let end = if raw.len() >= start + delimiter.len() && raw.ends_with(delimiter) {
        raw.len() - delimiter.len()
    } else {
        raw.len()
    };
    let content = raw.get(start..end).unwrap_or("");
    let base = token.start + start;
    let mut pos = 0;
    let mut seen = 0;
    while pos < content.len() {
        let rest = &content[pos..];
        let (len, produces) = if basic { basic_element(rest, multi_line) } else { (first_len(rest), true) };
        if produces {
            if seen == index {
                return base + pos..base + pos + len;
            }
            seen += 1;
        }
        pos += len;
    }
    base + content.len()..base + content.len()
}

/// The bytes of the next element of a basic string's content, and whether it
/// stands for one character of the value (a line-ending backslash stands for none).
fn basic_element(rest: &str, multi_line: bool) -> (usize, bool) {
    let Some(after) = rest.strip_prefix('\\') else { return (first_len(rest), true) };
    match after.chars().next() {
        Some(' ' | '\t' | '\r' | '\n') if multi_line => {
            // `\`, trailing blanks, the newline, then every blank and newline after it.
            let skipped = after.len() - after.trim_start_matches([' ', '\t', '\r', '\n']).len();
            (1 + skipped, false)
        }
        Some(kind) => {
            let digits = match kind {
                'x' => 2,
                'u' => 4,
                'U' => 8,
                _ => 0,
            };
            let hex = after[kind.len_utf8()..].chars().take(digits).take_while(char::is_ascii_hexdigit).count();
            (1 + kind.len_utf8() + hex, true)
        }
        None => (1, true),
    }
}

fn first_len(rest: &str) -> usize {
    rest.chars().next().map_or(rest.len(), char::len_utf8)
}

/// The largest char boundary of `text` at or before `at` (`str::floor_char_boundary`
/// is newer than the workspace's minimum Rust).
pub(crate) fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or after `at`.
pub(crate) fn ceil_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `value_toml` as `v = …` and checks every character of the value
    /// against the raw text at the offset found for it.
    fn check_every_char(value_toml: &str) {
        let text = format!("# é\nv = {value_toml}\n");
        let doc: std::collections::BTreeMap<String, toml::Spanned<String>> = toml::from_str(&text).unwrap();
        let value = &doc["v"];
        for (index, c) in value.get_ref().chars().enumerate() {
            let range = char_in_string(&text, value.span(), index);
            let raw = &text[range.clone()];
            let decoded: String = if raw.starts_with('\\') {
                toml::from_str::<toml::Table>(&format!("x = \"{raw}\""))
                    .map(|t| t["x"].as_str().unwrap().to_owned())
                    .unwrap_or_else(|_| raw.to_owned())
            } else {
                raw.to_owned()
            };
            assert_eq!(decoded, c.to_string(), "char {index} of {value_toml:?} at {range:?}");
        }
        let past = char_in_string(&text, value.span(), value.get_ref().chars().count());
        assert!(past.is_empty() && text.is_char_boundary(past.start));
    }

    #[test]
    fn every_string_form_maps_each_char_to_its_raw_text() {
        check_every_char(r#""a\tb\u00e9c\"d\\e\U0001F600f\x41""#);
        check_every_char("'sé wall(\"x\")'");
        check_every_char("'''\nsé\r\nwall(\"x\")'''");
        check_every_char("\"\"\"\r\nsé \\\n   \n  wall(\\\"x\\\") \\u00e9\"\"\"");
        check_every_char("\"\"\"é\\  \r\n\tx\"\"\"");
        check_every_char("'''a'' b'''");
    }

    #[test]
    fn a_span_that_is_no_string_is_answered_without_a_panic() {
        let text = "é = 1";
        assert_eq!(char_in_string(text, 1..4, 0), 0..0);
        assert_eq!(char_in_string(text, 4..5, 3), 4..4);
        assert_eq!(floor_char_boundary(text, 1), 0);
        assert_eq!(ceil_char_boundary(text, 1), 2);
    }
}
