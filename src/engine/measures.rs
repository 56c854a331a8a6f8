//! The message-level rule kinds: measures over the whole checked text.

use std::ops::Range;

use super::View;
use crate::rules::{Capitals, Measure, PronounRatio, Rule};
use crate::text::words;

/// Where phrase group `k` first matches in a sentence, in the text.
pub type GroupMatch<'a> = &'a dyn Fn(usize, &Range<usize>) -> Option<Range<usize>>;

/// What a measure asks of the rule's compiled expressions, sentence by sentence.
pub struct Sentences<'a> {
    /// Whether a sentence holds one of the rule's own patterns (`many-questions`).
    pub asks: &'a dyn Fn(&Range<usize>) -> bool,
    /// For `co-occurrence`.
    pub group_match: GroupMatch<'a>,
    /// Whether phrase group `k` can match anywhere in the message: a group that
    /// cannot spares looking at each sentence.
    pub group_may_match: &'a dyn Fn(usize) -> bool,
}

/// Spans to report for one message-level rule.
pub fn run(measure: &Measure, rule: &Rule, view: &View<'_>, sentences: &Sentences<'_>) -> Vec<Range<usize>> {
    match measure {
        Measure::Capitals(params) => capitals(params, rule, view),
        Measure::LongSentence { max_words } => view.body_sentences().filter(|s| view.word_count((*s).clone()) > *max_words).cloned().collect(),
        Measure::ManyQuestions { max } => many_questions(*max, view, sentences.asks).into_iter().collect(),
        Measure::WallOfText { max_words } => view
            .paragraphs()
            .into_iter()
            .filter(|p| view.in_scope(rule.scope, p.start) && view.word_count(p.clone()) > *max_words)
            .map(|p| view.sentence_at(p.start))
            .collect(),
        Measure::PronounRatio(params) => pronoun_ratio(params, view).into_iter().collect(),
        Measure::CoOccurrence { groups } => co_occurrence(groups.len(), rule, view, sentences).into_iter().collect(),
    }
}

/// Runs of words in capitals that read as shouting: three capitalised words in a row
/// with an emphasis word among them ("I NEED THIS TODAY"; without one it is a name or
/// a title: "RED NOSE DAY"), or (with `single_words`) an emphasis word ("NOT") or a
/// long unknown word on its own. A short run with a word that is not emphasis is a
/// term ("NOT NULL", "CRITICAL CVSS"), not a voice. Acronyms from the allow list, words with digits ("Q3") and
/// short words pass, and so do heading lines.
fn capitals(params: &Capitals, rule: &Rule, view: &View<'_>) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut run: Vec<(Range<usize>, bool)> = Vec::new();
    let flush = |run: &mut Vec<(Range<usize>, bool)>, spans: &mut Vec<Range<usize>>| {
        let voiced = run.iter().any(|(_, loud)| *loud);
        if run.len() >= 3 && voiced {
            spans.push(run[0].0.start..run[run.len() - 1].0.end);
        } else if params.single_words && run.iter().all(|(_, loud)| *loud) {
            spans.extend(run.iter().map(|(span, _)| span.clone()));
        }
        run.clear();
    };
    let mut line = Line::default();
    let (words, in_capitals) = view.words_in_capitals();
    let mut previous: Option<usize> = None;
    for &index in in_capitals {
        let span = words[index].clone();
        let (start, word) = (span.start, &view.masked[span.clone()]);
        // A word not in capitals between this one and the last ends the run, and so
        // does a mark (ASCII, so bytes will do: a char search is several times slower).
        let follows = previous.is_some_and(|previous| previous + 1 == index);
        let gap = if follows { &view.masked.as_bytes()[words[index - 1].end..start] } else { &[] };
        if !follows || gap.iter().any(|b| matches!(b, b'\n' | b'.' | b'!' | b'?' | b',' | b';' | b':')) {
            flush(&mut run, &mut spans);
        }
        previous = Some(index);
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        let capitalised = letters >= params.min_length && !params.allow.contains(word) && view.in_scope(rule.scope, start);
        if !capitalised || is_heading(view, start, &mut line) {
            flush(&mut run, &mut spans);
            continue;
        }
        let loud = params.emphasis.contains(word) || letters >= params.min_unknown_length;
        run.push((span, loud));
    }
    flush(&mut run, &mut spans);
    spans
}

