//! From input bytes to the one text that every offset refers to.
//!
//! The common case is exact: a compose buffer, a draft, or an `.eml` whose body needs
//! no decoding keeps its own text, so offsets are byte offsets into the file. Only
//! when the body really has to be decoded (quoted-printable, base64, a charset, HTML,
//! 8-bit bytes) does the text become the original header block plus the decoded body.
//! MIME itself is left to `mail-parser`.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::charsets::DecoderFnc;
use mail_parser::decoders::html::html_to_text;
use mail_parser::{Encoding, HeaderName, MessageParser, MessagePart, MimeHeaders, PartType};

use super::header;

/// The text of a message and where its parts are.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Source {
    pub text: String,
    /// True when `text` is not the input itself.
    pub decoded: bool,
    /// `text[..header_end]` is the header block (empty when there is none).
    pub header_end: usize,
    /// The value of the header block's first `Subject:` field.
    pub subject: Option<Range<usize>>,
    /// The message body. Between the header block and the body, and after the body,
    /// there may be MIME structure (boundaries, part headers, other parts).
    pub body: Range<usize>,
}

/// The UTF-8 byte order mark some Windows editors put at the start of a file.
const BOM: &str = "\u{feff}";

/// Reads raw input: a compose buffer, a draft, or an RFC 822 message.
pub(super) fn read(input: &[u8]) -> Source {
    match input.strip_prefix(BOM.as_bytes()) {
        // Read what follows the mark, then put it back in front (in the header
        // region) so offsets still match the input.
        Some(rest) => {
            let source = read_unmarked(rest);
            let shift = BOM.len();
            Source {
                text: format!("{BOM}{}", source.text),
                decoded: source.decoded,
                header_end: source.header_end + shift,
                subject: source.subject.map(|value| value.start + shift..value.end + shift),
                body: source.body.start + shift..source.body.end + shift,
            }
        }
        None => read_unmarked(input),
    }
}

fn read_unmarked(input: &[u8]) -> Source {
    let utf8 = std::str::from_utf8(input).ok();
    let scanned: Cow<'_, str> = match utf8 {
        Some(text) => Cow::Borrowed(text),
        None => Cow::Owned(decode_8bit(input)),
    };
    let block = header::detect(&scanned);
    let mut subject = None;
    if let Some(block) = &block {
        let header = Header::read(&scanned, &block.fields);
        if header.declares_mime {
            let plain = header.plain_part(&scanned, block.end);
            let body = &scanned[block.end..];
            if !plain.is_some_and(|charset| utf8.is_some() && reads_as_it_stands(charset, body)) {
                let decoded = plain.and_then(|charset| read_plain_8bit(input, &scanned, block.end, charset, header.subject.clone()));
                if let Some(source) = decoded.or_else(|| read_mime(input, utf8)) {
                    return source;
                }
            }
        }
        subject = header.subject;
    }
    let header_end = block.map_or(0, |block| block.end);
    let text = scanned.into_owned();
    Source { body: header_end..text.len(), decoded: utf8.is_none(), header_end, subject, text }
}

/// What one pass over a header block finds: the subject, and the fields that say
/// how the body is written.
#[derive(Debug, Default)]
struct Header<'a> {
    subject: Option<Range<usize>>,
    /// Any of MIME-Version, Content-Type, Content-Transfer-Encoding,
    /// Content-Disposition.
    declares_mime: bool,
    content_types: Vec<&'a str>,
    transfer_encodings: Vec<&'a str>,
    /// A `Content-Disposition` other than `inline` (the parser may file the body as an
    /// attachment).
    not_inline: bool,
}

