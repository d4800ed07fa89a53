//! The expression language of scenario expectations, e.g. `speedup("threads") >= 1.6 && !deadlocked("naive")`.
//!
//! Expectations are parsed when the scenario is loaded, so a typo fails before any benchmark runs, and evaluated
//! after the runs against measured figures supplied through [`Figures`].

use std::fmt;

use super::eval::{Figures, Truth, Value, call, eval};
use super::functions::{Function, lookup};
use super::lex::{Tok, Token, lex};

/// A parsed expectation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    root: Node,
}

/// One call in an expression: `speedup("threads")`, `figure("ns", "L1")`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub(crate) function: &'static Function,
    /// The figure's name, for `figure("name", "label")`.
    pub(crate) figure: Option<String>,
    /// The strategy's label.
    pub(crate) label: String,
}

/// The call as it would be written, so report lines can be pasted back into an expectation.
impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quote = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
        match &self.figure {
            Some(figure) => write!(f, "{}({}, {})", self.function.name, quote(figure), quote(&self.label)),
            None => write!(f, "{}({})", self.function.name, quote(&self.label)),
        }
    }
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

/// Bound the AST depth so no input can overflow the stack (the worst case fits in 512 KiB in a debug build);
/// real expectations are a few dozen tokens. Each `(` costs the parser a dozen frames, hence its own lower limit.
const MAX_NESTING: usize = 32;
const COMPARISONS: &[&str] = &["<", "<=", ">", ">=", "==", "!="];

