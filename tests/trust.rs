//! Documented behaviours that must hold as written (issue 28): `exec` with
//! large input, process groups and item-named errors; the rules of `all
//! ... where`, second-level fan-out, optional parameters, `after any`,
//! timeouts reaching called pipelines; exact numbers, named pipe
//! arguments and the filter pipes; cancellation from outside.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use pipec_runtime::{MemoryStore, NodeState, Registry, RunOptions, RunResult};
use serde_json::{Value, json};

fn compile_in(dir: &std::path::Path, source: &str) -> pipec::compiler::plan::Plan {
    let mut db = pipec::compiler::Database::new();
    let file = db.set_source(&dir.join("test.pipe"), source.as_bytes().to_vec());
    // A file of several pipelines runs its `outer` one.
    let pipeline = source.contains("pipeline outer").then_some("outer");
    match pipec::compiler::compile::compile(&db, file, pipeline) {
        Ok(compiled) => compiled.plan,
        Err(pipec::compiler::compile::CompileError::Diagnostics(d)) => {
            panic!("{:#?}", d.iter().map(|d| &d.message).collect::<Vec<_>>())
        }
        Err(other) => panic!("{other}"),
    }
}

fn run_opts(source: &str, options: RunOptions) -> (RunResult, MemoryStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = compile_in(dir.path(), source);
    let store = MemoryStore::default();
    let result = pipec_runtime::run(
        &plan,
        &Registry::new(),
        &options,
        &store,
        &pipec_runtime::NoEvents,
    )
    .expect("run starts");
    (result, store)
}

fn run(source: &str) -> RunResult {
    run_opts(source, RunOptions::default()).0
}

fn state(result: &RunResult, node: &str) -> NodeState {
    result
        .nodes
        .iter()
        .find(|n| n.name == node)
        .unwrap_or_else(|| panic!("no node {node}"))
        .state
}

/// Whether process `pid` is still running (a zombie is not).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn wait_until_dead(pid: u32) -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn exec_takes_a_large_stdin_while_the_child_writes() {
    // `cat` writes as it reads: with stdin written before the pipes are
    // read, both sides block on full pipes.
    let result = run(r#"pipeline p {
  node text = echo("0123456789" | pad(600000))
  node big = exec(["sh", "-c", "cat; cat >&2 </dev/null"], stdin: "{text.value}{text.value}") { timeout 20s }
  output n = big.stdout | length
}"#);
    assert!(result.ok, "{:?}", result.error);
    // `pad` leaves text as it is: the value is the 10 characters twice.
    assert_eq!(result.outputs["n"], json!(20));
    let result = run(r#"pipeline p {
  node lines = exec(["sh", "-c", "i=0; while [ $i -lt 60000 ]; do echo line-$i; i=$((i+1)); done"])
  node back = exec(["cat"], stdin: lines.stdout) { timeout 30s }
  output same = back.stdout == lines.stdout
  output n = back.stdout | length
}"#);
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(result.outputs["same"], json!(true));
    assert!(result.outputs["n"].as_u64().unwrap_or(0) > 500_000);
}

#[test]
fn a_timeout_kills_the_child_and_everything_it_started() {
    let dir = tempfile::tempdir().expect("dir");
    let pidfile = dir.path().join("pid");
    let started = Instant::now();
    let result = run(&format!(
        r#"pipeline p {{
  node slow = exec(["sh", "-c", "sleep 60 & echo $! > {}; wait"]) {{ timeout 500ms }}
}}"#,
        pidfile.display()
    ));
    assert!(!result.ok);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let error = result.error.unwrap_or_default();
    assert!(error.contains("timed out"), "{error}");
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .expect("pid written")
        .trim()
        .parse()
        .expect("a pid");
    assert!(
        wait_until_dead(pid),
        "the grandchild {pid} is still running"
    );
}

