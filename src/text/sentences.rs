//! Sentences, paragraphs and words of the masked message text.
//!
//! Everything works on `Message::masked()`: unchecked parts are spaces, so a quoted
//! block reads as blank lines and splits paragraphs, and offsets stay those of the text.

use std::ops::Range;

use crate::bytes::{bytes_equal_to_any, eight_bytes, every_byte, first_flagged};

use super::{is_word_byte, is_word_char};

/// Abbreviations whose full stop does not end a sentence (lower case, without the dot).
const ABBREVIATIONS: &[&str] = &["mr", "mrs", "ms", "dr", "prof", "st", "vs", "approx", "no", "jr", "sr", "cf", "incl", "dept", "est"];

/// The longest a sentence is taken to be. Prose never comes near it; a pasted log or a
/// word repeated for pages is read in pieces of at most this size (cut at a space where
/// there is one), so what a check costs follows what it checks, and a check that stops
/// early ([`crate::engine::MAX_FINDINGS`]) leaves the rest unread.
pub const MAX_SENTENCE_BYTES: usize = 8 << 10;

/// Sentence ranges in order, trimmed of surrounding whitespace.
///
/// A sentence ends at `.`, `!`, `?` or `…` followed by whitespace, at a blank line, and
/// before a line that starts a list item; a single line break does not end one,
/// since mail is hard-wrapped. None is longer than [`MAX_SENTENCE_BYTES`].
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let Some(begin) = start else {
            i = past_blank(bytes, i);
            if i < bytes.len() {
                start = Some(i);
            }
            i += 1;
            continue;
        };
        let terminator = match bytes[i] {
            b'.' | b'!' | b'?' => 1,
            ELLIPSIS_LEAD if bytes[i..].starts_with("…".as_bytes()) => '…'.len_utf8(),
            b'\n' => {
                if line_ends_paragraph_or_list(text, i + 1) {
                    out.push(trimmed(text, begin, i));
                    start = None;
                }
                i += 1;
                continue;
            }
            _ => {
                // Most bytes of a sentence end nothing: skipped in one run.
                i = next_stop(bytes, i + 1);
                continue;
            }
        };
        let end = closing_run_end(text, i + terminator);
        let at_break = end == bytes.len() || bytes[end].is_ascii_whitespace();
        if at_break && !(bytes[i] == b'.' && (is_abbreviation(text, i) || is_list_number(text, begin, i))) {
            out.push(begin..end);
            start = None;
        }
        i = end;
    }
    if let Some(begin) = start {
        out.push(trimmed(text, begin, bytes.len()));
    }
    out.retain(|r| !r.is_empty());
    if out.iter().any(|r| r.len() > MAX_SENTENCE_BYTES) {
        out = out.into_iter().flat_map(|r| pieces(text, r)).collect();
    }
    out
}

/// The first byte from `at` on that is not ASCII whitespace.
fn past_blank(bytes: &[u8], at: usize) -> usize {
    // Most often there is no blank (a line that starts with a word), or one space (the
    // blank between two words): a comparison or two, no call.
    let blank_at = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_whitespace);
    match (blank_at(at), blank_at(at + 1)) {
        (false, _) => at,
        (true, false) => at + 1,
        (true, true) => past_blank_run(bytes, at),
    }
}

/// As [`past_blank`], for a run of any length. The unchecked parts of a masked message
/// (quotes, headers, signatures) are long runs of spaces and line breaks.
#[inline(never)]
fn past_blank_run(bytes: &[u8], mut at: usize) -> usize {
    loop {
        // 32 bytes of spaces and line breaks at a time, tested without an early exit,
        // which the compiler turns into a few vector instructions; then 8 at a time,
        // also past a carriage return.
        if let Some(block) = bytes.get(at..at + 32) {
            let block: &[u8; 32] = block.try_into().expect("32 bytes");
            let written = block.iter().fold(0u8, |any, &b| any | u8::from(b != b' ' && b != b'\n'));
            if written == 0 {
                at += 32;
                continue;
            }
        }
        let Some(chunk) = eight_bytes(bytes, at) else { break };
        if bytes_equal_to_any(chunk, [b' ', b'\n', b'\r']) != every_byte(0x80) {
            break;
        }
        at += 8;
    }
    at + bytes[at..].iter().take_while(|b| b.is_ascii_whitespace()).count()
}

