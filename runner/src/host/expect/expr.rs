//! The expression language of scenario expectations, e.g. `speedup("threads") >= 1.6 && !deadlocked("naive")`.
//!
//! Expectations are parsed when the scenario is loaded, so a typo fails before any benchmark runs, and evaluated
//! after the runs against measured figures supplied through [`Figures`].

use std::fmt;

/// A parsed expectation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    root: Node,
}

/// A parse error: 1-based column (in chars) in the expression text, and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseError {
    pub(crate) column: usize,
    pub(crate) message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A value during evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Number(f64),
    Bool(bool),
}

/// What a function call means: the evaluator asks this for `name("label")`.
pub(crate) trait Figures {
    fn call(&self, function: &str, label: &str) -> Result<Value, String>;
}

/// A function the language knows, with its result type and help.
#[derive(Debug)]
pub(crate) struct Function {
    pub(crate) name: &'static str,
    /// `"number"` or `"bool"`.
    pub(crate) returns: &'static str,
    pub(crate) help: &'static str,
}

pub(crate) const FUNCTIONS: &[Function] = &[
    Function {
        name: "speedup",
        returns: "number",
        help: "how many times faster than the baseline (baseline wall / wall)",
    },
    Function { name: "wall", returns: "number", help: "wall-clock time in seconds, median" },
    Function {
        name: "cpu",
        returns: "number",
        help: "CPU time in seconds (user + sys) of the run's process and its workers, median",
    },
    Function {
        name: "efficiency",
        returns: "number",
        help: "ideal time / measured time for IO scenarios with an embedded server delay (1.0 = at the limit)",
    },
    Function { name: "units_per_s", returns: "number", help: "work units completed per second of wall time" },
    Function { name: "errors", returns: "number", help: "units that failed, summed over the measured runs" },
    Function {
        name: "lost_updates",
        returns: "number",
        help: "updates lost to races (expected minus counted), the plugin's figure, median",
    },
    Function { name: "verified", returns: "bool", help: "the result passed its correctness check" },
    Function { name: "ok", returns: "bool", help: "every run succeeded" },
    Function { name: "deadlocked", returns: "bool", help: "a run was ended by a deadlock the plugin detected" },
    Function { name: "failed", returns: "bool", help: "some run failed" },
];

/// Bound the AST depth so no input can overflow the stack (the worst case fits in 512 KiB in a debug build);
/// real expectations are a few dozen tokens. Each `(` costs the parser a dozen frames, hence its own lower limit.
const MAX_TOKENS: usize = 256;
const MAX_NESTING: usize = 32;

/// Longest first, so `<=` is not read as `<` then `=`.
const SYMBOLS: &[&str] = &["||", "&&", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "(", ")", ","];
const COMPARISONS: &[&str] = &["<", "<=", ">", ">=", "==", "!="];

