//! The bytes from the client, vetted before the protocol library reads them, and the
//! two ways messages are framed on stdio.
//!
//! tower-lsp-server stops reading for good at the first message it cannot decode
//! (a bad header, a body that is not UTF-8 or not a JSON-RPC message), which would
//! drop the connection. So stdin goes through [`relay`] first: it reads the client's
//! framing itself and forwards only messages the library accepts.
//!
//! - A body that is not UTF-8 is forwarded with the bad bytes replaced by U+FFFD, so a
//!   change with one bad byte still keeps the document in step. A `\uD83D` escape
//!   without its other half (a lone UTF-16 surrogate, which editors can hold but JSON
//!   parsers refuse) becomes `\uFFFD` likewise: one UTF-16 unit for one, so positions
//!   after it stay right.
//! - A `didChange` whose parameters the protocol types refuse (a negative position)
//!   cannot be applied; it becomes a [`CHANGE_NOT_APPLIED_METHOD`] notification naming
//!   the document, which the server then stops trusting until the client sends its
//!   whole text again.
//! - A body that is not JSON, or not a JSON-RPC message, becomes a request to
//!   [`MALFORMED_METHOD`] carrying the id it had (else `null`) and the problem; its
//!   handler answers with the JSON-RPC error (-32700 parse error, -32600 invalid
//!   request), which is the answer the specification asks for.
//! - Garbage between messages and headers without a length are skipped up to the next
//!   `Content-Length`; a declared length above [`MAX_MESSAGE_BYTES`] is skipped unread.
//!
//! [`Framing`] names the two framings: the LSP base protocol's `Content-Length`
//! headers (editors), and WebExtension native messaging's 4-byte length (Thunderbird
//! starts `tactful` as a native-messaging host). The library always reads and writes
//! `Content-Length`; with native messaging, [`relay`] turns the client's frames into
//! it and [`reframe`] turns the server's replies back.

use std::borrow::Cow;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::DidChangeTextDocumentParams;

/// The method the relay substitutes for a malformed message.
pub const MALFORMED_METHOD: &str = "tactful/malformedMessage";

/// The notification the relay substitutes for a `didChange` that cannot be applied.
pub const CHANGE_NOT_APPLIED_METHOD: &str = "tactful/changeNotApplied";

/// The largest message read; a bigger one is skipped and answered with an error.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// The largest message a native-messaging host may send: Thunderbird and Firefox close
/// the port on a bigger one.
pub const MAX_NATIVE_REPLY_BYTES: usize = 1 << 20;

/// A header block longer than this is garbage.
const MAX_HEADER_BYTES: usize = 16 << 10;

const HEADER_NAME: &[u8] = b"content-length";

/// How messages are delimited on a byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length: N` headers, a blank line, then N bytes: the LSP base protocol.
    ContentLength,
    /// A 4-byte length in native byte order, then that many bytes of UTF-8 JSON:
    /// WebExtension native messaging.
    Native,
}

/// What the relay substitutes for a malformed message: the JSON-RPC error to answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Malformed {
    pub code: i64,
    pub message: String,
}

/// What the relay substitutes for a `didChange` it could not read: the document (as
/// its URI was written) and why.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChangeNotApplied {
    pub uri: String,
    pub problem: String,
}

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const INTERNAL_ERROR: i64 = -32603;

/// Copies messages framed as `framing` from `input` to `output` (always
/// `Content-Length`, for the library), vetted as the module docs say, until `input`
/// ends, `output` is closed or an `exit` notification has been passed on (then
/// `saw_exit` is set). Problems are logged to stderr.
pub async fn relay<R, W>(input: R, framing: Framing, mut output: W, saw_exit: &AtomicBool) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut frames = FrameReader::new(input, framing);
    while let Some(frame) = frames.next().await? {
        let body = match frame {
            Frame::Body(body) => body,
            Frame::Garbage(bytes) => {
                report_garbage(&mut output, &bytes).await?;
                continue;
            }
            Frame::BadHeader(problem) => {
                emit(&mut output, &malformed(Value::Null, PARSE_ERROR, problem)).await?;
                continue;
            }
            Frame::TooLarge(length) => {
                eprintln!("tactful: skipping a message of {length} bytes (at most {MAX_MESSAGE_BYTES})");
                emit(&mut output, &malformed(Value::Null, INVALID_REQUEST, format!("message of {length} bytes is too large"))).await?;
                continue;
            }
        };
        match vet(&body) {
            Vetted::Forward(text, is_exit) => {
                // Recorded before it is passed on: the server may stop, and the exit
                // status be decided, as soon as the library has read `exit`.
                if is_exit {
                    saw_exit.store(true, Ordering::SeqCst);
                }
                emit(&mut output, text.as_bytes()).await?;
                if is_exit {
                    // Nothing is read after `exit`.
                    return Ok(());
                }
            }
            Vetted::Empty => {}
            Vetted::Malformed(substitute) => emit(&mut output, &substitute).await?,
        }
    }
    Ok(())
}