/// The first byte from `at` on that may end a sentence or a line: `.` `!` `?`, a line
/// break or the first byte of "…" (the end of `bytes` if none does).
fn next_stop(bytes: &[u8], mut at: usize) -> usize {
    // A sentence runs for tens of bytes between two: looked for eight at a time.
    while let Some(chunk) = eight_bytes(bytes, at) {
        let stops = bytes_equal_to_any(chunk, [b'.', b'!', b'?', b'\n', ELLIPSIS_LEAD]);
        if stops != 0 {
            // The first of them in the text is the lowest of the little-endian word.
            return at + first_flagged(stops);
        }
        at += 8;
    }
    at + bytes[at..].iter().position(|&b| matches!(b, b'.' | b'!' | b'?' | b'\n' | ELLIPSIS_LEAD)).unwrap_or(bytes.len() - at)
}

/// The first byte of "…" in UTF-8.
const ELLIPSIS_LEAD: u8 = 0xE2;

/// `range` in pieces of at most [`MAX_SENTENCE_BYTES`], each cut at the last whitespace
/// of its second half when there is one (else at a character boundary), trimmed.
fn pieces(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = range.start;
    while range.end - start > MAX_SENTENCE_BYTES {
        let mut cut = start + MAX_SENTENCE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let half = start + MAX_SENTENCE_BYTES / 2;
        if let Some(space) = text.as_bytes()[half..cut].iter().rposition(u8::is_ascii_whitespace) {
            cut = half + space;
        }
        out.push(trimmed(text, start, cut));
        start = cut + text[cut..range.end].len() - text[cut..range.end].trim_start().len();
    }
    if start < range.end {
        out.push(start..range.end);
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Paragraph ranges: runs of lines separated by blank (whitespace-only) lines. The
/// engine finds the same paragraphs from a message's sentences, which it has already
/// read; this is the definition its tests hold it to.
#[cfg(test)]
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    while offset < bytes.len() {
        if start.is_none() {
            // Between paragraphs, the blank lines before the next text in one run.
            let first = past_blank(bytes, offset);
            if first == bytes.len() {
                break;
            }
            offset = memchr::memrchr(b'\n', &bytes[offset..first]).map_or(offset, |at| offset + at + 1);
        }
        let end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |at| offset + at + 1);
        let line = &text[offset..end];
        let blank = is_blank(line);
        match (blank, start) {
            (false, None) => start = Some(offset),
            (true, Some(begin)) => {
                out.push(trimmed(text, begin, offset));
                start = None;
            }
            _ => {}
        }
        offset = end;
    }
    if let Some(begin) = start {
        out.push(trimmed(text, begin, text.len()));
    }
    out
}

/// Whether `line` is whitespace only; most lines of a masked message are spaces, or
/// start with a letter.
#[cfg(test)]
fn is_blank(line: &str) -> bool {
    let bytes = line.as_bytes();
    match bytes[past_blank(bytes, 0)..].first() {
        None => true,
        Some(b) if b.is_ascii() => false,
        Some(_) => line.trim().is_empty(),
    }
}

/// Words (letters and digits, with inner apostrophes: "don't", "I’m") and their starts.
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let word = word_after(text, at)?;
        at = word.end;
        Some((word.start, &text[word]))
    })
}

/// The first of [`words`] from `at` on. Inlined in the loops that read a message's
/// words, which keep where they are in a register, not in an iterator's state.
#[inline]
pub(super) fn word_after(text: &str, mut at: usize) -> Option<Range<usize>> {
    // Byte by byte where the text is ASCII (most of it): a measure counts the words of
    // a whole message.
    let bytes = text.as_bytes();
    let char_at = move |at: usize| text.get(at..).and_then(|rest| rest.chars().next());
    let word_char_at = move |at: usize| match bytes.get(at) {
        Some(&b) if b.is_ascii() => is_word_byte(b),
        Some(_) => char_at(at).is_some_and(is_word_char),
        None => false,
    };
    // Spaces and marks between words; a run of spaces and line breaks is skipped in
    // blocks.
    loop {
        let byte = *bytes.get(at)?;
        if is_word_byte(byte) {
            break;
        }
        if byte.is_ascii_whitespace() {
            // Most often one space between two words: stepped over here, with no call
            // to look for a run.
            at += 1;
            if bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                at = past_blank_run(bytes, at);
            }
        } else if byte.is_ascii() {
            at += 1;
        } else {
            let c = char_at(at)?;
            if is_word_char(c) {
                break;
            }
            at += c.len_utf8();
        }
    }
    let start = at;
    loop {
        // A run of ASCII letters and digits in one tight scan, then what stopped it.
        at += bytes[at..].iter().position(|&b| !is_word_byte(b)).unwrap_or(bytes.len() - at);
        match bytes.get(at) {
            Some(b'\'') if word_char_at(at + 1) => at += 1,
            Some(byte) if !byte.is_ascii() => {
                let Some(c) = char_at(at) else { break };
                let inner_apostrophe = c == '’' && word_char_at(at + c.len_utf8());
                if !(is_word_char(c) || inner_apostrophe) {
                    break;
                }
                at += c.len_utf8();
            }
            _ => break,
        }
    }
    Some(start..at)
}

