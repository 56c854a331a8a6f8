//! Engine throughput with the whole default pack (message model included, as a check
//! runs it), on real, varied mail and on the pathological shapes.
//!
//! - `ham_messages`: all 2,500 easy-ham-1 messages, raw, one check each: what
//!   `tactful check` does with a mailbox.
//! - `ham_draft`, `ham_thread`: drafts of 10 and 100 KB made of ham bodies nobody
//!   repeated (all of it checked), and a 100 KB reply whose history is quoted.
//! - the shapes (one huge line, a huge or folded subject, "ASAP" and "per my last
//!   email" repeated with no sentence stop, a line of capitals, megabytes of prose),
//!   each at two or three sizes: bytes/s must not fall as the input grows.
//!
//! Run with `cargo bench --bench engine [NAME]`. Everything but the capitals, ASAP and
//! "per my last email" shapes needs easy-ham-1 (`scripts/fetch-ham.sh`) and is skipped
//! with a note when it is missing.

mod common;

use std::path::Path;

use divan::counter::BytesCount;
use divan::Bencher;
use tactful::{Config, Engine, Message};

fn main() {
    divan::main();
}

fn engine() -> Engine {
    let config = Config::default();
    Engine::new(&config.load_packs().unwrap(), &config.selection()).unwrap()
}

fn run(bencher: Bencher, text: Option<String>) {
    let Some(text) = text else { return };
    let engine = engine();
    bencher.counter(BytesCount::of_str(&text)).bench(|| engine.check(&Message::parse(divan::black_box(&text))).len());
}

#[divan::bench(sample_count = 5)]
fn ham_messages(bencher: Bencher) {
    let Some(messages) = common::ham_messages() else { return };
    let engine = engine();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .bench(|| messages.iter().map(|raw| engine.check(&Message::from_bytes(divan::black_box(raw))).len()).sum::<usize>());
}

#[divan::bench(args = [10_000, 100_000])]
fn ham_draft(bencher: Bencher, size: usize) {
    run(bencher, common::draft(size, 0));
}

/// A reply of about `size` bytes: one ham body on top, earlier ones quoted below it,
/// one level deeper each, under "On <date>, <name> wrote:" lines.
#[divan::bench(args = [100_000])]
fn ham_thread(bencher: Bencher, size: usize) {
    let thread = common::ham_bodies().map(|bodies| {
        let mut out = format!("From: a@example.com\nTo: b@example.org\nSubject: Re: the plan\n\n{}\n", bodies[0]);
        for (depth, body) in bodies.iter().enumerate().skip(1) {
            if out.len() >= size {
                break;
            }
            out.push_str(&format!("\nOn Mon, 2 Mar 2026 at 09:{:02}, Someone <someone@example.com> wrote:\n", depth % 60));
            for line in body.lines() {
                out.push_str(&">".repeat(depth.min(6)));
                out.push(' ');
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    });
    run(bencher, thread);
}

#[divan::bench]
fn one_dev_message(bencher: Bencher) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/01-saas-renewal-chase.eml");
    run(bencher, std::fs::read_to_string(path).ok());
}

#[divan::bench(args = common::SINGLE_LINE, sample_count = 3)]
fn single_line(bencher: Bencher, size: usize) {
    run(bencher, common::single_line(size));
}

#[divan::bench(args = common::LONG_SUBJECT, sample_count = 3)]
fn long_subject(bencher: Bencher, size: usize) {
    run(bencher, common::long_subject(size));
}

#[divan::bench(args = common::FOLDED_HEADER, sample_count = 3)]
fn folded_header(bencher: Bencher, size: usize) {
    run(bencher, common::folded_header(size));
}

#[divan::bench(args = common::ASAP, sample_count = 3)]
fn asap_repeated(bencher: Bencher, size: usize) {
    run(bencher, Some(common::repeated("ASAP", size)));
}

#[divan::bench(args = common::CAPITALS, sample_count = 3)]
fn capitals_line(bencher: Bencher, size: usize) {
    run(bencher, Some(common::capitals(size)));
}

#[divan::bench(args = common::PER_MY_LAST_EMAIL, sample_count = 3)]
fn per_my_last_email(bencher: Bencher, size: usize) {
    run(bencher, Some(common::repeated("per my last email", size)));
}

#[divan::bench(args = common::VARIED_PROSE, sample_count = 3)]
fn varied_prose(bencher: Bencher, size: usize) {
    run(bencher, common::prose(size));
}

#[divan::bench(sample_count = 10)]
fn build_default_engine() -> Engine {
    engine()
}
