//! The one place where UTF-8 byte offsets meet LSP positions.
//!
//! Inside the server every offset is a UTF-8 byte offset into the document's text, as
//! the engine reports them. A `Position` is a 0-based line and a column counted in the
//! unit negotiated at `initialize`: UTF-8 bytes when the client offers `utf-8`, else
//! UTF-16 code units (the protocol's mandatory default). Lines end at `\n`, `\r\n` or
//! `\r`, as the protocol says, and nowhere else (ropey is built with `cr_lines` only).
//!
//! Every conversion clamps instead of failing: a line past the end is the end of the
//! document, a column past the end of its line is the end of that line (before the
//! line break), and a column inside a character (the middle of a surrogate pair or of
//! a UTF-8 sequence) is the start of that character. A client can send anything.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, PositionEncodingKind};

/// The unit of `Position::character`, as negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units: the protocol's default.
    #[default]
    Utf16,
}

impl PositionEncoding {
    /// UTF-8 when the client offers it (no conversion needed), else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
            _ => PositionEncoding::Utf16,
        }
    }

    /// The name announced in the server capabilities.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// The position of byte `offset` (clamped to the text, floored to a char boundary).
pub fn position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> lsp::Position {
    let char_index = rope.byte_to_char(offset.min(rope.len_bytes()));
    let line = rope.char_to_line(char_index);
    let line_start = rope.line_to_char(line);
    let column = match encoding {
        PositionEncoding::Utf8 => rope.char_to_byte(char_index) - rope.char_to_byte(line_start),
        PositionEncoding::Utf16 => rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start),
    };
    lsp::Position::new(saturate(line), saturate(column))
}

/// The range of the byte span `span`.
pub fn range(rope: &Rope, span: Range<usize>, encoding: PositionEncoding) -> lsp::Range {
    lsp::Range::new(position(rope, span.start, encoding), position(rope, span.end, encoding))
}

/// The char index of `position`, clamped as the module docs say.
pub fn char_index(rope: &Rope, position: lsp::Position, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let content_end = line_start + line_content_chars(rope, line);
    let column = position.character as usize;
    match encoding {
        PositionEncoding::Utf8 => {
            let start = rope.char_to_byte(line_start);
            let byte = start.saturating_add(column).min(rope.char_to_byte(content_end));
            rope.byte_to_char(byte)
        }
        PositionEncoding::Utf16 => {
            let start = rope.char_to_utf16_cu(line_start);
            let unit = start.saturating_add(column).min(rope.char_to_utf16_cu(content_end));
            rope.utf16_cu_to_char(unit)
        }
    }
}

/// The byte offset of `position`, clamped as the module docs say.
pub fn offset(rope: &Rope, position: lsp::Position, encoding: PositionEncoding) -> usize {
    rope.char_to_byte(char_index(rope, position, encoding))
}

/// The char range of `range`, start before end whatever order the client sent.
pub fn char_range(rope: &Rope, range: lsp::Range, encoding: PositionEncoding) -> Range<usize> {
    let a = char_index(rope, range.start, encoding);
    let b = char_index(rope, range.end, encoding);
    a.min(b)..a.max(b)
}

/// The byte range of `range`, start before end whatever order the client sent.
pub fn byte_range(rope: &Rope, range: lsp::Range, encoding: PositionEncoding) -> Range<usize> {
    let chars = char_range(rope, range, encoding);
    rope.char_to_byte(chars.start)..rope.char_to_byte(chars.end)
}

/// The position of a 1-based line and character column, as [`tactful::PackError`]
/// reports them, clamped to the text.
pub fn from_line_column(rope: &Rope, line: usize, column: usize, encoding: PositionEncoding) -> lsp::Position {
    let line = line.saturating_sub(1);
    if line >= rope.len_lines() {
        return position(rope, rope.len_bytes(), encoding);
    }
    let start = rope.line_to_char(line);
    let char_index = start + column.saturating_sub(1).min(line_content_chars(rope, line));
    position(rope, rope.char_to_byte(char_index), encoding)
}

/// The end of line `line`'s content (before its line break), as a position.
pub fn line_end(rope: &Rope, line: usize, encoding: PositionEncoding) -> lsp::Position {
    let line = line.min(rope.len_lines().saturating_sub(1));
    let end = rope.line_to_char(line) + line_content_chars(rope, line);
    position(rope, rope.char_to_byte(end), encoding)
}