/// Operators are kept as their symbols: that is all evaluation and error messages need.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Num(f64),
    Bool(bool),
    Call(&'static str, String),
    Unary(&'static str, Box<Node>),
    Binary(&'static str, Box<Node>, Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Label(String),
    Sym(&'static str),
    End,
    /// A lexing error, left in the stream so it is reported only if the parser gets that far: the first
    /// problem in reading order wins, whether it is lexical or grammatical.
    Bad(ParseError),
}

struct Token {
    tok: Tok,
    column: usize,
    text: String,
}

fn error(index: usize, message: impl Into<String>) -> ParseError {
    ParseError { column: index + 1, message: message.into() }
}

/// Splits the text into tokens ending with `End` or `Bad`; columns count chars, not bytes.
fn lex(text: &str) -> Vec<Token> {
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

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    nesting: usize,
}

type Parsed = Result<Node, ParseError>;

impl Parser {
    fn peek(&self) -> Result<&Token, ParseError> {
        // `lex` always ends the stream with `End` or `Bad`, and `bump` never moves past it.
        let token = &self.tokens[self.at];
        match &token.tok {
            Tok::Bad(e) => Err(e.clone()),
            _ => Ok(token),
        }
    }

    fn bump(&mut self) {
        self.at = (self.at + 1).min(self.tokens.len() - 1);
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { column: self.peek()?.column, message: message.into() })
    }

    fn eat(&mut self, symbols: &[&str]) -> Result<Option<&'static str>, ParseError> {
        match self.peek()?.tok {
            Tok::Sym(s) if symbols.contains(&s) => {
                self.bump();
                Ok(Some(s))
            }
            _ => Ok(None),
        }
    }

    fn expect(&mut self, symbol: &str, message: String) -> Result<(), ParseError> {
        match self.eat(&[symbol])? {
            Some(_) => Ok(()),
            None => self.fail(message),
        }
    }

    /// Left-associative chain of `operand`s joined by any of `symbols`.
    fn chain(&mut self, symbols: &[&str], operand: fn(&mut Self) -> Parsed) -> Parsed {
        let mut left = operand(self)?;
        while let Some(op) = self.eat(symbols)? {
            left = Node::Binary(op, Box::new(left), Box::new(operand(self)?));
        }
        Ok(left)
    }

    /// Any number of prefix `symbol`s applied to an `operand`; a loop, not recursion, so `!!!!…` can't go deep.
    fn prefix(&mut self, symbol: &str, operand: fn(&mut Self) -> Parsed) -> Parsed {
        let mut ops = Vec::new();
        while let Some(op) = self.eat(&[symbol])? {
            ops.push(op);
        }
        Ok(ops.into_iter().fold(operand(self)?, |node, op| Node::Unary(op, Box::new(node))))
    }

    fn or(&mut self) -> Parsed {
        self.chain(&["||"], Self::and)
    }

    fn and(&mut self) -> Parsed {
        self.chain(&["&&"], |p| p.prefix("!", Self::comparison))
    }

    fn comparison(&mut self) -> Parsed {
        let left = self.chain(&["+", "-"], Self::product)?;
        let Some(op) = self.eat(COMPARISONS)? else { return Ok(left) };
        let right = self.chain(&["+", "-"], Self::product)?;
        // `a < b < c` means something different in every language; refuse rather than pick one.
        if matches!(self.peek()?.tok, Tok::Sym(s) if COMPARISONS.contains(&s)) {
            return self.fail("comparisons don't chain; join them with `&&`");
        }
        Ok(Node::Binary(op, Box::new(left), Box::new(right)))
    }

    fn product(&mut self) -> Parsed {
        self.chain(&["*", "/"], |p| p.prefix("-", Self::primary))
    }

    fn primary(&mut self) -> Parsed {
        let (tok, column) = self.peek().map(|t| (t.tok.clone(), t.column))?;
        match tok {
            Tok::Num(n) => {
                self.bump();
                Ok(Node::Num(n))
            }
            Tok::Ident(name) if name == "true" || name == "false" => {
                self.bump();
                Ok(Node::Bool(name == "true"))
            }
            Tok::Ident(name) => self.call(&name),
            Tok::Sym("(") if self.nesting == MAX_NESTING => self.fail(format!("nested deeper than {MAX_NESTING} `(`")),
            Tok::Sym("(") => {
                self.bump();
                self.nesting += 1;
                let inner = self.or()?;
                self.nesting -= 1;
                self.expect(")", format!("expected `)` to close the `(` at column {column}"))?;
                Ok(inner)
            }
            _ => self.fail("expected a number, a call or `(`"),
        }
    }

    fn call(&mut self, name: &str) -> Parsed {
        let Some(function) = FUNCTIONS.iter().find(|f| f.name == name) else {
            let known: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
            return self.fail(format!("unknown function `{name}`; known: {}", known.join(", ")));
        };
        self.bump();
        self.expect("(", format!("expected `(` after `{name}`"))?;
        let Tok::Label(label) = self.peek()?.tok.clone() else { return self.fail("expected a quoted strategy label") };
        self.bump();
        self.expect(")", "expected `)`: a function takes exactly one label".into())?;
        Ok(Node::Call(function.name, label))
    }
}

impl Expr {
    pub(crate) fn parse(text: &str) -> Result<Expr, ParseError> {
        let mut parser = Parser { tokens: lex(text), at: 0, nesting: 0 };
        let root = parser.or()?;
        match &parser.peek()?.tok {
            Tok::End => Ok(Expr { root }),
            _ => parser.fail(format!("unexpected `{}`", parser.peek()?.text)),
        }
    }

    #[cfg(test)]
    /// Evaluates to a bool (the whole expectation must be boolean: a number at top level is an error).
    pub(crate) fn eval(&self, figures: &dyn Figures) -> Result<bool, String> {
        self.eval_with_tolerance(figures, 0.0)
    }

    /// Like [`eval`](Self::eval), with comparisons of numbers given `tolerance`
    /// (a fraction of the right-hand side) of slack in the expectation's favour:
    /// `a >= b` holds when `a >= b - tolerance × |b|`, `a == b` when they differ
    /// by at most that. For noisy machines.
    pub(crate) fn eval_with_tolerance(&self, figures: &dyn Figures, tolerance: f64) -> Result<bool, String> {
        match eval(&self.root, figures, tolerance)? {
            Value::Bool(b) => Ok(b),
            Value::Number(n) => Err(format!("the expectation is a number ({n}), not a condition; compare it")),
        }
    }

    /// Every `(function, label)` the expression calls, in order of first appearance, without repeats.
    pub(crate) fn calls(&self) -> Vec<(String, String)> {
        fn walk(node: &Node, calls: &mut Vec<(String, String)>) {
            match node {
                Node::Call(function, label) if !calls.iter().any(|(f, l)| f == function && l == label) => {
                    calls.push((function.to_string(), label.clone()))
                }
                Node::Unary(_, inner) => walk(inner, calls),
                Node::Binary(_, left, right) => {
                    walk(left, calls);
                    walk(right, calls);
                }
                Node::Call(..) | Node::Num(_) | Node::Bool(_) => {}
            }
        }
        let mut calls = Vec::new();
        walk(&self.root, &mut calls);
        calls
    }

    /// Each call with the value it evaluated to, formatted for a failure report, e.g. `speedup("threads") = 1.42`.
    /// Values print exactly (shortest round-trip form), so a report never shows a rounded 1.6 failing `>= 1.6`.
    pub(crate) fn explain(&self, figures: &dyn Figures) -> Vec<String> {
        let line = |(function, label): (String, String)| match call(&function, &label, figures) {
            Ok(Value::Number(n)) => format!("{} = {n}", show_call(&function, &label)),
            Ok(Value::Bool(b)) => format!("{} = {b}", show_call(&function, &label)),
            Err(e) => e,
        };
        self.calls().into_iter().map(line).collect()
    }
}

/// The call as it would be written, so report lines can be pasted back into an expectation.
fn show_call(function: &str, label: &str) -> String {
    format!("{function}(\"{}\")", label.replace('\\', "\\\\").replace('"', "\\\""))
}

fn describe(value: Value) -> String {
    match value {
        Value::Number(n) => format!("number {n}"),
        Value::Bool(b) => format!("bool {b}"),
    }
}

fn call(function: &str, label: &str, figures: &dyn Figures) -> Result<Value, String> {
    let shown = show_call(function, label);
    let value = figures.call(function, label).map_err(|e| format!("{shown}: {e}"))?;
    // A `Figures` returning the wrong kind would otherwise surface as a baffling operator type error.
    let kind = if matches!(value, Value::Number(_)) { "number" } else { "bool" };
    match FUNCTIONS.iter().find(|f| f.name == function) {
        Some(f) if f.returns != kind => Err(format!("{shown}: should be a {}, got {}", f.returns, describe(value))),
        _ => Ok(value),
    }
}

fn eval(node: &Node, figures: &dyn Figures, tol: f64) -> Result<Value, String> {
    match node {
        Node::Num(n) => Ok(Value::Number(*n)),
        Node::Bool(b) => Ok(Value::Bool(*b)),
        Node::Call(function, label) => call(function, label, figures),
        Node::Unary(op, inner) => match (*op, eval(inner, figures, tol)?) {
            ("!", Value::Bool(b)) => Ok(Value::Bool(!b)),
            ("-", Value::Number(n)) => Ok(Value::Number(-n)),
            ("!", other) => Err(format!("`!` needs a boolean, found {}", describe(other))),
            (_, other) => Err(format!("unary `-` needs a number, found {}", describe(other))),
        },
        Node::Binary(op, left, right) => binary(op, left, right, figures, tol),
    }
}

fn binary(op: &str, left: &Node, right: &Node, figures: &dyn Figures, tol: f64) -> Result<Value, String> {
    let left = eval(left, figures, tol)?;
    if op == "&&" || op == "||" {
        let boolean = |value, side| match value {
            Value::Bool(b) => Ok(b),
            other => Err(format!("`{op}` needs booleans, found {} on the {side}", describe(other))),
        };
        // Short-circuit: `ok("x") && speedup("x") > 1` must not fail on the figures of a run that failed.
        let l = boolean(left, "left")?;
        if l == (op == "||") {
            return Ok(Value::Bool(l));
        }
        return Ok(Value::Bool(boolean(eval(right, figures, tol)?, "right")?));
    }
    let (a, b) = match (left, eval(right, figures, tol)?) {
        (Value::Number(a), Value::Number(b)) => (a, b),
        (Value::Bool(a), Value::Bool(b)) if op == "==" => return Ok(Value::Bool(a == b)),
        (Value::Bool(a), Value::Bool(b)) if op == "!=" => return Ok(Value::Bool(a != b)),
        (l, r) if op == "==" || op == "!=" => {
            return Err(format!("`{op}` can't compare {} with {}", describe(l), describe(r)));
        }
        (Value::Number(_), r) => return Err(format!("`{op}` needs numbers, found {} on the right", describe(r))),
        (l, _) => return Err(format!("`{op}` needs numbers, found {} on the left", describe(l))),
    };
    Ok(match op {
        "+" => Value::Number(a + b),
        "-" => Value::Number(a - b),
        "*" => Value::Number(a * b),
        "/" if b == 0.0 => return Err(format!("division by zero in `{a} / {b}`")),
        "/" => Value::Number(a / b),
        "<" => Value::Bool(a < b + tol * b.abs()),
        "<=" => Value::Bool(a <= b + tol * b.abs()),
        ">" => Value::Bool(a > b - tol * b.abs()),
        ">=" => Value::Bool(a >= b - tol * b.abs()),
        "==" => Value::Bool((a - b).abs() <= tol * b.abs()),
        "!=" => Value::Bool((a - b).abs() > tol * b.abs()),
        _ => unreachable!("the parser builds no other operator"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers every function for any label, with a few labels that specific tests rely on.
    struct Fake;

    impl Figures for Fake {
        fn call(&self, function: &str, label: &str) -> Result<Value, String> {
            Ok(match (function, label) {
                (_, "missing") => return Err(format!("no strategy `{label}`")),
                ("verified", "liar") => Value::Number(1.0),
                ("speedup", "processes") => Value::Number(1.42),
                ("speedup", _) => Value::Number(1.9),
                ("wall", "async") => Value::Number(0.5),
                ("wall", _) => Value::Number(0.8),
                ("cpu", _) => Value::Number(3.0),
                ("efficiency", _) => Value::Number(0.75),
                ("units_per_s", _) => Value::Number(1000.0),
                ("errors", _) => Value::Number(0.0),
                ("lost_updates", _) => Value::Number(if label == "unlocked" { 17.0 } else { 0.0 }),
                ("deadlocked" | "failed", _) => Value::Bool(label == "naive"),
                _ => Value::Bool(true),
            })
        }
    }

    fn eval(text: &str) -> Result<bool, String> {
        Expr::parse(text).map_err(|e| format!("parse error: {e}"))?.eval(&Fake)
    }

    /// Cases are `;`-separated to keep the tables short.
    fn all_true(cases: &str) {
        for text in cases.split(';') {
            assert_eq!(eval(text), Ok(true), "{text}");
        }
    }

    #[test]
    fn examples() {
        all_true(
            r#"speedup("processes") >= 1.4; verified("threads"); errors("async") == 0; wall("async") < wall("threads");
            lost_updates("unlocked") > 0 && !deadlocked("ordered (fix)"); speedup("threads") >= 1.8 * 0.95"#,
        );
        assert_eq!(eval(r#"speedup("processes") >= 1.6"#), Ok(false));
    }

    #[test]
    fn every_operator() {
        all_true(
            "1 < 2; !(2 < 1); 2 <= 2; !(3 <= 2); 3 > 2; !(2 > 2); 2 >= 2; !(1 >= 2); 2 == 2; !(2 == 3); 2 != 3;
            !(2 != 2); true == true; !(true == false); true != false; !(true != true); 1 + 2 == 3; 5 - 2 == 3;
            2 * 3 == 6; 3 / 2 == 1.5; -2 < 0; true || false; false || true; !(false || false); true && true;
            !(true && false); !false",
        );
    }

    #[test]
    fn precedence_and_associativity() {
        all_true(
            "1 + 2 * 3 == 7; (1 + 2) * 3 == 9; 10 - 4 - 3 == 3; 8 / 4 / 2 == 1; -2 * 3 == -6; --3 == 3; 2 - -1 == 3;
            true || false && false; !true || true; !!true; !1 > 2; 1_000 == 1000; 2e3 == 2000; 2E+3 == 2000;
            15e-1 == 1.5; 0.25 * 4 == 1;  ( 1+2 )*3==9 ",
        );
        let same = |a: &str, b: &str| assert_eq!(Expr::parse(a), Expr::parse(b), "{a} vs {b}");
        same(r#"ok("a") || ok("b") && !ok("c")"#, r#"ok("a") || (ok("b") && (!ok("c")))"#);
        same("1 - 2 + 3 * 4 / -5 < 6", "((1 - 2) + ((3 * 4) / (-5))) < 6");
        same("!1 == 2 && true", "(!(1 == 2)) && true");
    }

    #[test]
    fn every_function_reaches_figures() {
        for f in FUNCTIONS {
            let text = format!("{0}(\"x\") == {0}(\"x\")", f.name);
            // `call` also checks the value's kind against `f.returns`.
            assert_eq!(eval(&text), Ok(true), "{text}");
        }
    }

    #[test]
    fn parse_errors_point_at_the_column() {
        let known =
            "speedup, wall, cpu, efficiency, units_per_s, errors, lost_updates, verified, ok, deadlocked, failed";
        let cases = [
            (r#"speedup("x") >= "#, 17, "expected a number, a call or `(`"),
            ("", 1, "expected a number, a call or `(`"),
            (r#"speedup(x)"#, 9, "expected a quoted strategy label"),
            (r#"speedup()"#, 9, "expected a quoted strategy label"),
            (r#"speedup("a", "b")"#, 12, "expected `)`: a function takes exactly one label"),
            (r#"speedup > 1"#, 9, "expected `(` after `speedup`"),
            (r#"spedup("x")"#, 1, &format!("unknown function `spedup`; known: {known}")),
            (r#"ok("é") && oops("x")"#, 12, &format!("unknown function `oops`; known: {known}")),
            (r#"(ok("x") || ok("y")"#, 20, "expected `)` to close the `(` at column 1"),
            (r#"ok("x"))"#, 8, "unexpected `)`"),
            (r#"ok("x") ok("y")"#, 9, "unexpected `ok`"),
            ("1 < 2 < 3", 7, "comparisons don't chain; join them with `&&`"),
            (r#"ok("x) "#, 4, "unterminated label: missing the closing `\"`"),
            (r#"ok("a\n")"#, 6, r#"unknown escape `\n`; labels can only escape `\"` and `\\`"#),
            (r#"ok("x") & ok("y")"#, 9, "expected `&&`, found a single `&`"),
            ("1 = 1", 3, "expected `==`, found a single `=`"),
            ("1 # 2", 3, "unexpected `#`"),
            ("1. > 0", 2, "unexpected `.`"),
            ("1e999 > 0", 1, "number `1e999` is out of range"),
            ("speedup(x) @", 9, "expected a quoted strategy label"),
            (&"(".repeat(40), 33, "nested deeper than 32 `(`"),
            (&"!".repeat(300), 257, "longer than 256 tokens"),
        ];
        for (text, column, message) in cases {
            let error = Expr::parse(text).map(|_| ()).map_err(|e| (e.column, e.message));
            assert_eq!(error, Err((column, message.to_string())), "{text:.40}");
        }
        let error = Expr::parse("speedup(x)").map_err(|e| e.to_string());
        assert_eq!(error, Err("column 9: expected a quoted strategy label".to_string()));
    }

    #[test]
    fn evaluation_errors() {
        let cases = [
            (r#"speedup("x") && true"#, "`&&` needs booleans, found number 1.9 on the left"),
            ("false || 1", "`||` needs booleans, found number 1 on the right"),
            ("!1.5", "`!` needs a boolean, found number 1.5"),
            ("-true == 1", "unary `-` needs a number, found bool true"),
            ("true + 1 == 2", "`+` needs numbers, found bool true on the left"),
            ("1 < false", "`<` needs numbers, found bool false on the right"),
            ("true < false", "`<` needs numbers, found bool true on the left"),
            ("1 == true", "`==` can't compare number 1 with bool true"),
            ("1 / 0 > 0", "division by zero in `1 / 0`"),
            (r#"speedup("x")"#, "the expectation is a number (1.9), not a condition; compare it"),
            (r#"speedup("missing") > 1"#, r#"speedup("missing"): no strategy `missing`"#),
            (r#"verified("liar")"#, r#"verified("liar"): should be a bool, got number 1"#),
        ];
        for (text, message) in cases {
            assert_eq!(eval(text), Err(message.to_string()), "{text}");
        }
        // Short-circuiting never asks for figures the left side already made irrelevant.
        all_true(r#"true || speedup("missing") > 1; !(false && speedup("missing") > 1)"#);
    }

    #[test]
    fn calls_and_explain() {
        let text = r#"speedup("processes") > 1 && deadlocked("naive") || speedup("processes") < wall("missing")
            && ok("say \"hi\" \\o/")"#;
        let expr = Expr::parse(text).expect("valid");
        let calls = [("speedup", "processes"), ("deadlocked", "naive"), ("wall", "missing"), ("ok", r#"say "hi" \o/"#)];
        assert_eq!(expr.calls(), calls.map(|(f, l)| (f.to_string(), l.to_string())));
        let explained = [
            r#"speedup("processes") = 1.42"#,
            r#"deadlocked("naive") = true"#,
            r#"wall("missing"): no strategy `missing`"#,
            r#"ok("say \"hi\" \\o/") = true"#,
        ];
        assert_eq!(expr.explain(&Fake), explained);
    }

    #[test]
    fn tolerance_gives_slack_in_the_expectations_favour() {
        let expr = Expr::parse(r#"speedup("processes") >= 1.5"#).unwrap();
        assert_eq!(expr.eval(&Fake), Ok(false));
        assert_eq!(expr.eval_with_tolerance(&Fake, 0.06), Ok(true));
        assert_eq!(expr.eval_with_tolerance(&Fake, 0.01), Ok(false));
        let equal = Expr::parse(r#"speedup("processes") == 1.4"#).unwrap();
        assert_eq!(equal.eval_with_tolerance(&Fake, 0.05), Ok(true));
    }
}