/// Copies the library's `Content-Length` messages from `input` to `output` in
/// native-messaging frames until `input` ends. A message over
/// [`MAX_NATIVE_REPLY_BYTES`] would close the client's port: a response becomes a
/// JSON-RPC error for its request, anything else is dropped (and logged).
pub async fn reframe<R, W>(input: R, mut output: W) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut frames = FrameReader::new(input, Framing::ContentLength);
    while let Some(frame) = frames.next().await? {
        let Frame::Body(body) = frame else { continue };
        if let Some(body) = fit_native_reply(&body) {
            write_frame(&mut output, Framing::Native, &body).await?;
        }
    }
    Ok(())
}

/// `body` if a native-messaging client accepts it, else its stand-in (see [`reframe`]).
fn fit_native_reply(body: &[u8]) -> Option<Cow<'_, [u8]>> {
    if body.len() <= MAX_NATIVE_REPLY_BYTES {
        return Some(Cow::Borrowed(body));
    }
    let response = serde_json::from_slice::<Value>(body).ok().filter(|m| m.get("method").is_none());
    eprintln!("tactful: a reply of {} bytes is over native messaging's limit of {MAX_NATIVE_REPLY_BYTES}", body.len());
    let id = response?.get("id").cloned()?;
    let message = format!("the reply of {} bytes is over native messaging's limit of {MAX_NATIVE_REPLY_BYTES}", body.len());
    let error = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": INTERNAL_ERROR, "message": message } });
    Some(Cow::Owned(serde_json::to_vec(&error).unwrap_or_default()))
}

/// One unit read from a framed stream.
#[derive(Debug, PartialEq)]
enum Frame {
    Body(Vec<u8>),
    /// Bytes that are no message (`Content-Length` framing only).
    Garbage(Vec<u8>),
    /// A `Content-Length` whose value is no number.
    BadHeader(String),
    /// A message over [`MAX_MESSAGE_BYTES`], skipped unread.
    TooLarge(usize),
}

/// Reads [`Frame`]s from a byte stream.
struct FrameReader<R> {
    input: R,
    framing: Framing,
    buf: Vec<u8>,
    chunk: Vec<u8>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    fn new(input: R, framing: Framing) -> Self {
        FrameReader { input, framing, buf: Vec::with_capacity(64 << 10), chunk: vec![0u8; 64 << 10] }
    }

    /// The next frame; `None` at the end of the input (a truncated message included).
    async fn next(&mut self) -> io::Result<Option<Frame>> {
        let length = match self.framing {
            Framing::ContentLength => match self.headers().await? {
                None => return Ok(None),
                Some(Ok(length)) => length,
                Some(Err(frame)) => return Ok(Some(frame)),
            },
            Framing::Native => {
                if !self.fill(4).await? {
                    return Ok(None);
                }
                let prefix: [u8; 4] = self.buf[..4].try_into().expect("four bytes");
                self.buf.drain(..4);
                usize::try_from(u32::from_ne_bytes(prefix)).unwrap_or(usize::MAX)
            }
        };
        if length > MAX_MESSAGE_BYTES {
            return Ok(self.skip(length).await?.then_some(Frame::TooLarge(length)));
        }
        if !self.fill(length).await? {
            return Ok(None);
        }
        Ok(Some(Frame::Body(self.buf.drain(..length).collect())))
    }

