//! The built-in pipes, with the semantics of the dagabaaz pipes they come
//! from. Their declarations (for the checker) are in `pipec_stdlib::pipes`.

use pipec_compiler::plan::PlanExpr;
use serde_json::Value;

use crate::eval::{EvalError, Limits};
use crate::text::{compare_numbers, equal, exact_integer, number, text, truthy};

/// Most digits an integer made by `int` or `pad` may have (as in dagabaaz).
const MAX_INTEGER_DIGITS: usize = 18;

/// Largest compiled regular expression, in bytes (the engine is linear-time).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a linear-time regular expression.
pub fn regex(pattern: &str) -> Result<regex::Regex, EvalError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| EvalError::Regex {
            pattern: pattern.to_string(),
            message: e.to_string(),
        })
}

/// How an expression reads in messages (`files.path`, or "the value").
fn describe(expr: &PlanExpr) -> String {
    match expr {
        PlanExpr::Ref(path) => path.join("."),
        PlanExpr::Pipe { value, name, .. } => format!("{} | {name}", describe(value)),
        _ => "the value".to_string(),
    }
}

fn arity(pipe: &str, args: &[Value], min: usize, max: usize) -> Result<(), EvalError> {
    if args.len() < min || args.len() > max {
        return Err(EvalError::PipeArity {
            pipe: pipe.to_string(),
            expected: if min == max {
                min.to_string()
            } else {
                format!("{min} to {max}")
            },
            given: args.len(),
        });
    }
    Ok(())
}

/// Argument `index` as text; left out (or `null`, a named argument's gap)
/// is the default.
fn arg_text(args: &[Value], index: usize, default: &str) -> String {
    args.get(index)
        .filter(|v| !v.is_null())
        .map_or_else(|| default.to_string(), text)
}

fn arg_int(args: &[Value], index: usize, default: i64) -> Option<i64> {
    match args.get(index).filter(|v| !v.is_null()) {
        None => Some(default),
        Some(v) => number(v).map(|f| f.trunc() as i64),
    }
}

fn limit_text(text: String, limits: &Limits) -> Result<Value, EvalError> {
    if text.len() + 2 > limits.max_result_bytes {
        return Err(EvalError::Limit(format!(
            "expression result would be {} bytes; at most {} are allowed",
            text.len() + 2,
            limits.max_result_bytes
        )));
    }
    Ok(Value::String(text))
}

/// The integer a value stands for: an integer exactly (any that fits in
/// 64 bits, beyond 2^53 too), a float or numeric text cut toward zero when
/// it fits.
fn integer(value: &Value) -> Option<i64> {
    if let Some(exact) = exact_integer(value) {
        return i64::try_from(exact).ok();
    }
    let n = number(value)?.trunc();
    // i64::MAX as a float rounds up to 2^63, which does not fit.
    (n >= i64::MIN as f64 && n < i64::MAX as f64).then_some(n as i64)
}

