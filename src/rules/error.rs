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
    pub fn from_toml(origin: &str, source: &str, err: &toml::de::Error) -> PackError {
        let offset = err.span().map_or(0, |span| span.start);
        let message = err.message().trim_end().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(", ");
        PackError::at(origin, source, offset, super::keys::humanize(&message))
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
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

/// 1-based line and column (in characters) of a byte offset.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
