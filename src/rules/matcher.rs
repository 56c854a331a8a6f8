//! Turning phrases and patterns into regexes, and finding them on word boundaries.

use regex::{Regex, RegexBuilder};

use crate::text::is_word_char;

/// Compiled-program size allowed for one pattern; packs come from other people's
/// repositories, so a pathological regex must fail loudly instead of eating memory.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The regex source of a plain phrase: literal text, any run of spaces matches any
/// whitespace (mail is hard-wrapped) and a straight apostrophe also matches a curly one.
pub fn phrase_source(phrase: &str) -> String {
    let words: Vec<String> = phrase.split_whitespace().map(|word| apostrophes(&regex::escape(word))).collect();
    words.join(r"\s+")
}

/// The regex source of a pattern as written: apostrophes widened as for phrases.
pub fn pattern_source(pattern: &str) -> String {
    apostrophes(pattern)
}

fn apostrophes(source: &str) -> String {
    source.replace('\'', "['’]")
}

/// Compiles a regex source with the rule's case sensitivity.
pub fn compile(source: &str, case_sensitive: bool) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&ascii_word_boundaries(source)).case_insensitive(!case_sensitive).size_limit(REGEX_SIZE_LIMIT).build()
}

/// Compiles several sources as one alternation, for guards that only ask "any of these?".
pub fn compile_any(sources: &[String], case_sensitive: bool) -> Result<Option<Regex>, regex::Error> {
    if sources.is_empty() {
        return Ok(None);
    }
    let joined = sources.iter().map(|s| format!("(?:{s})")).collect::<Vec<_>>().join("|");
    compile(&joined, case_sensitive).map(Some)
}

/// `\b` as an ASCII word boundary. A Unicode `\b` makes the regex crate's fast DFA
/// give up at the first non-ASCII byte (a curly quote, an accented name) and fall back
/// to a far slower engine; tone patterns are English words, where the two agree.
fn ascii_word_boundaries(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars();
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('b') if class_depth == 0 => out.push_str(r"(?-u:\b)"),
                Some(next) => {
                    out.push(c);
                    out.push(next);
                }
                None => out.push(c),
            },
            '[' => {
                class_depth += 1;
                out.push(c);
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A looser copy of a pattern for the one-pass prefilter set: it matches wherever the
/// pattern does (and more), without the look-arounds and bounded repetitions that make
/// a set of hundreds of patterns blow up the DFA. The exact pattern then confirms each
/// candidate. `None` if the source does not parse (it was checked when the pack loaded).
pub fn prefilter_source(source: &str, case_sensitive: bool) -> Option<String> {
    use regex_syntax::hir::{Hir, HirKind, Repetition};
    fn loosen(hir: &Hir) -> Hir {
        match hir.kind() {
            HirKind::Look(_) => Hir::empty(),
            HirKind::Repetition(rep) => Hir::repetition(Repetition { min: rep.min.min(1), max: None, greedy: true, sub: Box::new(loosen(&rep.sub)) }),
            HirKind::Capture(capture) => loosen(&capture.sub),
            HirKind::Concat(subs) => Hir::concat(subs.iter().map(loosen).collect()),
            HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(loosen).collect()),
            _ => hir.clone(),
        }
    }
    let hir = regex_syntax::ParserBuilder::new().case_insensitive(!case_sensitive).build().parse(source).ok()?;
    Some(loosen(&hir).to_string())
}

/// The first match at or after `from` whose edges sit on word boundaries: a match that
/// begins (ends) with a letter or digit must not be preceded (followed) by one.
/// This lets "sorry" skip "sorryness" while "!!!" still matches right after "now".
pub fn find_bounded<'h>(regex: &Regex, hay: &'h str, mut from: usize) -> Option<regex::Match<'h>> {
    while from <= hay.len() {
        let found = regex.find_at(hay, from)?;
        if !found.is_empty() && on_word_edges(hay, found.start(), found.end()) {
            return Some(found);
        }
        from = next_char_boundary(hay, found.start());
    }
    None
}

/// Whether `regex` has a bounded match anywhere in `hay`.
pub fn is_match_bounded(regex: &Regex, hay: &str) -> bool {
    find_bounded(regex, hay, 0).is_some()
}

fn on_word_edges(hay: &str, start: usize, end: usize) -> bool {
    let text = &hay[start..end];
    let starts_word = text.chars().next().is_some_and(is_word_char);
    let ends_word = text.chars().next_back().is_some_and(is_word_char);
    let before_word = hay[..start].chars().next_back().is_some_and(is_word_char);
    let after_word = hay[end..].chars().next().is_some_and(is_word_char);
    !((starts_word && before_word) || (ends_word && after_word))
}

fn next_char_boundary(hay: &str, at: usize) -> usize {
    hay[at..].chars().next().map_or(hay.len() + 1, |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(pattern: &str, hay: &str) -> Option<String> {
        let regex = compile(pattern, false).unwrap();
        find_bounded(&regex, hay, 0).map(|m| m.as_str().to_owned())
    }

    #[test]
    fn word_edges_are_enforced_only_where_the_match_has_word_characters() {
        assert_eq!(first("sorry", "sorryness, sorry"), Some("sorry".into()));
        assert_eq!(first("sorry", "unsorry"), None);
        assert_eq!(first("[!?]{2,}", "now!!!"), Some("!!!".into()));
        assert_eq!(first(&phrase_source("per my last email"), "Per my\nlast  email,"), Some("Per my\nlast  email".into()));
    }

    #[test]
    fn word_boundaries_are_ascii_outside_classes_only() {
        assert_eq!(ascii_word_boundaries(r"\bI\b[\b]\\b"), r"(?-u:\b)I(?-u:\b)[\b]\\b");
        assert_eq!(first(r"\bsorry\b", "not sorry."), Some("sorry".into()));
    }

    #[test]
    fn the_prefilter_copy_matches_wherever_the_pattern_does() {
        let pattern = r"\byou (?:\w+\s+){0,2}never\b";
        let loose = Regex::new(&prefilter_source(pattern, false).unwrap()).unwrap();
        for hay in ["You never call", "you really truly never", "you a b c never"] {
            assert!(loose.is_match(hay), "{hay}");
        }
    }

    #[test]
    fn apostrophes_match_both_forms() {
        assert_eq!(first(&phrase_source("I'll"), "I’ll send it"), Some("I’ll".into()));
        assert_eq!(first(&pattern_source(r"you[']re"), "you're"), Some("you're".into()));
    }
}
