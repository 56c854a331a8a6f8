//! The header block of a compose buffer or an RFC 822 message.
//!
//! Detection is deliberately strict, because a false header block hides the first
//! paragraph of a draft from every rule: the block must start at the first line (an
//! mbox `From ` line may come first), consist only of `Name: value` fields and their
//! folded continuation lines, end with a blank line (or the end of the text), and
//! contain at least one field name a mail client would write. A draft that opens with
//! "Note: the meeting moved" therefore has no header block.

use std::ops::Range;

use super::lines::{is_blank, lines, starts_with_blank};
use crate::bytes::{bytes_equal_to_any, eight_bytes, every_byte, first_flagged};

/// Emacs message-mode and some mutt setups separate headers from the body with this
/// line instead of a blank one.
const TEXT_FOLLOWS: &str = "--text follows this line--";

/// One header field: its name and the range of its value, from the first
/// non-whitespace byte after the colon to the end of its last continuation line
/// (line ending excluded). An empty value is an empty range right after the colon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Field<'a> {
    pub name: &'a str,
    pub value: Range<usize>,
}

/// The header block at the start of a text: where it ends, and its fields.
#[derive(Debug)]
pub(super) struct Block<'a> {
    /// The byte after the blank line that closes the block (or the end of the text).
    pub end: usize,
    /// Every field, in order, as [`fields`] reads them.
    pub fields: Vec<Field<'a>>,
}

/// The header block at the start of `text`, or `None` when the text does not start
/// with one. Its fields are read in the same pass: a message's header is most of its
/// lines.
pub(super) fn detect(text: &str) -> Option<Block<'_>> {
    // A received message's header has a few dozen fields (30 at the median of
    // easy-ham-1, 47 at most): room for them up front saves growing the list from
    // empty, which cost more than reading the fields.
    let mut fields: Vec<Field<'_>> = Vec::with_capacity(48);
    let mut saw_known = false;
    let mut end = text.len();
    for (index, line) in lines(text, 0, text.len()).enumerate() {
        let content = line.content();
        if index == 0 && content.starts_with("From ") {
            // mbox separator line ("From jane@example.com Mon Mar  2 10:00:00 2026")
            continue;
        }
        if is_blank(content) || content == TEXT_FOLLOWS {
            end = line.end;
            break;
        }
        if starts_with_blank(content) {
            // A continuation line (never blank here: that ends the block).
            fields.last_mut()?.value.end = line.content_end;
            continue;
        }
        let name = field_name(content)?;
        // Most blocks name a known field early; the dozens of fields after it are
        // not compared with the list again.
        saw_known = saw_known || is_known(name);
        fields.push(Field { name, value: line.start + name.len() + 1..line.content_end });
    }
    if fields.is_empty() || !saw_known {
        return None;
    }
    for field in &mut fields {
        trim_value_start(text, field);
    }
    Some(Block { end, fields })
}

/// The fields of the header block `text[..end]`, in order. Lines that are neither a
/// field nor a continuation (the mbox line, the closing blank line) are skipped.
///
/// Lazy, so a search for one field stops where it is found: a field is handed out
/// when the next field starts (its continuation lines are known by then).
pub(super) fn fields(text: &str, end: usize) -> impl Iterator<Item = Field<'_>> {
    // A byte order mark in front of the first field is not part of its name.
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = lines(text, start, end);
    let mut pending: Option<Field<'_>> = None;
    std::iter::from_fn(move || {
        for line in lines.by_ref() {
            let content = line.content();
            if starts_with_blank(content) {
                if let Some(field) = &mut pending {
                    if !is_blank(content) {
                        field.value.end = line.content_end;
                    }
                }
                continue;
            }
            if let Some(name) = field_name(content) {
                let after_colon = line.start + name.len() + 1;
                let next = Field { name, value: after_colon..line.content_end };
                if let Some(mut done) = pending.replace(next) {
                    trim_value_start(text, &mut done);
                    return Some(done);
                }
            }
        }
        pending.take().map(|mut field| {
            trim_value_start(text, &mut field);
            field
        })
    })
}

/// The value starts after the whitespace following the colon; a value that begins on
/// a continuation line starts there.
fn trim_value_start(text: &str, field: &mut Field<'_>) {
    let bytes = text.as_bytes();
    while field.value.start < field.value.end && matches!(bytes[field.value.start], b' ' | b'\t' | b'\r' | b'\n') {
        field.value.start += 1;
    }
}

/// The value range of the first `Subject:` field of the header block `text[..end]`.
pub(super) fn subject(text: &str, end: usize) -> Option<Range<usize>> {
    fields(text, end).find(|field| field.name.eq_ignore_ascii_case("Subject")).map(|field| field.value)
}

/// The longest field name read (RFC 5322 lines are at most 78 characters).
const MAX_NAME_LEN: usize = 76;

/// The field name of a `Name: value` line: RFC 5322 printable ASCII without spaces
/// or colons, directly followed by the colon.
fn field_name(line: &str) -> Option<&str> {
    // One pass to the first byte that is not a name's: it must be the colon. A valid
    // name is at most 76 bytes, so a long line costs no more than a short one.
    let head = &line.as_bytes()[..line.len().min(MAX_NAME_LEN + 1)];
    let end = name_len(head);
    (end > 0 && head.get(end) == Some(&b':')).then(|| &line[..end])
}

