//! Embedding as a service would: run handles, cancellation, waits decided
//! by the host, plugins checked against their declarations, runs from
//! threads and from tokio, typed failures.

use std::time::{Duration, Instant};

use pipec::embed::{
    Args, Event, FailureKind, Host, PluginMismatch, RunError, SqliteStore, TaskContext,
    compile_source,
};
use serde_json::{Map, Value, json};

fn program(text: &str) -> pipec::embed::Program {
    compile_source("test.pipe", text, None).unwrap_or_else(|e| panic!("{}", e.rendered))
}

const TABLES: &str = "pipeline p {
  node rows = to_table([{ n: 1 }, { n: 2 }, { n: 3 }])
  node total = sql(\"select sum(n) as n from rows\")
  output total = total
}
";

#[test]
fn two_runs_at_once_have_their_own_ids_and_records() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store_path = dir.path().join("runs.sqlite");
    let mut host = Host::new();
    host.with_store(SqliteStore::open(&store_path).expect("store"));
    let plan = program(
        "pipeline p {\n  input x: int\n  node slow = exec([\"sleep\", \"0.2\"])\n  node a = echo(input.x) { after slow }\n  output x = a.value\n}\n",
    );
    let mut one = Map::new();
    one.insert("x".into(), json!(1));
    let mut two = Map::new();
    two.insert("x".into(), json!(2));
    let first = host.start(&plan, one).expect("starts");
    let second = host.start(&plan, two).expect("starts");
    assert_ne!(first.id(), second.id());
    let (first_id, second_id) = (first.id().to_string(), second.id().to_string());
    assert_eq!(first.wait().expect("ends").outputs["x"], json!(1));
    assert_eq!(second.wait().expect("ends").outputs["x"], json!(2));
    drop(host);
    let store = SqliteStore::open(&store_path).expect("store");
    for (id, x) in [(first_id, 1), (second_id, 2)] {
        let run = store.run(&id).expect("reads").expect("recorded");
        assert_eq!(run.state, "succeeded");
        assert_eq!(store.outputs(&id).expect("outputs")["x"], json!(x));
    }
}

#[test]
fn a_cancelled_run_kills_its_process_and_says_it_was_cancelled() {
    let plan = program(
        "pipeline p {\n  node slow = exec([\"sleep\", \"30\"])\n  node after_it = echo(1) { after slow }\n  output out = slow.stdout\n}\n",
    );
    let host = Host::new();
    let began = Instant::now();
    let run = host.start(&plan, Map::new()).expect("starts");
    let events = run.events().expect("events");
    assert!(run.events().is_none(), "events are given once");
    for event in events.iter() {
        if matches!(event, Event::TaskStarted { .. }) {
            break;
        }
    }
    assert!(!run.is_finished());
    run.cancel();
    let result = run.wait().expect("ended");
    assert!(result.cancelled, "{result:?}");
    assert!(!result.ok);
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "the child was not killed"
    );
}

#[test]
fn the_event_stream_runs_from_start_to_end() {
    let plan = program("pipeline p {\n  node a = echo(1)\n  output a = a.value\n}\n");
    let run = Host::new().start(&plan, Map::new()).expect("starts");
    let id = run.id().to_string();
    let events: Vec<Event> = run.events().expect("events").iter().collect();
    assert!(
        matches!(events.first(), Some(Event::RunStarted { run, .. }) if *run == id),
        "{events:?}"
    );
    assert!(
        matches!(events.last(), Some(Event::RunFinished { .. })),
        "{events:?}"
    );
    assert!(run.wait().expect("ends").ok);
}

#[test]
fn a_wait_approved_while_the_run_goes_on_passes() {
    let plan = program(
        "pipeline p {\n  node first = exec([\"sleep\", \"0.3\"])\n  node gate = wait(\"ship\") { after first }\n  output shipped = gate.approved\n}\n",
    );
    let host = Host::new();
    let run = host.start(&plan, Map::new()).expect("starts");
    run.approve("ship", "ann", Some("go")).expect("recorded");
    let result = run.wait().expect("ends");
    assert!(result.ok, "{result:?}");
    assert_eq!(result.outputs["shipped"], json!(true));
}

