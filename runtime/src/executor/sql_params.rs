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
    let mut params = Params::default();
    let text = sql_text_with_params(parts, scope, limits, &mut params)?;
    Ok(json!({ "sql": text, "params": params.values, "written": params.written }))
}

/// The parameters of one SQL text: their values in order (`$1` first) and,
/// beside each, the `{expr}` it came from as written, so that an engine
/// message about `$2` can name `{input.day}` instead.
#[derive(Default)]
pub(super) struct Params {
    /// The values.
    pub values: Vec<Value>,
    /// The expression of each value, as `.pipe` source.
    pub written: Vec<String>,
}

impl Params {
    fn push(&mut self, value: Value, expr: &PlanExpr) -> usize {
        self.values.push(value);
        self.written.push(format!("{{{expr}}}"));
        self.values.len()
    }
}

/// An aggregate's values (name: SQL text) with their `{expr}`s as
/// parameters, numbered across all the values, and those parameters.
pub(super) fn aggregate_values_with_params(
    fields: &[(String, PlanExpr)],
    scope: &dyn Scope,
    limits: &Limits,
) -> Result<(Value, Params), String> {
    let mut params = Params::default();
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
    params: &mut Params,
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
            let number = params.push(value, expr);
            text.push_str(&format!("${number}"));
            continue;
        };
        let after = match parts.get(i + 1) {
            Some(TemplatePart::Text(next)) => next.as_str(),
            _ => "",
        };
        if !pipec_compiler::sql::is_in_list(&text, after) {
            return Err(format!(
                "the value of `{{{expr}}}` is a list of {}; a list is bound as its items only as the whole of an `in (...)`, as in `city in ({{input.cities}})`; elsewhere give one value (`{{{expr} | first}}`) or text (`{{{expr} | join}}`)",
                items.len()
            ));
        }
        if items.is_empty() {
            text.push_str("NULL");
        }
        for (k, item) in items.into_iter().enumerate() {
            let number = params.push(item, expr);
            if k > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("${number}"));
        }
    }
    Ok(text)
}
