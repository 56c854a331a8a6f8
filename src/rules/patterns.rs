//! What a rule holds: its expressions, its regexes (`regex` entries, and `phrases` and
//! `patterns`, which are written as regexes) and its guards. Expressions are parsed
//! when the pack loads and compiled when an engine is built with the final lists;
//! regexes are compiled when the pack loads, so a bad one is reported at its place.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::expr::Node;
use super::{matcher, Location};

/// A parsed expression with where it is written.
#[derive(Debug, Clone)]
pub struct Expr {
    pub source: String,
    pub node: Node,
    pub location: Location,
}

/// One thing a rule matches.
#[derive(Debug)]
pub enum Pattern {
    /// A `match` entry.
    Expr(Expr),
    /// A `regex` entry.
    Regex(Escape),
}

/// Which part of the sentence a guard looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug)]
pub struct Guard {
    pub unless: bool,
    pub window: GuardWindow,
    pub test: GuardTest,
}

/// What a guard looks for: an expression, or (in a rule written with `phrases` or
/// `patterns`) a regex.
#[derive(Debug)]
pub enum GuardTest {
    Expr(Expr),
    Regex(Escape),
}

/// A regex: a `regex` entry, a phrase or a pattern. It is tried on a sentence only when
/// the sentence holds one of its literals.
#[derive(Debug)]
pub struct Escape {
    pub source: String,
    /// Lower-case strings one of which every match contains; `None`: no such set, the
    /// regex runs on every sentence.
    pub literals: Option<Vec<String>>,
    pub location: Location,
    pub regex: Regex,
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
        Ok(Escape { literals: required_literals(&widened), source: source.to_owned(), location, regex })
    }
}

/// Phrases of which a measure asks "is one of these in the message, and where first?"
/// (a `co-occurrence` group): one regex, compiled when a message first holds one of
/// its literals, so the many messages that hold none never pay for it.
#[derive(Debug, Clone)]
pub struct PhraseGroup {
    source: String,
    case_sensitive: bool,
    /// Finds the lower-case literals one of which every match contains; `None`: no
    /// such set, the regex runs on every message.
    literals: Option<AhoCorasick>,
    regex: OnceLock<Option<Regex>>,
}

impl PhraseGroup {
    /// The phrases as one regex; with `verify` it is compiled now, so a group too
    /// large to compile is reported when its pack loads (the built-in packs, tested
    /// with the project, skip it to start faster).
    pub fn new(phrases: &[String], case_sensitive: bool, verify: bool) -> Result<PhraseGroup, String> {
        let source = phrases.iter().map(|phrase| format!("(?:{})", matcher::phrase_source(phrase))).collect::<Vec<_>>().join("|");
        let literals = required_literals(&source)
            .map(|found| AhoCorasick::builder().ascii_case_insensitive(true).build(found).map_err(|err| err.to_string()))
            .transpose()?;
        let group = PhraseGroup { source, case_sensitive, literals, regex: OnceLock::new() };
        if verify {
            let regex = matcher::compile(&group.source, case_sensitive).map_err(|err| matcher::problem(&err))?;
            group.regex.get_or_init(|| Some(regex));
        }
        Ok(group)
    }

    /// The first match at or after `from` on word boundaries ([`matcher::find_bounded`]).
    pub fn find(&self, hay: &str, from: usize) -> Option<std::ops::Range<usize>> {
        if self.literals.as_ref().is_some_and(|literals| !literals.is_match(&hay[from..])) {
            return None;
        }
        // A group too large to compile matches nothing; packs that are not built in
        // were compiled when they loaded, and said so.
        let regex = self.regex.get_or_init(|| matcher::compile(&self.source, self.case_sensitive).ok()).as_ref()?;
        matcher::find_bounded(regex, hay, from).map(|found| found.range())
    }
}

/// Literals of which every match contains one (prefixes, else suffixes), lower-cased;
/// `None` if some match could contain none of a few short strings.
fn required_literals(source: &str) -> Option<Vec<String>> {
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
    fn a_phrase_group_finds_its_phrases_on_word_edges_and_skips_texts_without_them() {
        let group = PhraseGroup::new(&["let you down".into(), "sorry".into(), "we're upset".into()], false, false).unwrap();
        assert!(group.literals.is_some());
        assert_eq!(group.find("Sorryness. We\u{2019}re  upset, sorry.", 0), Some(11..25));
        assert_eq!(group.find("We let\nyou down; SORRY", 0), Some(3..15));
        assert_eq!(group.find("We let\nyou down; SORRY", 4), Some(17..22));
        assert_eq!(group.find("Nothing here.", 0), None);
        assert!(group.regex.get().is_some(), "compiled once a text held a literal");
        let untouched = PhraseGroup::new(&["sorry".into()], false, false).unwrap();
        assert_eq!(untouched.find("Nothing here.", 0), None);
        assert!(untouched.regex.get().is_none(), "not compiled for a text without its literals");
    }

    #[test]
    fn syntax_errors_come_without_compiling() {
        let err = Escape::new("(open", false, Location::default()).unwrap_err();
        assert_eq!(err, (Some(0), "invalid regex: unclosed group".into()));
        assert!(Escape::new("fine", false, Location::default()).is_ok());
        assert_eq!(Escape::new("x?", false, Location::default()).unwrap_err().1, "pattern matches empty text; it would flag everything");
    }
}
