//! Engine throughput with the whole default pack, on mail built from the dev corpus:
//! a 100 KB reply thread (new text on top, quoted history below), a 100 KB draft that
//! is all new text (the worst case: everything is checked), and one ordinary message.
//! Run with `cargo bench --bench engine`.

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

/// Bodies of the dev corpus drafts, headers dropped.
fn corpus_bodies() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "eml")).collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            text.split_once("\n\n").map_or(text.clone(), |(_, body)| body.to_owned())
        })
        .collect()
}

/// A reply with `size` bytes: the first draft new, the rest quoted one level deeper
/// per earlier message, as a long thread looks.
fn thread(size: usize) -> String {
    let bodies = corpus_bodies();
    let mut out = format!("From: a@example.com\nTo: b@example.org\nSubject: Re: the plan\n\n{}\n", bodies[0]);
    for (depth, body) in bodies.iter().cycle().skip(1).enumerate().map(|(i, b)| (i + 1, b)) {
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
}

/// `size` bytes of new text: corpus bodies one after another.
fn draft(size: usize) -> String {
    let mut out = String::from("Subject: notes\n\n");
    for body in corpus_bodies().iter().cycle() {
        if out.len() >= size {
            break;
        }
        out.push_str(body);
        out.push('\n');
    }
    out
}

fn run(bencher: Bencher, text: String) {
    let engine = engine();
    bencher.counter(BytesCount::of_str(&text)).bench(|| engine.check(&Message::parse(divan::black_box(&text))).len());
}

#[divan::bench]
fn thread_100kb(bencher: Bencher) {
    run(bencher, thread(100_000));
}

#[divan::bench]
fn draft_100kb(bencher: Bencher) {
    run(bencher, draft(100_000));
}

#[divan::bench]
fn draft_10kb(bencher: Bencher) {
    run(bencher, draft(10_000));
}

#[divan::bench]
fn one_message(bencher: Bencher) {
    run(bencher, std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/01-saas-renewal-chase.eml")).unwrap());
}

#[divan::bench]
fn build_default_engine() -> Engine {
    engine()
}
