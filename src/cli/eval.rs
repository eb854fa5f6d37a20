//! `pipec eval`: one expression or template evaluated against a JSON context.

use pipec_grammar::diagnostic::FileName;
use pipec_grammar::render::{self, Sources};
use pipec_runtime::{Limits, evaluate};
use serde_json::{Map, Value};

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE, EvalArgs};

/// Runs `pipec eval`.
pub fn run(args: &EvalArgs) -> u8 {
    let context = match &args.context {
        None => Map::new(),
        Some(path) => match read_context(path) {
            Ok(map) => map,
            Err(message) => {
                errln!("error: {message}");
                return EXIT_USAGE;
            }
        },
    };
    // A template is the body of a `"""` string: text with `{expr}` interpolations.
    let source = if args.template {
        format!(
            "\"\"\"{}\"\"\"",
            args.expression.replace("\"\"\"", "\\\"\"\"")
        )
    } else {
        args.expression.clone()
    };
    let name: FileName = "<expression>".into();
    let expr = match pipec_grammar::parse_expr(&name, &source) {
        Ok(expr) => expr,
        Err(diagnostics) => {
            let mut sources = Sources::new();
            sources.insert(name, source);
            err!("{}", render::human(&diagnostics, &sources, false));
            return EXIT_FAILURE;
        }
    };
    let plan = pipec_compiler::plan::lower_expr(&expr);
    match evaluate(&plan, &context, &Limits::default()) {
        Ok(value) => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
            );
            EXIT_OK
        }
        Err(error) => {
            errln!("error: {error}");
            EXIT_FAILURE
        }
    }
}

fn read_context(path: &std::path::Path) -> Result<Map<String, Value>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "`{}` must hold a JSON object whose keys are the namespaces (`input`, node names, ...), not {}",
            path.display(),
            pipec_runtime::eval::kind(&other)
        )),
        Err(e) => Err(format!("`{}` is not valid JSON: {e}", path.display())),
    }
}
