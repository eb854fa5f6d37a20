//! `pipec plan`, `pipec graph` and `pipec schema`: one pipeline compiled, shown three ways.

use std::path::Path;

use pipec_compiler::compile::{CompileError, compile};
use pipec_compiler::{Database, drawing, schema};
use pipec_grammar::render::{self, Sources};

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE, GraphFormat, PipelineArgs};

/// What to print.
pub enum Show {
    /// The plan as JSON.
    Plan,
    /// The graph in a format.
    Graph(GraphFormat),
    /// The inputs' JSON Schema.
    Schema,
}

/// Compiles the chosen pipeline and prints it as asked.
pub fn run(args: &PipelineArgs, show: Show) -> u8 {
    let mut db = Database::new();
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(error) => {
            errln!("error: cannot read `{}`: {error}", args.file.display());
            return EXIT_USAGE;
        }
    };
    let source = db.set_source(Path::new(&args.file), bytes);
    match compile(&db, source, args.pipeline.as_deref()) {
        Ok(compiled) => {
            let out = match show {
                Show::Plan => pretty(&serde_json::to_value(&compiled.plan).unwrap_or_default()),
                Show::Graph(GraphFormat::Text) => drawing::text(&compiled.plan),
                Show::Graph(GraphFormat::Mermaid) => drawing::mermaid(&compiled.plan),
                Show::Graph(GraphFormat::Dot) => drawing::dot(&compiled.plan),
                Show::Schema => pretty(&schema::inputs_schema(
                    &compiled.info,
                    &compiled.plan,
                    compiled.docs.clone(),
                )),
            };
            out!("{out}");
            if !out.ends_with('\n') {
                outln!();
            }
            EXIT_OK
        }
        Err(CompileError::Diagnostics(diagnostics)) => {
            let mut sources = Sources::new();
            super::files::load_sources(&mut sources, &diagnostics);
            err!("{}", render::human(&diagnostics, &sources, false));
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            errln!(
                "error: `{}` has {errors} error{}; nothing to show",
                args.file.display(),
                if errors == 1 { "" } else { "s" }
            );
            EXIT_FAILURE
        }
        Err(other) => {
            errln!("error: {}", super::compile_failure_text(&other));
            EXIT_USAGE
        }
    }
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
