//! Evaluating a parsed expression against the figures a [`Figures`] supplies,
//! with the tolerance comparisons get in the expectation's favour.

use super::expr::{Call, Node};
use super::functions::Returns;

/// A value during evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Number(f64),
    Bool(bool),
}

/// What a function call means: the evaluator asks this for each call.
pub(crate) trait Figures {
    fn call(&self, call: &Call) -> Result<Value, String>;
}

pub(super) fn describe(value: Value) -> String {
    match value {
        Value::Number(n) => format!("number {n}"),
        Value::Bool(b) => format!("bool {b}"),
    }
}

pub(super) fn call(call: &Call, figures: &dyn Figures) -> Result<Value, String> {
    let value = figures.call(call).map_err(|e| format!("{call}: {e}"))?;
    // A `Figures` returning the wrong kind would otherwise surface as a baffling operator type error.
    let kind = if matches!(value, Value::Number(_)) { Returns::Number } else { Returns::Bool };
    if call.function.returns != kind {
        return Err(format!("{call}: should be a {}, got {}", call.function.returns.name(), describe(value)));
    }
    Ok(value)
}

pub(super) fn eval(node: &Node, figures: &dyn Figures, tol: f64) -> Result<Value, String> {
    match node {
        Node::Num(n) => Ok(Value::Number(*n)),
        Node::Bool(b) => Ok(Value::Bool(*b)),
        Node::Call(c) => call(c, figures),
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
