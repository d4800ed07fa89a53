//! The line an error shows under its message: control characters in it made
//! visible (an error is exactly when the file may hold them) and a very long
//! line cut to a window around the caret, with the caret still under its text.

use crate::host::sanitize;

/// Characters of a long line shown before the caret.
const BEFORE: usize = 40;
/// Characters of the marked text shown at most.
const MARKED: usize = 60;
/// Characters shown after the marked text.
const AFTER: usize = 20;

/// `source_line` ready to print, the caret's 1-based column in it and its width.
pub(crate) fn excerpt(source_line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = source_line.chars().collect();
    let start = column.saturating_sub(1).min(chars.len());
    let end = (start + width).min(chars.len());
    let piece = |range: &[char]| sanitize::line(&range.iter().collect::<String>()).into_owned();
    let (mut before, mut marked, mut after) = (piece(&chars[..start]), piece(&chars[start..end]), piece(&chars[end..]));
    let cut = |text: &str, keep: usize, from_end: bool| -> String {
        let count = text.chars().count();
        if count <= keep {
            return text.to_owned();
        }
        if from_end {
            format!("…{}", text.chars().skip(count - keep).collect::<String>())
        } else {
            format!("{}…", text.chars().take(keep).collect::<String>())
        }
    };
    if before.chars().count() + marked.chars().count() + after.chars().count() > BEFORE + MARKED + AFTER {
        before = cut(&before, BEFORE, true);
        marked = cut(&marked, MARKED, false);
        after = cut(&after, AFTER, false);
    }
    let caret_column = before.chars().count() + 1;
    let caret_width = marked.chars().count().max(1);
    (format!("{before}{marked}{after}"), caret_column, caret_width)
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn controls_are_escaped_and_the_caret_follows() {
        let (shown, column, width) = excerpt("a\u{1b}b = \"x\"", 7, 3);
        assert_eq!(shown, "a\\x1bb = \"x\"");
        assert_eq!((column, width), (10, 3));
        assert_eq!(&shown[column - 1..column - 1 + width], "\"x\"");
    }

    #[test]
    fn a_long_line_is_cut_around_the_caret() {
        let line = format!("{}X{}", "[".repeat(100_000), "]".repeat(100_000));
        let (shown, column, width) = excerpt(&line, 100_001, 1);
        assert!(shown.chars().count() < 130, "{shown}");
        assert_eq!(shown.chars().nth(column - 1), Some('X'));
        assert_eq!(width, 1);
    }
}
