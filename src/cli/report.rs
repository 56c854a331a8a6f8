//! Reports for `check`: rustc-style text for people, JSON for scripts.

use std::borrow::Borrow;
use std::io::{self, Write};

use serde::Serialize;
use tactful::wording::counted;
use tactful::{Engine, Finding, Message, Severity};

/// One checked input with its findings.
pub struct Checked {
    pub path: String,
    pub message: Message,
    pub findings: Vec<Finding>,
}

/// What became of one input of `tactful check`.
pub enum Input {
    Checked(Checked),
    Unchecked { path: String, why: Unchecked },
}

/// Why an input was not checked.
pub enum Unchecked {
    /// A NUL byte near the start: skipped, which is not an error.
    Binary,
    /// It could not be read: an error.
    Unreadable(String),
}

impl std::fmt::Display for Unchecked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unchecked::Binary => f.write_str("a binary file (a NUL byte in its first 8 KB), not a message"),
            Unchecked::Unreadable(why) => f.write_str(why),
        }
    }
}

/// The JSON report: byte offsets into the file (or into the decoded text when
/// `decoded` is true), 1-based lines and columns in Unicode scalar values. An input
/// that could not be read has `error` instead of diagnostics; a skipped one has
/// `skipped` and no diagnostics.
///
/// The report is one array. Each input's entry is rendered on its own
/// ([`json_entry`], on the thread that checked the input) and the entries are joined
/// in order ([`json_array`]): the array reads as `serde_json` prints a whole array.
pub fn json_entry(engine: &Engine, input: &Input) -> Vec<u8> {
    #[derive(Serialize)]
    #[serde(untagged)]
    enum FileReport<'a> {
        Checked { path: &'a str, decoded: bool, diagnostics: Vec<Diagnostic<'a>> },
        Skipped { path: &'a str, skipped: String, diagnostics: [(); 0] },
        Failed { path: &'a str, error: &'a str },
    }
    #[derive(Serialize)]
    struct Diagnostic<'a> {
        rule: &'a str,
        category: &'a str,
        severity: Severity,
        message: &'a str,
        why: &'a str,
        start: usize,
        end: usize,
        line: usize,
        column: usize,
        end_line: usize,
        end_column: usize,
        text: &'a str,
        suggestions: &'a [tactful::Suggestion],
    }
    fn diagnostics<'a>(engine: &'a Engine, checked: &'a Checked) -> Vec<Diagnostic<'a>> {
        let text = checked.message.text();
        let (mut starts, mut ends) = (Cursor::new(text), Cursor::new(text));
        checked
            .findings
            .iter()
            .map(|f| {
                let (line, column) = starts.line_column(f.span.start);
                let (end_line, end_column) = ends.line_column(f.span.end);
                Diagnostic {
                    rule: &f.rule,
                    category: &f.category,
                    severity: f.severity,
                    message: &f.message,
                    why: engine.rule(&f.rule).map_or("", |rule| rule.why.as_str()),
                    start: f.span.start,
                    end: f.span.end,
                    line,
                    column,
                    end_line,
                    end_column,
                    text: &text[f.span.clone()],
                    suggestions: &f.suggestions,
                }
            })
            .collect()
    }
    let report = match input {
        Input::Checked(checked) => {
            FileReport::Checked { path: &checked.path, decoded: checked.message.is_decoded(), diagnostics: diagnostics(engine, checked) }
        }
        Input::Unchecked { path, why: why @ Unchecked::Binary } => FileReport::Skipped { path, skipped: why.to_string(), diagnostics: [] },
        Input::Unchecked { path, why: Unchecked::Unreadable(error) } => FileReport::Failed { path, error },
    };
    // An entry sits one level into the array: a formatter that has begun an array
    // indents it so, as serde_json indents a whole array's entries.
    let mut formatter = serde_json::ser::PrettyFormatter::new();
    serde_json::ser::Formatter::begin_array(&mut formatter, &mut io::sink()).expect("a sink takes anything");
    // Room for what an entry most often takes, so that it is seldom moved as it grows.
    let findings = if let Input::Checked(checked) = input { checked.findings.len() } else { 0 };
    let mut entry = Vec::with_capacity(ENTRY_BYTES * (findings + 1));
    entry.extend_from_slice(ENTRY_INDENT);
    report.serialize(&mut serde_json::Serializer::with_formatter(&mut entry, formatter)).expect("a report serializes: its maps have string keys");
    entry
}

/// Where an entry of the array starts: the indent of its first line.
const ENTRY_INDENT: &[u8] = b"  ";

/// About the most a diagnostic, or an entry's own lines, take in the report: its
/// message and why are a few hundred bytes.
const ENTRY_BYTES: usize = 1 << 10;