#[test]
fn a_rejected_wait_fails_its_node_with_the_note() {
    let plan = program(
        "pipeline p {\n  node gate = wait(\"ship\")\n  output shipped = gate.approved\n}\n",
    );
    let host = Host::new();
    let first = host.start(&plan, Map::new()).expect("starts");
    let id = first.id().to_string();
    let stopped = first.wait().expect("ends");
    assert_eq!(stopped.waiting.len(), 1);
    host.decide(&id, "ship", false, "bob", Some("not today"))
        .expect("recorded");
    let result = host
        .resume(&id, &plan, Map::new())
        .expect("resumes")
        .wait()
        .expect("ends");
    assert!(!result.ok);
    let error = result.error.unwrap_or_default();
    assert!(
        error.contains("not today") && error.contains("bob"),
        "{error}"
    );
}

#[test]
fn a_plugin_of_the_wrong_shape_fails_its_task_naming_both_shapes() {
    let plan = program(
        "plugin shout(text: string) -> { text: string }\npipeline p {\n  node s = shout(\"hi\")\n  output said = s.text\n}\n",
    );
    let mut host = Host::new();
    host.register("shout", |_: &Args, _: &TaskContext<'_>| Ok(json!(42)));
    let result = host.run(&plan, Map::new()).expect("runs");
    assert!(!result.ok);
    let error = result.error.unwrap_or_default();
    assert!(error.contains("plugin `shout`"), "{error}");
    assert!(error.contains("{ text: string }"), "{error}");
    assert!(error.contains("42"), "{error}");
    // A record without a declared field is the wrong shape too.
    let mut host = Host::new();
    host.register("shout", |_: &Args, _: &TaskContext<'_>| {
        Ok(json!({ "said": "hi" }))
    });
    let error = host
        .run(&plan, Map::new())
        .expect("runs")
        .error
        .unwrap_or_default();
    assert!(error.contains("without the field `text`"), "{error}");
}

