//! The language server as an editor feels it: the time from sending a
//! `textDocument/didChange` to receiving the `textDocument/publishDiagnostics` for that
//! version, over stdio, with `debounceMs` 0. Drafts of 10 KB and 100 KB of new text
//! (dev corpus bodies one after another, all of it checked); each change types or
//! deletes one character in the middle of the draft, as an incremental edit.
//!
//! Run with `cargo bench --bench lsp_roundtrip`; prints the median, p99 and mean.
//! `TACTFUL_BIN=/path/to/tactful` measures another build of the server.

#[path = "../tests/lsp/client.rs"]
mod client;

use std::path::Path;
use std::time::{Duration, Instant};

use client::{range, Client, Encoding, Sandbox};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_tactful");

fn main() {
    // `cargo bench` passes `--bench`; a filter argument picks sizes by name.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let bin = std::env::var("TACTFUL_BIN").unwrap_or_else(|_| BIN.to_owned());
    println!("didChange -> publishDiagnostics over stdio, debounceMs 0 ({bin})");
    for (name, size, rounds) in [("draft_10kb", 10_000, 400), ("draft_100kb", 100_000, 150)] {
        if filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())) {
            run(&bin, name, &draft(size), rounds);
        }
    }
}

/// `size` bytes of new text: corpus bodies one after another under a subject.
fn draft(size: usize) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "eml")).collect();
    files.sort();
    let bodies: Vec<String> = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            text.split_once("\n\n").map_or(text.clone(), |(_, body)| body.to_owned())
        })
        .collect();
    let mut out = String::from("Subject: notes\n\n");
    for body in bodies.iter().cycle() {
        if out.len() >= size {
            break;
        }
        out.push_str(body);
        out.push('\n');
    }
    out
}

fn run(bin: &str, name: &str, text: &str, rounds: usize) {
    let sandbox = Sandbox::new(&format!("bench-{name}"));
    let mut client = Client::start(bin, &sandbox, &[]);
    client.initialize(&sandbox.workspace, &["utf-16"], json!({ "debounceMs": 0 }));
    let uri = sandbox.uri("draft.eml");
    client.open(&uri, "mail", 0, text);
    let findings = client.diagnostics(&uri, Some(0)).len();

    // Type a character in the middle of a line, then delete it, and so on.
    let at = text[text.len() / 2..].find(' ').map_or(text.len() / 2, |i| text.len() / 2 + i);
    let typed = range(text, at, at, Encoding::Utf16);
    let mut with_x = text.to_owned();
    with_x.insert(at, 'x');
    let delete = range(&with_x, at, at + 1, Encoding::Utf16);
    let warmup = 20;
    let mut times = Vec::with_capacity(rounds);
    for version in 1..=(warmup + rounds) as i64 {
        let change = if version % 2 == 1 { json!({ "range": typed, "text": "x" }) } else { json!({ "range": delete, "text": "" }) };
        let start = Instant::now();
        client.change(&uri, version, json!([change]));
        client.diagnostics(&uri, Some(version));
        if version > warmup as i64 {
            times.push(start.elapsed());
        }
        client.backlog.clear();
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let median = times[times.len() / 2];
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    println!(
        "{name:<12} {:>7} bytes {findings:>4} findings  median {:>9.3?}  p99 {:>9.3?}  mean {:>9.3?}  ({} changes)",
        text.len(),
        median,
        p99,
        mean,
        times.len()
    );
    assert_eq!(client.request("shutdown", json!(null))["result"], serde_json::Value::Null);
}
