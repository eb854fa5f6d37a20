//! Input values checked against the pipeline's declared types before a run.

use pipec_compiler::plan::{Plan, duration_ms, size_bytes};
use serde_json::{Map, Value};

use crate::eval::{Limits, evaluate, kind};

/// The inputs of a run: given values (checked and converted), defaults for
/// the rest. An error names the input, its type and what was given.
pub fn validate(
    plan: &Plan,
    given: &Map<String, Value>,
    limits: &Limits,
) -> Result<Map<String, Value>, crate::RunError> {
    for name in given.keys() {
        if !plan.inputs.iter().any(|i| &i.name == name) {
            let known: Vec<&str> = plan.inputs.iter().map(|i| i.name.as_str()).collect();
            return Err(crate::RunError::Input(format!(
                "pipeline `{}` has no input `{name}`{}",
                plan.pipeline,
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (its inputs: {})", known.join(", "))
                }
            )));
        }
    }
    let mut out = Map::new();
    for input in &plan.inputs {
        let value = match given.get(&input.name) {
            Some(value) => convert(&input.ty, value).map_err(|found| {
                crate::RunError::Input(format!(
                    "input `{}` must be {}, but {found} was given",
                    input.name, input.ty
                ))
            })?,
            None => match &input.default {
                Some(default) => {
                    let value = evaluate(default, &Map::new(), limits).map_err(|e| {
                        crate::RunError::Input(format!("default of input `{}`: {e}", input.name))
                    })?;
                    // The check accepted the default for its type; converting
                    // makes an int default of a float input a float.
                    convert(&input.ty, &value).unwrap_or(value)
                }
                None if input.ty.ends_with('?') => Value::Null,
                None => {
                    return Err(crate::RunError::MissingInput {
                        name: input.name.clone(),
                        ty: input.ty.clone(),
                    });
                }
            },
        };
        out.insert(input.name.clone(), value);
    }
    Ok(out)
}

/// Checks `value` against a type as written (`int`, `list<path>`, `float?`,
/// `{ name: string }`, ...) and converts durations and sizes given as text;
/// `Err` describes what was found.
pub fn convert(ty: &str, value: &Value) -> Result<Value, String> {
    let found = || describe(value);
    if let Some(inner) = ty.strip_suffix('?') {
        return if value.is_null() {
            Ok(Value::Null)
        } else {
            convert(inner, value)
        };
    }
    if let Some(inner) = ty.strip_prefix("list<").and_then(|t| t.strip_suffix('>')) {
        return match value {
            Value::Array(items) => items
                .iter()
                .map(|i| convert(inner, i))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            _ => Err(found()),
        };
    }
    match (ty, value) {
        ("bool", Value::Bool(_)) | ("string" | "path", Value::String(_)) => Ok(value.clone()),
        ("int", Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(value.clone()),
        ("int", Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| found()),
        // A float even when written whole (`5`): a SQL parameter made of it
        // is a Float64, so `{input.x} / 2` divides as the type says.
        ("float", Value::Number(n)) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(found),
        ("float", Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(found),
        ("bool", Value::String(s)) => match s.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(found()),
        },
        ("duration", Value::String(s)) => duration_ms(s).map(Value::from).ok_or_else(found),
        ("duration", Value::Number(n)) if n.is_u64() => Ok(value.clone()),
        ("size", Value::String(s)) => size_bytes(s).map(Value::from).ok_or_else(found),
        ("size", Value::Number(n)) if n.is_u64() => Ok(value.clone()),
        ("string" | "path" | "int" | "float" | "bool" | "duration" | "size", _) => Err(found()),
        ("json" | "any", _) => Ok(value.clone()),
        // A table: a file's path, rows, or a calling pipeline's table.
        (table, Value::String(_) | Value::Array(_) | Value::Object(_))
            if table.starts_with("table") =>
        {
            Ok(value.clone())
        }
        (record, Value::Object(fields)) if record.starts_with('{') => {
            record_fields(record, fields).map(Value::Object)
        }
        // A schema's name: a record, its fields checked by the schema's
        // readers.
        (_, Value::Object(_)) => Ok(value.clone()),
        _ => Err(found()),
    }
}

/// The fields of a record value checked against a record type as written
/// (`{ name: string, tags: list<string>, note: string? }`): each declared
/// field converted, a missing one refused unless optional; fields the type
/// does not name are kept.
fn record_fields(ty: &str, fields: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let inner = ty
        .trim()
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or_default();
    let mut out = fields.clone();
    for declared in split_top_level(inner) {
        let Some((name, field_ty)) = declared.split_once(':') else {
            continue;
        };
        let (name, field_ty) = (name.trim(), field_ty.trim());
        match fields.get(name) {
            Some(value) => {
                let converted = convert(field_ty, value)
                    .map_err(|found| format!("a record whose `{name}` is {found}"))?;
                out.insert(name.to_string(), converted);
            }
            None if field_ty.ends_with('?') => {}
            None => return Err(format!("a record without the field `{name}`")),
        }
    }
    Ok(out)
}

/// `text` split at the commas that are not inside `<>`, `{}` or `()`.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '<' | '{' | '(' => depth += 1,
            '>' | '}' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

fn describe(value: &Value) -> String {
    let shown = value.to_string();
    let shown: String = shown.chars().take(60).collect();
    format!("{} ({shown})", kind(value))
}

#[cfg(test)]
mod tests {
    use super::convert;
    use serde_json::json;

    #[test]
    fn conversions() {
        assert_eq!(convert("int", &json!("42")), Ok(json!(42)));
        assert!(convert("int", &json!("x")).is_err());
        assert_eq!(convert("duration", &json!("2s")), Ok(json!(2000)));
        assert_eq!(convert("size", &json!("1KiB")), Ok(json!(1024)));
        assert_eq!(convert("list<int>", &json!(["1", 2])), Ok(json!([1, 2])));
        assert_eq!(convert("string?", &json!(null)), Ok(json!(null)));
        assert!(convert("bool", &json!(1)).is_err());
        // A whole number given for a float is a float (5.0, not 5).
        let five = convert("float", &json!(5)).expect("a number");
        assert!(five.is_f64(), "{five}");
        assert!(convert("list<float>", &json!([1, 2.5])).expect("numbers")[0].is_f64());
    }
}