#[test]
fn a_failed_exec_names_its_item_and_shows_the_tail_of_its_output() {
    let dir = tempfile::tempdir().expect("dir");
    for name in ["batch_040.json", "batch_041.json"] {
        std::fs::write(dir.path().join(name), "{}").expect("write");
    }
    let result = run(&format!(
        r#"pipeline p {{
  node files = list_files("{}", glob: "*.json")
  node work = exec(["sh", "-c", "echo reading; echo broken input >&2; exit 3"]) {{ each files where files.name == "batch_041.json" }}
}}"#,
        dir.path().display()
    ));
    let error = result.error.unwrap_or_default();
    assert!(error.contains("(batch_041.json)"), "{error}");
    assert!(error.contains("exited with 3: broken input"), "{error}");
}

#[test]
fn exec_keeps_its_whole_output_in_the_run_logs() {
    let logs = tempfile::tempdir().expect("dir");
    let options = RunOptions {
        logs: Some(logs.path().to_path_buf()),
        run_id: "r1".into(),
        ..RunOptions::default()
    };
    let (result, _) = run_opts(
        r#"pipeline p {
  node say = exec(["sh", "-c", "echo out; echo err >&2"])
  output o = say.stdout
}"#,
        options,
    );
    assert!(result.ok, "{:?}", result.error);
    let dir = logs.path().join("r1");
    assert_eq!(
        std::fs::read_to_string(dir.join("say.0.1.stdout")).expect("stdout log"),
        "out\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("say.0.1.stderr")).expect("stderr log"),
        "err\n"
    );
}

#[test]
fn cancelling_from_outside_kills_children_and_records_a_cancelled_run() {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let started = Instant::now();
    let (result, store) = run_opts(
        r#"pipeline p {
  node slow = exec(["sleep", "30"])
  node later = echo(slow.stdout)
}"#,
        RunOptions {
            cancel: Some(cancel),
            ..RunOptions::default()
        },
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!result.ok);
    assert!(result.cancelled);
    assert_eq!(result.error, None);
    assert_eq!(state(&result, "slow"), NodeState::Cancelled);
    assert_eq!(state(&result, "later"), NodeState::Cancelled);
    assert_eq!(store.snapshot().ok, Some(false));
}

#[test]
fn all_where_applies_to_a_single_value_too() {
    let result = run(r#"pipeline p {
  node small = echo(3)
  node kept = echo(small) { all small where small.value > 1 }
  node dropped = echo(small) { all small where small.value > 10 }
  output kept = kept.value.value
  output dropped = dropped.value
}"#);
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(result.outputs["kept"], json!(3));
    assert_eq!(result.outputs["dropped"], Value::Null);
}

#[test]
fn a_where_that_cannot_be_evaluated_fails_the_node_naming_the_item() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("rows.json"),
        r#"[{"name": "a", "n": 1}, {"name": "b", "n": "x"}]"#,
    )
    .expect("write");
    let result = run(&format!(
        r#"pipeline p {{
  node data = read_json_value("{}/rows.json")
  node rows = echo(data.value) {{ each data }}
  node all_big = echo(rows) {{ all rows where rows.value | length > 0 and rows.value > 0 }}
}}"#,
        dir.path().display()
    ));
    // The list is one item here; a `where` over a record that compares a
    // record with a number fails, naming the item.
    assert!(!result.ok);
    assert_eq!(state(&result, "all_big"), NodeState::Failed);
    let error = result.error.unwrap_or_default();
    assert!(error.contains("`all rows where ...`"), "{error}");
}

#[test]
fn each_over_a_node_whose_tasks_return_lists_has_an_item_per_element() {
    let dir = tempfile::tempdir().expect("dir");
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
        for i in 0..3 {
            std::fs::write(dir.path().join(sub).join(format!("{i}.txt")), "x").expect("write");
        }
    }
    let root = dir.path().display();
    let result = run(&format!(
        r#"pipeline p {{
  node firsts = list_files("{root}", glob: "*/0.txt")
  node files = list_files(firsts.path | dirname) {{ each firsts }}
  node names = echo(files.name) {{ each files where files.ext == ".txt" }}
  output count = names | length
}}"#
    ));
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(result.outputs["count"], json!(6));
}

