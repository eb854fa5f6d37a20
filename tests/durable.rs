//! Durable runs, tried as a user would with the real binary: resume after a
//! failure, a crash (`kill -9` at random moments) or Ctrl-C without redoing
//! completed tasks; waits that pause and are approved or rejected; the
//! content cache and the reasons a task ran again; the history commands;
//! no secret in anything the store writes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;

use cli::{pipec, pipec_command};
use serde_json::Value;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The newest run's id in the default store of `dir`.
fn latest_run(dir: &Path) -> String {
    let out = pipec(dir, &["runs", "--format", "json", "--limit", "1"]);
    let runs: Value = serde_json::from_slice(&out.stdout).expect("runs is JSON");
    runs[0]["id"].as_str().expect("a run").to_string()
}

/// How many lines each marker file of `dir/markers` holds (one per execution).
fn markers(dir: &Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("markers")) {
        for entry in entries.flatten() {
            let lines = std::fs::read_to_string(entry.path())
                .unwrap_or_default()
                .lines()
                .count();
            counts.insert(entry.file_name().to_string_lossy().into_owned(), lines);
        }
    }
    counts
}

const FLAKY: &str = r#"pipeline main {
  node nums = items([1, 2, 3, 4, 5, 6])
  node work = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/work-$0; echo $0", "{nums}"]) { each nums }
  node flaky = exec(["sh", "-c", "if test -f healed; then echo fine; else touch healed; exit 1; fi"])
  node last = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/last"]) { after flaky }
  output work = work
  output flaky = flaky.stdout
}
"#;

#[test]
fn a_failed_run_resumes_without_redoing_what_completed() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("p.pipe"), FLAKY).expect("write");
    let first = pipec(dir.path(), &["run", "p.pipe", "--keep-going"]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    let after_failure = markers(dir.path());
    assert_eq!(after_failure.len(), 6, "{after_failure:?}");
    let resumed = pipec(dir.path(), &["resume", "--file", "p.pipe"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed.stderr));
    let counts = markers(dir.path());
    // Every `work` task ran once, over both starts; `last` once.
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    assert_eq!(counts.get("last"), Some(&1));
    let stderr = text(&resumed.stderr);
    assert!(stderr.contains("resuming run"), "{stderr}");
    assert!(stderr.contains("resumed"), "{stderr}");
    let outputs: Value = serde_json::from_slice(&resumed.stdout).expect("outputs");
    assert_eq!(outputs["flaky"], "fine\n");
    assert_eq!(outputs["work"].as_array().map(Vec::len), Some(6));
    // The run is one run, started twice, now succeeded.
    let id = latest_run(dir.path());
    let show = pipec(dir.path(), &["show", &id, "--format", "json"]);
    let shown: Value = serde_json::from_slice(&show.stdout).expect("show is JSON");
    assert_eq!(shown["run"]["state"], "succeeded");
    assert_eq!(shown["run"]["sessions"], 2);
    let why = text(&pipec(dir.path(), &["why", &id, "flaky"]).stdout);
    assert!(why.contains("the earlier task failed"), "{why}");
    // A resumed task is not recorded again: the record of the start that
    // completed it says so.
    let why = text(&pipec(dir.path(), &["why", &id, "work"]).stdout);
    assert_eq!(why.matches("ran (start 1, attempt 1)").count(), 6, "{why}");
    assert_eq!(
        why.matches("kept by the later start(s)").count(),
        6,
        "{why}"
    );
}

