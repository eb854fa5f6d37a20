//! The executor's rules, each on a small pipeline: modes, filters, skips,
//! `after any`, retries, timeouts, keep-going, and the example run end to end.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use pipec_runtime::{MemoryStore, NodeState, Registry, RunOptions, RunResult};
use serde_json::{Value, json};

fn compile(source: &str) -> pipec::compiler::plan::Plan {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = pipec::compiler::Database::new();
    let file = db.set_source(&dir.path().join("test.pipe"), source.as_bytes().to_vec());
    match pipec::compiler::compile::compile(&db, file, None) {
        Ok(compiled) => compiled.plan,
        Err(pipec::compiler::compile::CompileError::Diagnostics(d)) => {
            panic!("{:#?}", d.iter().map(|d| &d.message).collect::<Vec<_>>())
        }
        Err(other) => panic!("{other}"),
    }
}

fn run_with(source: &str, registry: &Registry, options: RunOptions) -> RunResult {
    let plan = compile(source);
    let store = MemoryStore::default();
    pipec_runtime::run(&plan, registry, &options, &store, &pipec_runtime::NoEvents)
        .expect("run starts")
}

/// Runs a compiled plan with the built-in operators, recording into `store`.
fn run_plan(
    plan: &pipec::compiler::plan::Plan,
    options: &RunOptions,
    store: &MemoryStore,
) -> Result<RunResult, pipec_runtime::RunError> {
    pipec_runtime::run(
        plan,
        &Registry::new(),
        options,
        store,
        &pipec_runtime::NoEvents,
    )
}

fn run(source: &str) -> RunResult {
    run_with(source, &Registry::new(), RunOptions::default())
}

fn state(result: &RunResult, node: &str) -> NodeState {
    result
        .nodes
        .iter()
        .find(|n| n.name == node)
        .unwrap_or_else(|| panic!("no node {node}"))
        .state
}

fn node<'a>(result: &'a RunResult, name: &str) -> &'a pipec_runtime::NodeSummary {
    result.nodes.iter().find(|n| n.name == name).expect("node")
}

/// A folder of `n` small files, for fan-out tests; removed when dropped.
fn folder(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    for i in 0..n {
        std::fs::write(dir.path().join(format!("f{i:02}.txt")), format!("file {i}"))
            .expect("write");
    }
    dir
}

#[test]
fn each_and_group_by_origin_pair_the_items_of_one_root() {
    let temp = folder(10);
    let dir = temp.path().display();
    let result = run(&format!(
        r#"pipeline p {{
  node files = list_files("{dir}", glob: "*.txt")
  node a = echo(files.name) {{ each files }}
  node b = read_text(files.path) {{ each files }}
  node pair = echo({{ names: a.value, texts: b.text }}) {{ group a, b by origin }}
  output pairs = pair.value
}}"#
    ));
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(node(&result, "pair").tasks, 10);
    let pairs = result.outputs["pairs"].as_array().expect("list").clone();
    assert_eq!(pairs.len(), 10);
    for (i, pair) in pairs.iter().enumerate() {
        assert_eq!(pair["names"], json!([format!("f{i:02}.txt")]));
        assert_eq!(pair["texts"], json!([format!("file {i}")]));
    }
}

#[test]
fn a_filtered_node_does_not_cascade() {
    let temp = folder(3);
    let dir = temp.path().display();
    let result = run(&format!(
        r#"pipeline p {{
  node files = list_files("{dir}")
  node none = echo(files.name) {{ each files where files.size > 1000 }}
  node after_none = echo(none.value | length)
  output count = after_none.value
}}"#
    ));
    assert!(result.ok);
    assert_eq!(state(&result, "none"), NodeState::Filtered);
    assert_eq!(state(&result, "after_none"), NodeState::Completed);
    assert_eq!(result.outputs["count"], json!(0));
}

