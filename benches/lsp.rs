//! Latency of the language server over stdio on a 10,000-node workspace:
//! from `didChange` (one node's argument edited) to the matching
//! `publishDiagnostics`, and hover and completion after each edit; p50 and
//! p95 over 200 edits. The real `pipec lsp` binary, default settings (its
//! 10 ms debounce included). `cargo bench --bench lsp`; figures in
//! docs/performance.md.

#[path = "support/large_source.rs"]
#[allow(dead_code)]
mod large_source;
#[path = "../tests/support/lsp_client.rs"]
#[allow(dead_code)]
mod lsp_client;

use std::path::Path;
use std::time::{Duration, Instant};

use lsp_client::{Client, file_uri, position_at, position_of};
use serde_json::{Value, json};

const NODES: usize = 10_000;
const EDITS: usize = 200;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let edits = if quick { 5 } else { EDITS };
    let dir = std::env::temp_dir().join(format!("pipec-lsp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("large.pipe");
    let mut text = large_source::referencing_source(NODES, 1);
    std::fs::write(&path, &text).expect("write the workspace");

    let mut client = Client::start(Path::new(env!("CARGO_BIN_EXE_pipec")), &dir);
    client.initialize(&dir, Value::Null);
    let uri = file_uri(&path);
    let opened = Instant::now();
    client.open(&uri, &text);
    let first = client.diagnostics(&uri, 1);
    assert!(
        first.is_empty(),
        "the generated workspace is clean: {first:?}"
    );
    println!(
        "open {NODES}-node file ({} KB) → first diagnostics: {:.1} ms",
        text.len() / 1024,
        opened.elapsed().as_secs_f64() * 1e3
    );

    let mut diagnostics = Vec::new();
    let mut hovers = Vec::new();
    let mut field_completions = Vec::new();
    let mut name_completions = Vec::new();
    for k in 0..edits {
        // Edit node i: add an argument field, or take it away again.
        let i = 3 + (k / 2 * 7919) % (NODES - 10);
        let needle = format!("  node n{i} = echo(");
        let line_start = text.find(&needle).expect("node line");
        let line_end = line_start + text[line_start..].find('\n').expect("line end");
        let (start, end, new) = if k % 2 == 0 {
            (line_end - 3, line_end - 3, ", m: 7".to_string())
        } else {
            (line_end - 9, line_end - 3, String::new())
        };
        let range = json!({
            "start": position_at(&text, start),
            "end": position_at(&text, end),
        });
        let version = k as i64 + 2;
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range, "text": new}],
            }),
        );
        text.replace_range(start..end, &new);
        let published = client.diagnostics(&uri, version);
        diagnostics.push(sent.elapsed());
        assert!(
            published.is_empty(),
            "edit {k} keeps the file clean: {published:?}"
        );

        // Hover a reference in the next node's line.
        let reference = format!("n{i}.value");
        let position = position_of(&text, &format!("a: {reference}"), 0, 3);
        let sent = Instant::now();
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        hovers.push(sent.elapsed());
        assert!(
            hover["result"]["contents"]["value"]
                .as_str()
                .is_some_and(|h| h.contains("node n"))
        );

        // Complete the fields after `n{i}.` and the names at an argument's start.
        let position = position_of(
            &text,
            &format!("a: {reference}"),
            0,
            3 + reference.find('.').unwrap() + 1,
        );
        let sent = Instant::now();
        let fields = client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        field_completions.push(sent.elapsed());
        assert!(
            fields["result"]["items"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "{fields}"
        );
        let position = position_of(&text, &format!("a: {reference}"), 0, 3);
        let sent = Instant::now();
        let names = client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        name_completions.push(sent.elapsed());
        // The first 200 of the 10,000 names, marked incomplete.
        assert_eq!(names["result"]["isIncomplete"], true, "names complete");
        assert!(
            names["result"]["items"]
                .as_array()
                .is_some_and(|a| a.len() == 200)
        );
    }
    let status = client.shutdown();
    assert!(status.success());
    let _ = std::fs::remove_dir_all(&dir);

    println!("{edits} edits of one node's argument, {NODES}-node file, over stdio:");
    report("didChange → publishDiagnostics", &mut diagnostics, 30.0);
    report("hover", &mut hovers, 10.0);
    report(
        "completion after `.` (fields)",
        &mut field_completions,
        10.0,
    );
    report(
        "completion of names (first 200 of 10,000)",
        &mut name_completions,
        10.0,
    );
}

fn report(what: &str, samples: &mut [Duration], target_p95_ms: f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let p95 = ms(at(0.95));
    println!(
        "  {what:40} p50 {:7.2} ms   p95 {:7.2} ms   max {:7.2} ms   target p95 ≤ {target_p95_ms} ms {}",
        ms(at(0.5)),
        p95,
        ms(samples[samples.len() - 1]),
        if p95 <= target_p95_ms { "✔" } else { "✘" }
    );
}