/// The pipeline the crash test kills: a fan-out of `exec`s that take a
/// while, a retried step, and a table node.
const CRASHABLE: &str = r#"pipeline main {
  node nums = items([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  node work = exec(["sh", "-c", "sleep 0.1; mkdir -p markers; echo x >> markers/work-$0; echo $0", "{nums}"]) { each nums }
  node flaky = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/flaky; test $(wc -l < markers/flaky) -ge 2"]) { retry 3  backoff 10ms }
  node rows = to_table(work)
  node total = sql("select count(*) as n from rows")
  node after_all = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/after_all; echo done"]) { after flaky, total }
  output total = total
  output done = after_all.stdout
}
"#;

/// The (node, task) pairs the store of `dir` records as completed by running.
fn completed_tasks(dir: &Path) -> Vec<(String, i64)> {
    let store = dir.join(".pipec/runs.sqlite");
    let Ok(connection) = rusqlite::Connection::open(store) else {
        return Vec::new();
    };
    let Ok(mut query) = connection.prepare(
        "select distinct node, task from tasks where ok = 1 and reused_from is null and node != 'nums'",
    ) else {
        return Vec::new();
    };
    query
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map(|rows| rows.flatten().collect())
        .unwrap_or_default()
}

#[test]
fn a_run_killed_at_random_moments_resumes_to_the_same_outputs_without_redoing_completed_tasks() {
    let reference_dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(reference_dir.path().join("p.pipe"), CRASHABLE).expect("write");
    let reference = pipec(
        reference_dir.path(),
        &["run", "-q", "p.pipe", "--jobs", "2"],
    );
    assert_eq!(
        reference.status.code(),
        Some(0),
        "{}",
        text(&reference.stderr)
    );
    let reference: Value = serde_json::from_slice(&reference.stdout).expect("outputs");

    // A small seeded generator: the same 20 moments on every machine.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..20 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let kill_after = Duration::from_millis(20 + (seed >> 33) % 900);
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("p.pipe"), CRASHABLE).expect("write");
        let mut child = pipec_command(dir.path())
            .args(["run", "-q", "p.pipe", "--jobs", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(kill_after);
        let _ = child.kill();
        let _ = child.wait();
        // Children already started finish on their own.
        std::thread::sleep(Duration::from_millis(150));
        let completed = completed_tasks(dir.path());
        let before = markers(dir.path());
        // The run as recorded (failed, crashed, or even finished before
        // the kill): resumed by its id until it succeeds.
        let listed = pipec(dir.path(), &["runs", "--format", "json"]);
        let runs: Value = serde_json::from_slice(&listed.stdout).unwrap_or(Value::Null);
        let Some(id) = runs[0]["id"].as_str().map(str::to_string) else {
            // Killed before the run was recorded: nothing to resume.
            assert!(
                completed.is_empty(),
                "round {round}: tasks recorded without a run"
            );
            continue;
        };
        let mut outcome = None;
        for _ in 0..3 {
            let resumed = pipec(dir.path(), &["resume", "-q", &id]);
            if resumed.status.code() == Some(0) {
                outcome = Some(resumed);
                break;
            }
        }
        let resumed =
            outcome.unwrap_or_else(|| panic!("round {round}: run {id} never resumed to success"));
        let outputs: Value = serde_json::from_slice(&resumed.stdout).expect("outputs");
        assert_eq!(
            outputs, reference,
            "round {round} (killed after {kill_after:?})"
        );
        let after = markers(dir.path());
        for (node, task) in &completed {
            let marker = match node.as_str() {
                "work" => format!("work-{}", task + 1),
                "flaky" | "after_all" => node.clone(),
                _ => continue,
            };
            assert_eq!(
                after.get(&marker),
                before.get(&marker),
                "round {round}: task {task} of `{node}` had completed and ran again"
            );
        }
    }
}

#[test]
fn ctrl_c_cancels_a_run_that_resume_then_finishes() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("p.pipe"),
        r#"pipeline main {
  node quick = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/quick"])
  node slow = exec(["sh", "-c", "sleep 1; echo slept"]) { after quick }
  output slept = slow.stdout
}
"#,
    )
    .expect("write");
    let child = pipec_command(dir.path())
        .args(["run", "p.pipe"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let id = latest_run(dir.path());
    let listed = text(&pipec(dir.path(), &["runs"]).stdout);
    assert!(listed.contains("cancelled"), "{listed}");
    let resumed = pipec(dir.path(), &["resume", &id]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed.stderr));
    assert_eq!(markers(dir.path()).get("quick"), Some(&1));
}

