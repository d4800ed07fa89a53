//! The expression language's tokens: numbers, identifiers, quoted labels and
//! symbols, with the column of each (in chars) for error messages.

use super::expr::ParseError;

/// Longest first, so `<=` is not read as `<` then `=`.
const SYMBOLS: &[&str] = &["||", "&&", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "(", ")", ","];
/// Bound the token count so no input can overflow the parser's stack.
pub(super) const MAX_TOKENS: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Ident(String),
    Label(String),
    Sym(&'static str),
    End,
    /// A lexing error, left in the stream so it is reported only if the parser gets that far: the first
    /// problem in reading order wins, whether it is lexical or grammatical.
    Bad(ParseError),
}

pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) column: usize,
    pub(super) text: String,
}

pub(super) fn error(index: usize, message: impl Into<String>) -> ParseError {
    ParseError { column: index + 1, message: message.into() }
}

/// Splits the text into tokens ending with `End` or `Bad`; columns count chars, not bytes.
pub(super) fn lex(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        let rest = &chars[i..];
        let symbol = SYMBOLS.iter().find(|s| rest.iter().take(s.len()).copied().eq(s.chars()));
        let (tok, len) = match (rest.first(), symbol) {
            (None, _) => (Tok::End, 0),
            (Some(_), _) if tokens.len() >= MAX_TOKENS => {
                (Tok::Bad(error(i, format!("longer than {MAX_TOKENS} tokens"))), 0)
            }
            (_, Some(s)) => (Tok::Sym(s), s.len()),
            (Some('"'), _) => lex_label(rest, i),
            (Some(c), _) if c.is_ascii_digit() => lex_number(rest, i),
            (Some(c), _) if c.is_alphabetic() || *c == '_' => {
                let len = rest.iter().take_while(|c| c.is_alphanumeric() || **c == '_').count();
                (Tok::Ident(rest[..len].iter().collect()), len)
            }
            (Some(c @ ('|' | '&' | '=')), _) => {
                (Tok::Bad(error(i, format!("expected `{c}{c}`, found a single `{c}`"))), 1)
            }
            (Some(c), _) => (Tok::Bad(error(i, format!("unexpected `{c}`"))), 1),
        };
        let stop = matches!(tok, Tok::End | Tok::Bad(_));
        tokens.push(Token { tok, column: i + 1, text: rest[..len].iter().collect() });
        if stop {
            return tokens;
        }
        i += len;
    }
}

/// `rest` starts at the opening quote, which is at char index `at` of the whole text.
fn lex_label(rest: &[char], at: usize) -> (Tok, usize) {
    let mut label = String::new();
    let mut j = 1;
    loop {
        match (rest.get(j), rest.get(j + 1)) {
            (Some('"'), _) => return (Tok::Label(label), j + 1),
            (Some('\\'), Some(&e @ ('"' | '\\'))) => label.push(e),
            (Some('\\'), Some(e)) => {
                let message = format!("unknown escape `\\{e}`; labels can only escape `\\\"` and `\\\\`");
                return (Tok::Bad(error(at + j, message)), 0);
            }
            (Some(&c), _) if c != '\\' => {
                label.push(c);
                j += 1;
                continue;
            }
            _ => return (Tok::Bad(error(at, "unterminated label: missing the closing `\"`")), 0),
        }
        j += 2;
    }
}

/// Digits with `_` separators, an optional fraction and an optional exponent: `1`, `1.5`, `1_000`, `2e3`.
fn lex_number(rest: &[char], at: usize) -> (Tok, usize) {
    let digit = |j: usize| rest.get(j).is_some_and(char::is_ascii_digit);
    let digits = |j: usize| j + rest[j..].iter().take_while(|c| c.is_ascii_digit() || **c == '_').count();
    let mut j = digits(0);
    // Take `.` and `e` only when digits follow, so `1.` and `2e` fail as grammar, not as odd numbers.
    if rest.get(j) == Some(&'.') && digit(j + 1) {
        j = digits(j + 1);
    }
    if matches!(rest.get(j), Some('e' | 'E')) {
        let sign = usize::from(matches!(rest.get(j + 1), Some('+' | '-')));
        if digit(j + 1 + sign) {
            j = digits(j + 1 + sign);
        }
    }
    let text: String = rest[..j].iter().filter(|c| **c != '_').collect();
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => (Tok::Num(n), j),
        _ => (Tok::Bad(error(at, format!("number `{text}` is out of range"))), 0),
    }
}