/// The length of the run of name bytes (printable ASCII but the colon) that `bytes`
/// starts with. Eight bytes at a time: every line of a header starts with a name
/// (a dozen bytes at the median), and testing them one by one cost more than the
/// rest of reading the line.
fn name_len(bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some(word) = eight_bytes(bytes, at) {
        let stops = name_stops(word);
        if stops != 0 {
            return at + first_flagged(stops);
        }
        at += 8;
    }
    at + bytes[at..].iter().position(|&b| b == b':' || !b.is_ascii_graphic()).unwrap_or(bytes.len() - at)
}

/// The high bit of every byte of `word` that is not a name byte: a control byte or a
/// space (below 0x21), DEL or a non-ASCII byte (0x7F and up), or a colon. Each byte
/// is tested on its low seven bits, where adding at most 0x7F never carries into the
/// next byte.
fn name_stops(word: u64) -> u64 {
    let low = word & every_byte(0x7f);
    // The high bit is set by the sum when the low bits are 0x21 or more, and is in
    // `word` itself for a non-ASCII byte.
    let below_0x21 = !((low + every_byte(0x80 - 0x21)) | word);
    let from_0x7f = (low + every_byte(1)) | word;
    ((below_0x21 | from_0x7f) & every_byte(0x80)) | bytes_equal_to_any(word, [b':'])
}

/// Field names that only mail headers use, so seeing one makes a block a header
/// block. `Date:`, `Comments:` or `Priority:` are left out: a note that opens with
/// "Date: Friday" and "Place: Room 4" is a draft, not a header block.
fn is_known(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "From",
        "To",
        "Cc",
        "Bcc",
        "Subject",
        "Reply-To",
        "In-Reply-To",
        "References",
        "Message-ID",
        "Sender",
        "Return-Path",
        "Received",
        "Delivered-To",
        "MIME-Version",
        "User-Agent",
        "Thread-Topic",
        "Thread-Index",
        "Authentication-Results",
        "Newsgroups",
        "Followup-To",
        "Mail-Followup-To",
        "Fcc",
        "Attach",
    ];
    const PREFIXES: &[&str] = &["X-", "List-", "Resent-", "Content-", "DKIM-", "ARC-"];
    NAMES.iter().any(|known| name.eq_ignore_ascii_case(known))
        || PREFIXES.iter().any(|prefix| name.len() > prefix.len() && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_block_needs_a_known_field_and_a_blank_line() {
        let detect = |text| detect(text).map(|block| block.end);
        assert_eq!(detect("To: a@b.c\n\nHi"), Some(11));
        assert_eq!(detect("X-Foo: 1\r\nNote: x\r\n\r\nHi"), Some(21));
        assert_eq!(detect("Subject: only headers"), Some(21));
        assert_eq!(detect("Note: the meeting moved\n\nSee you"), None);
        assert_eq!(detect("Date: Friday\nPlace: Room 4\n\nAgenda"), None);
        assert_eq!(detect("Subject: x\n--text follows this line--\nHi"), Some(38));
        assert_eq!(detect("Hi Ingrid,\n\nThanks"), None);
        assert_eq!(detect("To: a@b.c\nnot a field\n\nHi"), None);
        assert_eq!(detect(" folded: first\n\n"), None);
        assert_eq!(detect(""), None);
    }

    /// The eight-bytes-at-a-time name scan stops where a byte-by-byte one does, on
    /// every byte value at every position of runs shorter and longer than a word.
    #[test]
    fn name_len_stops_at_the_first_byte_that_is_not_a_names() {
        let reference = |bytes: &[u8]| bytes.iter().position(|&b| b == b':' || !b.is_ascii_graphic()).unwrap_or(bytes.len());
        for len in 0..20 {
            for at in 0..len {
                for stop in 0..=255u8 {
                    let mut bytes = vec![b'X'; len];
                    bytes[at] = stop;
                    assert_eq!(name_len(&bytes), reference(&bytes), "{bytes:?}");
                }
            }
        }
        assert_eq!(field_name("Content-Type: text/plain"), Some("Content-Type"));
        assert_eq!(field_name("X-Long-Name-Of-Twenty: 1"), Some("X-Long-Name-Of-Twenty"));
        assert_eq!(field_name("Subject x: y"), None);
        assert_eq!(field_name(": y"), None);
    }

    #[test]
    fn folded_values_and_values_starting_on_a_continuation_line() {
        let text = "Subject: one\r\n two\r\nTo:\r\n\tx@y.z\r\n\r\n";
        let block = detect(text).expect("a header block");
        let values: Vec<_> = fields(text, block.end).map(|f| (f.name, &text[f.value.clone()])).collect();
        assert_eq!(values, [("Subject", "one\r\n two"), ("To", "x@y.z")]);
        let detected: Vec<_> = block.fields.iter().map(|f| (f.name, &text[f.value.clone()])).collect();
        assert_eq!(detected, values, "the fields read while detecting the block are the same");
    }
}
