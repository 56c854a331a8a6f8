//! Spans inside checked lines that are not prose: inline `code` and links (URLs and
//! e-mail addresses).
//!
//! The scan is a single pass over the bytes. Every boundary it reports sits on an
//! ASCII byte (a backtick, a bracket, the first byte of a scheme or address, or the
//! byte after the last ASCII byte of one), so the ranges are always char boundaries.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Range;

use super::{RegionKind, Regions};

/// The bytes `split` stops at: a backtick and the anchors of links.
const STARTS_SPAN: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 5 {
        table[b"`<:.@"[i] as usize] = true;
        i += 1;
    }
    table
};

/// Splits `text[range]` into `kind` (Body or Subject) with the inline code spans and
/// links cut out as their own regions. No span crosses a line break (links end at
/// whitespace, code spans close on their own line), so a range of several lines is
/// split as its lines would be one by one.
///
/// Links are found from the few bytes every one of them contains (`:` of a scheme,
/// `.` after `www`, `@` of an address, `<`), so ordinary prose is skipped to the next
/// of those bytes (or a backtick) in one tight loop.
pub(super) fn split(text: &str, range: Range<usize>, kind: RegionKind, out: &mut Regions) {
    let bytes = text.as_bytes();
    let end = range.end.min(bytes.len());
    let mut pos = range.start;
    let mut prose_start = range.start;
    // Made at the first backtick: most lines have none, and even an empty map costs
    // its drop.
    let mut runs: Option<BacktickRuns> = None;
    while pos < end {
        let found = match bytes[pos] {
            b'`' => match code_span(bytes, pos, end, runs.get_or_insert_with(BacktickRuns::default)) {
                Ok(span_end) => Some((pos, span_end, RegionKind::Code)),
                Err(run_end) => {
                    // An unmatched run of backticks is literal text; skip all of it so
                    // a shorter run inside it is not taken as an opener.
                    pos = run_end;
                    continue;
                }
            },
            b'<' => angle_link(bytes, pos, end).map(|e| (pos, e, RegionKind::Link)),
            b':' | b'.' | b'@' => link_around(bytes, prose_start, range.start, pos, end).map(|(s, e)| (s, e, RegionKind::Link)),
            _ => {
                pos = next_span_byte(bytes, pos, end);
                continue;
            }
        };
        match found {
            Some((span_start, span_end, span_kind)) => {
                out.push(kind, prose_start..span_start);
                out.push(span_kind, span_start..span_end);
                pos = span_end;
                prose_start = span_end;
            }
            None => pos += 1,
        }
    }
    out.push(kind, prose_start..end);
}

/// How many bytes [`next_span_byte`] tests at once.
const BLOCK: usize = 32;

/// The position of the first byte of `STARTS_SPAN` in `bytes[from..end]`, or `end`.
fn next_span_byte(bytes: &[u8], from: usize, end: usize) -> usize {
    let mut pos = from;
    // Prose runs for dozens of bytes between two of those bytes: whole blocks without
    // one are passed by a few vector compares each, and only the block holding one
    // (and the short tail) is searched byte by byte.
    while let Some(block) = bytes[pos..end].first_chunk::<BLOCK>() {
        if holds_span_byte(block) {
            break;
        }
        pos += BLOCK;
    }
    bytes[pos..end].iter().position(|&b| STARTS_SPAN[usize::from(b)]).map_or(end, |at| pos + at)
}

/// True when `block` holds a byte of `STARTS_SPAN`. Compares written out and folded
/// without an early exit over a fixed-size block, which the compiler turns into
/// vector compares of the whole block (a table lookup per byte it cannot).
fn holds_span_byte(block: &[u8; BLOCK]) -> bool {
    let hit = |b: u8| u8::from(b == b'`') | u8::from(b == b'<') | u8::from(b == b':') | u8::from(b == b'.') | u8::from(b == b'@');
    block.iter().fold(0, |found, &b| found | hit(b)) != 0
}

/// The link whose scheme colon, `www.` dot or address `@` is at `anchor`, as a range
/// starting no earlier than `floor` (the end of the previous span).
fn link_around(bytes: &[u8], floor: usize, range_start: usize, anchor: usize, end: usize) -> Option<(usize, usize)> {
    let start = match bytes[anchor] {
        // "https:", "mailto:": the scheme is at most six letters.
        b':' => back_over(bytes, floor, anchor, 6, |b| b.is_ascii_alphabetic()),
        // Only "www." has its anchor there; most dots end sentences, and are ruled out
        // here rather than by `url` comparing every prefix.
        b'.' => anchor.checked_sub(3).filter(|&s| s >= floor && bytes[s..anchor].eq_ignore_ascii_case(b"www"))?,
        _ => back_over(bytes, floor, anchor, usize::MAX, is_local_byte),
    };
    if start == anchor || !starts_word(bytes, start, range_start) {
        return None;
    }
    let link_end = match bytes[anchor] {
        b'@' => email(bytes, start, end),
        _ => url(bytes, start, end),
    }?;
    Some((start, link_end))
}

