//! The message model alone (`Message::from_bytes` and the masked text every rule reads),
//! on real mail and on the pathological shapes, each at two or three sizes: the
//! throughput (bytes/s) must not fall as the input grows.
//! Run with `cargo bench --bench message`; real mail needs `scripts/fetch-ham.sh`.

mod common;

use divan::counter::BytesCount;
use divan::Bencher;
use tactful::Message;

fn main() {
    divan::main();
}

fn parse(bencher: Bencher, input: Option<String>) {
    let Some(input) = input else { return };
    bencher.counter(BytesCount::of_str(&input)).bench(|| {
        let message = Message::parse(divan::black_box(&input));
        message.masked().len() + message.regions().len()
    });
}

/// All 2,500 easy-ham-1 messages, raw (headers, MIME, quoted threads), one by one.
#[divan::bench(sample_count = 10)]
fn ham_messages(bencher: Bencher) {
    let Some(messages) = common::ham_messages() else { return };
    let bytes: usize = messages.iter().map(Vec::len).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .bench(|| messages.iter().map(|raw| Message::from_bytes(divan::black_box(raw)).masked().len()).sum::<usize>());
}

#[divan::bench(args = common::SINGLE_LINE, sample_count = 10)]
fn single_line(bencher: Bencher, size: usize) {
    parse(bencher, common::single_line(size));
}

#[divan::bench(args = common::LONG_SUBJECT, sample_count = 10)]
fn long_subject(bencher: Bencher, size: usize) {
    parse(bencher, common::long_subject(size));
}

#[divan::bench(args = common::FOLDED_HEADER, sample_count = 10)]
fn folded_header(bencher: Bencher, size: usize) {
    parse(bencher, common::folded_header(size));
}

#[divan::bench(args = common::ASAP, sample_count = 10)]
fn asap_repeated(bencher: Bencher, size: usize) {
    parse(bencher, Some(common::repeated("ASAP", size)));
}

#[divan::bench(args = common::CAPITALS, sample_count = 10)]
fn capitals_line(bencher: Bencher, size: usize) {
    parse(bencher, Some(common::capitals(size)));
}

#[divan::bench(args = common::PER_MY_LAST_EMAIL, sample_count = 10)]
fn per_my_last_email(bencher: Bencher, size: usize) {
    parse(bencher, Some(common::repeated("per my last email", size)));
}

#[divan::bench(args = common::VARIED_PROSE, sample_count = 10)]
fn varied_prose(bencher: Bencher, size: usize) {
    parse(bencher, common::prose(size));
}
