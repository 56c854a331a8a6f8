//! Errors in packs and config: always with the file, line and column they point at.

use std::fmt;

/// A problem in a pack or config file, placed at a line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PackError {
    /// The file as the user named it, or `builtin:NAME/FILE` for embedded packs.
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl PackError {
    /// An error at byte `offset` of `source`, the text of `origin`.
    pub fn at(origin: &str, source: &str, offset: usize, message: impl Into<String>) -> PackError {
        PackError::at_location(&Location::at(origin, source, offset), message)
    }

    /// An error about a whole file (unreadable, missing), placed at its start.
    pub fn whole_file(origin: &str, message: impl Into<String>) -> PackError {
        PackError { origin: origin.to_owned(), line: 1, column: 1, message: message.into() }
    }

    /// Turns a TOML parse or schema error into one with a place; an unknown key is
    /// named with its table and the closest known key.
    /// A value of the wrong type is named with what its key takes, and shown as written.
    pub fn from_toml(origin: &str, source: &str, err: &toml::de::Error) -> PackError {
        PackError::from_toml_with(origin, source, err, &[])
    }

    /// As [`PackError::from_toml`] for a format with tables of its own (`more`).
    pub fn from_toml_with(origin: &str, source: &str, err: &toml::de::Error, more: &[super::keys::NamedTable]) -> PackError {
        let span = err.span().unwrap_or(0..0);
        let message = err.message().trim_end().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(", ");
        let path = super::place::key_path_at(source, span.start);
        let found = source.get(span.clone()).unwrap_or_default();
        let message = super::keys::wrong_type(&message, &path, found).unwrap_or_else(|| super::keys::humanize(&message, more));
        PackError::at(origin, source, span.start, message)
    }

    /// An error at a place already computed.
    pub fn at_location(location: &Location, message: impl Into<String>) -> PackError {
        PackError { origin: location.origin.clone(), line: location.line, column: location.column, message: message.into() }
    }

    /// Where the error points.
    pub fn location(&self) -> Location {
        Location { origin: self.origin.clone(), line: self.line, column: self.column }
    }
}

/// A place in a pack or config file: where a rule is written, for instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub origin: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

impl Location {
    /// The place of byte `offset` in `source`, the text of `origin`.
    pub fn at(origin: &str, source: &str, offset: usize) -> Location {
        let (line, column) = line_column(source, offset);
        Location { origin: origin.to_owned(), line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.origin, self.line, self.column)
    }
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.origin, self.line, self.column, self.message)
    }
}

/// The byte offset in the TOML `text` of byte `offset` of the string value written at
/// `span` (quotes included): escapes in basic strings are walked, so an error in an
/// expression or regex points at its character wherever the string is written.
pub fn value_offset(text: &str, span: std::ops::Range<usize>, offset: usize) -> usize {
    let Some(raw) = text.get(span.clone()) else {
        return span.start;
    };
    let (delimiter, literal) = match raw.as_bytes() {
        [b'\'', b'\'', b'\'', ..] => (3, true),
        [b'"', b'"', b'"', ..] => (3, false),
        [b'\'', ..] => (1, true),
        [b'"', ..] => (1, false),
        _ => return span.start,
    };
    let mut body = &raw[delimiter..raw.len().saturating_sub(delimiter).max(delimiter)];
    let mut at = span.start + delimiter;
    if delimiter == 3 {
        let newline = if body.starts_with("\r\n") { 2 } else { usize::from(body.starts_with('\n')) };
        body = &body[newline..];
        at += newline;
    }
    let mut value = 0;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if value >= offset {
            return at + i;
        }
        if literal || c != '\\' {
            value += c.len_utf8();
            continue;
        }
        match chars.next().map(|(_, e)| e) {
            Some(kind @ ('u' | 'U')) => {
                let digits: String = (0..if kind == 'u' { 4 } else { 8 }).filter_map(|_| chars.next().map(|(_, d)| d)).collect();
                value += u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32).map_or(1, char::len_utf8);
            }
            Some(e) if e.is_whitespace() => {
                // A line-ending backslash: the break and the next line's indent vanish.
                while chars.peek().is_some_and(|(_, w)| w.is_whitespace()) {
                    chars.next();
                }
            }
            Some(_) => value += 1,
            None => {}
        }
    }
    at + body.len()
}

/// Where each line of one file starts: a pack file names the place of every rule,
/// list and expression it holds, and a lookup here costs a binary search, not a count
/// of the lines from the top.
#[derive(Debug)]
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    pub fn new(source: &str) -> LineStarts {
        LineStarts(std::iter::once(0).chain(memchr::memchr_iter(b'\n', source.as_bytes()).map(|at| at + 1)).collect())
    }

    /// The place of byte `offset` in `source` (the text these lines are of), as
    /// [`Location::at`] finds it.
    pub fn location(&self, origin: &str, source: &str, offset: usize) -> Location {
        let offset = offset.min(source.len());
        let line = self.0.partition_point(|&start| start <= offset);
        let line_start = self.0[line - 1];
        let column = source.get(line_start..offset).map_or(0, |before| before.chars().count()) + 1;
        Location { origin: origin.to_owned(), line, column }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    // memchr: a pack file has a location per rule and expression, each counted from the top.
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = memchr::memrchr(b'\n', before.as_bytes()).map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_in_a_string_value_map_into_the_file() {
        let text = "a = 'x (y'\nb = \"x \\\"q\\\" \\u00e9 (y\"\n";
        let literal = text.find("'x").unwrap()..text.find("(y'").unwrap() + 3;
        assert_eq!(&text[value_offset(text, literal, 2)..][..2], "(y");
        let basic = text.find("\"x").unwrap()..text.rfind('"').unwrap() + 1;
        assert_eq!(&text[value_offset(text, basic, "x \"q\" é ".len())..][..2], "(y");
    }

    #[test]
    fn line_starts_place_every_offset_as_counting_does() {
        let text = "a = 1\n\nb = 'é x'\r\nlast";
        let lines = LineStarts::new(text);
        for offset in (0..=text.len() + 2).filter(|&o| o > text.len() || text.is_char_boundary(o)) {
            assert_eq!(lines.location("f", text, offset), Location::at("f", text, offset), "offset {offset}");
        }
    }
}
