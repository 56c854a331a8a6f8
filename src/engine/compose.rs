//! Findings whose fixes fit together: no two fixes on the same words, and no fix that
//! repeats a phrase its sentence already has. (That a fix leaves nothing for a rule to
//! flag is checked by the engine, which re-runs the rules on the rewritten sentence.)

use std::ops::Range;

use crate::finding::Finding;
use crate::text;

/// Whether two spans share text; an empty span (a deletion point) counts as the one
/// character after it, so a finding across the join is seen.
pub fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}

/// Whether `replacement` repeats three words in a row that the sentence has outside
/// `span`: "by Thursday, if that works for you" put into a sentence that already says
/// "if that works for you".
pub fn doubles_a_phrase(sentence: &str, span: &Range<usize>, replacement: &str) -> bool {
    let new: Vec<String> = text::words(replacement).map(|(_, word)| word.to_lowercase()).collect();
    if new.len() < 3 {
        return false;
    }
    // One pass over each side's words, comparing in place: a fix is checked for every
    // finding, and a sentence may be pages long.
    let same = |word: &str, lower: &str| {
        if word.is_ascii() {
            word.eq_ignore_ascii_case(lower)
        } else {
            word.chars().flat_map(char::to_lowercase).eq(lower.chars())
        }
    };
    [&sentence[..span.start], &sentence[span.end..]].iter().any(|part| {
        let mut last: [&str; 3] = [""; 3];
        text::words(part).enumerate().any(|(index, (_, word))| {
            last = [last[1], last[2], word];
            index >= 2 && new.windows(3).any(|three| three.iter().zip(&last).all(|(lower, word)| same(word, lower)))
        })
    })
}

/// Findings of different categories whose fixes would edit the same words (`findings`
/// in text order, at most one per category on any word): the lower-ranked one goes
/// when its span lies inside the other's, so one span has one finding, or else loses
/// its fixes, so no two fixes conflict.
pub fn settle_conflicting_fixes(findings: Vec<Finding>, outranks: impl Fn(&Finding, &Finding) -> bool) -> Vec<Finding> {
    let mut findings: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    // Earlier findings with fixes that may still overlap the next one.
    let mut open: Vec<usize> = Vec::new();
    for index in 0..findings.len() {
        let Some(start) = findings[index].as_ref().filter(|f| !f.suggestions.is_empty()).map(|f| f.span.start) else {
            continue;
        };
        open.retain(|&o| findings[o].as_ref().is_some_and(|f| !f.suggestions.is_empty() && f.span.end.max(f.span.start + 1) > start));
        for &other in &open {
            let (Some(earlier), Some(candidate)) = (&findings[other], &findings[index]) else { break };
            let (winner, loser) = if outranks(candidate, earlier) { (index, other) } else { (other, index) };
            let won = findings[winner].as_ref().map(|f| f.span.clone()).unwrap_or_default();
            let lost = findings[loser].as_mut().expect("both present");
            if won.start <= lost.span.start && lost.span.end <= won.end {
                findings[loser] = None;
            } else {
                lost.suggestions.clear();
            }
        }
        if findings[index].as_ref().is_some_and(|f| !f.suggestions.is_empty()) {
            open.push(index);
        }
    }
    findings.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_already_in_the_sentence_is_doubled() {
        let sentence = "Send it by Friday, if that works for you.";
        let span = 8..17; // "by Friday"
        assert!(doubles_a_phrase(sentence, &span, "by Thursday if that works for you"));
        assert!(!doubles_a_phrase(sentence, &span, "by Thursday"));
        assert!(!doubles_a_phrase("Reply ASAP.", &(6..10), "when you have a moment"));
    }

    #[test]
    fn an_empty_span_overlaps_what_crosses_it() {
        assert!(overlaps(&(3..3), &(2..5)));
        assert!(!overlaps(&(3..3), &(4..6)));
        assert!(overlaps(&(0..4), &(3..9)));
        assert!(!overlaps(&(0..3), &(3..9)));
    }
}