impl<'a> Header<'a> {
    fn read(text: &'a str, fields: &[header::Field<'_>]) -> Header<'a> {
        let mut header = Header::default();
        for field in fields.iter().cloned() {
            let is = |name: &str| field.name.eq_ignore_ascii_case(name);
            // Sliced only for the few fields read below: most of a header is Received,
            // X- and address fields.
            let value = || text.get(field.value.clone()).unwrap_or_default();
            if is("Subject") {
                header.subject.get_or_insert(field.value);
                continue;
            } else if is("Content-Type") {
                header.content_types.push(value());
            } else if is("Content-Transfer-Encoding") {
                header.transfer_encodings.push(value());
            } else if is("Content-Disposition") {
                let kind = value().split(';').next().unwrap_or_default().trim();
                header.not_inline |= !kind.eq_ignore_ascii_case("inline");
            } else if !is("MIME-Version") {
                continue;
            }
            header.declares_mime = true;
        }
        header
    }

    /// The charset of the one `text/plain` part that the header block `text[..end]`
    /// declares, not encoded and shown inline, after an empty line (`Some(None)`:
    /// none is named); `None` for any other structure, which the MIME parser reads.
    fn plain_part(&self, text: &str, end: usize) -> Option<Option<&'a str>> {
        // The parser ends the header block at the first empty line only: a line of
        // spaces continues the field above it, and it does not know Emacs' separator.
        let ends_with_empty_line = text[..end].ends_with("\n\n") || text[..end].ends_with("\n\r\n");
        let not_encoded = match self.transfer_encodings[..] {
            [] => true,
            [value] => ["7bit", "8bit", "binary"].iter().any(|identity| value.trim().eq_ignore_ascii_case(identity)),
            _ => false,
        };
        if !ends_with_empty_line || !not_encoded || self.not_inline {
            return None;
        }
        match self.content_types[..] {
            [] => Some(None),
            [value] => plain_text_charset(value),
            _ => None,
        }
    }
}

/// Whether the parser hands back a plain part's UTF-8 `body` byte for byte, as it
/// reads UTF-8 (and text without a charset) as UTF-8, and ASCII as ASCII. Most real
/// mail is that, and reading it as it stands skips the parser.
fn reads_as_it_stands(charset: Option<&str>, body: &str) -> bool {
    match charset {
        None => true,
        Some(charset) if ["utf-8", "utf8"].iter().any(|utf| charset.eq_ignore_ascii_case(utf)) => true,
        Some(charset) => is_ascii_compatible(charset) && body.is_ascii(),
    }
}

/// A message of one plain part whose header block (`input[..end]`, UTF-8, with its
/// `subject` value) declares `charset`, read as the MIME parser reads it but without
/// it: the header block as it is, the body decoded by the charset, or as
/// [`decode_8bit`] does when none is named. `None` when the parser would do more: a
/// subject in encoded words, or a charset that is not one byte per character.
fn read_plain_8bit(input: &[u8], scanned: &str, end: usize, charset: Option<&str>, subject: Option<Range<usize>>) -> Option<Source> {
    let head = scanned.get(..end).filter(|head| input.get(..end) == Some(head.as_bytes()))?;
    if subject.as_ref().is_some_and(|value| head[value.clone()].contains("=?")) {
        return None;
    }
    let raw = &input[end..];
    let body = match charset {
        None => decode_8bit(raw),
        Some(charset) if is_ascii_compatible(charset) => decode_single_byte(raw, charset_decoder(charset.as_bytes())?),
        Some(_) => return None,
    };
    let text = head.to_owned() + &body;
    Some(Source { body: end..text.len(), decoded: true, header_end: end, subject, text })
}

/// `bytes` decoded by `decode`, a one-byte charset's decoder, which reads ASCII as
/// ASCII: runs of ASCII are copied, and only the bytes between them are decoded.
fn decode_single_byte(bytes: &[u8], decode: DecoderFnc) -> String {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut rest = bytes;
    while !rest.is_empty() {
        let ascii = rest.iter().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        text.push_str(std::str::from_utf8(&rest[..ascii]).expect("ASCII is UTF-8"));
        let other = rest[ascii..].iter().position(u8::is_ascii).map_or(rest.len(), |at| ascii + at);
        text.push_str(&decode(&rest[ascii..other]));
        rest = &rest[other..];
    }
    text
}

/// For a `Content-Type` of `text/plain`, its charset (`Some(None)` when it names none);
/// `None` for any other type.
fn plain_text_charset(content_type: &str) -> Option<Option<&str>> {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("text/plain") {
        return None;
    }
    let charset = parts
        .filter_map(|part| part.split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, value)| value.trim().trim_matches('"'));
    Some(charset)
}

/// Charsets that write ASCII as ASCII, byte for byte (UTF-7, UTF-16 and ISO-2022 do not).
fn is_ascii_compatible(charset: &str) -> bool {
    let lower = charset.to_ascii_lowercase();
    ["us-ascii", "ascii", "latin1"].contains(&lower.as_str())
        || ["iso-8859-", "iso8859-", "windows-125", "cp125"].iter().any(|family| lower.starts_with(family))
}