#[test]
fn a_skipped_node_cascades_except_into_coalesce_and_after_any() {
    let result = run(r#"pipeline p {
  input mode: string = "quick"
  node full = echo("full") { when input.mode == "full" }
  node quick = echo("quick") { when input.mode != "full" }
  node needs_full = echo(full.value)
  node needs_after = echo(1) { after full }
  node chosen = echo(full.value ?? quick.value)
  node first = echo("first done") { after any(full, quick) }
  output chosen = chosen.value
}"#);
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(state(&result, "full"), NodeState::Skipped);
    assert_eq!(state(&result, "needs_full"), NodeState::Skipped);
    assert_eq!(state(&result, "needs_after"), NodeState::Skipped);
    assert_eq!(state(&result, "chosen"), NodeState::Completed);
    assert_eq!(state(&result, "first"), NodeState::Completed);
    assert_eq!(result.outputs["chosen"], json!("quick"));
}

#[test]
fn a_task_that_fails_twice_succeeds_on_its_third_attempt_with_retry_2() {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let mut registry = Registry::new();
    registry.register(
        "flaky",
        move |_: &pipec_runtime::Args, _: &pipec_runtime::TaskContext<'_>| {
            if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                Err("not yet".to_string())
            } else {
                Ok(json!({ "ok": true }))
            }
        },
    );
    let result = run_with(
        "plugin flaky() -> { ok: bool }\npipeline p {\n  node f = flaky() { retry 2 backoff 1ms }\n  output ok = f.ok\n}\n",
        &registry,
        RunOptions::default(),
    );
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(node(&result, "f").attempts, 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(result.outputs["ok"], json!(true));
}

#[test]
fn retries_run_out_and_the_run_fails_naming_the_node() {
    let mut registry = Registry::new();
    registry.register(
        "broken",
        |_: &pipec_runtime::Args, _: &pipec_runtime::TaskContext<'_>| {
            Err::<Value, _>("always".to_string())
        },
    );
    let result = run_with(
        "plugin broken() -> json\npipeline p {\n  node b = broken() { retry 1 backoff 1ms }\n  node after_b = echo(b)\n}\n",
        &registry,
        RunOptions::default(),
    );
    assert!(!result.ok);
    assert_eq!(state(&result, "b"), NodeState::Failed);
    assert_eq!(node(&result, "b").attempts, 2);
    assert_eq!(state(&result, "after_b"), NodeState::Cancelled);
    assert!(
        result
            .error
            .as_deref()
            .is_some_and(|e| e.contains("`b`") && e.contains("always")),
        "{:?}",
        result.error
    );
}

#[test]
fn a_failed_run_hands_back_the_outputs_it_computed_and_leaves_out_the_others() {
    let mut registry = Registry::new();
    registry.register(
        "broken",
        |_: &pipec_runtime::Args, _: &pipec_runtime::TaskContext<'_>| {
            Err::<Value, _>("boom".to_string())
        },
    );
    // `b` reads `fine`, so `fine` has finished before `b` fails (without
    // the edge a failure could cancel `fine` before it started).
    let source = "plugin broken(after: json) -> json\npipeline p {\n  node fine = echo(1)\n  node b = broken(fine)\n  node after_b = echo(b)\n  node quiet = echo(2) { when false }\n  output fine = fine.value\n  output b = b\n  output after_b = after_b\n  output either = b ?? \"none\"\n  output skipped = quiet\n}\n";
    for keep_going in [false, true] {
        let result = run_with(
            source,
            &registry,
            RunOptions {
                keep_going,
                ..RunOptions::default()
            },
        );
        assert!(!result.ok);
        let names: Vec<&str> = result.outputs.keys().map(String::as_str).collect();
        // `after_b` is cancelled without --keep-going and skipped with it:
        // either way it has no value of its own.
        assert_eq!(
            names,
            ["fine", "either", "skipped"],
            "keep going: {keep_going}"
        );
        assert_eq!(result.outputs["fine"], json!(1));
        assert_eq!(result.outputs["either"], json!("none"));
        assert_eq!(result.outputs["skipped"], Value::Null);
    }
}