/// The entries [`json_entry`] rendered, in order, as one JSON array and a line break.
pub fn json_array(out: &mut impl Write, entries: impl Iterator<Item = Vec<u8>>) -> io::Result<()> {
    let mut empty = true;
    for entry in entries {
        out.write_all(if empty { b"[\n" } else { b",\n" })?;
        out.write_all(&entry)?;
        empty = false;
    }
    out.write_all(if empty { b"[]\n" } else { b"\n]\n" })
}

/// How many findings of each severity the text report has shown, in how many files:
/// its closing line.
#[derive(Debug, Default)]
pub struct Tally {
    counts: [usize; 4],
    files: usize,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.files += other.files;
        for (count, more) in self.counts.iter_mut().zip(other.counts) {
            *count += more;
        }
    }

    /// The closing line of the text report, when anything was found.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let total: usize = self.counts.iter().sum();
        if total > 0 {
            let parts: Vec<String> = Severity::ALL
                .iter()
                .rev()
                .filter(|sev| self.counts[**sev as usize] > 0)
                .map(|sev| counted(self.counts[*sev as usize], sev.as_str()))
                .collect();
            writeln!(out, "{} ({}) in {}", counted(total, "finding"), parts.join(", "), counted(self.files, "file"))?;
        }
        Ok(())
    }
}

/// The text report, in the shape of rustc's diagnostics. Text from the input is shown
/// with control characters escaped, so a message cannot drive the terminal.
pub fn text<C: Borrow<Checked>>(out: &mut impl Write, results: impl IntoIterator<Item = C>, color: bool) -> io::Result<()> {
    let mut tally = Tally::default();
    for checked in results {
        tally.add(&text_findings(out, checked.borrow(), color)?);
    }
    tally.write(out)
}

/// One input's findings in the text report (without the closing line), and their
/// tally.
pub fn text_findings(out: &mut impl Write, checked: &Checked, color: bool) -> io::Result<Tally> {
    let paint = Paint(color);
    let mut tally = Tally { counts: [0; 4], files: 1 };
    let text = checked.message.text();
    let mut cursor = Cursor::new(text);
    for finding in &checked.findings {
        tally.counts[finding.severity as usize] += 1;
        let (line, column) = cursor.line_column(finding.span.start);
        let sev = finding.severity;
        writeln!(out, "{}: {}", paint.severity(sev, &format!("{sev}[{}]", finding.rule)), paint.bold(&visible(&finding.message)))?;
        let decoded = if checked.message.is_decoded() { " (decoded text)" } else { "" };
        let snippet = Snippet::new(text, finding.span.clone(), line, cursor.line_start);
        let gutter = snippet.last_line().to_string().len();
        writeln!(out, "{:gutter$}{} {}:{line}:{column}{decoded}", "", paint.blue("-->"), visible(&checked.path))?;
        writeln!(out, "{:gutter$} {}", "", paint.blue("|"))?;
        snippet.write(out, &paint, sev, gutter)?;
        if let Some(suggestion) = finding.suggestions.first() {
            let replacement =
                if suggestion.replacement.is_empty() { "(remove it)".to_owned() } else { format!("“{}”", visible(&suggestion.replacement)) };
            writeln!(out, "{:gutter$} {} {}: {replacement}", "", paint.blue("="), paint.bold("suggestion"))?;
        }
        writeln!(out)?;
    }
    Ok(tally)
}

/// The lines a span covers, drawn as rustc draws them: one line underlined with
/// `^^^`, several joined by a line down the left from the first character to the last.
/// A very long line (a pasted log, a message without line breaks) is shown from a
/// little before the span to a little after it, cut with `…`, so each finding prints
/// a few lines whatever the input.
struct Snippet<'a> {
    /// (line number, the shown part of the line without its line break, byte offset
    /// of that part)
    lines: Vec<(usize, &'a str, usize)>,
    span: std::ops::Range<usize>,
    /// Whether the first line shown is cut at its start, and the last at its end.
    cut: (bool, bool),
}

impl<'a> Snippet<'a> {
    /// Bytes of a long line shown before and after the span.
    const CONTEXT: usize = 160;

