//! The embedding example's service (its own plugin, events, cancel,
//! approve, SQLite), and compile failures as a host sees them.

#[test]
fn a_program_with_mistakes_gives_the_checker_diagnostics() {
    let failure =
        pipec::embed::compile_source("bad.pipe", "pipeline p {\n  node a = ech(1)\n}\n", None)
            .expect_err("must not compile");
    assert_eq!(failure.diagnostics[0].code.as_str(), "E0104");
    assert!(
        failure.rendered.contains("did you mean `echo`?"),
        "{}",
        failure.rendered
    );
}

#[test]
fn a_host_compiling_for_a_run_checks_the_files_its_inputs_name() {
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = temp.path();
    std::fs::write(dir.join("default.csv"), "id,name\n1,ann\n").expect("default.csv");
    std::fs::write(dir.join("given.csv"), "id,city\n1,oslo\n").expect("given.csv");
    let file = dir.join("cities.pipe");
    std::fs::write(
        &file,
        format!(
            "pipeline cities {{\n  input data: path = \"{}\"\n  node people = read_csv(input.data)\n  node named = sql(\"select city from people\")\n  output named = named\n}}\n",
            dir.join("default.csv").display()
        ),
    )
    .expect("pipe");
    // Without the inputs, the default file is checked: it has no `city`.
    let failure = pipec::embed::compile_path(&file, None).expect_err("no `city` in default.csv");
    assert_eq!(failure.diagnostics[0].code.as_str(), "E0401");
    let mut inputs = serde_json::Map::new();
    inputs.insert(
        "data".into(),
        serde_json::Value::String(dir.join("given.csv").display().to_string()),
    );
    let plan = pipec::embed::compile_path_for_run(&file, None, &inputs).expect("compiles");
    let result = pipec::embed::Host::new().run(&plan, inputs).expect("runs");
    assert_eq!(
        result.outputs["named"],
        serde_json::json!([{ "city": "oslo" }])
    );
}

#[path = "../examples/embed/service.rs"]
mod service;

/// The example service: three runs at once (one cancelled, one approved
/// while or after it waits), events streamed, every run in SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedding_service_runs_cancels_and_approves() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let temp = tempfile::tempdir().expect("a temporary directory");
    let said = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = std::sync::Arc::clone(&said);
    let say: service::Say = std::sync::Arc::new(move |line| {
        sink.lock().expect("lines").push(line);
    });
    let mut service = service::Service::new(
        &root.join("examples/embed"),
        &temp.path().join("runs.sqlite"),
        say,
    )
    .expect("the service starts");
    let dir = root.join("examples/files/in");
    for line in [
        format!("run words count.pipe dir=\"{}\"", dir.display()),
        "run release gate.pipe".into(),
        "run long slow.pipe".into(),
        "cancel long".into(),
        "approve release ship".into(),
        "wait".into(),
        "runs".into(),
    ] {
        service.command(&line).await;
    }
    let lines = said.lock().expect("lines").clone();
    let has = |prefix: &str| lines.iter().any(|l| l.starts_with(prefix));
    assert!(
        has("finished words succeeded {\"words\":[0,9,9,1]}"),
        "{lines:#?}"
    );
    assert!(has("finished long cancelled"), "{lines:#?}");
    assert!(
        has("finished release succeeded {\"said\":\"shipped: built\"}"),
        "{lines:#?}"
    );
    assert!(
        has("event words {\"event\":\"node_finished\""),
        "{lines:#?}"
    );
    // Three runs recorded, each under its own id.
    let runs: Vec<&String> = lines.iter().filter(|l| l.starts_with("runs ")).collect();
    assert_eq!(runs.len(), 3, "{lines:#?}");
    assert!(
        runs.iter().any(|l| l.ends_with("release succeeded")),
        "{runs:?}"
    );
    assert!(
        runs.iter().any(|l| l.ends_with("slow cancelled")),
        "{runs:?}"
    );
    assert!(!has("error"), "{lines:#?}");
}