#[test]
fn an_argument_that_fails_for_one_item_of_each_names_the_item() {
    let dir = folder(0);
    let scores = dir.path().join("scores.csv");
    std::fs::write(&scores, "name,score\nada,3\nbob,\n").expect("write");
    let result = run(&format!(
        r#"pipeline p {{
  node table = read_csv("{}")
  node scores = rows(table)
  node passed = echo(scores.score > 2) {{ each scores }}
  output passed = passed.value
}}"#,
        scores.display()
    ));
    assert!(!result.ok);
    assert_eq!(state(&result, "passed"), NodeState::Failed);
    let error = result.error.unwrap_or_default();
    // bob's score is missing: `>` cannot compare it, and the item is named.
    assert!(
        error.contains(
            r#"node `passed`: item 1 of `scores` ({"name":"bob","score":null}): argument `value`: "#
        ),
        "{error}"
    );
}

#[test]
fn no_secret_value_reaches_the_record() {
    let plan = compile(
        r#"pipeline p {
  secret token
  node leak = exec(["sh", "-c", "echo using $0 >&2; exit 1", secret.token])
  output said = "token {secret.token}"
}"#,
    );
    let store = MemoryStore::default();
    let mut options = RunOptions::default();
    options
        .secrets
        .insert("token".into(), "hunter2-sekret".into());
    let result = run_plan(&plan, &options, &store).expect("run starts");
    assert!(!result.ok);
    let record = store.snapshot();
    let recorded = serde_json::to_string(&record).expect("serialises");
    assert!(!recorded.contains("hunter2-sekret"), "{recorded}");
    // What was redacted is still recorded, with `***` in place.
    assert!(
        record
            .tasks
            .iter()
            .any(|t| t.error.as_deref().is_some_and(|e| e.contains("using ***"))),
        "{recorded}"
    );
    assert!(
        record
            .outputs
            .contains(&("said".into(), json!("token ***"))),
        "{recorded}"
    );
}

#[test]
fn keep_going_lets_independent_branches_finish() {
    let mut registry = Registry::new();
    registry.register(
        "broken",
        |_: &pipec_runtime::Args, _: &pipec_runtime::TaskContext<'_>| {
            Err::<Value, _>("boom".to_string())
        },
    );
    let source = "plugin broken() -> json\npipeline p {\n  node b = broken()\n  node slow = exec([\"sleep\", \"0.2\"])\n  node after_slow = echo(slow.exit_code)\n}\n";
    let kept = run_with(
        source,
        &registry,
        RunOptions {
            keep_going: true,
            ..RunOptions::default()
        },
    );
    assert!(!kept.ok);
    assert_eq!(state(&kept, "after_slow"), NodeState::Completed);
}

#[test]
fn a_timed_out_exec_is_killed() {
    let started = std::time::Instant::now();
    let result = run("pipeline p {\n  node s = exec([\"sleep\", \"5\"]) { timeout 200ms }\n}\n");
    assert!(!result.ok);
    assert_eq!(state(&result, "s"), NodeState::Failed);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "the child was not killed"
    );
    assert!(
        result
            .error
            .as_deref()
            .is_some_and(|e| e.contains("killed")),
        "{:?}",
        result.error
    );
}

#[test]
fn exec_captures_output_and_a_non_zero_exit_fails_with_the_tail_of_stderr() {
    let ok = run(
        "pipeline p {\n  node e = exec([\"sh\", \"-c\", \"echo out; echo err >&2\"])\n  output out = e.stdout | trim\n}\n",
    );
    assert!(ok.ok);
    assert_eq!(ok.outputs["out"], json!("out"));
    let failed =
        run("pipeline p {\n  node e = exec([\"sh\", \"-c\", \"echo bad thing >&2; exit 3\"])\n}\n");
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|e| e.contains("exited with 3") && e.contains("bad thing")),
        "{:?}",
        failed.error
    );
}

#[test]
fn inputs_are_validated_before_anything_runs() {
    let plan = compile("pipeline p {\n  input n: int\n  node a = echo(input.n)\n}\n");
    let store = MemoryStore::default();
    let missing = pipec_runtime::run(
        &plan,
        &Registry::new(),
        &RunOptions::default(),
        &store,
        &pipec_runtime::NoEvents,
    );
    assert!(
        matches!(&missing, Err(pipec_runtime::RunError::MissingInput { name, ty }) if name == "n" && ty == "int"),
        "{missing:?}"
    );
    // The library's words name no command-line flag.
    let said = missing.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(said, "input `n` (int) is required");
    let mut options = RunOptions::default();
    options.inputs.insert("n".into(), json!("seven"));
    let wrong = run_plan(&plan, &options, &store);
    assert!(matches!(wrong, Err(pipec_runtime::RunError::Input(m)) if m.contains("must be int")));
    assert!(store.snapshot().tasks.is_empty(), "nothing may run");
}