/// A parser that reads only the headers the MIME structure needs, and the subject
/// (which may be RFC 2047-encoded). Parsing every `Received:` and address header, as
/// the default parser does, was most of the time spent on real mail.
static PARSER: LazyLock<MessageParser> =
    LazyLock::new(|| MessageParser::new().with_mime_headers().header_text(HeaderName::Subject).default_header_ignore());

/// Reads a MIME message: its first text/plain body part (else its HTML part as text).
fn read_mime(input: &[u8], utf8: Option<&str>) -> Option<Source> {
    let parsed = PARSER.parse(input)?;
    let root = parsed.parts.first()?;
    let header_end = root.offset_body as usize;
    let part = parsed.text_body.first().or(parsed.html_body.first()).and_then(|&id| parsed.parts.get(id as usize));

    if let Some(text) = utf8 {
        let body = match part {
            Some(part) => identity_body(text, part),
            // No text at all (only attachments): nothing is checked, nothing decoded.
            None => Some(text.len()..text.len()),
        };
        if let Some(body) = body {
            if header_end <= body.start && text.is_char_boundary(header_end) {
                let subject = header::subject(text, header_end);
                return Some(Source { text: text.to_owned(), decoded: false, header_end, subject, body });
            }
        }
    }

    let mut text = header_text(input.get(..header_end)?, root);
    let header_end = text.len();
    if let Some(part) = part {
        text.push_str(&body_text(input, part));
    }
    let subject = header::subject(&text, header_end);
    Some(Source { body: header_end..text.len(), decoded: true, header_end, subject, text })
}

/// The range of `part`'s body in `text` when the part needs no decoding: no transfer
/// encoding, plain text, and the decoded text is byte for byte the raw slice.
fn identity_body(text: &str, part: &MessagePart<'_>) -> Option<Range<usize>> {
    let PartType::Text(decoded) = &part.body else {
        return None;
    };
    let range = part.offset_body as usize..part.offset_end as usize;
    (part.encoding == Encoding::None && text.get(range.clone()) == Some(decoded.as_ref())).then_some(range)
}

/// The original header block as text, with an RFC 2047 encoded subject decoded so the
/// subject can be checked, ending with a blank line.
fn header_text(raw: &[u8], root: &MessagePart<'_>) -> String {
    let mut text = match std::str::from_utf8(raw) {
        Ok(text) => text.to_owned(),
        Err(_) => decode_8bit(raw),
    };
    let decoded_subject = root.headers.iter().find(|field| field.name == HeaderName::Subject).and_then(|field| field.value.as_text());
    if let (Some(value), Some(decoded)) = (header::subject(&text, text.len()), decoded_subject) {
        if text.get(value.clone()).is_some_and(|raw| raw.contains("=?")) {
            // A subject is one line; folding inside the encoded words is gone once decoded.
            let one_line: String = decoded.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            text.replace_range(value, &one_line);
        }
    }
    if !(text.is_empty() || text.ends_with("\n\n") || text.ends_with("\n\r\n")) {
        text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
    }
    text
}

/// The decoded text of a body part; HTML is turned into text.
fn body_text(input: &[u8], part: &MessagePart<'_>) -> String {
    match &part.body {
        PartType::Text(decoded) => {
            let raw = input.get(part.offset_body as usize..part.offset_end as usize);
            let declares_charset = part.content_type().is_some_and(|content_type| content_type.attribute("charset").is_some());
            match raw {
                // 8-bit text without a declared charset: mail-parser would replace every
                // non-UTF-8 byte with U+FFFD; reading it as Windows-1252 keeps the words.
                Some(raw) if part.encoding == Encoding::None && !declares_charset && std::str::from_utf8(raw).is_err() => decode_8bit(raw),
                _ => decoded.to_string(),
            }
        }
        PartType::Html(html) => html_to_text(html),
        _ => String::new(),
    }
}