/// The start of the run of bytes matching `accept` that ends at `anchor`, scanning at
/// most `limit` bytes back and not past `floor`.
fn back_over(bytes: &[u8], floor: usize, anchor: usize, limit: usize, accept: impl Fn(u8) -> bool) -> usize {
    let mut start = anchor;
    while start > floor && anchor - start < limit && accept(bytes[start - 1]) {
        start -= 1;
    }
    start
}

/// An inline code span opening at `start`: `Ok(end)` after the closing run of exactly
/// as many backticks on the same line, or `Err(end of the opening run)`.
fn code_span(bytes: &[u8], start: usize, end: usize, runs: &mut BacktickRuns) -> Result<usize, usize> {
    let run = backtick_run(bytes, start, end);
    match runs.next_of_length(bytes, start, run, end) {
        Some(closing) => Ok(closing + run),
        None => Err(start + run),
    }
}

/// The backtick runs of the line being split, by length, in text order. An opening
/// run finds its closing run (the next run of the same length) without scanning the
/// line again, so a line of many runs of different lengths costs one pass, not one
/// pass per length.
#[derive(Debug, Default)]
struct BacktickRuns {
    /// The end of the indexed line (its `'\n'`, or the end of the range).
    line_end: usize,
    /// For each run length, the starts of the runs not yet passed.
    starts: BTreeMap<usize, VecDeque<usize>>,
}

impl BacktickRuns {
    /// The start of the next run of `len` backticks after the run at `start`, on the
    /// same line.
    fn next_of_length(&mut self, bytes: &[u8], start: usize, len: usize, end: usize) -> Option<usize> {
        if start >= self.line_end {
            self.index_line(bytes, start, end);
        }
        let starts = self.starts.get_mut(&len)?;
        while starts.front().is_some_and(|&passed| passed <= start) {
            starts.pop_front();
        }
        starts.front().copied()
    }

    /// Indexes the runs from `from` (the start of a run) to the end of its line.
    fn index_line(&mut self, bytes: &[u8], from: usize, end: usize) {
        self.starts.clear();
        self.line_end = memchr::memchr(b'\n', &bytes[from..end]).map_or(end, |at| from + at);
        let mut pos = from;
        while let Some(at) = memchr::memchr(b'`', &bytes[pos..self.line_end]) {
            let start = pos + at;
            let len = backtick_run(bytes, start, self.line_end);
            self.starts.entry(len).or_default().push_back(start);
            pos = start + len;
        }
    }
}

fn backtick_run(bytes: &[u8], start: usize, end: usize) -> usize {
    bytes[start..end].iter().take_while(|&&b| b == b'`').count()
}

/// True when `pos` starts a word, so "www." inside "awww." or an address inside a
/// longer token is not taken.
fn starts_word(bytes: &[u8], pos: usize, range_start: usize) -> bool {
    pos == range_start || !is_local_byte(bytes[pos - 1]) && !matches!(bytes[pos - 1], b'@' | b'/')
}

/// `<https://…>`, `<www.…>` or `<jane@example.com>`: the whole bracketed form is the
/// link.
fn angle_link(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let inner = start + 1;
    let close = inner + bytes[inner..end].iter().position(|&b| b == b'>' || b.is_ascii_whitespace() || b == b'<')?;
    if bytes[close] != b'>' || close == inner {
        return None;
    }
    let is_link = url(bytes, inner, close).is_some_and(|e| e == close) || email(bytes, inner, close).is_some_and(|e| e == close);
    is_link.then_some(close + 1)
}

/// A URL starting at `start`: a scheme (`http://`, `https://`, `ftp://`, `mailto:`) or
/// `www.`, up to whitespace or a delimiter, without trailing punctuation.
fn url(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    const PREFIXES: &[&[u8]] = &[b"https://", b"http://", b"ftp://", b"mailto:", b"www."];
    let rest = &bytes[start..end];
    let prefix = PREFIXES.iter().find(|prefix| rest.len() > prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix))?;
    let body_start = start + prefix.len();
    if !bytes[body_start].is_ascii_alphanumeric() {
        return None;
    }
    let mut url_end =
        body_start + bytes[body_start..end].iter().take_while(|&&b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b'`')).count();
    url_end = trim_trailing_punctuation(bytes, start, url_end);
    (url_end > body_start).then_some(url_end)
}

