//! A small LSP client for tests and the benchmark: starts `tactful lsp`, speaks
//! JSON-RPC to it over stdio (Content-Length framing, or native messaging as the
//! Thunderbird add-on does), answers its requests, and keeps what it sent. Positions
//! and frames are made here independently of the server's code.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long to wait for the server. Generous: a debug build compiling the rules on a
/// loaded machine is slow.
pub const TIMEOUT: Duration = Duration::from_secs(90);

/// Servers running at once in one test binary: each compiles the rules on start, and
/// more of them than cores only makes every one of them late.
const MAX_SERVERS: usize = 2;

static RUNNING: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// A place among the [`MAX_SERVERS`], held while a server runs.
struct Slot;

impl Slot {
    fn take() -> Slot {
        let (count, freed) = &RUNNING;
        let mut running = count.lock().unwrap_or_else(|e| e.into_inner());
        while *running >= MAX_SERVERS {
            running = freed.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (count, freed) = &RUNNING;
        *count.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        freed.notify_one();
    }
}

/// An isolated place for one server: the workspace folder and a config home, both empty.
pub struct Sandbox {
    pub dir: PathBuf,
    pub workspace: PathBuf,
    pub config_home: PathBuf,
}

impl Sandbox {
    pub fn new(name: &str) -> Sandbox {
        let base = std::env::var_os("CARGO_TARGET_TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let workspace = dir.join("ws");
        let config_home = dir.join("config");
        std::fs::create_dir_all(&workspace).unwrap();
        std::fs::create_dir_all(&config_home).unwrap();
        Sandbox { dir, workspace, config_home }
    }

    pub fn uri(&self, relative: &str) -> String {
        file_uri(&self.workspace.join(relative))
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The position unit a test negotiates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Line and column (in `encoding` units) of byte `offset` in `text`.
pub fn position(text: &str, offset: usize, encoding: Encoding) -> Value {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count();
    let column = match encoding {
        Encoding::Utf8 => offset - line_start,
        Encoding::Utf16 => before[line_start..].encode_utf16().count(),
    };
    json!({ "line": line, "character": column })
}

/// Byte offset of an LSP position in `text` (lines end at `\n`; enough for tests).
pub fn offset(text: &str, position: &Value, encoding: Encoding) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let column = position["character"].as_u64().unwrap() as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let line_text = text[line_start..].split('\n').next().unwrap_or("");
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units >= column {
            return line_start + i;
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    line_start + line_text.len()
}

pub fn range(text: &str, start: usize, end: usize, encoding: Encoding) -> Value {
    json!({ "start": position(text, start, encoding), "end": position(text, end, encoding) })
}

/// `text` with LSP text edits applied.
pub fn apply_edits(text: &str, edits: &[Value], encoding: Encoding) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let start = offset(text, &e["range"]["start"], encoding);
            let end = offset(text, &e["range"]["end"], encoding);
            (start, end, e["newText"].as_str().unwrap())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

/// The edits a workspace edit makes to `uri`, and the version it is for.
pub fn edits_for(edit: &Value, uri: &str) -> (Vec<Value>, Option<i64>) {
    if let Some(changes) = edit["documentChanges"].as_array() {
        for change in changes {
            if change["textDocument"]["uri"] == uri {
                return (change["edits"].as_array().unwrap().clone(), change["textDocument"]["version"].as_i64());
            }
        }
    }
    if let Some(edits) = edit["changes"][uri].as_array() {
        return (edits.clone(), None);
    }
    (Vec::new(), None)
}

/// How messages are delimited on the pipes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length: N` headers, as editors send.
    ContentLength,
    /// A 4-byte native-endian length, as Thunderbird's native messaging sends.
    Native,
}

/// The client's side of a connection.
pub struct Client {
    _slot: Slot,
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages received and not yet consumed.
    pub backlog: VecDeque<Value>,
    /// Every request the server sent, in order.
    pub server_requests: Vec<Value>,
    /// The "tactful" section returned for workspace/configuration.
    pub settings: Value,
    pub encoding: Encoding,
    /// Whether `workspace/applyEdit` is answered `applied: true` (and done on disk).
    pub apply_edits: bool,
    framing: Framing,
    next_id: i64,
    stderr: Arc<Mutex<String>>,
}

impl Client {
    /// Starts `tactful lsp` in `sandbox` with its config home; the environment is
    /// isolated from the user's own config.
    pub fn start(bin: &str, sandbox: &Sandbox, extra_env: &[(&str, &str)]) -> Client {
        Client::launch(bin, &["lsp"], Framing::ContentLength, sandbox, extra_env)
    }

    /// Starts `bin` with `args` (which must make it a language server speaking
    /// `framing`), isolated as [`Client::start`] says.
    pub fn launch(bin: &str, args: &[&str], framing: Framing, sandbox: &Sandbox, extra_env: &[(&str, &str)]) -> Client {
        let slot = Slot::take();
        let mut command = Command::new(bin);
        command
            .args(args)
            .current_dir(&sandbox.workspace)
            .env("XDG_CONFIG_HOME", &sandbox.config_home)
            .env("HOME", &sandbox.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start tactful lsp");
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader, framing) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Client {
            _slot: slot,
            stdin: child.stdin.take(),
            child,
            incoming,
            backlog: VecDeque::new(),
            server_requests: Vec::new(),
            settings: json!({}),
            encoding: Encoding::Utf16,
            apply_edits: true,
            framing,
            next_id: 0,
            stderr,
        }
    }

    /// `initialize` then `initialized`, offering `encodings` and the usual capabilities.
    /// `init_options` is also what `workspace/configuration` answers, as editors do.
    pub fn initialize(&mut self, root: &Path, encodings: &[&str], init_options: Value) -> Value {
        self.settings = init_options.clone();
        let params = json!({
            "processId": null,
            "rootUri": file_uri(root),
            "workspaceFolders": [{ "uri": file_uri(root), "name": "ws" }],
            "initializationOptions": init_options,
            "capabilities": {
                "general": { "positionEncodings": encodings },
                "workspace": {
                    "applyEdit": true,
                    "configuration": true,
                    "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename", "delete"] },
                    "didChangeWatchedFiles": { "dynamicRegistration": true, "relativePatternSupport": true }
                },
                "textDocument": {
                    "publishDiagnostics": { "versionSupport": true },
                    "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "source"] } } },
                    "hover": { "contentFormat": ["markdown", "plaintext"] }
                }
            }
        });
        let response = self.request("initialize", params);
        let result = response["result"].clone();
        assert!(result.is_object(), "initialize failed: {response}");
        self.encoding = match result["capabilities"]["positionEncoding"].as_str() {
            Some("utf-8") => Encoding::Utf8,
            _ => Encoding::Utf16,
        };
        self.notify("initialized", json!({}));
        result
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        let mut framed = match self.framing {
            Framing::ContentLength => format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes(),
            Framing::Native => u32::try_from(body.len()).unwrap().to_ne_bytes().to_vec(),
        };
        framed.extend(body);
        self.send_raw(&framed);
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (answering the server meanwhile).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait(&format!("the response to {method}"), |m| m["id"] == id && m.get("method").is_none())
    }