/// Chars in line `line` without its line break.
fn line_content_chars(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
    }
    if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    len
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::{Utf16, Utf8};

    fn pos(line: u32, character: u32) -> lsp::Position {
        lsp::Position::new(line, character)
    }

    /// Every char boundary converts to a position and back to itself (except the
    /// middle of a CRLF, which is no position).
    fn round_trips(text: &str) {
        let rope = Rope::from_str(text);
        let inside_crlf = |offset: usize| text[..offset].ends_with('\r') && text[offset..].starts_with('\n');
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]).filter(|(offset, _)| !inside_crlf(*offset)) {
            for encoding in [Utf8, Utf16] {
                let p = position(&rope, offset, encoding);
                assert_eq!(super::offset(&rope, p, encoding), offset, "{text:?} at {offset} in {encoding:?}: {p:?}");
            }
        }
    }

    #[test]
    fn emoji_cjk_and_combining_marks_before_a_phrase() {
        // "👋" is 4 bytes and 2 UTF-16 units; "東京" 6 bytes, 2 units; "é" as e + U+0301
        // is 3 bytes and 2 units: 16 bytes and 9 units before "ASAP".
        let text = "Hi\n👋 東京 e\u{301} ASAP\n";
        let rope = Rope::from_str(text);
        let at = text.find("ASAP").unwrap();
        assert_eq!(position(&rope, at, Utf8), pos(1, 16));
        assert_eq!(position(&rope, at, Utf16), pos(1, 9));
        assert_eq!(offset(&rope, pos(1, 9), Utf16), at);
        assert_eq!(offset(&rope, pos(1, 16), Utf8), at);
        round_trips(text);
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\nd";
        let rope = Rope::from_str(text);
        assert_eq!(position(&rope, text.find('b').unwrap(), Utf16), pos(1, 0));
        assert_eq!(position(&rope, text.find('c').unwrap(), Utf16), pos(2, 0));
        assert_eq!(position(&rope, text.find('d').unwrap(), Utf16), pos(3, 0));
        // A column past the end of "a" stops before the "\r\n".
        assert_eq!(offset(&rope, pos(0, 99), Utf16), 1);
        round_trips(text);
    }

    #[test]
    fn unicode_line_separators_are_not_line_breaks() {
        let text = "a\u{2028}b\u{85}c";
        let rope = Rope::from_str(text);
        assert_eq!(rope.len_lines(), 1);
        assert_eq!(position(&rope, text.len(), Utf16), pos(0, 5));
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "one\ntwo\n";
        let rope = Rope::from_str(text);
        assert_eq!(offset(&rope, pos(99, 0), Utf16), text.len());
        assert_eq!(offset(&rope, pos(2, 5), Utf8), text.len());
        assert_eq!(offset(&rope, pos(1, u32::MAX), Utf8), 7);
        assert_eq!(position(&rope, 10_000, Utf16), pos(2, 0));
    }

    #[test]
    fn a_column_inside_a_character_is_its_start() {
        let text = "x😀y";
        let rope = Rope::from_str(text);
        // UTF-16 unit 2 is the second half of the surrogate pair; byte 3 is inside the emoji.
        assert_eq!(offset(&rope, pos(0, 2), Utf16), 1);
        assert_eq!(offset(&rope, pos(0, 3), Utf8), 1);
        assert_eq!(offset(&rope, pos(0, 3), Utf16), 5);
        assert_eq!(position(&rope, 2, Utf16), pos(0, 1));
    }

    #[test]
    fn the_end_of_the_document() {
        for text in ["", "abc", "abc\n", "a\r\n", "é"] {
            round_trips(text);
        }
        let rope = Rope::from_str("ab\r\n");
        assert_eq!(position(&rope, 4, Utf16), pos(1, 0));
        assert_eq!(line_end(&rope, 0, Utf16), pos(0, 2));
    }

    #[test]
    fn reversed_ranges_are_ordered() {
        let rope = Rope::from_str("hello");
        let r = lsp::Range::new(pos(0, 4), pos(0, 1));
        assert_eq!(byte_range(&rope, r, Utf8), 1..4);
    }

    #[test]
    fn pack_error_places() {
        let rope = Rope::from_str("a = 1\nbé = \"x\"\n");
        assert_eq!(from_line_column(&rope, 2, 3, Utf8), pos(1, 3));
        assert_eq!(from_line_column(&rope, 2, 3, Utf16), pos(1, 2));
        assert_eq!(from_line_column(&rope, 9, 1, Utf16), pos(2, 0));
    }

    #[test]
    fn negotiation_prefers_utf8() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(PositionEncoding::negotiate(Some(&both)), Utf8);
        assert_eq!(PositionEncoding::negotiate(Some(&[PositionEncodingKind::UTF32])), Utf16);
        assert_eq!(PositionEncoding::negotiate(None), Utf16);
    }
}
