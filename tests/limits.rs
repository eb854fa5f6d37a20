//! One table of limits for check and run (issue 28, item 9): an expression
//! as large and as deep as `check` accepts evaluates at run time, on the
//! run's pool threads, and a text-building pipe is refused before it
//! allocates past the result limit, naming the pipe.

use std::path::Path;

use pipec_runtime::{MemoryStore, Registry, RunOptions, RunResult};

fn run(source: &str) -> RunResult {
    let mut db = pipec::compiler::Database::new();
    let file = db.set_source(Path::new("limits.pipe"), source.as_bytes().to_vec());
    let plan = match pipec::compiler::compile::compile(&db, file, None) {
        Ok(compiled) => compiled.plan,
        Err(pipec::compiler::compile::CompileError::Diagnostics(d)) => {
            panic!("{:#?}", d.iter().map(|d| &d.message).collect::<Vec<_>>())
        }
        Err(other) => panic!("{other}"),
    };
    pipec_runtime::run(
        &plan,
        &Registry::new(),
        &RunOptions {
            jobs: Some(2),
            ..RunOptions::default()
        },
        &MemoryStore::default(),
        &pipec_runtime::NoEvents,
    )
    .expect("runs")
}

#[test]
fn the_largest_expression_check_accepts_evaluates() {
    let most = pipec::grammar::limits::MAX_EXPR_OPERATORS;
    let chain = vec!["null"; most].join(" ?? ") + " ?? 7";
    let pipes = "\"a\"".to_string() + &" | upper".repeat(most);
    // Two nodes, so that each runs on a pool thread, not inline.
    let source = format!(
        "pipeline p {{\n  node a = echo({chain})\n  node b = echo({pipes})\n  output x = a.value\n  output y = b.value\n}}\n"
    );
    let result = run(&source);
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(result.outputs["x"], 7);
    assert_eq!(result.outputs["y"], "A");
}

#[test]
fn a_pipe_building_too_large_a_text_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("dir");
    let words: Vec<String> = (0..1100).map(|_| "a".repeat(1000)).collect();
    let file = dir.path().join("words.json");
    std::fs::write(&file, serde_json::to_string(&words).expect("json")).expect("write");
    let result = run(&format!(
        "pipeline p {{\n  node data = read_json_value(\"{}\")\n  node big = echo(data.value | join(\"\"))\n}}\n",
        file.display()
    ));
    assert!(!result.ok);
    let error = result.error.unwrap_or_default();
    assert!(error.contains("`join` would make 1100000 bytes"), "{error}");
    assert!(error.contains("node `big`"), "{error}");
}