/// Operators are kept as their symbols: that is all evaluation and error messages need.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Num(f64),
    Bool(bool),
    Call(Call),
    Unary(&'static str, Box<Node>),
    Binary(&'static str, Box<Node>, Box<Node>),
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
        let Some(function) = lookup(name) else {
            let known: Vec<&str> = super::FUNCTIONS.iter().map(|f| f.name).collect();
            return self.fail(format!("unknown function `{name}`; known: {}", known.join(", ")));
        };
        self.bump();
        self.expect("(", format!("expected `(` after `{name}`"))?;
        let figure = if function.takes_figure_name() {
            let Tok::Label(figure) = self.peek()?.tok.clone() else {
                return self.fail(format!("expected a quoted figure name: {}", function.signature()));
            };
            self.bump();
            self.expect(",", format!("expected `,` and a strategy label: {}", function.signature()))?;
            Some(figure)
        } else {
            None
        };
        let Tok::Label(label) = self.peek()?.tok.clone() else { return self.fail("expected a quoted strategy label") };
        self.bump();
        let close = match function.takes_figure_name() {
            true => format!("expected `)`: {}", function.signature()),
            false => "expected `)`: a function takes exactly one label".to_owned(),
        };
        self.expect(")", close)?;
        Ok(Node::Call(Call { function, figure, label }))
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

    #[cfg(test)]
    /// [`judge`](Self::judge) as a bool, for figures without intervals.
    pub(crate) fn eval_with_tolerance(&self, figures: &dyn Figures, tolerance: f64) -> Result<bool, String> {
        match self.judge(figures, tolerance)? {
            Truth::Holds => Ok(true),
            Truth::Fails => Ok(false),
            Truth::Undecided => Err("undecided".to_owned()),
        }
    }

    /// Whether the expectation holds, with comparisons of numbers given
    /// `tolerance` (a fraction of the right-hand side) of slack in the
    /// expectation's favour: `a >= b` holds when `a >= b - tolerance × |b|`,
    /// `a == b` when they differ by at most that. A figure with an interval
    /// decides a comparison only when its whole interval does.
    pub(crate) fn judge(&self, figures: &dyn Figures, tolerance: f64) -> Result<Truth, String> {
        match eval(&self.root, figures, tolerance)? {
            Value::Bool(true) => Ok(Truth::Holds),
            Value::Bool(false) => Ok(Truth::Fails),
            Value::Undecided => Ok(Truth::Undecided),
            Value::Number(n) | Value::Range { mid: n, .. } => {
                Err(format!("the expectation is a number ({n}), not a condition; compare it"))
            }
        }
    }

    /// Every call the expression makes, in order of first appearance, without repeats.
    pub(crate) fn calls(&self) -> Vec<Call> {
        fn walk(node: &Node, calls: &mut Vec<Call>) {
            match node {
                Node::Call(call) if !calls.contains(call) => calls.push(call.clone()),
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

    /// Each call with the value it evaluated to, formatted for a failure report, e.g. `speedup("threads") = 1.42`,
    /// with its interval when it has one: `speedup("threads") = 1.42 [1.31–1.50]`.
    /// Values print exactly (shortest round-trip form), so a report never shows a rounded 1.6 failing `>= 1.6`.
    pub(crate) fn explain(&self, figures: &dyn Figures) -> Vec<String> {
        let line = |c: Call| match call(&c, figures) {
            Ok(Value::Number(n)) => format!("{c} = {n}"),
            Ok(Value::Range { mid, lo, hi }) => format!("{c} = {mid} [{lo}–{hi}]"),
            Ok(Value::Bool(b)) => format!("{c} = {b}"),
            Ok(Value::Undecided) => format!("{c} = undecided"),
            Err(e) => e,
        };
        self.calls().into_iter().map(line).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers every function for any label, with a few labels that specific tests rely on.
    struct Fake;

    impl Figures for Fake {
        fn call(&self, call: &Call) -> Result<Value, String> {
            let label = call.label.as_str();
            Ok(match (call.function.name, label) {
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
                ("requests", _) => Value::Number(40.0),
                ("figure", _) => Value::Number(2.0),
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
        for f in super::super::FUNCTIONS {
            let args = if f.takes_figure_name() { r#""n", "x""# } else { r#""x""# };
            let text = format!("{0}({args}) == {0}({args})", f.name);
            // `call` also checks the value's kind against `f.returns`.
            assert_eq!(eval(&text), Ok(true), "{text}");
        }
    }

    #[test]
    fn parse_errors_point_at_the_column() {
        let known = "speedup, wall, cpu, efficiency, units_per_s, errors, requests, figure, lost_updates, verified, ok, \
            aborted, deadlocked, failed";
        let cases = [
            (r#"speedup("x") >= "#, 17, "expected a number, a call or `(`"),
            ("", 1, "expected a number, a call or `(`"),
            (r#"speedup(x)"#, 9, "expected a quoted strategy label"),
            (r#"speedup()"#, 9, "expected a quoted strategy label"),
            (r#"speedup("a", "b")"#, 12, "expected `)`: a function takes exactly one label"),
            (r#"figure("ns")"#, 12, r#"expected `,` and a strategy label: figure("figure", "label")"#),
            (r#"figure("ns", "a", "b")"#, 17, r#"expected `)`: figure("figure", "label")"#),
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
        let made = expr.calls();
        let made: Vec<(&str, &str)> = made.iter().map(|c| (c.function.name, c.label.as_str())).collect();
        assert_eq!(made, calls);
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

    /// Figures with intervals: `threads` 1.9 [1.8–2.0], `noisy` 1.6 [1.3–1.9].
    struct Uncertain;

    impl Figures for Uncertain {
        fn call(&self, call: &Call) -> Result<Value, String> {
            Ok(match (call.function.name, call.label.as_str()) {
                ("speedup", "threads") => Value::Range { mid: 1.9, lo: 1.8, hi: 2.0 },
                ("speedup", "noisy") => Value::Range { mid: 1.6, lo: 1.3, hi: 1.9 },
                ("speedup", _) => Value::Number(1.0),
                (_, label) => Value::Bool(label != "naive"),
            })
        }
    }

    #[test]
    fn intervals_decide_only_when_wholly_on_one_side() {
        let judge = |text: &str, tol: f64| Expr::parse(text).unwrap().judge(&Uncertain, tol);
        let cases = [
            (r#"speedup("threads") >= 1.6"#, Truth::Holds),
            (r#"speedup("threads") >= 2.5"#, Truth::Fails),
            (r#"speedup("noisy") >= 1.6"#, Truth::Undecided),
            (r#"speedup("noisy") < 1.2"#, Truth::Fails),
            (r#"speedup("noisy") < 2"#, Truth::Holds),
            (r#"speedup("noisy") > 1.2 && speedup("noisy") < 2"#, Truth::Holds),
            // Kleene: false and anything is false, true or anything is true.
            (r#"speedup("noisy") >= 1.6 && speedup("threads") > 3"#, Truth::Fails),
            (r#"speedup("noisy") >= 1.6 || speedup("threads") > 1"#, Truth::Holds),
            (r#"speedup("noisy") >= 1.6 && ok("x")"#, Truth::Undecided),
            (r#"!(speedup("noisy") >= 1.6)"#, Truth::Undecided),
            (r#"(speedup("noisy") >= 1.6) == true"#, Truth::Undecided),
            // Interval arithmetic: 1.9 [1.8–2.0] - 1.6 [1.3–1.9] is 0.3 [-0.1–0.7].
            (r#"speedup("threads") - speedup("noisy") > 0"#, Truth::Undecided),
            (r#"speedup("threads") - speedup("noisy") > -0.2"#, Truth::Holds),
            (r#"speedup("threads") * 2 >= 3.6"#, Truth::Holds),
            (r#"speedup("threads") / speedup("x") >= 1.8"#, Truth::Holds),
            (r#"speedup("threads") == 1.9"#, Truth::Undecided),
            (r#"speedup("threads") == 1.0"#, Truth::Fails),
            (r#"speedup("threads") != 1.0"#, Truth::Holds),
            (r#"-speedup("threads") < -1.7"#, Truth::Holds),
        ];
        for (text, truth) in cases {
            assert_eq!(judge(text, 0.0), Ok(truth), "{text}");
        }
        // Tolerance widens the threshold in the expectation's favour: 1.3 >= 1.6 - 20 %.
        assert_eq!(judge(r#"speedup("noisy") >= 1.6"#, 0.2), Ok(Truth::Holds));
        assert_eq!(judge(r#"speedup("threads") == 1.9"#, 0.06), Ok(Truth::Holds));
        let zero = judge(r#"1 / (speedup("noisy") - 1.5) > 0"#, 0.0).unwrap_err();
        assert!(zero.starts_with("division by `0.1") && zero.ends_with("holds zero"), "{zero}");
        let explained = Expr::parse(r#"speedup("noisy") > 1"#).unwrap().explain(&Uncertain);
        assert_eq!(explained, [r#"speedup("noisy") = 1.6 [1.3–1.9]"#]);
    }
}