    /// The length declared by the next header block, or what stands in the way of one:
    /// bytes that are no header are cut off up to the next "Content-Length".
    async fn headers(&mut self) -> io::Result<Option<Result<usize, Frame>>> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let Some(length) = content_length(&self.buf[..end]) else {
                    let cut = find_ci(&self.buf[..end], HEADER_NAME).filter(|&at| at > 0).unwrap_or(end + 4);
                    return Ok(Some(Err(Frame::Garbage(self.buf.drain(..cut).collect()))));
                };
                self.buf.drain(..end + 4);
                return Ok(Some(length.map_err(Frame::BadHeader)));
            }
            if self.buf.len() > MAX_HEADER_BYTES {
                let cut = self.buf.len() - HEADER_NAME.len();
                return Ok(Some(Err(Frame::Garbage(self.buf.drain(..cut).collect()))));
            }
            if !self.read_more().await? {
                return Ok(None);
            }
        }
    }

    /// Reads until `buf` holds `length` bytes; false if the input ends first.
    async fn fill(&mut self, length: usize) -> io::Result<bool> {
        while self.buf.len() < length {
            if !self.read_more().await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Reads one chunk onto `buf`; false at the end of input.
    async fn read_more(&mut self) -> io::Result<bool> {
        let n = self.input.read(&mut self.chunk).await?;
        self.buf.extend_from_slice(&self.chunk[..n]);
        Ok(n > 0)
    }

    /// Drops `length` bytes of input, some of which may already be in `buf`; false if
    /// the input ends first.
    async fn skip(&mut self, length: usize) -> io::Result<bool> {
        let mut left = length;
        let now = left.min(self.buf.len());
        self.buf.drain(..now);
        left -= now;
        while left > 0 {
            let n = self.input.read(&mut self.chunk).await?;
            if n == 0 {
                return Ok(false);
            }
            let used = n.min(left);
            left -= used;
            self.buf.extend_from_slice(&self.chunk[used..n]);
        }
        Ok(true)
    }
}

/// Writes one message framed as `framing` and flushes it.
async fn write_frame<W: AsyncWrite + Unpin>(output: &mut W, framing: Framing, body: &[u8]) -> io::Result<()> {
    match framing {
        Framing::ContentLength => output.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()).await?,
        Framing::Native => {
            let length = u32::try_from(body.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a native message is at most 4 GiB"))?;
            output.write_all(&length.to_ne_bytes()).await?;
        }
    }
    output.write_all(body).await?;
    output.flush().await
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
    let text = match replace_lone_surrogates(&text) {
        Some(repaired) => {
            eprintln!("tactful: a message holds a lone UTF-16 surrogate escape; replaced by U+FFFD");
            Cow::Owned(repaired)
        }
        None => text,
    };
    if let Ok(request) = serde_json::from_str::<Request>(&text) {
        if let Some(substitute) = unreadable_change(&request) {
            eprintln!("tactful: {}", String::from_utf8_lossy(&substitute));
            return Vetted::Malformed(substitute);
        }
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

/// The notification that stands for a `didChange` the protocol types refuse; `None`
/// for any other message.
fn unreadable_change(request: &Request) -> Option<Vec<u8>> {
    if request.method() != "textDocument/didChange" {
        return None;
    }
    let params = request.params().cloned().unwrap_or_default();
    let err = serde_json::from_value::<DidChangeTextDocumentParams>(params.clone()).err()?;
    let uri = params.pointer("/textDocument/uri").and_then(Value::as_str).unwrap_or_default().to_owned();
    let substitute = ChangeNotApplied { uri, problem: err.to_string() };
    serde_json::to_vec(&json!({ "jsonrpc": "2.0", "method": CHANGE_NOT_APPLIED_METHOD, "params": substitute })).ok()
}

/// `text` with each `\uXXXX` escape of a lone surrogate replaced by `\uFFFD`; `None`
/// when there is none. Backslashes only occur inside JSON strings, so escapes are found
/// by scanning: `\\` is skipped as a pair, so its second backslash never starts one.
fn replace_lone_surrogates(text: &str) -> Option<String> {
    fn unit_at(bytes: &[u8], at: usize) -> Option<u16> {
        let escape = bytes.get(at..at + 6)?;
        if escape[0] != b'\\' || escape[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
    }
    let bytes = text.as_bytes();
    let mut lone = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        match unit_at(bytes, at) {
            Some(0xD800..=0xDBFF) if unit_at(bytes, at + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) => at += 12,
            Some(0xD800..=0xDFFF) => {
                lone.push(at);
                at += 6;
            }
            Some(_) => at += 6,
            None => at += 2,
        }
    }
    if lone.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for at in lone {
        out.push_str(&text[last..at]);
        out.push_str("\\ufffd");
        last = at + 6;
    }
    out.push_str(&text[last..]);
    Some(out)
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

/// Passes a message on to the library.
async fn emit<W: AsyncWrite + Unpin>(output: &mut W, body: &[u8]) -> io::Result<()> {
    write_frame(output, Framing::ContentLength, body).await
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
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::io::ReadBuf;

    use super::*;

    async fn through(input: &[u8]) -> (Vec<Value>, bool) {
        through_framed(input, Framing::ContentLength).await
    }

    async fn through_framed(input: impl AsyncRead + Unpin, framing: Framing) -> (Vec<Value>, bool) {
        let (mut tx, rx) = tokio::io::duplex(1 << 20);
        let exit = AtomicBool::new(false);
        relay(input, framing, &mut tx, &exit).await.unwrap();
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

    /// A native-messaging frame, built here without the module's code.
    fn native(body: &[u8]) -> Vec<u8> {
        let mut out = (body.len() as u32).to_ne_bytes().to_vec();
        out.extend_from_slice(body);
        out
    }

    /// Native-messaging frames back into bodies; panics on a partial frame.
    fn native_bodies(mut bytes: &[u8]) -> Vec<Value> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let length = u32::from_ne_bytes(bytes[..4].try_into().unwrap()) as usize;
            out.push(serde_json::from_slice(&bytes[4..4 + length]).unwrap());
            bytes = &bytes[4 + length..];
        }
        out
    }

    /// Input that arrives one byte per read, as a slow pipe may deliver it.
    struct Trickle<'a>(&'a [u8]);

    impl AsyncRead for Trickle<'_> {
        fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
            if let Some((first, rest)) = self.0.split_first() {
                buf.put_slice(&[*first]);
                self.0 = rest;
            }
            Poll::Ready(Ok(()))
        }
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

    /// An output that records, for each write, whether `exit` had been recorded.
    struct Observer<'a> {
        saw_exit: &'a AtomicBool,
        written: Vec<u8>,
        flag_when_exit_arrived: Option<bool>,
    }

    impl tokio::io::AsyncWrite for Observer<'_> {
        fn poll_write(mut self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>, bytes: &[u8]) -> std::task::Poll<io::Result<usize>> {
            self.written.extend_from_slice(bytes);
            if self.flag_when_exit_arrived.is_none() && find(&self.written, br#""method":"exit""#).is_some() {
                self.flag_when_exit_arrived = Some(self.saw_exit.load(Ordering::SeqCst));
            }
            std::task::Poll::Ready(Ok(bytes.len()))
        }

        fn poll_flush(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
    }

    /// The server stops as soon as it has read `exit`, and the exit status is decided
    /// then: the flag must already be set, or `exit` without `shutdown` can end with 0.
    #[tokio::test]
    async fn exit_is_recorded_before_it_is_passed_on() {
        let saw_exit = AtomicBool::new(false);
        let mut output = Observer { saw_exit: &saw_exit, written: Vec::new(), flag_when_exit_arrived: None };
        relay(&frame(br#"{"jsonrpc":"2.0","method":"exit"}"#)[..], Framing::ContentLength, &mut output, &saw_exit).await.unwrap();
        assert_eq!(output.flag_when_exit_arrived, Some(true));
    }

    #[tokio::test]
    async fn native_messages_pass_unchanged() {
        let open = json!({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"text":"Zoë 👋 東京 ASAP"}});
        let mut input = native(open.to_string().as_bytes());
        input.extend(native(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#));
        input.extend(native(b""));
        input.extend(native(br#"{"jsonrpc":"2.0","method":"exit"}"#));
        input.extend(native(br#"{"jsonrpc":"2.0","method":"not read after exit"}"#));
        let (messages, exit) = through_framed(&input[..], Framing::Native).await;
        assert_eq!(messages, vec![open, json!({"jsonrpc":"2.0","id":1,"method":"shutdown"}), json!({"jsonrpc":"2.0","method":"exit"})]);
        assert!(exit);
    }

    #[tokio::test]
    async fn messages_split_across_reads_arrive_whole() {
        let bodies = [
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#.as_slice(),
            "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"👋\"}".as_bytes(),
        ];
        let expected: Vec<Value> = bodies.iter().map(|b| serde_json::from_slice(b).unwrap()).collect();
        for (framing, encode) in [(Framing::ContentLength, frame as fn(&[u8]) -> Vec<u8>), (Framing::Native, native)] {
            let input: Vec<u8> = bodies.iter().flat_map(|b| encode(b)).collect();
            let (messages, _) = through_framed(Trickle(&input), framing).await;
            assert_eq!(messages, expected, "{framing:?}");
        }
    }

    #[tokio::test]
    async fn a_bad_native_body_becomes_an_error_request() {
        let mut input = native(b"{not json");
        input.extend(native(b"\xff\xfe"));
        let (messages, _) = through_framed(&input[..], Framing::Native).await;
        assert_eq!(messages.len(), 2);
        assert_eq!((&messages[0]["method"], &messages[0]["params"]["code"]), (&json!(MALFORMED_METHOD), &json!(-32700)));
        assert_eq!(messages[1]["params"]["code"], -32700);
    }

    #[tokio::test]
    async fn a_truncated_native_message_ends_the_input_quietly() {
        for input in [&[7u8, 0][..], &native(br#"{"jsonrpc":"2.0","method":"exit"}"#)[..20]] {
            let (messages, exit) = through_framed(input, Framing::Native).await;
            assert!(messages.is_empty());
            assert!(!exit);
        }
    }

    #[tokio::test]
    async fn replies_are_reframed_for_native_messaging() {
        let reply = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"Zoë 👋\"}";
        let notification = r#"{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":"hi"}}"#;
        let mut input = frame(reply.as_bytes());
        input.extend(frame(notification.as_bytes()));
        let mut out = Vec::new();
        reframe(&input[..], &mut out).await.unwrap();
        assert_eq!(native_bodies(&out), vec![serde_json::from_str::<Value>(reply).unwrap(), serde_json::from_str(notification).unwrap()]);
        assert_eq!(&out[..4], &(reply.len() as u32).to_ne_bytes());
    }

    #[tokio::test]
    async fn a_reply_over_the_native_limit_becomes_an_error() {
        let big = "x".repeat(MAX_NATIVE_REPLY_BYTES);
        let mut input = frame(json!({"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":big}}).to_string().as_bytes());
        input.extend(frame(json!({"jsonrpc":"2.0","id":"a","result":big}).to_string().as_bytes()));
        input.extend(frame(br#"{"jsonrpc":"2.0","id":2,"result":null}"#));
        let mut out = Vec::new();
        reframe(&input[..], &mut out).await.unwrap();
        let replies = native_bodies(&out);
        assert_eq!(replies.len(), 2, "the notification is dropped");
        assert_eq!((&replies[0]["id"], &replies[0]["error"]["code"]), (&json!("a"), &json!(-32603)));
        assert_eq!(replies[1], json!({"jsonrpc":"2.0","id":2,"result":null}));
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
    async fn lone_surrogates_become_replacement_characters() {
        let body = br#"{"jsonrpc":"2.0","method":"x","params":{"text":"\ud83dX \ud83d\udc4b \\ud83d \udc4b"}}"#;
        let (messages, _) = through(&frame(body)).await;
        assert_eq!(messages[0]["params"]["text"], "\u{fffd}X 👋 \\ud83d \u{fffd}");
    }

    #[tokio::test]
    async fn a_change_with_a_negative_position_becomes_a_notice() {
        let body = br#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///d.eml","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":-1},"end":{"line":0,"character":0}},"text":"x"}]}}"#;
        let (messages, _) = through(&frame(body)).await;
        assert_eq!(messages[0]["method"], CHANGE_NOT_APPLIED_METHOD);
        assert_eq!(messages[0]["params"]["uri"], "file:///d.eml");
        assert!(messages[0]["params"]["problem"].as_str().unwrap().contains("-1"), "{}", messages[0]);
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
