//! Evaluating a parsed expression against the figures a [`Figures`] supplies,
//! with the tolerance comparisons get in the expectation's favour, and with
//! the uncertainty figures carry: a figure known only to lie in an interval
//! ([`Value::Range`]) makes a comparison hold when the whole interval is on
//! the right side, fail when it is wholly on the wrong side, and stay
//! [`Value::Undecided`] otherwise. Arithmetic on intervals is interval
//! arithmetic; `&&`, `||` and `!` follow Kleene's three-valued logic (false
//! and anything is false, true or anything is true, else undecided).

use super::expr::{Call, Node};
use super::functions::Returns;

/// A value during evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Number(f64),
    /// A number known to lie in `lo..=hi` (a confidence interval), `mid` its
    /// best estimate (the median).
    Range {
        mid: f64,
        lo: f64,
        hi: f64,
    },
    Bool(bool),
    /// A condition the figures' intervals do not decide.
    Undecided,
}

/// How a whole expectation came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Truth {
    Holds,
    Fails,
    /// Its figures' intervals straddle the line it draws.
    Undecided,
}

/// What a function call means: the evaluator asks this for each call.
pub(crate) trait Figures {
    fn call(&self, call: &Call) -> Result<Value, String>;
}

pub(super) fn describe(value: Value) -> String {
    match value {
        Value::Number(n) => format!("number {n}"),
        Value::Range { mid, lo, hi } => format!("number {mid} [{lo}–{hi}]"),
        Value::Bool(b) => format!("bool {b}"),
        Value::Undecided => "an undecided condition".to_owned(),
    }
}

pub(super) fn call(call: &Call, figures: &dyn Figures) -> Result<Value, String> {
    let value = figures.call(call).map_err(|e| format!("{call}: {e}"))?;
    // A `Figures` returning the wrong kind would otherwise surface as a baffling operator type error.
    let kind = match value {
        Value::Number(_) | Value::Range { .. } => Returns::Number,
        Value::Bool(_) | Value::Undecided => Returns::Bool,
    };
    if call.function.returns != kind {
        return Err(format!("{call}: should be a {}, got {}", call.function.returns.name(), describe(value)));
    }
    Ok(value)
}

/// Lowest, best and highest value of a number.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    lo: f64,
    mid: f64,
    hi: f64,
}

impl Bounds {
    fn of(value: Value) -> Option<Bounds> {
        match value {
            Value::Number(n) => Some(Bounds { lo: n, mid: n, hi: n }),
            Value::Range { mid, lo, hi } => Some(Bounds { lo: lo.min(mid), mid, hi: hi.max(mid) }),
            Value::Bool(_) | Value::Undecided => None,
        }
    }

    fn is_point(&self) -> bool {
        self.lo == self.hi
    }

    fn value(self) -> Value {
        if self.is_point() { Value::Number(self.mid) } else { Value::Range { mid: self.mid, lo: self.lo, hi: self.hi } }
    }

    /// The smallest and largest |x| over the interval.
    fn abs_range(&self) -> (f64, f64) {
        let max = self.lo.abs().max(self.hi.abs());
        let min = if self.lo <= 0.0 && self.hi >= 0.0 { 0.0 } else { self.lo.abs().min(self.hi.abs()) };
        (min, max)
    }
}

/// Three-valued truth from "holds everywhere" and "fails everywhere".
fn decide(holds: bool, fails: bool) -> Value {
    match (holds, fails) {
        (true, _) => Value::Bool(true),
        (false, true) => Value::Bool(false),
        (false, false) => Value::Undecided,
    }
}

pub(super) fn eval(node: &Node, figures: &dyn Figures, tol: f64) -> Result<Value, String> {
    match node {
        Node::Num(n) => Ok(Value::Number(*n)),
        Node::Bool(b) => Ok(Value::Bool(*b)),
        Node::Call(c) => call(c, figures),
        Node::Unary(op, inner) => match (*op, eval(inner, figures, tol)?) {
            ("!", Value::Bool(b)) => Ok(Value::Bool(!b)),
            ("!", Value::Undecided) => Ok(Value::Undecided),
            ("-", Value::Number(n)) => Ok(Value::Number(-n)),
            ("-", Value::Range { mid, lo, hi }) => Ok(Value::Range { mid: -mid, lo: -hi, hi: -lo }),
            ("!", other) => Err(format!("`!` needs a boolean, found {}", describe(other))),
            (_, other) => Err(format!("unary `-` needs a number, found {}", describe(other))),
        },
        Node::Binary(op, left, right) => binary(op, left, right, figures, tol),
    }
}

