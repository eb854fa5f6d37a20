//! `resources { cpus, memory }` and `on "POOL"` are real (issue 28, item 4):
//! tasks take the run's CPU slots (`--jobs`) and memory budget (`--memory`)
//! while they run, a task asking for more than the run has is refused before
//! anything runs, `exec` tasks wait on their children without holding a pool
//! thread, and the store records the pool a node asked for and why nodes and
//! runs failed.

use std::path::Path;

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;

use cli::pipec;

use pipec_runtime::{MemoryStore, Registry, RunOptions, RunResult};

fn compile(source: &str) -> pipec::compiler::plan::Plan {
    let mut db = pipec::compiler::Database::new();
    let file = db.set_source(Path::new("resources.pipe"), source.as_bytes().to_vec());
    match pipec::compiler::compile::compile(&db, file, None) {
        Ok(compiled) => compiled.plan,
        Err(pipec::compiler::compile::CompileError::Diagnostics(d)) => {
            panic!("{:#?}", d.iter().map(|d| &d.message).collect::<Vec<_>>())
        }
        Err(other) => panic!("{other}"),
    }
}

fn run(source: &str, options: RunOptions) -> Result<RunResult, pipec_runtime::RunError> {
    pipec_runtime::run(
        &compile(source),
        &Registry::new(),
        &options,
        &MemoryStore::default(),
        &pipec_runtime::NoEvents,
    )
}

/// Four `exec` tasks that each note how many of them run at once; the
/// largest number any of them saw.
fn most_at_once(cpus: &str, jobs: usize) -> usize {
    let dir = tempfile::tempdir().expect("dir");
    let running = dir.path().join("running");
    let seen = dir.path().join("seen");
    std::fs::create_dir_all(&running).expect("mkdir");
    std::fs::create_dir_all(&seen).expect("mkdir");
    let script = format!(
        "touch {r}/$0; sleep 0.4; ls {r} | wc -l > {s}/$0; rm {r}/$0",
        r = running.display(),
        s = seen.display()
    );
    let source = format!(
        r#"pipeline p {{
  node names = items(["a", "b", "c", "d"])
  node work = exec(["sh", "-c", {script:?}, names]) {{
    each names
    resources {{ cpus: {cpus} }}
  }}
}}"#
    );
    let result = run(
        &source,
        RunOptions {
            jobs: Some(jobs),
            ..RunOptions::default()
        },
    )
    .expect("runs");
    assert!(result.ok, "{:?}", result.error);
    std::fs::read_dir(&seen)
        .expect("seen")
        .map(|entry| {
            std::fs::read_to_string(entry.expect("entry").path())
                .expect("read")
                .trim()
                .parse::<usize>()
                .expect("a count")
        })
        .max()
        .expect("four tasks ran")
}

#[test]
fn a_task_takes_its_cpus_from_the_runs_slots() {
    // Two CPUs each, two slots: one at a time.
    assert_eq!(most_at_once("2", 2), 1);
}

#[test]
fn exec_tasks_wait_on_their_children_without_holding_pool_threads() {
    // Half a CPU each, two slots (and two pool threads): all four at once.
    assert!(most_at_once("0.5", 2) >= 3);
}

#[test]
fn a_task_asking_for_more_than_the_run_has_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().expect("dir");
    let marker = dir.path().join("ran");
    let source = format!(
        r#"pipeline p {{
  node first = exec(["touch", "{}"])
  node big = exec(["true"]) {{ after first  resources {{ cpus: 8 }} }}
}}"#,
        marker.display()
    );
    let error = run(
        &source,
        RunOptions {
            jobs: Some(2),
            ..RunOptions::default()
        },
    )
    .expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("node `big` asks for 8 CPUs"), "{message}");
    assert!(message.contains("--jobs 2"), "{message}");
    assert!(!marker.exists(), "nothing ran");

    let error = run(
        "pipeline p {\n  node big = exec([\"true\"]) { resources { memory: 2GiB } }\n}\n",
        RunOptions {
            memory: Some(1 << 30),
            ..RunOptions::default()
        },
    )
    .expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("node `big` asks for 2.0 GiB"), "{message}");
    assert!(message.contains("--memory"), "{message}");
}

#[test]
fn the_cli_refuses_an_oversized_task_with_exit_2() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("p.pipe"),
        "pipeline p {\n  node big = exec([\"true\"]) { resources { cpus: 4, memory: 1GiB } }\n}\n",
    )
    .expect("write");
    let output = pipec(dir.path(), &["run", "--no-store", "--jobs", "2", "p.pipe"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("asks for 4 CPUs"), "{stderr}");
    let output = pipec(
        dir.path(),
        &[
            "run",
            "--no-store",
            "--jobs",
            "4",
            "--memory",
            "512MiB",
            "p.pipe",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("asks for 1.0 GiB of memory"), "{stderr}");
}

/// The store a CLI run left, queried.
fn query(store: &Path, sql: &str) -> Vec<Vec<Option<String>>> {
    let connection = rusqlite::Connection::open(store).expect("open");
    let mut statement = connection.prepare(sql).expect("prepare");
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| row.get::<_, Option<String>>(i))
                .collect::<Result<Vec<_>, _>>()
        })
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows")
}

#[test]
fn the_store_records_pools_and_why_nodes_and_runs_failed() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("p.pipe"),
        r#"pipeline p {
  node gpu = read_json_value("rows.json") { on "gpu" }
  node rows = echo(gpu.value) { each gpu }
  node bad = echo(rows) { all rows where rows.value | length > 0 and rows.value > 0 }
}
"#,
    )
    .expect("write");
    std::fs::write(
        dir.path().join("rows.json"),
        r#"[{"name": "a", "n": 1}, {"name": "b", "n": "x"}]"#,
    )
    .expect("write");
    let output = pipec(dir.path(), &["run", "p.pipe"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let store = dir.path().join(".pipec/runs.sqlite");
    assert_eq!(
        query(&store, "select pool from nodes where node = 'gpu'"),
        [[Some("gpu".to_string())]]
    );
    let bad = query(&store, "select state, error from nodes where node = 'bad'");
    assert_eq!(bad[0][0].as_deref(), Some("failed"));
    let reason = bad[0][1].clone().unwrap_or_default();
    assert!(reason.contains("where"), "{reason}");
    let run = query(&store, "select state, error from runs");
    assert_eq!(run[0][0].as_deref(), Some("failed"));
    assert!(
        run[0][1]
            .as_deref()
            .unwrap_or_default()
            .contains("node `bad`"),
        "{run:?}"
    );
}