#[test]
fn plugins_missing_or_unused_are_found_before_the_run() {
    let plan = program(
        "plugin shout(text: string) -> { text: string }\npipeline p {\n  node s = shout(\"hi\")\n  output said = s.text\n}\n",
    );
    let mut host = Host::new();
    host.register("shuot", |_: &Args, _: &TaskContext<'_>| Ok(Value::Null));
    assert_eq!(
        host.check_plugins(&plan),
        vec![
            PluginMismatch::Missing {
                node: "s".into(),
                plugin: "shout".into()
            },
            PluginMismatch::Unused {
                plugin: "shuot".into()
            },
        ]
    );
    host.register("shout", |_: &Args, _: &TaskContext<'_>| {
        Ok(json!({ "text": "HI" }))
    });
    let run = host.start(&plan, Map::new()).expect("starts");
    assert_eq!(
        run.warnings(),
        ["plugin `shuot` is registered, but no node of pipeline `p` calls it"]
    );
    assert!(run.wait().expect("ends").ok);
    let mut host = Host::new();
    host.register("shuot", |_: &Args, _: &TaskContext<'_>| Ok(Value::Null));
    match host.start(&plan, Map::new()) {
        Err(RunError::MissingPlugin { plugin, .. }) => assert_eq!(plugin, "shout"),
        Err(other) => panic!("not a missing plugin: {other}"),
        Ok(_) => panic!("a run without its plugin started"),
    }
}

#[test]
fn tables_run_from_plain_threads() {
    let plan = program(TABLES);
    let host = Host::new();
    std::thread::scope(|threads| {
        for _ in 0..3 {
            threads.spawn(|| {
                let result = host.run(&plan, Map::new()).expect("runs");
                assert_eq!(result.outputs["total"], json!([{ "n": 6 }]));
            });
        }
    });
}

#[tokio::test(flavor = "current_thread")]
async fn tables_run_inside_a_current_thread_runtime() {
    let plan = program(TABLES);
    let host = Host::new();
    // The blocking form, called from async code, does not panic.
    let blocking = host.run(&plan, Map::new()).expect("runs");
    assert_eq!(blocking.outputs["total"], json!([{ "n": 6 }]));
    let awaited = host.run_async(&plan, Map::new()).await.expect("runs");
    assert_eq!(awaited.outputs["total"], json!([{ "n": 6 }]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_run_inside_a_multi_thread_runtime() {
    let plan = program(TABLES);
    let host = Host::new();
    let (a, b) = tokio::join!(
        host.run_async(&plan, Map::new()),
        host.run_async(&plan, Map::new())
    );
    for result in [a, b] {
        assert_eq!(result.expect("runs").outputs["total"], json!([{ "n": 6 }]));
    }
    let handle = host.start(&plan, Map::new()).expect("starts");
    let result = handle.wait_async().await.expect("runs");
    assert!(result.ok);
}

#[test]
fn compile_failures_say_what_kind_they_are_without_cli_words() {
    let several = compile_source(
        "two.pipe",
        "pipeline a {\n  node x = echo(1)\n}\npipeline b {\n  node y = echo(2)\n}\n",
        None,
    )
    .expect_err("two pipelines");
    assert_eq!(
        several.kind,
        FailureKind::SeveralPipelines {
            names: vec!["a".into(), "b".into()]
        }
    );
    assert!(!several.rendered.contains("--"), "{}", several.rendered);
    let unreadable = pipec::embed::compile_path(std::path::Path::new("/no/such.pipe"), None)
        .expect_err("no file");
    assert!(matches!(unreadable.kind, FailureKind::Unreadable { .. }));
    let bad = compile_source("bad.pipe", "pipeline p {\n  node a = ech(1)\n}\n", None)
        .expect_err("errors");
    let problem = &bad.problems[0];
    assert_eq!(
        (
            problem.code.as_str(),
            problem.file.as_str(),
            problem.line,
            problem.column
        ),
        ("E0104", "bad.pipe", 2, 12)
    );
    assert!(problem.fix.is_some(), "{problem:?}");
}

#[test]
fn warnings_come_back_with_a_compiled_program() {
    let compiled = compile_source(
        "w.pipe",
        "pipeline p {\n  input unused: int = 1\n  node a = echo(1)\n  output a = a.value\n}\n",
        None,
    )
    .expect("compiles");
    let codes: Vec<(&str, usize)> = compiled
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.line))
        .collect();
    assert_eq!(codes, [("W0102", 2)]);
}

#[test]
fn a_saved_program_loads_and_runs_like_the_compiled_one() {
    let compiled = program(
        "plugin double(n: int) -> { n: int }\npipeline p {\n  input xs: list<int> = [1, 2, 3]\n  node each_x = items(input.xs)\n  node doubled = double(each_x) { each each_x where each_x > 1 }\n  node count = echo(doubled | length)\n  output doubled = doubled\n  output said = \"{count.value} doubled\"\n}\n",
    );
    let text = compiled.save();
    let loaded = pipec::embed::Program::load(&text).expect("loads");
    assert_eq!(loaded.plan, compiled.plan);
    let mut host = Host::new();
    host.register("double", |args: &Args, _: &TaskContext<'_>| {
        Ok(json!({ "n": args["n"].as_i64().unwrap_or(0) * 2 }))
    });
    let ran = host.run(&loaded, Map::new()).expect("runs");
    assert_eq!(
        ran.outputs,
        host.run(&compiled, Map::new()).expect("runs").outputs
    );
    assert_eq!(ran.outputs["doubled"], json!([{ "n": 4 }, { "n": 6 }]));
    assert_eq!(ran.outputs["said"], json!("2 doubled"));
    // Saved by another version: refused, saying which.
    let other = text.replacen(env!("CARGO_PKG_VERSION"), "0.0.1-old", 1);
    let error = pipec::embed::Program::load(&other).expect_err("another version");
    assert!(error.to_string().contains("0.0.1-old"), "{error}");
    assert!(matches!(
        pipec::embed::Program::load("{}"),
        Err(pipec::embed::LoadError::OtherVersion { .. })
    ));
    assert!(matches!(
        pipec::embed::Program::load("not json"),
        Err(pipec::embed::LoadError::Malformed(_))
    ));
}

#[test]
fn a_plugin_takes_and_returns_tables_as_arrow_batches() {
    use pipec::runtime::tables::RecordBatch;
    let plan = program(
        "plugin keep_big(rows: table) -> table\npipeline p {\n  node rows = to_table([{ n: 1 }, { n: 5 }, { n: 9 }])\n  node big = keep_big(rows)\n  node counted = sql(\"select count(*) as c, sum(n) as s from big\")\n  output counted = counted\n}\n",
    );
    let mut host = Host::new();
    host.register_batches("keep_big", |args: &Args, context: &TaskContext<'_>| {
        let batches = context.table_batches(&args["rows"])?;
        let kept: Vec<RecordBatch> = batches
            .iter()
            .map(|batch| {
                let column = batch.column(0);
                let numbers = column
                    .as_any()
                    .downcast_ref::<datafusion::arrow::array::Int64Array>()
                    .ok_or("n is not an int column")?;
                let keep: datafusion::arrow::array::BooleanArray =
                    numbers.iter().map(|n| Some(n.unwrap_or(0) > 2)).collect();
                datafusion::arrow::compute::filter_record_batch(batch, &keep)
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, String>>()?;
        context.new_table(kept)
    });
    let result = host.run(&plan, Map::new()).expect("runs");
    assert!(result.ok, "{result:?}");
    assert_eq!(result.outputs["counted"], json!([{ "c": 2, "s": 14 }]));
}

#[test]
fn a_plugin_that_panics_fails_the_run_without_hanging_the_host() {
    let plan = program(
        "plugin boom(x: int) -> int\npipeline p {\n  node b = boom(1)\n  output b = b\n}\n",
    );
    let mut host = Host::new();
    host.register(
        "boom",
        |_: &Args, _: &TaskContext<'_>| -> Result<Value, String> { panic!("the plugin broke") },
    );
    let run = host.start(&plan, Map::new()).expect("starts");
    let began = Instant::now();
    while !run.is_finished() && began.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(run.is_finished(), "the run hangs after a plugin panicked");
    let outcome = run.wait();
    let text = match &outcome {
        Ok(result) => result.error.clone().unwrap_or_default(),
        Err(error) => error.to_string(),
    };
    assert!(text.contains("the plugin broke"), "{outcome:?}");
}

#[test]
fn bad_inputs_refuse_the_start_and_a_started_run_can_be_decided_at_once() {
    let plan = program(
        "pipeline p {\n  input n: int\n  node first = exec([\"sleep\", \"0.1\"])\n  node gate = wait(\"go\") { after first }\n  output n = input.n\n}\n",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut host = Host::new();
    host.with_sqlite(SqliteStore::open(&dir.path().join("runs.sqlite")).expect("store"));
    let mut bad = Map::new();
    bad.insert("n".into(), json!("not a number"));
    assert!(matches!(host.start(&plan, bad), Err(RunError::Input(_))));
    let mut good = Map::new();
    good.insert("n".into(), json!(3));
    for _ in 0..5 {
        let run = host.start(&plan, good.clone()).expect("starts");
        // The run is in the store as soon as `start` returns.
        run.approve("go", "ann", None).expect("the run is known");
        let ended = run.wait().expect("ends");
        assert!(ended.ok, "{ended:?}");
    }
    let history = host.history().expect("SQLite keeps history");
    assert_eq!(history.runs(None, None, 100).expect("runs").len(), 5);
}