/// Decodes bytes that are not valid UTF-8 as 8-bit mail usually means them: valid
/// UTF-8 runs are kept, every other byte is read as Windows-1252 (which agrees with
/// Latin-1 on all printable characters and is what such mail mostly is).
pub(super) fn decode_8bit(bytes: &[u8]) -> String {
    let windows_1252 = charset_decoder(b"windows-1252");
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut rest = bytes;
    // `str::from_utf8` finds each error, passing ASCII a word at a time, where
    // `utf8_chunks` reads byte by byte: 8-bit mail is mostly ASCII with an accented
    // letter here and there. The valid bytes before an error are checked a second
    // time to borrow them as a `str`, which still costs less.
    loop {
        let error = match std::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                return text;
            }
            Err(error) => error,
        };
        let (valid, after) = rest.split_at(error.valid_up_to());
        text.push_str(std::str::from_utf8(valid).expect("the bytes before the first error are UTF-8"));
        let (invalid, after) = after.split_at(error.error_len().unwrap_or(after.len()));
        match windows_1252 {
            Some(decode) => text.push_str(&decode(invalid)),
            None => text.extend(invalid.iter().map(|&b| char::from(b))),
        }
        rest = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Seeded;

    /// One plain part in 8-bit text reads the same with the parser as without it:
    /// Latin-1 and Windows-1252 bytes (0x80 is "€" in one and a control in the other),
    /// UTF-8 under a one-byte charset, 8-bit text with no charset, CRLF lines.
    #[test]
    fn an_8bit_plain_part_is_decoded_as_the_mime_parser_decodes_it() {
        let inputs: [&[u8]; 6] = [
            b"Subject: caf\xe9\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nna\xefve \x80 price\n",
            b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"windows-1252\"\r\n\r\n\x80 100, \x93quoted\x94\r\n",
            b"Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-15; format=flowed\nContent-Disposition: inline\n\n\xa4 and \xbd\n",
            b"Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n\nna\xc3\xafve\n",
            b"Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; encoding=utf-8\n\ncaf\xe9 \xe2\x82\xac\n",
            b"Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=windows-1251\n\n\xcf\xf0\xe8\xe2\xe5\xf2 ok\n",
        ];
        for input in inputs {
            let parsed = read_mime(input, std::str::from_utf8(input).ok());
            assert_eq!(Some(read_unmarked(input)), parsed, "{}", String::from_utf8_lossy(input));
        }
    }

    /// [`decode_8bit`] reads every byte string as decoding `utf8_chunks` one chunk at a
    /// time does: valid runs kept, each invalid sequence (truncated or not, at the end
    /// or not) decoded as Windows-1252.
    #[test]
    fn decode_8bit_reads_as_utf8_chunks_do() {
        let reference = |bytes: &[u8]| -> String {
            let decode = charset_decoder(b"windows-1252").expect("a Windows-1252 decoder");
            bytes.utf8_chunks().map(|chunk| chunk.valid().to_owned() + &decode(chunk.invalid())).collect()
        };
        // Pieces that make every kind of boundary between valid and invalid bytes.
        let pieces: [&[u8]; 12] = [
            b"a",
            b"plain text ",
            b"\n",
            "é".as_bytes(),
            "€".as_bytes(),
            "😀".as_bytes(),
            b"\xe9",
            b"\x80",
            b"\xe2\x82",
            b"\xf0\x9f\x98",
            b"\xc3",
            b"\xff",
        ];
        let mut seeded = Seeded::default();
        for _ in 0..20_000 {
            let bytes = seeded.draw(&pieces, 0..12).concat();
            assert_eq!(decode_8bit(&bytes), reference(&bytes), "{bytes:?}");
        }
    }

    /// The charsets read one byte at a time all read ASCII as ASCII, which
    /// [`decode_single_byte`] relies on.
    #[test]
    fn every_one_byte_charset_reads_ascii_as_ascii() {
        let ascii: Vec<u8> = (0..0x80).collect();
        let families = ["iso-8859-", "windows-125", "cp125"].into_iter().flat_map(|family| (0..=16).map(move |n| format!("{family}{n}")));
        let names: Vec<String> = ["us-ascii", "ascii", "latin1"].into_iter().map(String::from).chain(families).collect();
        let decoders: Vec<_> = names.iter().filter(|name| is_ascii_compatible(name)).filter_map(|name| charset_decoder(name.as_bytes())).collect();
        assert!(decoders.len() > 20, "{} decoders", decoders.len());
        for decode in decoders {
            assert_eq!(decode(&ascii).as_bytes(), ascii);
        }
    }
}