fn binary(op: &str, left: &Node, right: &Node, figures: &dyn Figures, tol: f64) -> Result<Value, String> {
    let left = eval(left, figures, tol)?;
    if op == "&&" || op == "||" {
        let truth = |value, side| match value {
            Value::Bool(b) => Ok(Some(b)),
            Value::Undecided => Ok(None),
            other => Err(format!("`{op}` needs booleans, found {} on the {side}", describe(other))),
        };
        // Short-circuit: `ok("x") && speedup("x") > 1` must not fail on the figures of a run that failed.
        let decisive = op == "||";
        let l = truth(left, "left")?;
        if l == Some(decisive) {
            return Ok(Value::Bool(decisive));
        }
        let r = truth(eval(right, figures, tol)?, "right")?;
        return Ok(match (l, r) {
            (_, Some(b)) if b == decisive => Value::Bool(decisive),
            (Some(_), Some(b)) => Value::Bool(b),
            _ => Value::Undecided,
        });
    }
    let right = eval(right, figures, tol)?;
    let (a, b) = match (Bounds::of(left), Bounds::of(right)) {
        (Some(a), Some(b)) => (a, b),
        _ => return booleans(op, left, right),
    };
    // The comparisons' slack, in the expectation's favour: `x >= t` holds
    // from `t - tol × |t|`, `x <= t` up to `t + tol × |t|`.
    let down = |t: f64| t - tol * t.abs();
    let up = |t: f64| t + tol * t.abs();
    Ok(match op {
        "+" => Bounds { lo: a.lo + b.lo, mid: a.mid + b.mid, hi: a.hi + b.hi }.value(),
        "-" => Bounds { lo: a.lo - b.hi, mid: a.mid - b.mid, hi: a.hi - b.lo }.value(),
        "*" => {
            let products = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
            let lo = products.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = products.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Bounds { lo, mid: a.mid * b.mid, hi }.value()
        }
        "/" if b.mid == 0.0 && b.is_point() => return Err(format!("division by zero in `{} / {}`", a.mid, b.mid)),
        "/" if b.lo <= 0.0 && b.hi >= 0.0 => {
            return Err(format!("division by `{}`, whose interval [{}–{}] holds zero", b.mid, b.lo, b.hi));
        }
        "/" => {
            let quotients = [a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi];
            let lo = quotients.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = quotients.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Bounds { lo, mid: a.mid / b.mid, hi }.value()
        }
        // Each comparison holds when it holds at the interval ends least in
        // its favour, and fails when it fails even at the ends most in it.
        "<" => decide(a.hi < up(b.lo), a.lo >= up(b.hi)),
        "<=" => decide(a.hi <= up(b.lo), a.lo > up(b.hi)),
        ">" => decide(a.lo > down(b.hi), a.hi <= down(b.lo)),
        ">=" => decide(a.lo >= down(b.hi), a.hi < down(b.lo)),
        "==" | "!=" => {
            let (b_abs_min, b_abs_max) = b.abs_range();
            let farthest = (a.hi - b.lo).abs().max((b.hi - a.lo).abs());
            let nearest = if a.hi < b.lo {
                b.lo - a.hi
            } else if b.hi < a.lo {
                a.lo - b.hi
            } else {
                0.0
            };
            let equal = decide(farthest <= tol * b_abs_min, nearest > tol * b_abs_max);
            match (op, equal) {
                ("!=", Value::Bool(e)) => Value::Bool(!e),
                (_, equal) => equal,
            }
        }
        _ => unreachable!("the parser builds no other operator"),
    })
}

/// An operator with a condition on either side: only `==` and `!=` take them.
fn booleans(op: &str, left: Value, right: Value) -> Result<Value, String> {
    let truth = |v| match v {
        Value::Bool(b) => Some(Some(b)),
        Value::Undecided => Some(None),
        _ => None,
    };
    match (truth(left), truth(right)) {
        (Some(Some(a)), Some(Some(b))) if op == "==" => Ok(Value::Bool(a == b)),
        (Some(Some(a)), Some(Some(b))) if op == "!=" => Ok(Value::Bool(a != b)),
        (Some(_), Some(_)) if op == "==" || op == "!=" => Ok(Value::Undecided),
        _ if op == "==" || op == "!=" => {
            Err(format!("`{op}` can't compare {} with {}", describe(left), describe(right)))
        }
        (None, _) | (Some(_), Some(_)) if Bounds::of(left).is_some() => {
            Err(format!("`{op}` needs numbers, found {} on the right", describe(right)))
        }
        _ => Err(format!("`{op}` needs numbers, found {} on the left", describe(left))),
    }
}
