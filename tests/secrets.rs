//! Secrets stay hidden (issue 28, item 13): a failed item's name is cut
//! only after its secrets are hidden, so no prefix of a secret shows, and a
//! text derived from a secret (`secret.token | upper`) is hidden like the
//! secret, in the store and in what `pipec run` prints.

use std::collections::HashMap;
use std::path::Path;

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;

use cli::{pipec, pipec_command};

use pipec_runtime::{MemoryStore, Registry, RunOptions};

const SECRET: &str = "s3cr3t-TOKEN-value";

#[test]
fn an_item_named_in_an_error_never_shows_a_secrets_prefix() {
    // The secret starts at the 75th character of the item: cut at 80
    // characters first, its first five would show.
    let item = format!("{}{SECRET}", "x".repeat(74));
    let source = format!(
        "pipeline p {{\n  secret token\n  node names = items([\"{item}\"])\n  node fail = exec([\"false\", names]) {{ each names }}\n}}\n"
    );
    let mut db = pipec::compiler::Database::new();
    let file = db.set_source(Path::new("secrets.pipe"), source.into_bytes());
    let plan = pipec::compiler::compile::compile(&db, file, None)
        .map_err(|e| e.to_string())
        .expect("compiles")
        .plan;
    let result = pipec_runtime::run(
        &plan,
        &Registry::new(),
        &RunOptions {
            secrets: HashMap::from([("token".to_string(), SECRET.to_string())]),
            ..RunOptions::default()
        },
        &MemoryStore::default(),
        &pipec_runtime::NoEvents,
    )
    .expect("runs");
    let error = result.error.expect("the task failed");
    assert!(error.contains("***"), "{error}");
    assert!(!error.contains("s3cr"), "{error}");
}

#[test]
fn a_text_derived_from_a_secret_is_hidden_in_outputs() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("p.pipe"),
        "pipeline p {\n  secret token\n  node loud = echo(secret.token | upper)\n  output shown = loud.value\n}\n",
    )
    .expect("write");
    let output = pipec_command(dir.path())
        .env("PIPE_SECRET_TOKEN", SECRET)
        .args(["run", "-q", "p.pipe"])
        .output()
        .expect("pipec runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains(&SECRET.to_uppercase()), "{stdout}");
    assert!(stdout.contains("***"), "{stdout}");
    // Nor in the record.
    // (the database and its write-ahead log, whichever holds the rows)
    let mut store = Vec::new();
    for entry in std::fs::read_dir(dir.path().join(".pipec")).expect("store dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            store.extend(std::fs::read(path).expect("read"));
        }
    }
    assert!(!store.is_empty());
    let store = String::from_utf8_lossy(&store);
    assert!(!store.contains(&SECRET.to_uppercase()));
    // And check says where the secret goes.
    let check = pipec(dir.path(), &["check", "p.pipe"]);
    let shown = String::from_utf8_lossy(&check.stdout).into_owned()
        + &String::from_utf8_lossy(&check.stderr);
    assert!(shown.contains("W0105"), "{shown}");
    assert!(
        shown.contains("secret.token → node `loud` → output `shown`"),
        "{shown}"
    );
}
