//! The bytes from the client, vetted before the protocol library reads them.
//!
//! tower-lsp-server stops reading for good at the first message it cannot decode
//! (a bad header, a body that is not UTF-8 or not a JSON-RPC message), which would
//! drop the connection. So stdin goes through [`relay`] first: it does the
//! Content-Length framing itself and forwards only messages the library accepts.
//!
//! - A body that is not UTF-8 is forwarded with the bad bytes replaced by U+FFFD, so a
//!   change with one bad byte still keeps the document in step.
//! - A body that is not JSON, or not a JSON-RPC message, becomes a request to
//!   [`MALFORMED_METHOD`] carrying the id it had (else `null`) and the problem; its
//!   handler answers with the JSON-RPC error (-32700 parse error, -32600 invalid
//!   request), which is the answer the specification asks for.
//! - Garbage between messages and headers without a length are skipped up to the next
//!   `Content-Length`; a declared length above [`MAX_MESSAGE_BYTES`] is skipped unread.

use std::borrow::Cow;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The method the relay substitutes for a malformed message.
pub const MALFORMED_METHOD: &str = "tactful/malformedMessage";

/// The largest message read; a bigger one is skipped and answered with an error.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// A header block longer than this is garbage.
const MAX_HEADER_BYTES: usize = 16 << 10;

const HEADER_NAME: &[u8] = b"content-length";

/// What the relay substitutes for a malformed message: the JSON-RPC error to answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Malformed {
    pub code: i64,
    pub message: String,
}

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// Copies framed messages from `input` to `output`, vetted as the module docs say,
/// until `input` ends, `output` is closed or an `exit` notification has been passed
/// on (then `saw_exit` is set). Problems are logged to stderr.
pub async fn relay<R, W>(mut input: R, mut output: W, saw_exit: &AtomicBool) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        // Headers up to the blank line; bytes that are no header are skipped up to the
        // next "Content-Length".
        let (length, header_end) = loop {
            if let Some(end) = find(&buf, b"\r\n\r\n") {
                if let Some(length) = content_length(&buf[..end]) {
                    break (length, end + 4);
                }
                let cut = find_ci(&buf[..end], HEADER_NAME).filter(|&at| at > 0).unwrap_or(end + 4);
                report_garbage(&mut output, &buf[..cut]).await?;
                buf.drain(..cut);
                continue;
            }
            if buf.len() > MAX_HEADER_BYTES {
                let cut = buf.len() - HEADER_NAME.len();
                report_garbage(&mut output, &buf[..cut]).await?;
                buf.drain(..cut);
            }
            if !read_more(&mut input, &mut buf, &mut chunk).await? {
                return Ok(());
            }
        };
        buf.drain(..header_end);
        let length = match length {
            Ok(length) if length <= MAX_MESSAGE_BYTES => length,
            Ok(length) => {
                eprintln!("tactful: skipping a message of {length} bytes (at most {MAX_MESSAGE_BYTES})");
                emit(&mut output, &malformed(Value::Null, INVALID_REQUEST, format!("message of {length} bytes is too large"))).await?;
                if !skip(&mut input, &mut buf, &mut chunk, length).await? {
                    return Ok(());
                }
                continue;
            }
            Err(problem) => {
                emit(&mut output, &malformed(Value::Null, PARSE_ERROR, problem)).await?;
                continue;
            }
        };
        while buf.len() < length {
            if !read_more(&mut input, &mut buf, &mut chunk).await? {
                return Ok(());
            }
        }
        let body: Vec<u8> = buf.drain(..length).collect();
        match vet(&body) {
            Vetted::Forward(text, is_exit) => {
                emit(&mut output, text.as_bytes()).await?;
                if is_exit {
                    // Nothing is read after `exit`.
                    saw_exit.store(true, Ordering::SeqCst);
                    return Ok(());
                }
            }
            Vetted::Empty => {}
            Vetted::Malformed(substitute) => emit(&mut output, &substitute).await?,
        }
    }
}

enum Vetted<'a> {
    /// A message the library accepts, and whether it is `exit`.
    Forward(Cow<'a, str>, bool),
    Empty,
    Malformed(Vec<u8>),
}

fn vet(body: &[u8]) -> Vetted<'_> {
    let text = match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(err) => {
            eprintln!("tactful: a message is not UTF-8 ({err}); bad bytes replaced by U+FFFD");
            String::from_utf8_lossy(body)
        }
    };
    if text.trim().is_empty() {
        return Vetted::Empty;
    }
    if let Ok(request) = serde_json::from_str::<Request>(&text) {
        let is_exit = request.method() == "exit" && request.id().is_none();
        return Vetted::Forward(text, is_exit);
    }
    if serde_json::from_str::<Response>(&text).is_ok() {
        return Vetted::Forward(text, false);
    }
    let substitute = match serde_json::from_str::<Value>(&text) {
        Err(err) => malformed(Value::Null, PARSE_ERROR, format!("not JSON: {err}")),
        Ok(value) => {
            let id = match value.get("id") {
                Some(id @ (Value::Number(_) | Value::String(_))) if id.as_f64().is_none_or(|_| id.is_i64()) => id.clone(),
                _ => Value::Null,
            };
            malformed(id, INVALID_REQUEST, format!("not a JSON-RPC 2.0 message: {}", clip(&text)))
        }
    };
    eprintln!("tactful: {}", String::from_utf8_lossy(&substitute));
    Vetted::Malformed(substitute)
}

/// The body of the request that stands for a malformed message.
fn malformed(id: Value, code: i64, message: String) -> Vec<u8> {
    let request = json!({ "jsonrpc": "2.0", "id": id, "method": MALFORMED_METHOD, "params": Malformed { code, message } });
    serde_json::to_vec(&request).unwrap_or_default()
}

