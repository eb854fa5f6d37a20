//! How values become text (templates, text pipes) and other value helpers.

use std::cmp::Ordering;

use serde_json::Value;

/// The text of a value: strings as they are, `null` as nothing, booleans as
/// `true`/`false`, numbers in JSON form, lists and records as compact JSON.
/// (dagabaaz uses Python's `str()`, whose `None`/`True` forms are not portable.)
pub fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// Truthiness: `null`, `false`, `0`, `""`, `[]` and `{}` are false.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// JSON equality where `1` equals `1.0`.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => compare_numbers(a, b) == Some(Ordering::Equal),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

/// An integer a value stands for exactly: a JSON integer (beyond 2^53
/// too), or text that reads as one.
pub fn exact_integer(value: &Value) -> Option<i128> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        Value::String(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    }
}

/// How two numbers (or texts that read as numbers) compare: exactly when
/// both are integers (`9007199254740993 > 9007199254740992`), as floats
/// otherwise; `None` when either is no number.
pub fn compare_numbers(a: &Value, b: &Value) -> Option<Ordering> {
    match (exact_integer(a), exact_integer(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}

/// The number a value stands for: a number, or text that reads as a finite
/// decimal number (booleans are not numbers).
pub fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// The size of a value's compact JSON, in bytes.
pub fn json_size(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len() + 2,
        other => other.to_string().len(),
    }
}
