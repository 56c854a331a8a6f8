//! Line scanning shared by the header and body classifiers.
//!
//! Everything in this module works on byte offsets into one `&str`. Lines are split at
//! `'\n'` only, so every offset it hands out sits on an ASCII byte or at the end of the
//! text and is always a char boundary.

/// One line of the text. `start..end` includes the line ending (`"\n"` or `"\r\n"`),
/// `start..content_end` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Line<'a> {
    pub start: usize,
    pub content_end: usize,
    pub end: usize,
    /// `text[start..content_end]`, sliced once here: the body classifier reads a line's
    /// content several times, and each slicing checks both ends for char boundaries.
    content: &'a str,
}

impl<'a> Line<'a> {
    /// The line without its line ending.
    pub fn content(self) -> &'a str {
        self.content
    }

    /// True for an empty line or one holding only whitespace.
    pub fn is_blank(self) -> bool {
        is_blank(self.content)
    }
}

/// True for an empty line or one holding only whitespace (Unicode's, as `trim` reads
/// it).
pub(super) fn is_blank(line: &str) -> bool {
    // Almost every line is settled by its first byte that is not a space or a tab
    // (none: blank; a printable ASCII one: not), read in place; `trim` would decode
    // a char at each end to find that out.
    match line.bytes().find(|&b| b != b' ' && b != b'\t') {
        None => true,
        Some(first) if first.is_ascii_graphic() => false,
        Some(_) => line.trim().is_empty(),
    }
}

/// True when `line` starts with a space or a tab: a folded continuation line, or an
/// indented one.
pub(super) fn starts_with_blank(line: &str) -> bool {
    matches!(line.as_bytes().first(), Some(b' ' | b'\t'))
}

/// The lines of `text[from..to]`. A last line without a line ending is still a line;
/// an empty range has no lines.
pub(super) fn lines(text: &str, from: usize, to: usize) -> impl Iterator<Item = Line<'_>> {
    let bytes = text.as_bytes();
    let to = to.min(bytes.len());
    let from = from.min(to);
    // One SIMD search over the whole range instead of a search per line: mail has
    // short lines, where the setup of each search would cost more than the search.
    let mut newlines = memchr::memchr_iter(b'\n', &bytes[from..to]);
    let mut pos = from;
    std::iter::from_fn(move || {
        if pos >= to {
            return None;
        }
        let start = pos;
        let (content_end, end) = match newlines.next() {
            Some(offset) => (from + offset, from + offset + 1),
            None => (to, to),
        };
        // A '\r' before the '\n' (or at the very end) is part of the line ending.
        let content_end = if content_end > start && bytes[content_end - 1] == b'\r' { content_end - 1 } else { content_end };
        pos = end;
        Some(Line { start, content_end, end, content: text.get(start..content_end).unwrap_or_default() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(text: &str) -> Vec<(&str, usize)> {
        lines(text, 0, text.len()).map(|l| (l.content(), l.end - l.start)).collect()
    }

    #[test]
    fn splits_lf_crlf_and_a_last_line_without_ending() {
        assert_eq!(contents("a\r\n\nb\r\nc"), [("a", 3), ("", 1), ("b", 3), ("c", 1)]);
        assert!(contents("").is_empty());
    }
}