    /// `first_number` and `first_start` are the number and start of the line where
    /// the span starts.
    fn new(text: &'a str, span: std::ops::Range<usize>, first_number: usize, first_start: usize) -> Snippet<'a> {
        let floor = |mut at: usize| {
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        // A span that ends just after a line break ends on the line before.
        let last = text[..span.end].strip_suffix('\n').map_or(span.end, str::len).max(span.start);
        let from = if span.start - first_start > Snippet::CONTEXT { floor(span.start - Snippet::CONTEXT) } else { first_start };
        let limit = floor((last + Snippet::CONTEXT).min(text.len()));
        let mut lines = Vec::new();
        let mut start = from;
        let mut cut_after = false;
        for number in first_number.. {
            let end = match memchr::memchr(b'\n', &text.as_bytes()[start..limit]) {
                Some(at) => start + at,
                None => {
                    cut_after = !(text[limit..].is_empty() || text[limit..].starts_with(['\n', '\r']));
                    limit
                }
            };
            lines.push((number, text[start..end].trim_end_matches('\r'), start));
            start = end + 1;
            if start > last || end == limit {
                break;
            }
        }
        Snippet { lines, span: span.start..last, cut: (from > first_start, cut_after) }
    }

    /// The text shown for line `index` of the snippet, with `…` where it was cut.
    fn shown(&self, index: usize) -> String {
        let (before, after) = (index == 0 && self.cut.0, index + 1 == self.lines.len() && self.cut.1);
        format!("{}{}{}", if before { "…" } else { "" }, visible(self.lines[index].1), if after { "…" } else { "" })
    }

    fn last_line(&self) -> usize {
        self.lines.last().map_or(1, |(number, _, _)| *number)
    }

    fn write(&self, out: &mut impl Write, paint: &Paint, sev: Severity, gutter: usize) -> io::Result<()> {
        let bar = paint.blue("|");
        let marks = |text: String| paint.severity(sev, &text);
        let ellipsis = usize::from(self.cut.0);
        let width_to = |line: &str, line_start: usize, offset: usize| display_width(&visible(&line[..(offset - line_start).min(line.len())]));
        if let [(number, line, line_start)] = self.lines.as_slice() {
            let pad = ellipsis + width_to(line, *line_start, self.span.start);
            let len = (ellipsis + width_to(line, *line_start, self.span.end) - pad).max(1);
            writeln!(out, "{} {bar} {}", paint.blue(&number.to_string()), self.shown(0))?;
            return writeln!(out, "{:gutter$} {bar} {:pad$}{}", "", "", marks("^".repeat(len)));
        }
        for (i, (number, line, line_start)) in self.lines.iter().enumerate() {
            let number = paint.blue(&format!("{number:>gutter$}"));
            if i == 0 {
                let pad = ellipsis + width_to(line, *line_start, self.span.start);
                let from_line_start = !self.cut.0 && line[..self.span.start - line_start].trim().is_empty();
                if from_line_start {
                    writeln!(out, "{number} {bar} {} {}", marks("/".into()), self.shown(i))?;
                } else {
                    writeln!(out, "{number} {bar}   {}", self.shown(i))?;
                    writeln!(out, "{:gutter$} {bar}  {}", "", marks(format!("{}^", "_".repeat(pad + 1))))?;
                }
            } else {
                writeln!(out, "{number} {bar} {} {}", marks("|".into()), self.shown(i))?;
            }
        }
        let (_, line, line_start) = self.lines[self.lines.len() - 1];
        let end = width_to(line, line_start, self.span.end).max(1);
        writeln!(out, "{:gutter$} {bar} {}", "", marks(format!("|{}^", "_".repeat(end))))
    }
}

/// `text` safe to show on a terminal: a tab becomes a space, and control and
/// bidirectional formatting characters are written as escapes (`\u{1b}`).
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                out.extend(c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}

/// 1-based lines and columns (in Unicode scalar values) of byte offsets into one text.
/// Each answer starts from the previous one, so offsets asked in text order (findings
/// are sorted) cost one pass over the text, not one pass each: a long message can have
/// thousands of findings.
struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    /// The byte where the line holding `offset` starts.
    line_start: usize,
    column: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, offset: 0, line: 1, line_start: 0, column: 1 }
    }

    fn line_column(&mut self, offset: usize) -> (usize, usize) {
        if offset < self.line_start {
            // An earlier line (the end of a short finding after a long one): start over.
            *self = Cursor::new(self.text);
        }
        if offset >= self.offset {
            let step = &self.text[self.offset..offset];
            match step.rfind('\n') {
                Some(last) => {
                    self.line += memchr::memchr_iter(b'\n', step.as_bytes()).count();
                    self.line_start = self.offset + last + 1;
                    self.column = 1 + self.text[self.line_start..offset].chars().count();
                }
                None => self.column += step.chars().count(),
            }
        } else {
            self.column -= self.text[offset..self.offset].chars().count();
        }
        self.offset = offset;
        (self.line, self.column)
    }
}

/// Columns a terminal gives the text; wide (CJK, emoji) characters take two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F => 0,
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFF00..=0xFF60 | 0x1F300..=0x1FAFF | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// ANSI colours, or plain text when off.
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
            Severity::Hint => "1;32",
        };
        self.wrap(code, text)
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn blue(&self, text: &str) -> String {
        self.wrap("1;34", text)
    }
}
