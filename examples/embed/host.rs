//! The host of `examples/embed`: registers a `word_count` plugin and runs
//! `examples/embed/count.pipe`. Shared by the example binary and its test.

use std::sync::{Arc, Mutex};

use pipec::embed::{Host, compile_path};
use pipec::runtime::{Args, Event, TaskContext};
use serde_json::{Map, Value, json};

/// Runs the program; returns its outputs and the names of the nodes that finished.
pub fn run_example(root: &std::path::Path) -> Result<(Map<String, Value>, Vec<String>), String> {
    let plan =
        compile_path(&root.join("examples/embed/count.pipe"), None).map_err(|e| e.rendered)?;

    let finished = Arc::new(Mutex::new(Vec::new()));
    let seen = finished.clone();
    let mut host = Host::new();
    host.register("word_count", |args: &Args, _: &TaskContext<'_>| {
        let text = args
            .get("text")
            .and_then(Value::as_str)
            .ok_or("`text` must be text")?;
        Ok(json!({ "words": text.split_whitespace().count() }))
    })
    .on_event(move |event: &Event| {
        if let Event::NodeFinished { node, .. } = event
            && let Ok(mut seen) = seen.lock()
        {
            seen.push(node.clone());
        }
    });

    let mut inputs = Map::new();
    inputs.insert(
        "dir".into(),
        json!(root.join("examples/files/in").to_string_lossy()),
    );
    let result = host.run(&plan, inputs).map_err(|e| e.to_string())?;
    if !result.ok {
        return Err(result.error.unwrap_or_else(|| "the run failed".into()));
    }
    let nodes = finished.lock().map(|f| f.clone()).unwrap_or_default();
    Ok((result.outputs, nodes))
}