#[test]
fn a_live_run_cannot_be_resumed_and_a_killed_one_is_shown_as_crashed() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("p.pipe"),
        "pipeline main {\n  node slow = exec([\"sleep\", \"5\"])\n  output code = slow.exit_code\n}\n",
    )
    .expect("write");
    let mut child = pipec_command(dir.path())
        .args(["run", "-q", "p.pipe"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(600));
    let id = latest_run(dir.path());
    let twice = pipec(dir.path(), &["resume", &id]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        text(&twice.stderr).contains("still running"),
        "{}",
        text(&twice.stderr)
    );
    let _ = child.kill();
    let _ = child.wait();
    let listed = text(&pipec(dir.path(), &["runs", "--state", "crashed"]).stdout);
    assert!(listed.contains(&id), "{listed}");
}

#[test]
fn a_wait_pauses_the_run_and_approve_or_reject_decides_it() {
    let source = r#"pipeline main {
  node build = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/build; echo built"])
  node gate = wait("ship", prompt: "ship it?") { after build }
  node other = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/other"])
  node ship = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/ship"]) { after gate }
  output shipped = ship.exit_code
}
"#;
    for approve in [true, false] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("p.pipe"), source).expect("write");
        let first = pipec(dir.path(), &["run", "p.pipe"]);
        let stderr = text(&first.stderr);
        assert_eq!(first.status.code(), Some(75), "{stderr}");
        assert!(
            stderr.contains("ship it?") && stderr.contains("pipec approve"),
            "{stderr}"
        );
        // Everything that does not depend on the wait ran; what does, did not.
        let counts = markers(dir.path());
        assert_eq!(
            (counts.get("build"), counts.get("other")),
            (Some(&1), Some(&1))
        );
        assert_eq!(counts.get("ship"), None);
        let id = latest_run(dir.path());
        let listed = text(&pipec(dir.path(), &["runs", "--state", "waiting"]).stdout);
        assert!(listed.contains(&id), "{listed}");
        let decided = if approve {
            pipec(
                dir.path(),
                &["approve", &id, "ship", "--note", "looks good", "--resume"],
            )
        } else {
            pipec(
                dir.path(),
                &["reject", &id, "ship", "--note", "not today", "--by", "ana"],
            )
        };
        if approve {
            assert_eq!(decided.status.code(), Some(0), "{}", text(&decided.stderr));
            assert_eq!(markers(dir.path()).get("ship"), Some(&1));
        } else {
            assert_eq!(decided.status.code(), Some(0));
            let resumed = pipec(dir.path(), &["resume", &id]);
            assert_eq!(resumed.status.code(), Some(1));
            let stderr = text(&resumed.stderr);
            assert!(stderr.contains("rejected: not today (by ana)"), "{stderr}");
            assert_eq!(markers(dir.path()).get("ship"), None);
        }
        // Finished work was not done again.
        assert_eq!(markers(dir.path()).get("build"), Some(&1));
        let shown = text(&pipec(dir.path(), &["show", &id]).stdout);
        assert!(
            shown.contains(if approve {
                "approved — looks good"
            } else {
                "rejected — not today"
            }),
            "{shown}"
        );
    }
}