#[test]
fn a_skipped_value_given_to_an_optional_parameter_is_null() {
    let result = run(r#"pipeline p {
  node off = echo("text") { when false }
  node runs = exec(["cat"], stdin: off.value)
  output out = runs.stdout
}"#);
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(state(&result, "off"), NodeState::Skipped);
    assert_eq!(state(&result, "runs"), NodeState::Completed);
    assert_eq!(result.outputs["out"], json!(""));
}

#[test]
fn after_any_of_filtered_nodes_runs() {
    let result = run(r#"pipeline p {
  node items = echo([1, 2])
  node each_item = echo(items.value) { each items }
  node a = echo(each_item) { each each_item where each_item.value == 99 }
  node b = echo(each_item) { each each_item where each_item.value == 98 }
  node done = echo("ran") { after any(a, b) }
  output done = done.value
}"#);
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(state(&result, "a"), NodeState::Filtered);
    assert_eq!(state(&result, "done"), NodeState::Completed);
}

#[test]
fn a_timeout_reaches_into_a_pipeline_called_as_a_node() {
    let started = Instant::now();
    let result = run(r#"pipeline inner {
  node first = exec(["sleep", "3"])
  node second = exec(["sleep", "3"]) { after first }
  output done = second.exit_code
}
pipeline outer {
  node call = inner() { timeout 400ms }
  output done = call.done
}"#);
    assert!(!result.ok);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the called pipeline ran on for {:?}",
        started.elapsed()
    );
    assert!(result.error.unwrap_or_default().contains("timed out"));
}

#[test]
fn a_called_pipelines_nodes_are_recorded_under_the_calling_node() {
    let (result, store) = run_opts(
        r#"pipeline inner {
  node twice = echo(2)
  output v = twice.value
}
pipeline outer {
  node call = inner()
  output v = call.v
}"#,
        RunOptions::default(),
    );
    assert!(result.ok, "{:?}", result.error);
    let nodes: Vec<String> = store.snapshot().nodes.into_iter().map(|(n, _)| n).collect();
    assert!(nodes.contains(&"call/twice".to_string()), "{nodes:?}");
}

#[test]
fn integers_beyond_two_to_the_53_compare_and_convert_exactly() {
    let result = run(r#"pipeline p {
  node big = echo(9007199254740993)
  output greater = big.value > 9007199254740992
  output equal = big.value == 9007199254740992
  output gt_pipe = big.value | gt(9007199254740992)
  output int_text = "123456789012345678" | int
  output int_big = "9223372036854775807" | int
  output padded = 9007199254740993 | pad(17)
}"#);
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(result.outputs["greater"], json!(true));
    assert_eq!(result.outputs["equal"], json!(false));
    assert_eq!(result.outputs["gt_pipe"], json!(true));
    assert_eq!(result.outputs["int_text"], json!(123456789012345678_i64));
    assert_eq!(result.outputs["int_big"], json!(i64::MAX));
    assert_eq!(result.outputs["padded"], json!("09007199254740993"));
}

#[test]
fn named_pipe_arguments_bind_by_name() {
    let result = run(r#"pipeline p {
  node s = echo("a-b")
  output by_name = s.value | replace(new: "+", old: "-")
  output by_place = s.value | replace("-", "+")
  output cut = "abcdef" | truncate(length: 3)
}"#);
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(result.outputs["by_name"], json!("a+b"));
    assert_eq!(result.outputs["by_place"], json!("a+b"));
    assert_eq!(result.outputs["cut"], json!("abc"));
}

