//! Turning phrases and patterns into regexes, and finding them on word boundaries.

use regex::{Regex, RegexBuilder};

use crate::text::is_word_char;

/// Compiled-program size allowed for one pattern; packs come from other people's
/// repositories, so a pathological regex must fail loudly instead of eating memory.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The regex source of a plain phrase: literal text, any run of spaces matches any
/// whitespace (mail is hard-wrapped) and a straight apostrophe also matches a curly one.
pub fn phrase_source(phrase: &str) -> String {
    pattern_source(&phrase_pattern(phrase))
}

/// A phrase as a pattern: its words escaped, any whitespace between them.
pub fn phrase_pattern(phrase: &str) -> String {
    let words: Vec<String> = phrase.split_whitespace().map(regex::escape).collect();
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

/// A regex error on one line: the crate's multi-line report is for terminals.
pub fn problem(err: &regex::Error) -> String {
    match err {
        regex::Error::CompiledTooBig(limit) => {
            format!("pattern is too large once compiled (over {limit} bytes); split it or simplify it")
        }
        other => {
            let text = other.to_string();
            let detail = text.lines().rev().find(|l| l.starts_with("error:")).unwrap_or(text.as_str());
            format!("invalid regex: {}", detail.trim_start_matches("error:").trim())
        }
    }
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
    fn apostrophes_match_both_forms() {
        assert_eq!(first(&phrase_source("I'll"), "I’ll send it"), Some("I’ll".into()));
        assert_eq!(first(&pattern_source(r"you[']re"), "you're"), Some("you're".into()));
    }
}