#[test]
fn the_cache_reuses_by_content_and_says_why_a_task_ran_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("in")).expect("mkdir");
    std::fs::write(dir.path().join("in/a.txt"), "hello world\n").expect("write");
    let source = r#"pipeline main {
  input glob: string = "*.txt"
  node files = list_files("in", input.glob)
  node texts = read_text(files.path) { each files }
  node shout = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/shout; echo $0 | tr a-z A-Z", texts.text]) { each texts  cache on }
  node count = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/count; echo $0 | wc -c", texts.text]) { each texts }
  output loud = shout
}
"#;
    std::fs::write(dir.path().join("p.pipe"), source).expect("write");
    let run = |args: &[&str]| {
        let mut all = vec!["run", "-q", "p.pipe"];
        all.extend_from_slice(args);
        let out = pipec(dir.path(), &all);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        latest_run(dir.path())
    };
    let why = |id: &str, node: &str| text(&pipec(dir.path(), &["why", id, node]).stdout);
    run(&[]);
    // The same file, reformatted, commented and with its nodes reordered:
    // the keys come from the plan, so `cache on` reuses.
    let reordered = source
        .replace(
            "  node count = exec([\"sh\", \"-c\", \"mkdir -p markers; echo x >> markers/count; echo $0 | wc -c\", texts.text]) { each texts }\n",
            "",
        )
        .replace(
            "  node files",
            "  // counted first now\n  node count = exec([\"sh\", \"-c\",\n      \"mkdir -p markers; echo x >> markers/count; echo $0 | wc -c\", texts.text]) {\n    each texts\n  }\n  node files",
        );
    std::fs::write(dir.path().join("p.pipe"), reordered).expect("write");
    let second = run(&[]);
    assert!(
        why(&second, "shout").contains("(cache)"),
        "{}",
        why(&second, "shout")
    );
    assert!(
        why(&second, "count").contains("reused across runs only with `cache on`"),
        "{}",
        why(&second, "count")
    );
    assert_eq!(markers(dir.path()).get("shout"), Some(&1));
    // A changed file: the reader and what reads it run again, and say why.
    std::fs::write(dir.path().join("in/a.txt"), "hello there world\n").expect("write");
    let third = run(&[]);
    let texts = why(&third, "texts");
    assert!(
        texts.contains("file in/a.txt changed (12 -> 18 bytes)"),
        "{texts}"
    );
    assert_eq!(markers(dir.path()).get("shout"), Some(&2));
    // A changed argument is named with its old and new value.
    let fourth = run(&["--input", "glob=*.md"]);
    assert!(
        why(&fourth, "files").contains(r#"argument glob: "*.txt" -> "*.md""#),
        "{}",
        why(&fourth, "files")
    );
    // `--cache` reuses pure operators (not `exec` without `cache on`).
    let fifth = run(&["--cache"]);
    assert!(
        why(&fifth, "files").contains("(cache)"),
        "{}",
        why(&fifth, "files")
    );
    assert!(!why(&fifth, "count").contains("(cache)"));
}

#[test]
fn a_task_that_succeeded_on_a_retry_is_reused_and_not_rerun() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = r#"pipeline main {
  node shaky = exec(["sh", "-c", "mkdir -p markers; echo x >> markers/shaky; test $(wc -l < markers/shaky) -ge 2 && echo ok"]) { retry 2  backoff 10ms  cache on }
  output out = shaky.stdout
}
"#;
    std::fs::write(dir.path().join("p.pipe"), source).expect("write");
    for _ in 0..2 {
        let out = pipec(dir.path(), &["run", "-q", "p.pipe"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    // Two attempts the first time; the attempt number is not in the key.
    assert_eq!(markers(dir.path()).get("shaky"), Some(&2));
}

#[test]
fn no_secret_reaches_any_file_the_store_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = r#"pipeline main {
  secret token
  node call = exec(["sh", "-c", "echo using $0; echo $0 >&2", secret.token])
  node copy = echo(secret.token | upper)
  output said = call.stdout
  output copied = copy.value
}
"#;
    std::fs::write(dir.path().join("p.pipe"), source).expect("write");
    let out = pipec_command(dir.path())
        .args(["run", "p.pipe"])
        .env("PIPE_SECRET_TOKEN", "hunter2-s3cr3t")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let resumed = pipec_command(dir.path())
        .args(["resume", "--file", "p.pipe"])
        .env("PIPE_SECRET_TOKEN", "hunter2-s3cr3t")
        .output()
        .expect("resume");
    // Resuming a finished run runs nothing that was kept, and still works.
    assert!(resumed.status.code().is_some());
    let mut seen = Vec::new();
    for entry in walk(&dir.path().join(".pipec")) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let content = String::from_utf8_lossy(&bytes).to_lowercase();
        if content.contains("hunter2-s3cr3t") {
            seen.push(entry.display().to_string());
        }
    }
    assert!(seen.is_empty(), "the secret was written to {seen:?}");
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn old_runs_are_pruned_with_their_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("p.pipe"),
        "pipeline main {\n  node a = exec([\"echo\", \"hi\"])\n  output out = a.stdout\n}\n",
    )
    .expect("write");
    for _ in 0..3 {
        assert_eq!(
            pipec(dir.path(), &["run", "-q", "p.pipe"]).status.code(),
            Some(0)
        );
    }
    let pruned = pipec(dir.path(), &["runs", "--prune", "--keep", "1"]);
    assert!(
        text(&pruned.stderr).contains("removed 2 runs"),
        "{}",
        text(&pruned.stderr)
    );
    let runs: Value =
        serde_json::from_slice(&pipec(dir.path(), &["runs", "--format", "json"]).stdout)
            .expect("json");
    assert_eq!(runs.as_array().map(Vec::len), Some(1));
    let logs_left = walk(&dir.path().join(".pipec/logs")).len();
    assert_eq!(logs_left, 2, "one run's stdout and stderr are left");
}

