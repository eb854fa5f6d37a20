//! A tolerant layer between the client and tower-lsp.
//!
//! tower-lsp 0.20 stops reading (and the server ends) at the first message
//! it cannot decode. Every message from the client therefore passes here
//! first: its `Content-Length` frame is read, its body must be UTF-8 JSON,
//! one object (not a batch) with `"jsonrpc": "2.0"`; a message that is not
//! gets a JSON-RPC error reply (-32700 parse error, -32600 invalid request,
//! with the message's `id` when it has one) and the server goes on serving.
//! `"params": null` is taken as no params (`shutdown` and `exit` are sent
//! so by some clients). The replies and the server's own messages reach
//! standard output through one writer, frame by frame, so they never
//! interleave.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::UnboundedSender;

/// The largest message body taken (a bigger `Content-Length` is refused).
const MAX_BODY: usize = 256 << 20;

/// One framed message's body, or why none could be read.
enum Frame {
    Body(Vec<u8>),
    /// A header block without a usable `Content-Length`.
    NoLength,
    /// The stream ended.
    End,
}

/// Reads one `Content-Length` frame.
async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> std::io::Result<Frame> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(Frame::End);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines before a header block are skipped.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
    let Some(length) = length.filter(|&n| n <= MAX_BODY) else {
        return Ok(Frame::NoLength);
    };
    let mut body = vec![0; length];
    match reader.read_exact(&mut body).await {
        Ok(_) => Ok(Frame::Body(body)),
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => Ok(Frame::End),
        Err(error) => Err(error),
    }
}

/// A message framed for the wire.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON-RPC error reply, framed.
fn error_reply(id: Value, code: i64, message: &str) -> Vec<u8> {
    let reply = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    });
    framed(reply.to_string().as_bytes())
}

/// What to do with one body from the client: pass it on (possibly
/// normalised), or answer it with an error.
fn judge(body: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(error_reply(
            Value::Null,
            -32700,
            "parse error: the message is not valid UTF-8",
        ));
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        error_reply(
            Value::Null,
            -32700,
            &format!("parse error: the message is not JSON: {e}"),
        )
    })?;
    let Value::Object(mut message) = value else {
        let what = if value.is_array() {
            "a batch (a JSON array) is not supported by the language server protocol"
        } else {
            "a message must be a JSON object"
        };
        return Err(error_reply(
            Value::Null,
            -32600,
            &format!("invalid request: {what}"),
        ));
    };
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(error_reply(
            id,
            -32600,
            "invalid request: `\"jsonrpc\": \"2.0\"` is missing",
        ));
    }
    if message.contains_key("method") {
        if !message.get("method").is_some_and(Value::is_string) {
            return Err(error_reply(
                id,
                -32600,
                "invalid request: `method` must be text",
            ));
        }
        if message.get("params").is_some_and(Value::is_null) {
            message.remove("params");
            return Ok(framed(Value::Object(message).to_string().as_bytes()));
        }
    }
    Ok(framed(body))
}

/// Reads the client's messages from `input`: good ones go on to the server
/// (`server`), bad ones are answered through `replies`. Ends when the
/// client's stream ends.
pub(crate) async fn read_client<R, W>(input: R, mut server: W, replies: UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    loop {
        match read_frame(&mut reader).await {
            Ok(Frame::Body(body)) => match judge(&body) {
                Ok(message) => {
                    if server.write_all(&message).await.is_err() {
                        return;
                    }
                    let _ = server.flush().await;
                }
                Err(reply) => {
                    let _ = replies.send(reply);
                }
            },
            Ok(Frame::NoLength) => {
                let _ = replies.send(error_reply(
                    Value::Null,
                    -32700,
                    "parse error: a message needs a `Content-Length` header",
                ));
            }
            Ok(Frame::End) | Err(_) => return,
        }
    }
}

/// Writes the server's messages (`from_server`) and the error replies
/// (`replies`) to `output`, a whole frame at a time.
pub(crate) async fn write_client<R, W>(
    from_server: R,
    mut replies: tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>,
    mut output: W,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut server = BufReader::new(from_server);
    loop {
        let frame = tokio::select! {
            frame = read_frame(&mut server) => match frame {
                Ok(Frame::Body(body)) => framed(&body),
                Ok(Frame::NoLength) => continue,
                Ok(Frame::End) | Err(_) => break,
            },
            Some(reply) = replies.recv() => reply,
        };
        if output.write_all(&frame).await.is_err() {
            return;
        }
        let _ = output.flush().await;
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::judge;

    fn reply_code(reply: &[u8]) -> i64 {
        let text = String::from_utf8_lossy(reply);
        let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        value["error"]["code"].as_i64().unwrap_or_default()
    }

    #[test]
    fn malformed_messages_are_answered_not_passed_on() {
        assert_eq!(reply_code(&judge(b"\xff\xfe").unwrap_err()), -32700);
        assert_eq!(reply_code(&judge(b"{not json").unwrap_err()), -32700);
        assert_eq!(
            reply_code(&judge(br#"[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]"#).unwrap_err()),
            -32600
        );
        assert_eq!(
            reply_code(&judge(br#"{"id":1,"method":"shutdown"}"#).unwrap_err()),
            -32600
        );
        assert!(judge(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#).is_ok());
    }

    #[test]
    fn null_params_are_no_params() {
        let message = judge(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown","params":null}"#)
            .expect("passed on");
        assert!(!String::from_utf8_lossy(&message).contains("params"));
    }
}
