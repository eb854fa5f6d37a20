//! End-to-end tests of the `pipec` binary.
//!
//! Each directory in `tests/cli/cases/` holds `args` (one argument per line),
//! and the expected `stdout`, `stderr` and `exit_code` (a missing `stdout` or
//! `stderr` file is not compared). Commands run from the repository root with
//! `NO_COLOR=1`. `PIPEC_BLESS=1` rewrites the expected files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/internal_names.rs"]
mod internal_names;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pipec(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pipec"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run pipec")
}

fn bless() -> bool {
    std::env::var_os("PIPEC_BLESS").is_some_and(|v| v != "0")
}

#[test]
fn cli_cases() {
    let cases_dir = root().join("tests/cli/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .expect("list cli cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "expected at least 15 CLI cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let args_text = std::fs::read_to_string(case.join("args")).expect("read args");
        let args: Vec<&str> = args_text.lines().filter(|l| !l.is_empty()).collect();
        let output = pipec(&args, &root());
        let code = output
            .status
            .code()
            .map_or("signal".to_string(), |c| c.to_string());
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        for (file, actual) in [
            ("exit_code", format!("{code}\n")),
            ("stdout", stdout),
            ("stderr", stderr),
        ] {
            let path = case.join(file);
            if file == "stderr" {
                let leaked = internal_names::internal_names(&actual);
                if !leaked.is_empty() {
                    failures.push(format!(
                        "{} stderr: an internal name reaches a message:\n{}",
                        case.display(),
                        leaked.join("\n")
                    ));
                }
            }
            if bless() {
                if file == "exit_code" || path.exists() || !actual.is_empty() {
                    std::fs::write(&path, &actual).expect("bless");
                }
                continue;
            }
            if !path.exists() {
                continue;
            }
            let expected = std::fs::read_to_string(&path).expect("read expected");
            if expected != actual {
                failures.push(format!(
                    "{} {file}:\n{}",
                    case.display(),
                    similar::TextDiff::from_lines(expected.as_str(), actual.as_str())
                        .unified_diff()
                        .header("expected", "actual")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches (PIPEC_BLESS=1 to update):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        "check",
        "fmt",
        "plan",
        "graph",
        "schema",
        "explain",
        "completions",
        "lsp",
    ] {
        let output = pipec(&[sub, "--help"], &root());
        assert!(output.status.success(), "{sub} --help failed");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage: pipec"), "{sub} --help: {text}");
    }
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = pipec(&["completions", shell], &root());
        assert!(output.status.success(), "completions {shell} failed");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("pipec") && text.contains("check"),
            "completions {shell}: {text}"
        );
    }
}

#[test]
fn fmt_rewrites_files_in_place_and_then_finds_nothing_to_do() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    let file = dir.join("messy.pipe");
    std::fs::write(&file, "pipeline p{node a=echo( 1 )// keep me\n}").expect("write");

    let first = pipec(&["fmt", "messy.pipe"], dir);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let formatted = std::fs::read_to_string(&file).expect("read back");
    assert_eq!(
        formatted,
        "pipeline p {\n  node a = echo(1)  // keep me\n}\n"
    );

    let check = pipec(&["fmt", "--check", "messy.pipe"], dir);
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    assert!(check.stdout.is_empty());

    // A file with a syntax error is left untouched.
    let broken = dir.join("broken.pipe");
    std::fs::write(&broken, "pipeline p {\n  node a = echo(1,,)\n}\n").expect("write");
    let refused = pipec(&["fmt", "broken.pipe"], dir);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&broken).expect("read"),
        "pipeline p {\n  node a = echo(1,,)\n}\n"
    );
}

#[test]
fn fmt_reads_standard_input() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipec"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"const  A=1")
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "const A = 1\n");
}

#[test]
fn every_example_checks_clean_and_is_formatted() {
    let output = pipec(&["check", "--deny-warnings", "examples"], &root());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let output = pipec(&["fmt", "--check", "examples"], &root());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn run_records_the_run_in_sqlite_unless_told_not_to() {
    let temp = tempfile::tempdir().expect("dir");
    let dir = temp.path();
    let store = dir.join("runs.sqlite");
    let out = dir.join("out");
    let args = [
        "run",
        "-q",
        "examples/files/files.pipe",
        "--input",
        &format!("out={}", out.display()),
        "--store",
        &store.to_string_lossy(),
    ];
    let output = pipec(&args, &root());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = std::fs::read(&store).expect("the store file exists");
    assert!(bytes.starts_with(b"SQLite format 3"), "not a SQLite file");

    let no_store = dir.join("none.sqlite");
    let args = [
        "run",
        "-q",
        "examples/files/files.pipe",
        "--input",
        &format!("out={}", out.display()),
        "--no-store",
        "--store",
        &no_store.to_string_lossy(),
    ];
    let output = pipec(&args, &root());
    assert_eq!(output.status.code(), Some(0));
    assert!(!no_store.exists(), "--no-store must not create a store");
}