/// Closing quotes and brackets that belong to the sentence before them.
fn closing_run_end(text: &str, mut at: usize) -> usize {
    while let Some(c) = text[at..].chars().next() {
        if matches!(c, '.' | '!' | '?' | '…' | '"' | '\'' | ')' | ']' | '”' | '’' | '»') {
            at += c.len_utf8();
        } else {
            break;
        }
    }
    at
}

/// Whether the line starting at `next_line` is blank or starts a list item, so that a
/// sentence ends before it.
fn line_ends_paragraph_or_list(text: &str, next_line: usize) -> bool {
    // Most lines start with a letter (after some indent): told by their first bytes,
    // without reading the line to its end.
    let bytes = &text.as_bytes()[next_line..];
    let indent = bytes.iter().position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | 0x0B | 0x0C)).unwrap_or(bytes.len());
    match bytes.get(indent) {
        None | Some(b'\n') => true,
        Some(b) if b.is_ascii_alphabetic() => false,
        _ => is_blank_or_list_item(text[next_line..].split('\n').next().unwrap_or("")),
    }
}

/// Whether `line` is whitespace only or starts with a list marker: "- ", "* ", "• ",
/// "– ", "1. ", "12) ".
fn is_blank_or_list_item(line: &str) -> bool {
    let content = line.trim_start();
    if content.trim_end().is_empty() {
        return true;
    }
    let mut chars = content.chars();
    match chars.next() {
        Some('-' | '*' | '•' | '–') => chars.next().is_some_and(char::is_whitespace),
        Some(c) if c.is_ascii_digit() => {
            let after_digits = content.trim_start_matches(|c: char| c.is_ascii_digit());
            (after_digits.starts_with(". ") || after_digits.starts_with(") ")) && content.len() - after_digits.len() <= 3
        }
        _ => false,
    }
}

fn is_abbreviation(text: &str, dot: usize) -> bool {
    let before = &text[..dot];
    let word_start = before.rfind(|c: char| !c.is_alphabetic()).map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    let word = &before[word_start..];
    if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
        // Initials and the inner dots of "e.g." / "i.e.".
        return true;
    }
    ABBREVIATIONS.iter().any(|abbr| abbr.eq_ignore_ascii_case(word))
}

/// "1." at the start of a numbered line is a list marker, not a sentence.
fn is_list_number(text: &str, begin: usize, dot: usize) -> bool {
    dot > begin && dot - begin <= 3 && text[begin..dot].bytes().all(|b| b.is_ascii_digit())
}

