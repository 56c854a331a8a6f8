//! What a rule holds: its expressions, its regexes (`regex` entries, and `phrases` and
//! `patterns`, which are written as regexes) and its guards. Expressions are parsed
//! when the pack loads and compiled when an engine is built with the final lists;
//! regexes are compiled when the pack loads, so a bad one is reported at its place
//! (and again when the default pack, compiled when tactful is built, is read back).

use regex::Regex;

use super::expr::Node;
use super::{matcher, Location};

/// A parsed expression with where it is written.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Expr {
    pub source: String,
    pub node: Node,
    pub location: Location,
}

/// One thing a rule matches.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub enum Pattern {
    /// A `match` entry.
    Expr(Expr),
    /// A `regex` entry.
    Regex(Escape),
}

/// Which part of the sentence a guard looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GuardWindow {
    /// `unless`, `requires`: the whole sentence (`^`, `$` its ends).
    Sentence,
    /// `unless_before`, `requires_before`: before the reported span (`$` right before it).
    Before,
    /// `unless_after`, `requires_after`: after it (`^` right after it).
    After,
}

/// One guard entry: when it matches in its window, the match is dropped (`unless`) or
/// kept (`requires`: a rule with any `requires` guard of a window needs one of them).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Guard {
    pub unless: bool,
    pub window: GuardWindow,
    pub test: GuardTest,
}

/// What a guard looks for: an expression, or (in a rule written with `phrases` or
/// `patterns`) a regex.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub enum GuardTest {
    Expr(Expr),
    Regex(Escape),
}

/// A regex: a `regex` entry, a phrase or a pattern. It is tried on a sentence only when
/// the sentence holds one of its literals. Stored as written and compiled again when
/// read back ([`crate::rules::Pack`]s are serialized for the built-in packs).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "Written", try_from = "Written")]
pub struct Escape {
    pub source: String,
    pub case_sensitive: bool,
    /// Lower-case strings one of which every match contains; `None`: no such set, the
    /// regex runs on every sentence.
    pub literals: Option<Vec<String>>,
    pub location: Location,
    pub regex: Regex,
}

/// An [`Escape`] as written: all it is compiled from.
#[derive(serde::Serialize, serde::Deserialize)]
struct Written {
    source: String,
    case_sensitive: bool,
    location: Location,
}

impl From<Escape> for Written {
    fn from(escape: Escape) -> Written {
        Written { source: escape.source, case_sensitive: escape.case_sensitive, location: escape.location }
    }
}

impl TryFrom<Written> for Escape {
    type Error = String;
    fn try_from(written: Written) -> Result<Escape, String> {
        Escape::new(&written.source, written.case_sensitive, written.location).map_err(|(_, message)| message)
    }
}

impl Escape {
    /// Parses and compiles `source`; the error is the character column in `source`
    /// (if there is one character to blame) and a one-line message.
    pub fn new(source: &str, case_sensitive: bool, location: Location) -> Result<Escape, (Option<usize>, String)> {
        let widened = matcher::pattern_source(source);
        if let Err(err) = regex_syntax::ParserBuilder::new().case_insensitive(!case_sensitive).build().parse(&widened) {
            let (column, message) = super::expr::syntax_error(&err);
            let column = column.filter(|_| widened == source);
            return Err((column, message));
        }
        let regex = matcher::compile(&widened, case_sensitive).map_err(|err| (None, matcher::problem(&err)))?;
        if regex.is_match("") {
            return Err((None, "pattern matches empty text; it would flag everything".to_owned()));
        }
        Ok(Escape { literals: required_literals(&widened), source: source.to_owned(), case_sensitive, location, regex })
    }
}

/// Literals of which every match contains one (prefixes, else suffixes), lower-cased;
/// `None` if some match could contain none of a few short strings.
pub fn required_literals(source: &str) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new().build().parse(source).ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let mut extractor = Extractor::new();
        extractor.kind(kind);
        let seq = extractor.extract(&hir);
        let Some(literals) = seq.literals() else {
            continue;
        };
        let words: Option<Vec<String>> = literals.iter().map(|l| std::str::from_utf8(l.as_bytes()).ok().map(str::to_lowercase)).collect();
        let Some(mut words) = words else { continue };
        // Case-insensitive search is ASCII-only: a literal with a cased non-ASCII letter
        // could be missed in another case.
        let caseless = |c: char| c.is_ascii() || (c.to_lowercase().eq([c]) && c.to_uppercase().eq([c]));
        if words.is_empty() || words.iter().any(|w| w.chars().count() < 2 || !w.chars().all(caseless)) {
            continue;
        }
        words.sort();
        words.dedup();
        return Some(words);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_every_match_contains_are_found() {
        assert_eq!(required_literals(r"\b(?:I|we)\s+need\b"), Some(vec!["need".into()]));
        assert_eq!(required_literals(r"\bper (?:my|our) last\b"), Some(vec!["per my last".into(), "per our last".into()]));
        assert_eq!(required_literals(r"\w+ (?:ASAP|urgently)"), Some(vec![" asap".into(), " urgently".into()]));
        assert_eq!(required_literals(r"\w+"), None);
    }

    #[test]
    fn syntax_errors_come_without_compiling() {
        let err = Escape::new("(open", false, Location::default()).unwrap_err();
        assert_eq!(err, (Some(0), "invalid regex: unclosed group".into()));
        assert!(Escape::new("fine", false, Location::default()).is_ok());
        assert_eq!(Escape::new("x?", false, Location::default()).unwrap_err().1, "pattern matches empty text; it would flag everything");
    }
}
