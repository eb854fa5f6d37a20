//! SQL text with its `{expr}`s bound as parameters, as the executor hands
//! it to `sql`, `filter` and `aggregate`; engine messages that name a
//! parameter (`$2`) are rewritten to name the `{expr}` it came from.

use datafusion::common::ParamValues;
use datafusion::prelude::DataFrame;
use serde_json::Value;

use super::convert::scalar_of;
use super::ops::df;
use crate::plugins::Args;

/// Binds `$1, $2, ...` in a frame's plan to parameter values.
pub(super) fn bind(frame: DataFrame, params: SqlParams) -> Result<DataFrame, String> {
    if params.values.is_empty() {
        return Ok(frame);
    }
    let values: Vec<_> = params.values.iter().map(scalar_of).collect();
    frame
        .with_param_values(ParamValues::from(values))
        .map_err(|e| params.name(df(e)))
}

/// The parameters of a SQL text: their values (`$1` first) and the
/// `{expr}` each came from, as written in the `.pipe` file.
#[derive(Default)]
pub(super) struct SqlParams {
    values: Vec<Value>,
    written: Vec<String>,
}

impl SqlParams {
    /// From the executor's `{"params": [...], "written": [...]}`.
    pub(super) fn of(bound: &serde_json::Map<String, Value>) -> SqlParams {
        let list = |key: &str| {
            bound
                .get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        SqlParams {
            values: list("params"),
            written: list("written")
                .into_iter()
                .map(|w| w.as_str().unwrap_or_default().to_string())
                .collect(),
        }
    }

    /// `message` with each `$n` the engine names replaced by the `{expr}`
    /// it stands for: a parameter's number is an internal name.
    pub(super) fn name(&self, message: String) -> String {
        name_parameters(&message, &self.written)
    }
}

/// `message` with `$n` (n from 1) replaced by `` `written[n-1]` ``.
fn name_parameters(message: &str, written: &[String]) -> String {
    let mut named = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find('$') {
        named.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let expr = after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| written.get(i));
        match expr {
            Some(expr) => {
                named.push('`');
                named.push_str(expr);
                named.push('`');
                rest = &after[digits..];
            }
            None => {
                named.push('$');
                rest = after;
            }
        }
    }
    named.push_str(rest);
    named
}

/// SQL text and its parameters: the executor passes a template as
/// `{"sql": "... $1 ...", "params": [...], "written": [...]}`; plain text
/// has none.
pub(super) fn sql_text(args: &Args, name: &str) -> Result<(String, SqlParams), String> {
    match args.get(name) {
        Some(Value::String(text)) => Ok((text.clone(), SqlParams::default())),
        Some(Value::Object(bound)) => {
            let text = bound
                .get("sql")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("argument `{name}` has no SQL text"))?;
            Ok((text.to_string(), SqlParams::of(bound)))
        }
        Some(other) => Err(format!(
            "argument `{name}` must be SQL text (found {other})"
        )),
        None => Err(format!("argument `{name}` is missing")),
    }
}

#[cfg(test)]
mod tests {
    /// A parameter's number never reaches a message: `$2` is named by the
    /// `{expr}` it stands for; `$` not followed by a known number stays.
    #[test]
    fn parameters_are_named_by_their_expressions() {
        let written = ["{input.a}".to_string(), "{input.day | upper}".to_string()];
        assert_eq!(
            super::name_parameters("cannot coerce $2 to Int64 near $1; $9 $x $", &written),
            "cannot coerce `{input.day | upper}` to Int64 near `{input.a}`; $9 $x $"
        );
    }
}