fn trimmed(text: &str, start: usize, end: usize) -> Range<usize> {
    let slice = &text[start..end];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    (start + lead)..(end - trail).max(start + lead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Seeded;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn sentences_end_at_punctuation_and_blank_lines_not_at_wrapped_lines() {
        let text = "Hi Ingrid,\n\nI need the form by\nThursday. Can you do it?! Thanks.\n   \n- first item\n- second item\n";
        assert_eq!(split(text), ["Hi Ingrid,", "I need the form by\nThursday.", "Can you do it?!", "Thanks.", "- first item", "- second item"]);
    }

    #[test]
    fn abbreviations_initials_and_numbers_do_not_end_sentences() {
        let text = "Mr. Smith sent e.g. the slides to J. Doe at 3.5 pm. Next.\n1. Call him.";
        assert_eq!(split(text), ["Mr. Smith sent e.g. the slides to J. Doe at 3.5 pm.", "Next.", "1. Call him."]);
    }

    #[test]
    fn a_sentence_without_end_is_read_in_pieces_cut_at_spaces() {
        let text = format!("Hi. {}and é{}", "ASAP ".repeat(5_000), "é".repeat(MAX_SENTENCE_BYTES));
        let found = sentences(&text);
        assert_eq!(found[0], 0..3);
        assert!(found.iter().all(|r| r.len() <= MAX_SENTENCE_BYTES && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)));
        assert!(found.windows(2).all(|pair| pair[0].end <= pair[1].start));
        let unspaced = |t: &str| t.split_whitespace().collect::<String>();
        assert_eq!(found.iter().map(|r| unspaced(&text[r.clone()])).collect::<String>(), unspaced(&text), "nothing lost or read twice");
        let words = found.iter().flat_map(|r| text[r.clone()].split_whitespace());
        assert!(words.clone().all(|w| ["Hi.", "ASAP", "and"].contains(&w) || w.chars().all(|c| c == 'é')), "only the word too long to fit is cut");
        assert!(words.filter(|w| w.starts_with('é')).count() >= 2);
    }

    #[test]
    fn words_keep_inner_apostrophes() {
        let found: Vec<&str> = words("I’m sure you're 'right', Q3 café!").map(|(_, w)| w).collect();
        assert_eq!(found, ["I’m", "sure", "you're", "right", "Q3", "café"]);
        let found: Vec<(usize, &str)> = words("naïve café’s—東京, ok_go '").collect();
        assert_eq!(found, [(0, "naïve"), (7, "café’s"), (19, "東京"), (27, "ok_go")]);
        // An apostrophe not followed by a letter ends the word, straight or curly.
        let found: Vec<&str> = words("rock 'n' roll, the dogs' bowls, l’’x l''y é'ü").map(|(_, w)| w).collect();
        assert_eq!(found, ["rock", "n", "roll", "the", "dogs", "bowls", "l", "x", "l", "y", "é'ü"]);
    }

    #[test]
    fn paragraphs_split_on_whitespace_only_lines() {
        let text = "One line\nstill one.\n    \nTwo.\n";
        let found: Vec<&str> = paragraphs(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["One line\nstill one.", "Two."]);
    }

    /// The stop search, eight bytes at a time, the blank skip and the look at a line's
    /// first bytes agree with reading byte by byte and the whole line, on seeded random texts of
    /// stops, blanks, list markers and letters, from every offset.
    #[test]
    fn stops_blanks_and_line_starts_are_read_as_byte_by_byte() {
        let parts = [".", "!", "?", "\n", "…", "’", "a", "Z", " ", "\t", "\r", "\u{b}", "-", "* ", "1", "12. ", "3) ", "é", "\u{a0}", "• ", "“"];
        let mut seeded = Seeded::default();
        for _ in 0..3_000 {
            let text = seeded.draw(&parts, 0..40).concat();
            let bytes = text.as_bytes();
            for at in 0..=bytes.len() {
                let stop = bytes[at..].iter().position(|&b| matches!(b, b'.' | b'!' | b'?' | b'\n' | ELLIPSIS_LEAD));
                assert_eq!(next_stop(bytes, at), stop.map_or(bytes.len(), |stop| at + stop), "{text:?} from {at}");
                let blank = bytes[at..].iter().take_while(|b| b.is_ascii_whitespace()).count();
                assert_eq!(past_blank(bytes, at), at + blank, "{text:?} from {at}");
                if text.is_char_boundary(at) {
                    let line = text[at..].split('\n').next().unwrap_or("");
                    assert_eq!(line_ends_paragraph_or_list(&text, at), is_blank_or_list_item(line), "{text:?} from {at}");
                }
            }
        }
    }

    /// Masked parts are runs of spaces and line breaks, skipped in blocks of 32 and 8
    /// bytes: runs of every length around a block, ending in a word, a line break, a
    /// no-break space or the end.
    #[test]
    fn blank_runs_of_any_length_are_skipped_exactly() {
        for run in [1, 2, 7, 8, 9, 16, 17, 23, 31, 32, 33, 40, 63, 64, 65, 100] {
            let spaces = " ".repeat(run);
            let blank_lines = " \r\n\n   \n".repeat(run);
            let text = format!("{blank_lines}One.{blank_lines}\t{blank_lines}Two{blank_lines}");
            assert_eq!(split(&text), ["One.", "Two"], "run of {run}");
            let found: Vec<&str> = paragraphs(&text).into_iter().map(|r| &text[r]).collect();
            assert_eq!(found, ["One.", "Two"], "run of {run}");
            let text = format!("Hi.{spaces}Next one{spaces}\n{spaces}\n{spaces}\u{a0}{spaces}Last.{spaces}");
            assert_eq!(split(&text), ["Hi.".to_owned(), "Next one".to_owned(), format!("\u{a0}{spaces}Last.")], "run of {run}");
            let found: Vec<&str> = words(&text).map(|(_, w)| w).collect();
            assert_eq!(found, ["Hi", "Next", "one", "Last"], "run of {run}");
            let found: Vec<&str> = paragraphs(&text).into_iter().map(|r| &text[r]).collect();
            assert_eq!(found, [format!("Hi.{spaces}Next one"), "Last.".to_owned()], "run of {run}");
        }
    }
}