/// Drops sentence punctuation after a URL ("see https://x.com/a." or "(https://x.com)"),
/// keeping closing brackets that the URL itself opened ("/wiki/Foo_(bar)").
fn trim_trailing_punctuation(bytes: &[u8], start: usize, mut end: usize) -> usize {
    const BRACKETS: [(u8, u8); 3] = [(b'(', b')'), (b'[', b']'), (b'{', b'}')];
    // For each kind of bracket, how many more closing than opening ones the URL holds;
    // counted when a closing one is first met at the end (most URLs end in none, and
    // are not counted at all), then kept up to date as characters are dropped, so a
    // URL followed by a long run of brackets is trimmed in one pass. Only other bytes
    // are dropped before the count, so it is the count of the untrimmed URL's too.
    let mut unbalanced: [Option<isize>; 3] = [None; 3];
    while end > start {
        let last = bytes[end - 1];
        let trailing = match BRACKETS.iter().position(|&(_, close)| close == last) {
            Some(kind) => {
                let (open, close) = BRACKETS[kind];
                let count =
                    unbalanced[kind].get_or_insert_with(|| bytes[start..end].iter().map(|&b| isize::from(b == close) - isize::from(b == open)).sum());
                *count -= 1;
                *count >= 0
            }
            None => matches!(last, b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' | b'_'),
        };
        if !trailing {
            break;
        }
        end -= 1;
    }
    end
}

/// Bytes of an address's local part (and of words in general).
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// An e-mail address starting at `start`: `local@domain.tld`, the domain ending in a
/// label of two or more letters.
fn email(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let local_len = bytes[start..end].iter().take_while(|&&b| is_local_byte(b)).count();
    let at = start + local_len;
    if local_len == 0 || bytes[start] == b'.' || bytes.get(at) != Some(&b'@') || at >= end {
        return None;
    }
    let domain_start = at + 1;
    let domain_len = bytes[domain_start..end].iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-').count();
    let mut domain_end = domain_start + domain_len;
    while domain_end > domain_start && matches!(bytes[domain_end - 1], b'.' | b'-') {
        domain_end -= 1;
    }
    let domain = &bytes[domain_start..domain_end];
    let tld = domain.rsplit(|&b| b == b'.').next()?;
    let valid = domain.contains(&b'.') && !domain.starts_with(b".") && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic);
    valid.then_some(domain_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spans `split` cuts out of `text`, with their kinds.
    fn spans(text: &str) -> Vec<(RegionKind, &str)> {
        let mut out = Regions::default();
        split(text, 0..text.len(), RegionKind::Body, &mut out);
        out.into_vec().into_iter().filter(|r| r.kind != RegionKind::Body).map(|r| (r.kind, &text[r.range])).collect()
    }

    use RegionKind::{Code, Link};

    #[test]
    fn urls_lose_trailing_punctuation_but_keep_their_own_brackets() {
        assert_eq!(spans("See https://x.com/a."), [(Link, "https://x.com/a")]);
        assert_eq!(spans("(see www.x.com)"), [(Link, "www.x.com")]);
        assert_eq!(spans("at https://en.wikipedia.org/wiki/Foo_(bar), ok"), [(Link, "https://en.wikipedia.org/wiki/Foo_(bar)")]);
        assert_eq!(spans("[docs](https://d.io/x)"), [(Link, "https://d.io/x")]);
        assert_eq!(spans("mailto:a@b.co!"), [(Link, "mailto:a@b.co")]);
        assert_eq!(spans("http:// nothing, awww.x.com"), []);
    }

    #[test]
    fn addresses_and_bracketed_links() {
        assert_eq!(spans("Mail ama@example.com."), [(Link, "ama@example.com")]);
        assert_eq!(spans("Jo <jo.x+1@mail.example.org>"), [(Link, "<jo.x+1@mail.example.org>")]);
        assert_eq!(spans("<https://x.io/a?b=c>"), [(Link, "<https://x.io/a?b=c>")]);
        assert_eq!(spans("ping @team, a@b, x@y.z1, 3 < 4 > 2"), []);
    }

    #[test]
    fn spans_are_found_at_any_distance_into_the_prose() {
        for at in 0..3 * BLOCK {
            let text = format!("{} www.x.com `y`", "z".repeat(at));
            assert_eq!(spans(&text), [(Link, "www.x.com"), (Code, "`y`")], "{at}");
        }
    }

    #[test]
    fn a_range_of_lines_splits_as_its_lines_one_by_one() {
        let text = "see www.x.com\r\nand `a\nb` or <a@b.co\n> x@y.zz.\nhttp:\n//x.io www\n.x.com a@\nb.co\n``x`` `y\nhttps://";
        let mut whole = Regions::default();
        split(text, 0..text.len(), RegionKind::Body, &mut whole);
        let mut by_line = Regions::default();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            split(text, start..start + line.len(), RegionKind::Body, &mut by_line);
            start += line.len();
        }
        assert_eq!(whole.into_vec(), by_line.into_vec());
    }

    #[test]
    fn inline_code_needs_a_matching_run_on_the_same_line() {
        assert_eq!(spans("Set `FAIL_FAST=true` now"), [(Code, "`FAIL_FAST=true`")]);
        assert_eq!(spans("``a ` b`` c"), [(Code, "``a ` b``")]);
        assert_eq!(spans("`https://x.com`"), [(Code, "`https://x.com`")]);
        assert_eq!(spans("a ` b\nc ` d"), []);
        assert_eq!(spans("``` not closed `"), []);
    }
}
