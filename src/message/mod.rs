//! The message model: an e-mail as the writer's client holds it, split into regions.
//!
//! [`Message::parse`] and [`Message::from_bytes`] accept anything: a compose buffer
//! (headers, a blank line, the body), a plain-text or Markdown draft, or a raw
//! RFC 822 message with MIME parts. They never fail. The result is one text plus
//! regions that cover all of it, as UTF-8 byte offsets into that text.
//!
//! Only two kinds of region are checked by rules: the subject and the body, the words
//! the writer is sending now (see "What is never checked" in the taxonomy). Everything
//! else (headers, the quoted or forwarded thread, the signature, code, links) is kept
//! as a region so that a front end can show it and the `surprise` rules can read the
//! earlier thread through [`Message::thread`].
//!
//! The text is the input itself whenever possible, so offsets point into the file the
//! user has open. Only a body that has to be decoded (quoted-printable, base64, a
//! charset, HTML, 8-bit bytes) makes the text the header block plus the decoded body;
//! [`Message::is_decoded`] says which.
//!
//! The work is done at parse time in one linear pass: the language server parses on
//! every keystroke. [`Message::masked`] and [`Message::thread`] are computed once, on
//! first use.

mod body;
mod header;
mod inline;
mod lines;
mod markers;
mod mime;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::sync::OnceLock;

/// What a stretch of a message is, for deciding whether rules look at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegionKind {
    /// Header lines and MIME structure, including the `Subject:` name.
    Header,
    /// The value of the `Subject:` header. Checked.
    Subject,
    /// New text the writer wrote. Checked.
    Body,
    /// Lines starting with `>`, at any depth.
    Quoted,
    /// The line(s) introducing a quote: "On <date>, <name> wrote:".
    Attribution,
    /// A forwarded or replied-to message below a marker such as
    /// `-----Original Message-----`, to the end of the text.
    Forwarded,
    /// From a `-- ` line to the end, or to where the quoted thread begins.
    Signature,
    /// Markdown fenced code blocks and inline `code` spans.
    Code,
    /// URLs and e-mail addresses.
    Link,
}

impl RegionKind {
    /// True only for the regions rules check: [`Subject`](Self::Subject) and
    /// [`Body`](Self::Body).
    pub fn is_checked(self) -> bool {
        matches!(self, RegionKind::Subject | RegionKind::Body)
    }
}

/// A region of [`Message::text`]: a kind and a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// What this stretch of text is.
    pub kind: RegionKind,
    /// UTF-8 byte offsets into [`Message::text`]; always on char boundaries.
    pub range: Range<usize>,
}

/// An e-mail message split into regions. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Message {
    text: String,
    decoded: bool,
    regions: Vec<Region>,
    subject: Option<Range<usize>>,
    masked: OnceLock<String>,
    thread: OnceLock<String>,
}

impl Message {
    /// Reads a message held as text: a compose buffer, a draft or an RFC 822 message.
    /// Never fails; any input gives a Message.
    pub fn parse(input: &str) -> Message {
        Message::from_bytes(input.as_bytes())
    }

    /// Reads raw bytes from a file or stdin, which may be 8-bit mail that is not
    /// UTF-8. Never fails; any input gives a Message.
    pub fn from_bytes(input: &[u8]) -> Message {
        let source = mime::read(input);
        let text = source.text;
        // A received message has eight regions at the median and twelve at the 90th
        // percentile (easy-ham-1): room for sixteen saves growing the list from empty.
        let mut regions = Regions(Vec::with_capacity(16));

        let subject = source.subject;
        match &subject {
            Some(value) => {
                regions.push(RegionKind::Header, 0..value.start);
                inline::split(&text, value.clone(), RegionKind::Subject, &mut regions);
                regions.push(RegionKind::Header, value.end..source.header_end);
            }
            None => regions.push(RegionKind::Header, 0..source.header_end),
        }
        regions.push(RegionKind::Header, source.header_end..source.body.start);
        body::classify(&text, source.body.clone(), &mut regions);
        regions.push(RegionKind::Header, source.body.end..text.len());

        Message { regions: regions.into_vec(), decoded: source.decoded, subject, text, masked: OnceLock::new(), thread: OnceLock::new() }
    }

    /// The text every offset refers to: the input itself, or the header block plus the
    /// decoded body when [`is_decoded`](Self::is_decoded).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when [`text`](Self::text) is decoded MIME content (or 8-bit bytes read as
    /// text) rather than the input bytes, so offsets do not point into the input.
    pub fn is_decoded(&self) -> bool {
        self.decoded
    }

    /// Sorted, non-overlapping regions that together cover all of the text. Adjacent
    /// regions never share a kind.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The range of the first `Subject:` header's value (after `"Subject: "`, line
    /// ending excluded), if the message has one. An empty subject is an empty range.
    pub fn subject(&self) -> Option<Range<usize>> {
        self.subject.clone()
    }

    /// The text with every byte outside Subject and Body regions replaced by a space,
    /// line endings (`'\n'`, `'\r'`) kept: same length, same offsets, same lines, so
    /// rules can run over it as if the rest were not there.
    pub fn masked(&self) -> &str {
        self.masked.get_or_init(|| self.compute_masked())
    }

    /// The quoted and forwarded thread (Quoted and Forwarded regions) with the `>`
    /// quote markers stripped, one line per line, for rules that need to know what was
    /// discussed before. Empty when there is none.
    pub fn thread(&self) -> &str {
        self.thread.get_or_init(|| self.compute_thread())
    }

    fn compute_masked(&self) -> String {
        // Written as bytes into one buffer and checked as UTF-8 once at the end: a
        // buffer (and a check) per blanked region cost more than the blanking.
        let mut masked = Vec::with_capacity(self.text.len());
        for region in &self.regions {
            match self.text.get(region.range.clone()) {
                Some(checked) if region.kind.is_checked() => masked.extend_from_slice(checked.as_bytes()),
                _ => blank_out(&mut masked, self.text.as_bytes().get(region.range.clone()).unwrap_or_default()),
            }
        }
        String::from_utf8(masked).expect("whole str slices and ASCII blanks are UTF-8")
    }

    fn compute_thread(&self) -> String {
        let old = || self.regions.iter().filter(|r| matches!(r.kind, RegionKind::Quoted | RegionKind::Forwarded));
        // The regions' lines less their quote markers fit in the regions' bytes (and a
        // '\n' for a last line without one): room for them up front saves growing the
        // text line by line.
        let mut thread = String::with_capacity(old().map(|r| r.range.len()).sum::<usize>() + 1);
        for region in old() {
            for line in lines::lines(&self.text, region.range.start, region.range.end) {
                thread.push_str(markers::strip_quote_markers(line.content()));
                thread.push('\n');
            }
        }
        thread
    }
}

/// Appends `bytes` with every byte but line endings (`'\n'`, `'\r'`) written as a
/// space. Byte by byte with no branch, which the compiler turns into vector code: most
/// of a message is its header, blanked here.
fn blank_out(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend(bytes.iter().map(|&b| if b == b'\n' || b == b'\r' { b } else { b' ' }));
}

/// Collects regions in order, merging a region into the previous one when they have
/// the same kind and touch, and dropping empty ones.
#[derive(Debug, Default)]
struct Regions(Vec<Region>);

impl Regions {
    fn push(&mut self, kind: RegionKind, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        if let Some(last) = self.0.last_mut() {
            if last.kind == kind && last.range.end == range.start {
                last.range.end = range.end;
                return;
            }
        }
        self.0.push(Region { kind, range });
    }

    fn into_vec(self) -> Vec<Region> {
        self.0
    }
}
