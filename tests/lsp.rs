//! The language server driven over stdio, as an editor drives it: the real
//! `pipec lsp` binary, JSON-RPC framing, a fixture workspace of two files
//! with an import (tests/lsp/workspace).

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::path::{Path, PathBuf};

use lsp_client::{Client, file_uri, position_of};
use serde_json::{Value, json};

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_pipec"))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/workspace")
}

fn main_text() -> String {
    std::fs::read_to_string(workspace().join("main.pipe")).expect("fixture")
}

fn started() -> (Client, String, String) {
    let root = workspace();
    let mut client = Client::start(binary(), &root);
    let init = client.initialize(&root, json!({"debounceMs": 0}));
    let caps = &init["result"]["capabilities"];
    for capability in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "completionProvider",
        "signatureHelpProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
        "codeActionProvider",
        "semanticTokensProvider",
    ] {
        assert!(
            !caps[capability].is_null(),
            "{capability} missing in {caps}"
        );
    }
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    let uri = file_uri(&root.join("main.pipe"));
    let text = main_text();
    client.open(&uri, &text);
    (client, uri, text)
}

fn at(uri: &str, text: &str, needle: &str, occurrence: usize, shift: usize) -> Value {
    json!({
        "textDocument": {"uri": uri},
        "position": position_of(text, needle, occurrence, shift),
    })
}

/// One incremental edit replacing `old` (its first occurrence) by `new`.
fn replace(client: &mut Client, uri: &str, text: &mut String, version: i64, old: &str, new: &str) {
    let start = position_of(text, old, 0, 0);
    let end = position_of(text, old, 0, old.len());
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": start, "end": end}, "text": new}],
        }),
    );
    *text = text.replacen(old, new, 1);
}