#[test]
fn a_host_resumes_a_run_by_its_id_and_decides_its_waits() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let dir = tempfile::tempdir().expect("temp dir");
    let program = pipec::embed::compile_source(
        "host.pipe",
        r#"plugin count(n: int) -> { n: int }
plugin shaky() -> { ok: bool }
pipeline p {
  node nums = items([1, 2, 3])
  node counted = count(nums) { each nums }
  node check = shaky() { after counted }
  node gate = wait("go") { after check }
  output n = counted
}
"#,
        None,
    )
    .expect("compiles");
    let counted = Arc::new(AtomicUsize::new(0));
    let shaky_calls = Arc::new(AtomicUsize::new(0));
    let mut host = pipec::embed::Host::new();
    let seen = Arc::clone(&counted);
    host.register(
        "count",
        move |args: &pipec::runtime::Args, _: &pipec::runtime::TaskContext<'_>| {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(serde_json::json!({ "n": args["n"] }))
        },
    );
    let calls = Arc::clone(&shaky_calls);
    host.register(
        "shaky",
        move |_: &pipec::runtime::Args, _: &pipec::runtime::TaskContext<'_>| match calls
            .fetch_add(1, Ordering::SeqCst)
        {
            0 => Err("not yet".to_string()),
            _ => Ok(serde_json::json!({ "ok": true })),
        },
    );
    host.with_store(
        pipec::runtime::SqliteStore::open(&dir.path().join("runs.sqlite")).expect("store"),
    );
    let first = host
        .run_as("r1", &program, serde_json::Map::new())
        .expect("runs");
    assert!(!first.ok);
    let second = host
        .run_as("r1", &program, serde_json::Map::new())
        .expect("runs");
    assert_eq!(second.waiting.len(), 1, "{second:?}");
    host.decide("r1", "go", true, "ops", Some("fine"))
        .expect("decides");
    let third = host
        .run_as("r1", &program, serde_json::Map::new())
        .expect("runs");
    assert!(third.ok, "{third:?}");
    // Three `count` tasks over three starts: none ran twice.
    assert_eq!(counted.load(Ordering::SeqCst), 3);
    assert_eq!(shaky_calls.load(Ordering::SeqCst), 2);
}

#[test]
fn the_resume_example_fails_then_resumes_then_waits_then_finishes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/resume/flaky.pipe");
    let example = example.to_string_lossy().into_owned();
    let out = dir.path().join("out").to_string_lossy().into_owned();
    let input = format!("out={out}");
    let first = pipec(dir.path(), &["run", &example, "--input", &input]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    let second = pipec(
        dir.path(),
        &["resume", "--file", &example, "--input", &input],
    );
    assert_eq!(second.status.code(), Some(75), "{}", text(&second.stderr));
    let id = latest_run(dir.path());
    let third = pipec(dir.path(), &["approve", &id, "publish", "--resume"]);
    assert_eq!(third.status.code(), Some(0), "{}", text(&third.stderr));
    let compressed = std::fs::read_to_string(dir.path().join("out/compressed.log")).expect("log");
    // Each part compressed once over the three starts.
    assert_eq!(compressed.lines().count(), 3, "{compressed}");
    assert!(dir.path().join("out/published.log").exists());
}