#[test]
fn the_filter_pipes_compare_text_and_numbers() {
    let result = run(r#"pipeline p {
  node f = echo({ name: "report.csv", size: 10, tags: ["a", "b"], empty: "", nothing: null })
  output starts = f.value.name | starts_with("rep")
  output ends = f.value.name | ends_with(".csv")
  output contains_text = f.value.name | contains("port")
  output contains_item = f.value.tags | contains("b")
  output gte = f.value.size | gte(10)
  output lte = f.value.size | lte(9)
  output exists = f.value.name | exists
  output missing = f.value.nothing | exists
  output present = f.value.empty | present
  output null_starts = f.value.nothing | starts_with("")
}"#);
    assert!(result.ok, "{:?}", result.error);
    for (name, want) in [
        ("starts", true),
        ("ends", true),
        ("contains_text", true),
        ("contains_item", true),
        ("gte", true),
        ("lte", false),
        ("exists", true),
        ("missing", false),
        ("present", false),
        ("null_starts", false),
    ] {
        assert_eq!(result.outputs[name], json!(want), "{name}");
    }
}

// ------------------------------------------------------------ the binary

mod cli {
    use std::io::Read;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    fn pipec() -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pipec"));
        command.env("NO_COLOR", "1");
        command
    }

    fn write(dir: &Path, name: &str, text: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    }

    /// Runs a pipeline whose `exec` sleeps (its pid written to `pid`), sends
    /// `signal` once it runs, and returns the exit code, stderr and the pid.
    fn interrupted(signal: &str) -> (Option<i32>, String, u32) {
        let dir = tempfile::tempdir().expect("dir");
        let pidfile = dir.path().join("pid");
        let file = write(
            dir.path(),
            "slow.pipe",
            &format!(
                "pipeline p {{\n  node slow = exec([\"sh\", \"-c\", \"sleep 60 & echo $! > {}; wait\"])\n  output o = slow.stdout\n}}\n",
                pidfile.display()
            ),
        );
        let store = dir.path().join("runs.sqlite");
        let mut child = pipec()
            .args(["run", &file, "--store"])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pipec");
        let until = Instant::now() + Duration::from_secs(20);
        while !pidfile.exists()
            || std::fs::read_to_string(&pidfile)
                .unwrap_or_default()
                .trim()
                .is_empty()
        {
            assert!(Instant::now() < until, "the exec never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let started = Instant::now();
        let code = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status.code();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "pipec did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .expect("read");
        let pid = std::fs::read_to_string(&pidfile)
            .expect("pid")
            .trim()
            .parse()
            .expect("a pid");
        (code, stderr, pid)
    }

    #[test]
    fn sigint_cancels_the_run_kills_its_children_and_exits_130() {
        let (code, stderr, pid) = interrupted("-INT");
        assert_eq!(code, Some(130), "{stderr}");
        assert!(stderr.contains("cancelled by SIGINT"), "{stderr}");
        assert!(stderr.contains("cancelled: slow"), "{stderr}");
        assert!(
            super::wait_until_dead(pid),
            "the exec's child {pid} lives on"
        );
    }

    #[test]
    fn sigterm_cancels_the_run_and_exits_143() {
        let (code, stderr, pid) = interrupted("-TERM");
        assert_eq!(code, Some(143), "{stderr}");
        assert!(stderr.contains("cancelled by SIGTERM"), "{stderr}");
        assert!(
            super::wait_until_dead(pid),
            "the exec's child {pid} lives on"
        );
    }

    #[test]
    fn a_closed_pipe_ends_every_printing_command_quietly() {
        let dir = tempfile::tempdir().expect("dir");
        let file = write(
            dir.path(),
            "p.pipe",
            "pipeline p {\n  node a = echo(1)\n  output v = a.value\n}\n",
        );
        for args in [
            vec!["explain"],
            vec!["plan", file.as_str()],
            vec!["graph", file.as_str()],
            vec!["schema", file.as_str()],
            vec!["completions", "bash"],
            vec!["run", "-q", "--no-store", file.as_str()],
            vec!["--help"],
        ] {
            let mut child = pipec()
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            // The reader goes away before pipec writes.
            drop(child.stdout.take());
            let output = child.wait_with_output().expect("wait");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{args:?}: {:?} {stderr}",
                output.status
            );
        }
    }

    #[test]
    fn a_full_disk_is_an_error_not_a_panic() {
        if !Path::new("/dev/full").exists() {
            eprintln!("skipped: this system has no /dev/full");
            return;
        }
        for args in [vec!["explain"], vec!["completions", "zsh"]] {
            let full = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .expect("open /dev/full");
            let output = pipec().args(&args).stdout(full).output().expect("run");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains("cannot write to standard output"),
                "{stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }

    #[test]
    fn check_reports_the_mistakes_of_imported_files() {
        let dir = tempfile::tempdir().expect("dir");
        write(
            dir.path(),
            "lib.pipe",
            "pipeline helper {\n  node a = echo(nosuch)\n  output v = a.value\n}\n",
        );
        let main = write(
            dir.path(),
            "main.pipe",
            "import \"lib.pipe\" as lib\n\npipeline main {\n  node h = lib.helper()\n  output v = h.v\n}\n",
        );
        let output = pipec().args(["check", &main]).output().expect("run");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("E0101"), "{stdout}");
        assert!(stdout.contains("lib.pipe"), "{stdout}");
    }

    #[test]
    fn events_are_written_as_they_happen() {
        let dir = tempfile::tempdir().expect("dir");
        let events = dir.path().join("events.jsonl");
        let file = write(
            dir.path(),
            "p.pipe",
            "pipeline p {\n  node first = echo(1)\n  node slow = exec([\"sleep\", \"3\"]) { after first }\n}\n",
        );
        let mut child = pipec()
            .args(["run", "-q", "--no-store", &file, "--events"])
            .arg(&events)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let until = Instant::now() + Duration::from_secs(10);
        let mut seen = String::new();
        while Instant::now() < until {
            seen = std::fs::read_to_string(&events).unwrap_or_default();
            if seen.contains("\"node\":\"slow\"") {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let still_running = child.try_wait().expect("wait").is_none();
        let _ = child.kill();
        let _ = child.wait();
        assert!(seen.contains("run_started"), "{seen}");
        assert!(seen.contains("\"node\":\"slow\""), "{seen}");
        assert!(still_running, "the run ended before its events were read");
    }

    #[test]
    fn a_run_that_cannot_start_is_not_said_to_be_recorded() {
        let dir = tempfile::tempdir().expect("dir");
        let file = write(
            dir.path(),
            "p.pipe",
            "pipeline p {\n  input n: int\n  node a = echo(input.n)\n  output v = a.value\n}\n",
        );
        let store = dir.path().join("runs.sqlite");
        let output = pipec()
            .args(["run", &file, "--input", "n=notanumber", "--store"])
            .arg(&store)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(!stderr.contains("recording run"), "{stderr}");
    }

    #[test]
    fn a_record_input_given_a_number_is_a_usage_error() {
        let dir = tempfile::tempdir().expect("dir");
        let file = write(
            dir.path(),
            "p.pipe",
            "pipeline p {\n  input cfg: { name: string, size: int }\n  node a = echo(input.cfg.name)\n  output v = a.value\n}\n",
        );
        for (given, code) in [
            ("cfg=5", 2),
            (r#"cfg={"name": "x"}"#, 2),
            (r#"cfg={"name": "x", "size": "big"}"#, 2),
            (r#"cfg={"name": "x", "size": 3}"#, 0),
        ] {
            let output = pipec()
                .args(["run", "-q", "--no-store", &file, "--input", given])
                .output()
                .expect("run");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(code), "{given}: {stderr}");
        }
    }
}
