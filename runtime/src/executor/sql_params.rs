//! SQL text of `sql`, `filter` and `aggregate` nodes with their `{expr}`
//! parts bound as parameters (`$n`), never spliced into the text.

use pipec_compiler::plan::{PlanExpr, TemplatePart};
use serde_json::{Map, Value, json};

use crate::eval::{Limits, Scope, evaluate};

/// SQL text from a template: its text parts as written, each `{expr}` as a
/// parameter `$n` with its value beside (never spliced into the text). A
/// list written as the whole of an `in (...)` (`city in ({input.cities})`)
/// is its items, a parameter each (an empty list is `NULL`, which matches
/// nothing); a list anywhere else is refused, since no SQL value is a list.
pub(super) fn sql_with_params(
    parts: &[TemplatePart],
    scope: &dyn Scope,
    limits: &Limits,
) -> Result<Value, String> {
    let mut params = Vec::new();
    let text = sql_text_with_params(parts, scope, limits, &mut params)?;
    Ok(json!({ "sql": text, "params": params }))
}

/// An aggregate's values (name: SQL text) with their `{expr}`s as
/// parameters, numbered across all the values, and those parameters.
pub(super) fn aggregate_values_with_params(
    fields: &[(String, PlanExpr)],
    scope: &dyn Scope,
    limits: &Limits,
) -> Result<(Value, Vec<Value>), String> {
    let mut params = Vec::new();
    let mut texts = Map::new();
    for (name, value) in fields {
        let text = match value {
            PlanExpr::Template(parts) => Value::String(
                sql_text_with_params(parts, scope, limits, &mut params)
                    .map_err(|e| format!("`{name}`: {e}"))?,
            ),
            other => evaluate(other, scope, limits).map_err(|e| e.to_string())?,
        };
        texts.insert(name.clone(), text);
    }
    Ok((Value::Object(texts), params))
}

/// The text of [`sql_with_params`], its parameters appended to `params`
/// (numbered after those already there).
fn sql_text_with_params(
    parts: &[TemplatePart],
    scope: &dyn Scope,
    limits: &Limits,
    params: &mut Vec<Value>,
) -> Result<String, String> {
    let mut text = String::new();
    for (i, part) in parts.iter().enumerate() {
        let expr = match part {
            TemplatePart::Text(written) => {
                text.push_str(written);
                continue;
            }
            TemplatePart::Value(expr) => expr,
        };
        let value = evaluate(expr, scope, limits).map_err(|e| e.to_string())?;
        let Value::Array(items) = value else {
            params.push(value);
            text.push_str(&format!("${}", params.len()));
            continue;
        };
        let after = match parts.get(i + 1) {
            Some(TemplatePart::Text(next)) => next.as_str(),
            _ => "",
        };
        if !pipec_compiler::sql::is_in_list(&text, after) {
            return Err(format!(
                "the value of parameter ${} is a list of {}; a list is bound as its items only as the whole of an `in (...)`, as in `city in ({{input.cities}})`; elsewhere give one value (`| first`) or text (`| join`)",
                params.len() + 1,
                items.len()
            ));
        }
        if items.is_empty() {
            text.push_str("NULL");
        }
        for (k, item) in items.into_iter().enumerate() {
            params.push(item);
            if k > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("${}", params.len()));
        }
    }
    Ok(text)
}