#[test]
fn constants_and_templates_reach_the_tasks() {
    let result = run(
        "const GREETING = \"hello\"\npipeline p {\n  input name: string = \"world\"\n  node a = echo(\"{GREETING}, {input.name | title}!\")\n  output text = a.value\n}\n",
    );
    assert_eq!(result.outputs["text"], json!("hello, World!"));
}

#[test]
fn the_files_example_runs_end_to_end() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("examples/files/files.pipe")).expect("example");
    let mut db = pipec::compiler::Database::new();
    let file = db.set_source(&root.join("examples/files/files.pipe"), source.into_bytes());
    let plan = pipec::compiler::compile::compile(&db, file, None)
        .expect("compiles")
        .plan;
    let mut options = RunOptions::default();
    options.inputs.insert(
        "dir".into(),
        json!(root.join("examples/files/in").to_string_lossy()),
    );
    options
        .inputs
        .insert("out".into(), json!(out.to_string_lossy()));
    let store = MemoryStore::default();
    let result = run_plan(&plan, &options, &store).expect("runs");
    assert!(result.ok, "{:?}", result.error);
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("index.json")).expect("index"))
            .expect("json");
    assert_eq!(index["count"], json!(2));
    let groceries: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("groceries.json")).expect("note"))
            .expect("json");
    assert_eq!(
        groceries["title"],
        json!("Shopping List: Apples, Bread, Coffee And")
    );
    assert_eq!(state(&result, "texts"), NodeState::Completed);
    assert_eq!(
        node(&result, "texts").tasks,
        3,
        "the empty file is filtered out"
    );
    assert_eq!(
        node(&result, "summaries").tasks,
        2,
        "the short note is filtered out"
    );
}

#[test]
fn a_pipeline_called_as_a_node_runs_with_its_arguments_as_inputs() {
    let source = r#"pipeline main {
  node a = greet("ada")
  node b = greet(name: "bob", punctuation: "?")
  output first = a.text
  output second = b.text
}

pipeline greet {
  input name: string
  input punctuation: string = "!"
  node shout = echo("{input.name | upper}{input.punctuation}")
  output text = shout.value
}
"#;
    let dir = tempfile::tempdir().expect("dir");
    let mut db = pipec::compiler::Database::new();
    let file = db.set_source(&dir.path().join("sub.pipe"), source.as_bytes().to_vec());
    let plan = pipec::compiler::compile::compile(&db, file, Some("main"))
        .expect("compiles")
        .plan;
    assert_eq!(plan.subplans.len(), 1);
    let result = pipec_runtime::run(
        &plan,
        &Registry::new(),
        &RunOptions::default(),
        &MemoryStore::default(),
        &pipec_runtime::NoEvents,
    )
    .expect("runs");
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(result.outputs["first"], json!("ADA!"));
    assert_eq!(result.outputs["second"], json!("BOB?"));
}

#[test]
fn a_failure_cancels_running_tasks_whose_nodes_end_cancelled_not_failed() {
    let mut registry = Registry::new();
    registry.register(
        "broken",
        |_: &pipec_runtime::Args, _: &pipec_runtime::TaskContext<'_>| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            Err::<Value, _>("boom".to_string())
        },
    );
    let started = std::time::Instant::now();
    let result = run_with(
        "plugin broken() -> json\npipeline p {\n  node b = broken()\n  node slow = exec([\"sleep\", \"5\"])\n}\n",
        &registry,
        RunOptions {
            jobs: Some(2),
            ..RunOptions::default()
        },
    );
    assert!(!result.ok);
    assert_eq!(state(&result, "b"), NodeState::Failed);
    assert_eq!(state(&result, "slow"), NodeState::Cancelled);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "the running exec was not stopped"
    );
    assert!(
        result.error.as_deref().is_some_and(|e| e.contains("boom")),
        "{:?}",
        result.error
    );
}
