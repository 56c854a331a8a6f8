//! The body of a message, line by line: what the writer wrote now (Body, with inline
//! code and links cut out) and what they did not (quoted and forwarded messages,
//! attributions, the signature, fenced code).
//!
//! One pass over the lines with a little state (inside a fence? inside the
//! signature?), plus bounded look-ahead for attributions and embedded header blocks,
//! keeps it linear in the size of the message.

use std::ops::Range;

use super::lines::{lines, Line};
use super::markers::{self, Attribution, Fence};
use super::{inline, RegionKind, Regions};

/// Classifies `text[range]` (a message body) and appends its regions to `out`.
pub(super) fn classify(text: &str, range: Range<usize>, out: &mut Regions) {
    let lines = all_lines(text, range);
    let kinds = line_kinds(text, &lines);
    // One region per run of lines of a kind, and one inline split per paragraph of new
    // text rather than per line: no inline span crosses a line break, so the spans are
    // the same, for a fraction of the calls.
    let mut first = 0;
    for run in kinds.chunk_by(|a, b| a == b) {
        let span = lines[first].start..lines[first + run.len() - 1].end;
        match run[0] {
            RegionKind::Body => inline::split(text, span, RegionKind::Body, out),
            kind => out.push(kind, span),
        }
        first += run.len();
    }
}

/// The lines of `text[range]`, in a list sized by counting the line breaks first: a
/// vector count costs far less than the copies of growing the list line by line.
fn all_lines(text: &str, range: Range<usize>) -> Vec<Line<'_>> {
    let breaks = memchr::memchr_iter(b'\n', text.as_bytes().get(range.clone()).unwrap_or_default()).count();
    let mut all = Vec::with_capacity(breaks + 1);
    all.extend(lines(text, range.start, range.end));
    all
}

/// The kind of every line, in order.
fn line_kinds(text: &str, lines: &[Line]) -> Vec<RegionKind> {
    use RegionKind::*;
    let mut kinds = vec![Body; lines.len()];
    let mut fence: Option<Fence> = None;
    let mut in_signature = false;
    for (i, line) in lines.iter().enumerate() {
        let content = line.content();
        if let Some(open) = fence {
            kinds[i] = Code;
            if open.is_closed_by(content) {
                fence = None;
            }
        } else if markers::is_quoted(content) {
            kinds[i] = Quoted;
            // A top-posted signature ends where the old thread begins.
            in_signature = false;
        } else if starts_forward(&lines[i..]) {
            kinds[i..].fill(Forwarded);
            break;
        } else if let Some(first) = attribution_start(text, lines, &kinds, i) {
            kinds[first..=i].fill(Attribution);
            in_signature = false;
            if !quote_follows(&lines[i + 1..]) {
                // "On <date>, <name> wrote:" over an old message without '>' markers
                // (clients that quote in HTML, once turned into text): the rest is
                // that old message.
                kinds[i + 1..].fill(Forwarded);
                break;
            }
        } else if markers::is_signature_delimiter(content) {
            in_signature = true;
            kinds[i] = Signature;
        } else if in_signature {
            kinds[i] = Signature;
        } else if let Some(opened) = Fence::open(content) {
            fence = Some(opened);
            kinds[i] = Code;
        }
    }
    absorb_blank_lines(lines, &mut kinds);
    kinds
}

/// True when the old message (to the end of the text) starts at `lines[0]`.
fn starts_forward(lines: &[Line]) -> bool {
    lines.first().is_some_and(|first| markers::is_forward_marker(first.content()))
        || markers::starts_header_block(lines.iter().take(markers::EMBEDDED_BLOCK_LINES + 1).map(|line| line.content()))
}

/// When `lines[i]` ends an attribution, the index of its first line: the line itself,
/// or up to two lines before it when a long "On <date>, <name> <address> wrote:" was
/// wrapped by the sender's client.
fn attribution_start(text: &str, lines: &[Line], kinds: &[RegionKind], i: usize) -> Option<usize> {
    let content = lines[i].content();
    if !ends_with_colon(content) {
        return None;
    }
    if let Some(first) = wrapped_opener(lines, kinds, i) {
        let joined = text.get(lines[first].start..lines[i].content_end)?;
        if markers::attribution(joined) == Attribution::Standalone {
            return Some(first);
        }
    }
    match markers::attribution(content) {
        Attribution::Standalone => Some(i),
        Attribution::BeforeQuote if quote_follows(&lines[i + 1..]) => Some(i),
        _ => None,
    }
}

/// True when `line` ends with ':' once trailing whitespace is dropped. Asked of every
/// line of a body: a line ending in a printable ASCII byte is settled by that byte,
/// without `trim_end` decoding a char.
fn ends_with_colon(line: &str) -> bool {
    match line.as_bytes().last() {
        Some(&last) if last.is_ascii_graphic() => last == b':',
        _ => line.trim_end().ends_with(':'),
    }
}

/// The line up to two lines before `i`, in the same paragraph of new text, that opens
/// a prefixed attribution ("On ...") which line `i` may finish.
fn wrapped_opener(lines: &[Line], kinds: &[RegionKind], i: usize) -> Option<usize> {
    if markers::opens_attribution(lines[i].content()) {
        return None;
    }
    for back in (i.saturating_sub(2)..i).rev() {
        let new_text = matches!(kinds[back], RegionKind::Body | RegionKind::Signature);
        if !new_text || lines[back].is_blank() {
            return None;
        }
        if markers::opens_attribution(lines[back].content()) {
            return Some(back);
        }
    }
    None
}

/// True when the next non-blank line is quoted.
fn quote_follows(rest: &[Line]) -> bool {
    rest.iter().find(|line| !line.is_blank()).is_some_and(|line| markers::is_quoted(line.content()))
}

/// Blank lines inside a quoted block (or between an attribution and its quote) join
/// it, so the old thread is one region instead of one per paragraph.
fn absorb_blank_lines(lines: &[Line], kinds: &mut [RegionKind]) {
    let mut i = 0;
    while i < lines.len() {
        if kinds[i] != RegionKind::Body || !lines[i].is_blank() {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < lines.len() && kinds[i] == RegionKind::Body && lines[i].is_blank() {
            i += 1;
        }
        let before = run_start.checked_sub(1).map(|b| kinds[b]);
        let after = kinds.get(i).copied();
        if let (Some(kind @ (RegionKind::Quoted | RegionKind::Attribution)), Some(RegionKind::Quoted)) = (before, after) {
            kinds[run_start..i].fill(kind);
        }
    }
}