/// Applies pipe `name` to `input` with `args`. `source` is the piped expression, for messages.
pub fn apply(
    name: &str,
    input: Value,
    args: &[Value],
    limits: &Limits,
    source: &PlanExpr,
) -> Result<Value, EvalError> {
    let s = || text(&input);
    Ok(match name {
        "upper" => {
            arity(name, args, 0, 0)?;
            Value::String(s().to_uppercase())
        }
        "lower" => {
            arity(name, args, 0, 0)?;
            Value::String(s().to_lowercase())
        }
        "title" => {
            arity(name, args, 0, 0)?;
            Value::String(title(&s()))
        }
        "trim" => {
            arity(name, args, 0, 0)?;
            Value::String(s().trim().to_string())
        }
        "strip" | "lstrip" | "rstrip" => {
            arity(name, args, 0, 1)?;
            let chars = arg_text(args, 0, "");
            let text = s();
            let set = |c: char| {
                if chars.is_empty() {
                    c.is_whitespace()
                } else {
                    chars.contains(c)
                }
            };
            Value::String(match name {
                "strip" => text.trim_matches(set).to_string(),
                "lstrip" => text.trim_start_matches(set).to_string(),
                _ => text.trim_end_matches(set).to_string(),
            })
        }
        "replace" => {
            arity(name, args, 1, 2)?;
            let (old, new) = (arg_text(args, 0, ""), arg_text(args, 1, ""));
            let text = s();
            // Bound the result before building it.
            let count = if old.is_empty() {
                text.chars().count() + 1
            } else {
                text.matches(&old).count()
            };
            let size = (text.len() + count * new.len()).saturating_sub(count * old.len());
            if size + 2 > limits.max_result_bytes {
                return Err(EvalError::Limit(format!(
                    "`replace` would make {size} bytes; at most {} are allowed",
                    limits.max_result_bytes
                )));
            }
            Value::String(text.replace(&old, &new))
        }
        "default" => {
            arity(name, args, 0, 1)?;
            if input.is_null() || input == Value::String(String::new()) {
                args.first()
                    .cloned()
                    .unwrap_or(Value::String(String::new()))
            } else {
                input
            }
        }
        "required" => {
            arity(name, args, 0, 0)?;
            if input.is_null() || input == Value::String(String::new()) {
                return Err(EvalError::RequiredMissing(describe(source)));
            }
            input
        }
        "first" | "last" => {
            arity(name, args, 0, 0)?;
            match input {
                Value::Array(items) => {
                    let item = if name == "first" {
                        items.first()
                    } else {
                        items.last()
                    };
                    item.cloned().unwrap_or(Value::Null)
                }
                other => other,
            }
        }
        "nth" => {
            arity(name, args, 0, 1)?;
            match input {
                Value::Array(items) => match arg_int(args, 0, 0) {
                    Some(i) if i >= 0 => items.get(i as usize).cloned().unwrap_or(Value::Null),
                    _ => Value::Null,
                },
                other => other,
            }
        }
        "join" => {
            arity(name, args, 0, 1)?;
            let separator = arg_text(args, 0, ", ");
            match &input {
                Value::Array(items) => {
                    let parts: Vec<String> =
                        items.iter().filter(|i| !i.is_null()).map(text).collect();
                    // Bound the result before building it.
                    let size = parts.iter().map(String::len).sum::<usize>()
                        + separator.len() * parts.len().saturating_sub(1);
                    if size + 2 > limits.max_result_bytes {
                        return Err(EvalError::Limit(format!(
                            "`join` would make {size} bytes; at most {} are allowed",
                            limits.max_result_bytes
                        )));
                    }
                    limit_text(parts.join(&separator), limits)?
                }
                other => Value::String(text(other)),
            }
        }
        "basename" => {
            arity(name, args, 0, 0)?;
            Value::String(path_name(&s()).to_string())
        }
        "dirname" => {
            arity(name, args, 0, 0)?;
            Value::String(path_parent(&s()))
        }
        "stem" => {
            arity(name, args, 0, 0)?;
            let text = s();
            let file = path_name(&text);
            let suffix = path_suffix(file);
            Value::String(file[..file.len() - suffix.len()].to_string())
        }
        "ext" => {
            arity(name, args, 0, 0)?;
            let text = s();
            Value::String(path_suffix(path_name(&text)).to_string())
        }
        "urlencode" => {
            arity(name, args, 0, 0)?;
            let mut out = String::new();
            for byte in s().bytes() {
                if byte.is_ascii_alphanumeric() || b"_.-~".contains(&byte) {
                    out.push(byte as char);
                } else {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            limit_text(out, limits)?
        }
        "urldecode" => {
            arity(name, args, 0, 0)?;
            Value::String(url_decode(&s()))
        }
        "int" => {
            arity(name, args, 0, 0)?;
            Value::from(integer(&input).unwrap_or(0))
        }
        "string" => {
            arity(name, args, 0, 0)?;
            match &input {
                Value::Array(items) => limit_text(
                    items.iter().map(text).collect::<Vec<_>>().join(", "),
                    limits,
                )?,
                other => Value::String(text(other)),
            }
        }
        "truncate" => {
            arity(name, args, 0, 1)?;
            let text = s();
            match arg_int(args, 0, 100) {
                Some(n) if n >= 0 => Value::String(text.chars().take(n as usize).collect()),
                _ => Value::String(text),
            }
        }
        "prepend" => {
            arity(name, args, 0, 1)?;
            limit_text(format!("{}{}", arg_text(args, 0, ""), s()), limits)?
        }
        "append" => {
            arity(name, args, 0, 1)?;
            limit_text(format!("{}{}", s(), arg_text(args, 0, "")), limits)?
        }
        "match" => {
            arity(name, args, 0, 1)?;
            let pattern = arg_text(args, 0, "");
            if pattern.is_empty() {
                return Ok(Value::String(String::new()));
            }
            // As in dagabaaz, an invalid pattern matches nothing.
            let found = regex(&pattern)
                .ok()
                .and_then(|re| re.find(&s()).map(|m| m.as_str().to_string()));
            Value::String(found.unwrap_or_default())
        }
        "json_get" => {
            arity(name, args, 0, 1)?;
            let key = arg_text(args, 0, "");
            match input {
                Value::String(json) => match serde_json::from_str::<Value>(&json) {
                    Ok(Value::Object(map)) => map.get(&key).cloned().unwrap_or(Value::Null),
                    _ => Value::Null,
                },
                Value::Object(map) => map.get(&key).cloned().unwrap_or(Value::Null),
                _ => Value::Null,
            }
        }
        "flatten" => {
            arity(name, args, 0, 0)?;
            match input {
                Value::Array(items) => Value::Array(
                    items
                        .into_iter()
                        .flat_map(|i| match i {
                            Value::Array(inner) => inner,
                            other => vec![other],
                        })
                        .collect(),
                ),
                other => other,
            }
        }
        "compact" => {
            arity(name, args, 0, 0)?;
            match input {
                Value::Array(items) => {
                    Value::Array(items.into_iter().filter(|i| !i.is_null()).collect())
                }
                other => other,
            }
        }
        "pad" => {
            arity(name, args, 0, 1)?;
            let width = arg_int(args, 0, 2);
            match (integer(&input), width) {
                (Some(n), Some(w)) if (0..=MAX_INTEGER_DIGITS as i64).contains(&w) => {
                    let digits = n.unsigned_abs().to_string();
                    let sign = if n < 0 { "-" } else { "" };
                    let fill = (w as usize).saturating_sub(digits.len() + sign.len());
                    Value::String(format!("{sign}{}{digits}", "0".repeat(fill)))
                }
                _ => Value::String(s()),
            }
        }
        "not" => {
            arity(name, args, 0, 0)?;
            Value::Bool(!truthy(&input))
        }
        "eq" | "neq" => {
            arity(name, args, 1, 1)?;
            let same = text(&input) == text(&args[0]);
            Value::Bool(same == (name == "eq"))
        }
        "gt" | "lt" | "gte" | "lte" => {
            arity(name, args, 1, 1)?;
            Value::Bool(
                compare_numbers(&input, &args[0]).is_some_and(|order| match name {
                    "gt" => order.is_gt(),
                    "lt" => order.is_lt(),
                    "gte" => order.is_ge(),
                    _ => order.is_le(),
                }),
            )
        }
        "starts_with" | "ends_with" => {
            arity(name, args, 1, 1)?;
            let (me, part) = (text(&input), text(&args[0]));
            Value::Bool(
                !input.is_null()
                    && if name == "starts_with" {
                        me.starts_with(&part)
                    } else {
                        me.ends_with(&part)
                    },
            )
        }
        "contains" => {
            arity(name, args, 1, 1)?;
            Value::Bool(match &input {
                Value::Null => false,
                Value::Array(items) => {
                    let wanted = text(&args[0]);
                    items
                        .iter()
                        .any(|i| equal(i, &args[0]) || text(i) == wanted)
                }
                Value::Object(fields) => fields.contains_key(&text(&args[0])),
                other => text(other).contains(&text(&args[0])),
            })
        }
        "exists" => {
            arity(name, args, 0, 0)?;
            Value::Bool(!input.is_null())
        }
        "present" => {
            arity(name, args, 0, 0)?;
            Value::Bool(match &input {
                Value::Null => false,
                Value::String(t) => !t.trim().is_empty(),
                Value::Array(items) => !items.is_empty(),
                Value::Object(fields) => !fields.is_empty(),
                _ => true,
            })
        }
        "in" => {
            arity(name, args, 1, 32)?;
            let me = text(&input);
            Value::Bool(args.iter().any(|a| text(a) == me || equal(a, &input)))
        }
        "length" => {
            arity(name, args, 0, 0)?;
            Value::from(match &input {
                Value::Null => 0,
                Value::String(t) => t.chars().count(),
                Value::Array(items) => items.len(),
                Value::Object(map) => map.len(),
                other => text(other).chars().count(),
            })
        }
        other => return Err(EvalError::UnknownPipe(other.to_string())),
    })
}

/// Python's `str.title()`: a letter after a non-letter is upper-cased, others lower-cased.
fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_cased = false;
    for c in text.chars() {
        if c.is_alphabetic() {
            if previous_cased {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            previous_cased = true;
        } else {
            out.push(c);
            previous_cased = false;
        }
    }
    out
}

/// The last component of a `/` path (trailing slashes ignored), as `PurePosixPath.name`.
fn path_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or("")
}

/// The parent of a `/` path, as `PurePosixPath.parent` (`.` for a bare name).
fn path_parent(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => trimmed[..i].trim_end_matches('/').to_string(),
        None if path.starts_with('/') => "/".to_string(),
        None => ".".to_string(),
    }
}

/// The extension of a file name with its dot, as `PurePosixPath.suffix`.
fn path_suffix(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 && i < name.len() - 1 => &name[i..],
        _ => "",
    }
}

fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests;
