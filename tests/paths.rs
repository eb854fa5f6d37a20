//! Where relative paths point (docs/language.md, Paths): text written in a
//! `.pipe` file resolves against that file's directory, values given on the
//! command line against the working directory, and `check` resolves them as
//! the run does. Tried with the real binary from two working directories.

use std::process::Output;

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;

use cli::pipec;

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `root/flow/flow.pipe` reads `data/in.json` and writes `out/copy.json`,
/// both written relative to the file.
fn project() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("dir");
    let flow = root.path().join("flow");
    std::fs::create_dir_all(flow.join("data")).expect("mkdir");
    std::fs::write(flow.join("data/in.json"), r#"{"n": 7}"#).expect("write");
    std::fs::write(
        flow.join("flow.pipe"),
        "pipeline flow {\n  input src: path = \"data/in.json\"\n  node read = read_json_value(input.src)\n  node copy = write_json(\"out/{read.value.n}.json\", read.value)\n  output n = read.value.n\n}\n",
    )
    .expect("write");
    root
}

#[test]
fn a_file_runs_the_same_from_its_directory_and_from_above() {
    let root = project();
    let flow = root.path().join("flow");
    let from_above = pipec(root.path(), &["run", "--no-store", "-q", "flow/flow.pipe"]);
    assert_eq!(from_above.status.code(), Some(0), "{}", text(&from_above));
    assert!(flow.join("out/7.json").is_file(), "{}", text(&from_above));
    std::fs::remove_dir_all(flow.join("out")).expect("clean");
    let from_inside = pipec(&flow, &["run", "--no-store", "-q", "flow.pipe"]);
    assert_eq!(from_inside.status.code(), Some(0), "{}", text(&from_inside));
    assert!(flow.join("out/7.json").is_file(), "{}", text(&from_inside));
    assert!(
        !root.path().join("out").exists(),
        "nothing is written beside the working directory"
    );
}

#[test]
fn a_path_given_on_the_command_line_is_relative_to_the_working_directory() {
    let root = project();
    std::fs::write(root.path().join("other.json"), r#"{"n": 9}"#).expect("write");
    let output = pipec(
        root.path(),
        &[
            "run",
            "--no-store",
            "-q",
            "flow/flow.pipe",
            "--input",
            "src=other.json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains('9'),
        "{}",
        text(&output)
    );
    assert!(root.path().join("flow/out/9.json").is_file());
}

#[test]
fn the_plan_shows_paths_resolved_against_the_file() {
    let root = project();
    let output = pipec(root.path(), &["plan", "flow/flow.pipe"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("\"flow/data/in.json\""), "{stdout}");
    assert!(stdout.contains("\"flow/out/\""), "{stdout}");
}

#[test]
fn check_resolves_a_table_path_as_the_run_does() {
    let root = tempfile::tempdir().expect("dir");
    let flow = root.path().join("flow");
    std::fs::create_dir_all(flow.join("data")).expect("mkdir");
    std::fs::write(flow.join("data/orders.csv"), "id,amount\n1,2.5\n").expect("write");
    let source = "pipeline p {\n  node t = read_csv(\"data/orders.csv\")\n  node s = select(t, [\"amount\"])\n  output rows = s\n}\n";
    std::fs::write(flow.join("p.pipe"), source).expect("write");
    // The column list is checked against the file's header: it is found
    // from above and from inside alike.
    for (cwd, file) in [(root.path(), "flow/p.pipe"), (flow.as_path(), "p.pipe")] {
        let check = pipec(cwd, &["check", file]);
        assert_eq!(check.status.code(), Some(0), "{}", text(&check));
        let run = pipec(cwd, &["run", "--no-store", "-q", file]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    }
    // A column the file does not have is an error found through the
    // resolved path, from above too.
    std::fs::write(
        flow.join("p.pipe"),
        source.replace("[\"amount\"]", "[\"amont\"]"),
    )
    .expect("write");
    let check = pipec(root.path(), &["check", "flow/p.pipe"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(text(&check).contains("amont"), "{}", text(&check));
}

#[test]
fn check_warns_about_a_file_read_first_that_is_not_there() {
    let root = tempfile::tempdir().expect("dir");
    std::fs::write(
        root.path().join("p.pipe"),
        "pipeline p {\n  node t = read_csv(\"data/orders.csv\")\n  output rows = t\n}\n",
    )
    .expect("write");
    let check = pipec(root.path(), &["check", "p.pipe"]);
    let shown = text(&check);
    assert!(shown.contains("W0409"), "{shown}");
    assert!(shown.contains("no file `data/orders.csv`"), "{shown}");
    // Made by an earlier step: no warning.
    std::fs::write(
        root.path().join("p.pipe"),
        "pipeline p {\n  node fetch = exec([\"true\"])\n  node t = read_csv(\"data/orders.csv\") { after fetch }\n  output rows = t\n}\n",
    )
    .expect("write");
    let check = pipec(root.path(), &["check", "p.pipe"]);
    assert!(!text(&check).contains("W0409"), "{}", text(&check));
}