fn hover_text(client: &mut Client, params: Value) -> String {
    let response = client.request("textDocument/hover", params);
    response["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("a hover: {response}"))
        .to_string()
}

fn labels(response: &Value) -> Vec<String> {
    response["result"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {response}"))
        .iter()
        .map(|i| i["label"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn an_editing_session_over_stdio() {
    let (mut client, uri, mut text) = started();
    let lib_uri = file_uri(&workspace().join("lib/clean.pipe"));

    // Opening publishes the diagnostics of version 1: the fixture is clean.
    assert_eq!(client.diagnostics(&uri, 1), Vec::<Value>::new());

    // A misspelt pipe: an error at the name, with a quick fix.
    replace(&mut client, &uri, &mut text, 2, "| upper", "| uper");
    let diagnostics = client.diagnostics(&uri, 2);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "E0112");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "pipec");
    assert_eq!(d["range"]["start"], position_of(&text, "uper", 0, 0));
    assert_eq!(d["range"]["end"], position_of(&text, "uper", 0, 4));
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `upper`")
    );

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": d["range"],
            "context": {"diagnostics": [d]},
        }),
    );
    let action = &actions["result"][0];
    assert_eq!(action["kind"], "quickfix", "{actions}");
    let edit = &action["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "upper");
    assert_eq!(edit["range"], d["range"]);

    // Applying the fix clears the diagnostics.
    replace(&mut client, &uri, &mut text, 3, "| uper", "| upper");
    assert_eq!(client.diagnostics(&uri, 3), Vec::<Value>::new());

    // Hover: a node's type, a built-in's signature and docs, an input's docs.
    let hover = hover_text(&mut client, at(&uri, &text, "raw)", 0, 0));
    assert!(hover.contains("node raw: table"), "{hover}");
    assert!(hover.contains("calls `read_csv("), "{hover}");
    let hover = hover_text(&mut client, at(&uri, &text, "read_csv", 0, 2));
    assert!(hover.contains("plugin read_csv("), "{hover}");
    assert!(hover.contains("built-in"), "{hover}");
    let hover = hover_text(&mut client, at(&uri, &text, "input.source", 0, 8));
    assert!(hover.contains("input source: path"), "{hover}");
    assert!(hover.contains("Where the orders are."), "{hover}");
    let hover = hover_text(&mut client, at(&uri, &text, "customer |", 0, 1));
    assert!(hover.contains("customer: string"), "{hover}");
    let hover = hover_text(&mut client, at(&uri, &text, "upper", 0, 1));
    assert!(hover.contains("upper"), "{hover}");

    // Go to definition: a table named inside SQL text, a pipeline in the
    // imported file, a schema field.
    let definition = client.request(
        "textDocument/definition",
        at(&uri, &text, "tidy group", 0, 1),
    );
    assert_eq!(definition["result"]["uri"], uri.as_str());
    assert_eq!(
        definition["result"]["range"]["start"],
        position_of(&text, "tidy =", 0, 0)
    );
    let definition = client.request(
        "textDocument/definition",
        at(&uri, &text, "normalize", 0, 3),
    );
    assert_eq!(definition["result"]["uri"], lib_uri.as_str());
    let lib_text = std::fs::read_to_string(workspace().join("lib/clean.pipe")).unwrap();
    assert_eq!(
        definition["result"]["range"]["start"],
        position_of(&lib_text, "normalize", 0, 0)
    );
    let definition = client.request(
        "textDocument/definition",
        at(&uri, &text, "customer |", 0, 0),
    );
    assert_eq!(
        definition["result"]["range"]["start"],
        position_of(&text, "customer: string", 0, 0)
    );
    let definition = client.request(
        "textDocument/definition",
        at(&uri, &text, "\"lib/clean", 0, 3),
    );
    assert_eq!(definition["result"]["uri"], lib_uri.as_str());

    // References of a node: its declaration, `after big` and the output.
    let references = client.request(
        "textDocument/references",
        json!({
            "textDocument": {"uri": uri},
            "position": position_of(&text, "big =", 0, 0),
            "context": {"includeDeclaration": true},
        }),
    );
    let starts: Vec<Value> = references["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"].clone())
        .collect();
    assert_eq!(starts.len(), 3, "{references}");
    for (needle, n) in [("big =", 0), ("big }", 0), ("= big", 0)] {
        let shift = if needle.starts_with('=') { 2 } else { 0 };
        assert!(
            starts.contains(&position_of(&text, needle, n, shift)),
            "{needle} in {starts:?}"
        );
    }

    // Completion: an input's names after `input.`, a node's fields after
    // `shout.`, pipes after `|`, callees after `node x =`.
    replace(
        &mut client,
        &uri,
        &mut text,
        4,
        "  output totals",
        "  node probe = echo(input.)\n  output totals",
    );
    let completion = client.request("textDocument/completion", at(&uri, &text, "input.)", 0, 6));
    let names = labels(&completion);
    assert!(
        names.contains(&"source".to_string()) && names.contains(&"order".to_string()),
        "{names:?}"
    );
    replace(
        &mut client,
        &uri,
        &mut text,
        5,
        "echo(input.)",
        "echo(shout.)",
    );
    let names =
        labels(&client.request("textDocument/completion", at(&uri, &text, "shout.)", 0, 6)));
    assert_eq!(names, vec!["value"]);
    replace(
        &mut client,
        &uri,
        &mut text,
        6,
        "echo(shout.)",
        "echo(shout.value | )",
    );
    let names = labels(&client.request("textDocument/completion", at(&uri, &text, "| )", 0, 2)));
    assert!(
        names.contains(&"upper".to_string()) && names.contains(&"trim".to_string()),
        "{names:?}"
    );
    replace(
        &mut client,
        &uri,
        &mut text,
        7,
        "node probe = echo(shout.value | )",
        "node probe = ",
    );
    let names =
        labels(&client.request("textDocument/completion", at(&uri, &text, "probe = ", 0, 8)));
    for callee in ["read_csv", "sql", "notify", "echo"] {
        assert!(names.contains(&callee.to_string()), "{callee} in {names:?}");
    }
    replace(&mut client, &uri, &mut text, 8, "  node probe = \n", "");
    assert_eq!(client.diagnostics(&uri, 8), Vec::<Value>::new());

    // Signature help inside a call of a plugin declared in the file.
    let help = client.request(
        "textDocument/signatureHelp",
        at(&uri, &text, "text: \"{shout", 0, 0),
    );
    let signature = &help["result"]["signatures"][0];
    assert!(
        signature["label"]
            .as_str()
            .unwrap()
            .starts_with("notify(channel: string, text: string)"),
        "{help}"
    );
    assert_eq!(help["result"]["activeParameter"], 1);

    // Rename an input of the library pipeline from a named argument: its
    // declaration and uses in lib/clean.pipe and the argument in main.pipe;
    // the output of the same name is another thing and stays.
    let rename = client.request(
        "textDocument/rename",
        json!({
            "textDocument": {"uri": uri},
            "position": position_of(&text, "table: raw", 0, 1),
            "newName": "rows",
        }),
    );
    let changes = &rename["result"]["changes"];
    assert_eq!(changes[&uri].as_array().map(Vec::len), Some(1), "{rename}");
    let lib_edits = changes[&lib_uri].as_array().expect("edits in the library");
    let mut lib_starts: Vec<Value> = lib_edits
        .iter()
        .map(|e| e["range"]["start"].clone())
        .collect();
    lib_starts.sort_by_key(|p| p["line"].as_i64());
    assert_eq!(
        lib_starts,
        vec![
            position_of(&lib_text, "table: table", 0, 0),
            position_of(&lib_text, "input.table", 0, 6)
        ]
    );
    assert!(lib_edits.iter().all(|e| e["newText"] == "rows"));
    let refused = client.request(
        "textDocument/rename",
        json!({
            "textDocument": {"uri": uri},
            "position": position_of(&text, "big =", 0, 0),
            "newName": "node",
        }),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a valid name"),
        "{refused}"
    );
    let prepare = client.request("textDocument/prepareRename", at(&uri, &text, "upper", 0, 0));
    assert!(
        prepare["error"]["message"].as_str().is_some(),
        "pipes are not renamed: {prepare}"
    );

    // Document symbols: the items, the pipeline's members as children.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = symbols["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["lib/clean.pipe", "Order", "notify", "orders"]);
    let children: Vec<&str> = symbols["result"][3]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        children,
        vec![
            "source", "order", "raw", "tidy", "big", "shout", "ping", "totals"
        ]
    );

    // Semantic tokens: five numbers per token, a keyword first.
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let data = tokens["result"]["data"].as_array().unwrap();
    assert!(data.len() > 50 && data.len() % 5 == 0, "{}", data.len());

    let status = client.shutdown();
    assert!(status.success(), "{status}");
}

