//! The language server never dies and never panics: malformed messages get
//! an error reply and the server goes on; positions inside multi-byte
//! characters are answered; `exit` without `shutdown` exits 1.

// The client serves tests/lsp.rs too; this file uses a few of its calls.
#[path = "support/lsp_client.rs"]
#[allow(dead_code)]
mod lsp_client;

use std::path::Path;

use lsp_client::{Client, file_uri};
use serde_json::{Value, json};

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_pipec"))
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn malformed_messages_get_error_replies_and_the_server_goes_on() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(binary(), dir.path());
    client.initialize(dir.path(), json!({"debounceMs": 0}));
    for body in [
        &b"{this is not json"[..],
        b"\xff\xfe\xfd",
        br#"[{"jsonrpc":"2.0","id":7,"method":"shutdown"}]"#,
        br#"{"id":8,"method":"textDocument/hover"}"#,
        b"42",
    ] {
        client.send_raw(&framed(body));
    }
    // Still serving: a real request is answered.
    let uri = file_uri(&dir.path().join("a.pipe"));
    client.open(
        &uri,
        "// café\npipeline p {\n  node a = echo(1)\n  output v = a\n}\n",
    );
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 7}}),
    );
    assert!(completion.get("error").is_none(), "{completion}");
    let status = client.shutdown();
    assert!(status.success(), "{status}");
}

#[test]
fn completion_after_a_non_ascii_character_does_not_panic() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(binary(), dir.path());
    client.initialize(dir.path(), json!({"debounceMs": 0}));
    let uri = file_uri(&dir.path().join("a.pipe"));
    let text =
        "// café\r\n// 日本語 ab\rpipeline p {\n  node a = echo(\"é\")\n  node b = echo(a.va)\n}\n";
    client.open(&uri, text);
    // Every position of every line, in UTF-16 units, past the ends too.
    for (line, content) in text.split('\n').enumerate() {
        let units = content.encode_utf16().count();
        for character in 0..=units + 1 {
            let position = json!({"line": line, "character": character});
            for method in [
                "textDocument/completion",
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/signatureHelp",
            ] {
                let reply = client.request(
                    method,
                    json!({"textDocument": {"uri": uri}, "position": position}),
                );
                assert!(
                    reply.get("error").is_none(),
                    "{method} at {position}: {reply}"
                );
            }
        }
    }
    let status = client.shutdown();
    assert!(status.success(), "{status}");
}

#[test]
fn shutdown_with_null_params_is_accepted_and_exit_without_it_is_1() {
    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(binary(), dir.path());
    client.initialize(dir.path(), json!({}));
    client.send_raw(&framed(
        br#"{"jsonrpc":"2.0","id":99,"method":"shutdown","params":null}"#,
    ));
    let reply = client.response(99);
    assert!(reply.get("error").is_none(), "{reply}");
    client.notify("exit", Value::Null);
    assert!(client.wait_exit().success());

    let mut client = Client::start(binary(), dir.path());
    client.initialize(dir.path(), json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));
}

/// Pieces random documents are made of: `.pipe` text, accents, emoji,
/// CRLF and lone CR, so that every byte/char/UTF-16 conversion of the
/// server meets multi-byte characters and odd line ends.
const PIECES: [&str; 24] = [
    "pipeline p {\n",
    "}\n",
    "  node a = echo(1)\n",
    "  node b = echo(a.value | upper) { each a }\n",
    "  output o = b\n",
    "  node c = sql(\"select * from t\")\n",
    "  input x: string = \"é\"\n",
    "// café ",
    "/// doc\n",
    "é",
    "中文",
    "🦀",
    "👍🏽",
    "\r\n",
    "\r",
    "\n",
    " ",
    "{",
    "(",
    "\"",
    ".",
    "|",
    "a",
    "node",
];

/// Every request kind that takes a position, at random positions (inside
/// characters and surrogate pairs, past line ends, past the document) of
/// random documents: each gets a reply that is not an internal error, and
/// the server lives through all of them.
#[test]
fn every_request_at_random_positions_of_random_documents_is_answered() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let dir = tempfile::tempdir().expect("dir");
    let mut client = Client::start(binary(), dir.path());
    client.initialize(dir.path(), json!({"debounceMs": 0}));
    let uri = file_uri(&dir.path().join("random.pipe"));
    client.open(&uri, "");
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let document = proptest::collection::vec(0..PIECES.len(), 0..40)
        .prop_map(|pieces| pieces.into_iter().map(|i| PIECES[i]).collect::<String>());
    let positions = proptest::collection::vec((0u32..12, 0u32..60), 1..6);
    let client = std::cell::RefCell::new(client);
    let version = std::cell::Cell::new(1);
    runner
        .run(&(document, positions), |(text, positions)| {
            let mut client = client.borrow_mut();
            version.set(version.get() + 1);
            client.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": {"uri": uri, "version": version.get()},
                    "contentChanges": [{"text": text}]
                }),
            );
            for (line, character) in positions {
                let position = json!({"line": line, "character": character});
                let at = json!({"textDocument": {"uri": uri}, "position": position});
                let range = json!({"start": position, "end": {"line": line + 1, "character": 0}});
                for (method, params) in [
                    ("textDocument/hover", at.clone()),
                    ("textDocument/completion", at.clone()),
                    ("textDocument/definition", at.clone()),
                    ("textDocument/references", json!({"textDocument": {"uri": uri}, "position": position, "context": {"includeDeclaration": true}})),
                    ("textDocument/signatureHelp", at.clone()),
                    ("textDocument/documentHighlight", at.clone()),
                    ("textDocument/prepareRename", at.clone()),
                    ("textDocument/rename", json!({"textDocument": {"uri": uri}, "position": position, "newName": "renamed"})),
                    ("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}})),
                    ("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}})),
                    ("textDocument/formatting", json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}})),
                    ("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}})),
                    ("textDocument/foldingRange", json!({"textDocument": {"uri": uri}})),
                    ("textDocument/inlayHint", json!({"textDocument": {"uri": uri}, "range": range})),
                ] {
                    let reply = client.request(method, params);
                    // A request may be refused on purpose (-32601 unknown
                    // method, -32602 e.g. formatting a text with syntax
                    // errors); nothing may fail inside the server (-32603)
                    // or go unanswered.
                    let code = reply.pointer("/error/code").and_then(Value::as_i64);
                    prop_assert!(
                        matches!(code, None | Some(-32601 | -32602)),
                        "{method} at {line}:{character} of {text:?}: {reply}"
                    );
                }
            }
            Ok(())
        })
        .expect("every request answered");
    let status = client.into_inner().shutdown();
    assert!(status.success(), "{status:?}");
}