/// The length a header block declares: `None` without a Content-Length line.
fn content_length(headers: &[u8]) -> Option<Result<usize, String>> {
    let headers = String::from_utf8_lossy(headers);
    let value = headers.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().to_owned())
    })?;
    Some(value.parse::<usize>().map_err(|err| format!("bad Content-Length `{}`: {err}", clip(&value))))
}

/// Answers bytes that are not a message with a parse error (whitespace is dropped quietly).
async fn report_garbage<W: AsyncWrite + Unpin>(output: &mut W, bytes: &[u8]) -> io::Result<()> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let text = String::from_utf8_lossy(bytes);
    eprintln!("tactful: skipping bytes that are not a message: {}", clip(&text));
    emit(output, &malformed(Value::Null, PARSE_ERROR, format!("not a message: {}", clip(&text)))).await
}

async fn emit<W: AsyncWrite + Unpin>(output: &mut W, body: &[u8]) -> io::Result<()> {
    output.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()).await?;
    output.write_all(body).await?;
    output.flush().await
}

/// Reads one chunk onto `buf`; false at the end of input.
async fn read_more<R: AsyncRead + Unpin>(input: &mut R, buf: &mut Vec<u8>, chunk: &mut [u8]) -> io::Result<bool> {
    let n = input.read(chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n > 0)
}

/// Drops `length` bytes of input, some of which may already be in `buf`.
async fn skip<R: AsyncRead + Unpin>(input: &mut R, buf: &mut Vec<u8>, chunk: &mut [u8], length: usize) -> io::Result<bool> {
    let mut left = length;
    let now = left.min(buf.len());
    buf.drain(..now);
    left -= now;
    while left > 0 {
        let n = input.read(chunk).await?;
        if n == 0 {
            return Ok(false);
        }
        let used = n.min(left);
        left -= used;
        buf.extend_from_slice(&chunk[used..n]);
    }
    Ok(true)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Case-insensitive `find` for an ASCII needle given in lower case.
fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn through(input: &[u8]) -> (Vec<Value>, bool) {
        let (mut tx, rx) = tokio::io::duplex(1 << 20);
        let exit = AtomicBool::new(false);
        relay(input, &mut tx, &exit).await.unwrap();
        drop(tx);
        let mut out = Vec::new();
        let mut rx = rx;
        rx.read_to_end(&mut out).await.unwrap();
        let mut messages = Vec::new();
        let mut rest = &out[..];
        while let Some(end) = find(rest, b"\r\n\r\n") {
            let length = content_length(&rest[..end]).unwrap().unwrap();
            messages.push(serde_json::from_slice(&rest[end + 4..end + 4 + length]).unwrap());
            rest = &rest[end + 4 + length..];
        }
        assert!(rest.is_empty(), "{}", String::from_utf8_lossy(rest));
        (messages, exit.load(Ordering::SeqCst))
    }

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[tokio::test]
    async fn good_messages_pass_unchanged() {
        let mut input = frame(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#);
        input.extend(b"content-length: 33\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n");
        input.extend(br#"{"jsonrpc":"2.0","method":"exit"}"#);
        let (messages, exit) = through(&input).await;
        assert_eq!(messages, vec![json!({"jsonrpc":"2.0","id":1,"method":"shutdown"}), json!({"jsonrpc":"2.0","method":"exit"})]);
        assert!(exit);
    }

    #[tokio::test]
    async fn bad_bodies_become_error_requests() {
        let mut input = frame(b"{not json");
        input.extend(frame(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#));
        input.extend(frame(b"[1,2]"));
        let (messages, _) = through(&input).await;
        let summary: Vec<(Value, Value)> = messages.iter().map(|m| (m["id"].clone(), m["params"]["code"].clone())).collect();
        assert_eq!(summary, vec![(json!(null), json!(-32700)), (json!(7), json!(-32600)), (json!(null), json!(-32600))]);
        assert!(messages.iter().all(|m| m["method"] == MALFORMED_METHOD));
    }

    #[tokio::test]
    async fn invalid_utf8_is_replaced() {
        let body = b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"text\":\"a\xff\xfeb\"}}";
        let (messages, _) = through(&frame(body)).await;
        assert_eq!(messages[0]["params"]["text"], "a\u{fffd}\u{fffd}b");
    }

    #[tokio::test]
    async fn garbage_and_bad_headers_are_skipped() {
        let good = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut input = b"garbage!!".to_vec();
        input.extend(frame(good));
        input.extend(b"Content-Length: lots\r\n\r\n");
        input.extend(b"X-Other: 1\r\n\r\n");
        input.extend(frame(good));
        let (messages, _) = through(&input).await;
        let methods: Vec<&str> = messages.iter().map(|m| m["method"].as_str().unwrap()).collect();
        assert_eq!(methods, vec![MALFORMED_METHOD, "initialized", MALFORMED_METHOD, MALFORMED_METHOD, "initialized"]);
    }

    #[tokio::test]
    async fn a_truncated_message_ends_the_input_quietly() {
        let (messages, exit) = through(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"").await;
        assert!(messages.is_empty());
        assert!(!exit);
    }

    #[tokio::test]
    async fn an_oversized_message_is_skipped() {
        let mut input = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE_BYTES + 1).into_bytes();
        input.extend(std::iter::repeat_n(b' ', MAX_MESSAGE_BYTES + 1));
        input.extend(frame(br#"{"jsonrpc":"2.0","method":"exit"}"#));
        let (messages, exit) = through(&input).await;
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0]["params"]["code"], -32600);
        assert!(exit);
    }
}