/// A line of the masked text and whether it is a heading, kept while its words are
/// read so that a long line of capitals is looked at once, not once per word.
#[derive(Debug, Default)]
struct Line {
    range: Range<usize>,
    is_heading: bool,
}

/// A short line of the body written wholly in capitals with no sentence punctuation,
/// like "AGENDA" or "WHAT CHANGES FOR YOUR TEAM:", is a heading, not a raised voice.
fn is_heading(view: &View<'_>, at: usize, line: &mut Line) -> bool {
    if view.subject.as_ref().is_some_and(|s| s.contains(&at)) {
        return false;
    }
    if !line.range.contains(&at) {
        let start = view.masked[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = view.masked[at..].find('\n').map_or(view.masked.len(), |i| at + i);
        let text = view.masked[start..end].trim();
        let is_heading = !text.contains(['!', '?', '.']) && !text.chars().any(char::is_lowercase) && words(text).nth(8).is_none();
        *line = Line { range: start..end, is_heading };
    }
    line.is_heading
}

/// The question or request that takes the message past `max` of them.
fn many_questions(max: usize, view: &View<'_>, asks: &dyn Fn(&Range<usize>) -> bool) -> Option<Range<usize>> {
    let mut found = view.body_sentences().filter(|s| {
        let sentence = &view.masked[(*s).clone()];
        let question = sentence.trim_end_matches(['"', '\'', ')', '”', '’']).ends_with('?');
        question || asks(s)
    });
    found.nth(max).cloned()
}

/// The first sentence with a first-person word, when the body leans on "I/we" against
/// "you" beyond the ratio over enough words.
fn pronoun_ratio(params: &PronounRatio, view: &View<'_>) -> Option<Range<usize>> {
    let (mut total, mut first, mut second) = (0usize, 0usize, 0usize);
    let mut first_at = None;
    let pronouns = Pronouns::new(params);
    for sentence in view.body_sentences() {
        for (start, word) in view.words_in(sentence.clone()) {
            total += 1;
            match pronouns.person(word) {
                Some(Person::First) => {
                    first += 1;
                    first_at.get_or_insert(start);
                }
                Some(Person::Second) => second += 1,
                None => {}
            }
        }
    }
    let leaning = total >= params.min_words && first as f64 > params.ratio * second.max(1) as f64;
    leaning.then(|| first_at.map(|at| view.sentence_at(at))).flatten()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Person {
    First,
    Second,
}

/// The pronouns of a ratio, with what tells most words from every one of them
/// without lower-casing the word and looking it up: a measure reads every word of a
/// message.
struct Pronouns<'p> {
    params: &'p PronounRatio,
    /// A word longer than every pronoun (a curly apostrophe is 3 bytes) is none.
    longest: usize,
    /// Whether a pronoun starts with the (lower-cased, ASCII) byte.
    starts: [bool; 128],
    /// Bit `last % 32` of `ends[first % 32]`: whether a pronoun has those first and
    /// last bytes, in lower case ("in", "was" have none). Bytes that share a place
    /// only let more words through to the look-up.
    ends: [u32; 32],
}

impl<'p> Pronouns<'p> {
    fn new(params: &'p PronounRatio) -> Pronouns<'p> {
        let all = || params.first.iter().chain(&params.second);
        let longest = all().map(String::len).max().unwrap_or(0) + 2;
        let mut pronouns = Pronouns { params, longest, starts: [false; 128], ends: [0; 32] };
        for pronoun in all() {
            if let (Some(first), Some(last)) = (pronoun.bytes().next(), pronoun.bytes().last()) {
                let first = first.to_ascii_lowercase();
                if first.is_ascii() {
                    pronouns.starts[usize::from(first)] = true;
                }
                pronouns.ends[usize::from(first % 32)] |= 1 << (last.to_ascii_lowercase() % 32);
            }
        }
        pronouns
    }

    /// Whether `word` is none of the pronouns, told from its length and its first and
    /// last bytes alone (`false`: it may be one). A last byte that is not ASCII may
    /// lower-case to ASCII (the Kelvin sign to "k"), so it tells nothing.
    fn never_one(&self, word: &str) -> bool {
        if word.len() > self.longest {
            return true;
        }
        match (word.as_bytes().first(), word.as_bytes().last()) {
            (Some(&first), Some(&last)) if first.is_ascii() => {
                let first = first.to_ascii_lowercase();
                !self.starts[usize::from(first)]
                    || (last.is_ascii() && self.ends[usize::from(first % 32)] & 1 << (last.to_ascii_lowercase() % 32) == 0)
            }
            _ => false,
        }
    }

    /// Which person's pronoun `word` is, in any case and with either apostrophe.
    fn person(&self, word: &str) -> Option<Person> {
        if self.never_one(word) {
            return None;
        }
        // Most words are short and ASCII: lower-cased on the stack.
        let mut buffer = [0u8; 24];
        let owned;
        let lower = match buffer.get_mut(..word.len()) {
            Some(bytes) if word.is_ascii() => {
                bytes.copy_from_slice(word.as_bytes());
                bytes.make_ascii_lowercase();
                std::str::from_utf8(bytes).unwrap_or_default()
            }
            _ => {
                owned = word.to_lowercase().replace('’', "'");
                owned.as_str()
            }
        };
        if self.params.first.contains(lower) {
            Some(Person::First)
        } else if self.params.second.contains(lower) {
            Some(Person::Second)
        } else {
            None
        }
    }
}

/// The first hit of the first group, when each of the `groups` has a hit in scope.
fn co_occurrence(groups: usize, rule: &Rule, view: &View<'_>, sentences: &Sentences<'_>) -> Option<Range<usize>> {
    if !(0..groups).all(sentences.group_may_match) {
        return None;
    }
    let first_in_scope =
        |group: usize| view.sentences.iter().filter(|s| view.in_scope(rule.scope, s.start)).find_map(|s| (sentences.group_match)(group, s));
    let mut hits = (0..groups).map(first_in_scope);
    let anchor = hits.next()??;
    hits.all(|hit| hit.is_some()).then_some(anchor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Seeded;

    /// The test on a word's length and first and last bytes never passes over a
    /// pronoun: on words drawn from pieces of pronouns, in both cases, with both
    /// apostrophes and letters of other scripts (the Kelvin sign lower-cases to "k"),
    /// each word is the pronoun that lower-casing and looking it up finds.
    #[test]
    fn words_ruled_out_by_their_ends_are_no_pronouns() {
        let set = |words: &[&str]| words.iter().map(|word| (*word).to_owned()).collect();
        let params = PronounRatio {
            first: set(&["i", "i'm", "we", "our", "ours", "me", "my", "us", "nós", "ik"]),
            second: set(&["you", "your", "you're", "yours", "y'all", "vous"]),
            ratio: 3.0,
            min_words: 10,
        };
        let pronouns = Pronouns::new(&params);
        let pieces = ["i", "I", "'", "’", "m", "M", "w", "W", "e", "o", "u", "r", "s", "y", "Y", "a", "l", "n", "ó", "v", "K", "\u{212a}", "é", "x"];
        let mut seeded = Seeded::default();
        let (mut ruled_out, mut looked_up) = (0, 0);
        for _ in 0..200_000 {
            let word = seeded.draw(&pieces, 1..7).concat();
            let lower = word.to_lowercase().replace('’', "'");
            let person = if params.first.contains(&lower) {
                Some(Person::First)
            } else if params.second.contains(&lower) {
                Some(Person::Second)
            } else {
                None
            };
            assert_eq!(pronouns.person(&word), person, "{word:?}");
            if pronouns.never_one(&word) {
                ruled_out += 1;
            } else {
                looked_up += 1;
            }
        }
        // Both ways are taken, or the test would prove nothing.
        assert!(ruled_out > 1_000 && looked_up > 1_000, "{ruled_out} ruled out, {looked_up} looked up");
    }
}
