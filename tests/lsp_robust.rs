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