    /// The next message (notification or response) that satisfies `pred`; earlier
    /// others stay in the backlog, server requests are answered on the way.
    pub fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_timeout(what, TIMEOUT, pred).unwrap_or_else(|| panic!("timed out waiting for {what}\nstderr:\n{}", self.stderr()))
    }

    pub fn wait_timeout(&mut self, what: &str, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) => {
                    if message.get("method").is_some() && message.get("id").is_some() {
                        self.answer(&message);
                        self.server_requests.push(message.clone());
                        if pred(&message) {
                            return Some(message);
                        }
                        continue;
                    }
                    if pred(&message) {
                        return Some(message);
                    }
                    self.backlog.push_back(message);
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed stdout while waiting for {what}\nstderr:\n{}", self.stderr()),
            }
        }
    }

    fn answer(&mut self, request: &Value) {
        let result = match request["method"].as_str().unwrap() {
            "workspace/configuration" => {
                let items = request["params"]["items"].as_array().map_or(0, Vec::len);
                Value::Array(vec![self.settings.clone(); items])
            }
            "workspace/applyEdit" if self.apply_edits => {
                apply_on_disk(&request["params"]["edit"], self.encoding);
                json!({ "applied": true })
            }
            "workspace/applyEdit" => json!({ "applied": false, "failureReason": "the test said no" }),
            _ => Value::Null,
        };
        self.send(&json!({ "jsonrpc": "2.0", "id": request["id"], "result": result }));
    }

    /// Opens a document and returns its URI.
    pub fn open(&mut self, uri: &str, language: &str, version: i64, text: &str) {
        self.notify("textDocument/didOpen", json!({ "textDocument": { "uri": uri, "languageId": language, "version": version, "text": text } }));
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }));
    }

    /// The next diagnostics published for `uri` at `version` (any version for `None`).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        self.diagnostics_where(uri, version, "any", |_| true)
    }

    /// The first diagnostics published for `uri` at `version` that satisfy `pred`
    /// (the server may publish again when its settings are reloaded).
    pub fn diagnostics_where(&mut self, uri: &str, version: Option<i64>, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let what = format!("diagnostics for {uri} at version {version:?} ({what})");
        let message = self.wait(&what, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
                && pred(m["params"]["diagnostics"].as_array().unwrap())
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    pub fn show_message(&mut self, contains: &str) -> Value {
        self.wait(&format!("window/showMessage with {contains:?}"), |m| {
            m["method"] == "window/showMessage" && m["params"]["message"].as_str().is_some_and(|t| t.contains(contains))
        })
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Closes stdin and waits for the process to end.
    pub fn close_stdin_and_wait(&mut self) -> ExitStatus {
        self.stdin = None;
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit\nstderr:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// The server's peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        proc_status_kib(self.child.id(), "VmHWM:")
    }

    /// Kills the server once its resident memory passes `limit_kib`: a test that finds
    /// a leak fails (the server is gone) instead of taking the machine with it.
    pub fn kill_above(&self, limit_kib: u64) {
        let pid = self.child.id();
        std::thread::spawn(move || {
            while Path::new(&format!("/proc/{pid}")).exists() {
                let resident = proc_status_kib(pid, "VmRSS:");
                if resident > limit_kib {
                    eprintln!("the server passed {limit_kib} KiB ({resident} KiB): killed");
                    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
    }
}

/// A `kB` field of `/proc/PID/status`; 0 when it cannot be read.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_default();
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Does a workspace edit to files on disk, as an editor that saves would.
fn apply_on_disk(edit: &Value, encoding: Encoding) {
    let path_of = |uri: &Value| PathBuf::from(percent_decode(uri.as_str().unwrap().strip_prefix("file://").unwrap()));
    for change in edit["documentChanges"].as_array().into_iter().flatten() {
        if change["kind"] == "create" {
            let path = path_of(&change["uri"]);
            if !path.exists() {
                std::fs::write(path, "").unwrap();
            }
        } else if change.get("textDocument").is_some() {
            let path = path_of(&change["textDocument"]["uri"]);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            std::fs::write(path, apply_edits(&text, change["edits"].as_array().unwrap(), encoding)).unwrap();
        }
    }
    for (uri, edits) in edit["changes"].as_object().into_iter().flatten() {
        let path = path_of(&Value::String(uri.clone()));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(path, apply_edits(&text, edits.as_array().unwrap(), encoding)).unwrap();
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// One framed message from the server; `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead, framing: Framing) -> Option<Value> {
    let length = match framing {
        Framing::ContentLength => read_content_length(reader)?,
        Framing::Native => {
            let mut prefix = [0u8; 4];
            reader.read_exact(&mut prefix).ok()?;
            u32::from_ne_bytes(prefix) as usize
        }
    };
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sends JSON"))
}

/// The length a Content-Length header block declares.
fn read_content_length(reader: &mut impl BufRead) -> Option<usize> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse().ok();
        }
    }
    length
}