#[test]
fn formatting_is_the_same_as_pipec_fmt() {
    let (mut client, uri, text) = started();
    client.diagnostics(&uri, 1);
    let messy = text.replace(
        "  node raw = read_csv(input.source)",
        "node    raw=read_csv( input.source )",
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": messy}]}),
    );
    let response = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = response["result"].as_array().expect("edits");
    assert_eq!(edits.len(), 1);
    let mut fmt = std::process::Command::new(binary())
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    fmt.stdin
        .take()
        .unwrap()
        .write_all(messy.as_bytes())
        .unwrap();
    let output = fmt.wait_with_output().unwrap();
    assert_eq!(
        edits[0]["newText"],
        String::from_utf8(output.stdout).unwrap()
    );
    assert_eq!(edits[0]["newText"], text, "formatting restores the fixture");

    // A document with syntax errors is not formatted; the error says why.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "pipeline p { node = }"}]}),
    );
    let response = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("syntax errors"),
        "{response}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn rapid_edits_are_applied_in_order_and_only_current_diagnostics_are_published() {
    let root = workspace();
    let mut client = Client::start(binary(), &root);
    client.initialize(&root, json!({"debounceMs": 5}));
    let uri = file_uri(&root.join("scratch.pipe"));
    let mut text = String::from("pipeline p {\n  node a = echo(1)\n}\n");
    client.open(&uri, &text);
    client.diagnostics(&uri, 1);
    // 60 edits without waiting: each inserts one node that reads the one before.
    let mut version = 1;
    for i in 0..60 {
        version += 1;
        let previous = if i == 0 {
            "a".to_string()
        } else {
            format!("n{}", i - 1)
        };
        let line = format!("  node n{i} = echo({previous}.value)\n");
        let end = text.rfind('}').unwrap();
        let position = position_of(&text, "}", text.matches('}').count() - 1, 0);
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": position, "end": position}, "text": line}],
            }),
        );
        text.insert_str(end, &line);
    }
    // The last version is published, with no error: every edit landed in order.
    let last = client.diagnostics(&uri, version);
    assert!(last.iter().all(|d| d["severity"] != 1), "{last:#?}");
    // Whatever was published before came in increasing versions.
    let published: Vec<i64> = client
        .take_published()
        .iter()
        .filter(|p| p["uri"] == uri.as_str())
        .map(|p| p["version"].as_i64().unwrap())
        .collect();
    assert!(published.windows(2).all(|w| w[0] < w[1]), "{published:?}");
    assert!(published.iter().all(|v| *v < version), "{published:?}");
    // The server's text is the client's: the last node is where we put it.
    let hover = hover_text(&mut client, at(&uri, &text, "n59 =", 0, 0));
    assert!(hover.contains("node n59"), "{hover}");

    // A change for an old version is refused, not applied out of order.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "garbage"}]}),
    );
    let warning = client.notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("not applied"))
    });
    assert_eq!(warning["type"], 2);
    let hover = hover_text(&mut client, at(&uri, &text, "n59 =", 0, 0));
    assert!(hover.contains("node n59"), "{hover}");
    assert!(client.shutdown().success());
}

#[test]
fn a_mistake_in_an_imported_file_shows_in_the_importer_after_an_edit_there() {
    let root = workspace();
    let mut client = Client::start(binary(), &root);
    client.initialize(&root, json!({"debounceMs": 0}));
    let uri = file_uri(&root.join("main.pipe"));
    let lib_uri = file_uri(&root.join("lib/clean.pipe"));
    client.open(&uri, &main_text());
    assert_eq!(client.diagnostics(&uri, 1), Vec::<Value>::new());
    let mut lib = std::fs::read_to_string(root.join("lib/clean.pipe")).unwrap();
    client.open(&lib_uri, &lib);
    client.diagnostics(&lib_uri, 1);
    // Renaming the library's input breaks the call in main.pipe.
    replace(
        &mut client,
        &lib_uri,
        &mut lib,
        2,
        "input table: table",
        "input rows: table",
    );
    let main = client.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str() && !p["diagnostics"].as_array().unwrap().is_empty()
    });
    let codes: Vec<&str> = main["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // `table:` names no input any more, and `rows` is missing.
    assert_eq!(codes, vec!["E0202", "E0203"], "{main}");
    assert!(client.shutdown().success());
}
