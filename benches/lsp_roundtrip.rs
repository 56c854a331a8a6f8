//! The language server as an editor feels it: the time from sending a
//! `textDocument/didChange` to receiving the `textDocument/publishDiagnostics` for that
//! version, over stdio, with `debounceMs` 0. The drafts are 10 KB and 100 KB of real,
//! varied mail (easy-ham-1 bodies one after another, all of it checked; see
//! `scripts/fetch-ham.sh`), and every change puts a sentence the server has not seen
//! into a slot in the middle of the draft, as someone writing a new line does: no
//! version repeats an earlier text, so nothing can be answered from memory.
//!
//! Run with `cargo bench --bench lsp_roundtrip`; prints the first check after open,
//! then the median, p90, p99 and mean of the changes.
//! `TACTFUL_BIN=/path/to/tactful` measures another build of the server.

#[path = "../tests/lsp/client.rs"]
mod client;
mod common;

use std::time::{Duration, Instant};

use client::{range, Client, Encoding, Sandbox};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_tactful");

fn main() {
    // `cargo bench` passes `--bench`; a filter argument picks sizes by name.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let bin = std::env::var("TACTFUL_BIN").unwrap_or_else(|_| BIN.to_owned());
    println!("didChange -> publishDiagnostics over stdio, debounceMs 0 ({bin})");
    let Some(typed) = sentences() else { return };
    for (name, size, rounds) in [("draft_10kb", 10_000, 300), ("draft_100kb", 100_000, 100)] {
        if filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())) {
            if let Some(draft) = common::draft(size, 0) {
                run(&bin, name, &draft, &typed[..rounds]);
            }
        }
    }
}

/// Sentences to type: from the last ham bodies, which the drafts (built from the first
/// ones) do not contain, each on one line.
fn sentences() -> Option<Vec<String>> {
    let bodies = common::ham_bodies()?;
    let found: Vec<String> = bodies
        .iter()
        .rev()
        .flat_map(|body| body.split(". "))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| (30..200).contains(&s.len()))
        .map(|s| format!("{s}. "))
        .take(400)
        .collect();
    Some(found)
}

fn run(bin: &str, name: &str, text: &str, typed: &[String]) {
    let sandbox = Sandbox::new(&format!("bench-{name}"));
    let mut client = Client::start(bin, &sandbox, &[]);
    client.initialize(&sandbox.workspace, &["utf-16"], json!({ "debounceMs": 0 }));
    let uri = sandbox.uri("draft.eml");
    let opened = Instant::now();
    client.open(&uri, "mail", 0, text);
    let findings = client.diagnostics(&uri, Some(0)).len();
    let first = opened.elapsed();

    // The slot: the start of the line nearest the middle of the draft.
    let at = text[..text.len() / 2].rfind('\n').map_or(0, |i| i + 1);
    let mut current = text.to_owned();
    let mut slot = at..at;
    let warmup = 10;
    let mut times = Vec::with_capacity(typed.len());
    for (version, sentence) in (1..).zip(typed) {
        let change = json!({ "range": range(&current, slot.start, slot.end, Encoding::Utf16), "text": sentence });
        current.replace_range(slot.clone(), sentence);
        slot = at..at + sentence.len();
        let start = Instant::now();
        client.change(&uri, version, json!([change]));
        client.diagnostics(&uri, Some(version));
        if version > warmup {
            times.push(start.elapsed());
        }
        client.backlog.clear();
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let percentile = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "{name:<12} {:>7} bytes {findings:>4} findings  open {first:>9.3?}  change: median {:>9.3?}  p90 {:>9.3?}  p99 {:>9.3?}  mean {mean:>9.3?}  ({} changes)",
        text.len(),
        percentile(50),
        percentile(90),
        percentile(99),
        times.len()
    );
    assert_eq!(client.request("shutdown", json!(null))["result"], serde_json::Value::Null);
}
