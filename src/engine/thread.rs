//! Whether a sentence brings up something the quoted thread never mentioned.

use std::collections::HashSet;

use crate::text::words;

/// Words that carry no topic; they are left out of both sides of the comparison.
const STOPWORDS: &[&str] = &[
    "about",
    "above",
    "after",
    "again",
    "also",
    "and",
    "any",
    "are",
    "because",
    "been",
    "before",
    "being",
    "both",
    "but",
    "can",
    "could",
    "did",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "going",
    "had",
    "has",
    "have",
    "having",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "into",
    "its",
    "just",
    "more",
    "most",
    "must",
    "need",
    "needs",
    "not",
    "now",
    "off",
    "once",
    "one",
    "only",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "same",
    "shall",
    "she",
    "should",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "this",
    "those",
    "through",
    "too",
    "under",
    "until",
    "very",
    "was",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "we'll",
    "we’ll",
    "you'll",
    "you’ll",
    "also",
    "require",
    "requires",
    "expect",
    "want",
    "like",
    "make",
    "sure",
    "please",
    "thanks",
    "thank",
    "moving",
    "forward",
    "ahead",
    "additionally",
    "condition",
    "well",
    "going",
    "able",
    "i'll",
    "i’ll",
    "i'd",
    "i’d",
    "i'm",
    "i’m",
    "i've",
    "i’ve",
    "we'd",
    "we’d",
    "we're",
    "we’re",
    "we've",
    "we’ve",
    "you'd",
    "you’d",
    "you're",
    "you’re",
    "let's",
    "let’s",
    "don't",
    "don’t",
    "can't",
    "can’t",
    "won't",
    "won’t",
];

/// The topic words of a thread, reduced to a crude stem.
#[derive(Debug, Default)]
pub struct ThreadTerms(HashSet<String>);

impl ThreadTerms {
    pub fn new(thread: &str) -> ThreadTerms {
        ThreadTerms(topic_words(thread).collect())
    }

    /// True when fewer than half of the sentence's topic words appear in the thread;
    /// a sentence with no topic words counts as new. With no thread at all everything
    /// is new: a follow-up without quotes gives nothing to echo.
    pub fn is_novel(&self, sentence: &str) -> bool {
        let terms: HashSet<String> = topic_words(sentence).collect();
        if terms.is_empty() || self.0.is_empty() {
            return true;
        }
        let known = terms.iter().filter(|t| self.0.contains(*t)).count();
        known * 2 < terms.len()
    }
}

fn topic_words(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).filter_map(|(_, word)| {
        let lower = word.to_lowercase();
        if lower.chars().count() < 3 || lower.chars().all(|c| c.is_ascii_digit()) || STOPWORDS.contains(&lower.as_str()) {
            return None;
        }
        Some(stem(&lower))
    })
}

/// Enough of a stem to match "reports" with "report" and "photographer's" with
/// "photographer"; topic overlap does not need linguistics.
fn stem(word: &str) -> String {
    let word = word.trim_end_matches("'s").trim_end_matches("’s");
    for (suffix, keep) in [("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")] {
        if let Some(root) = word.strip_suffix(suffix) {
            if root.chars().count() >= 3 && !(suffix == "s" && root.ends_with('s')) {
                return format!("{root}{keep}");
            }
        }
    }
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echo_of_the_thread_is_not_novel() {
        let thread = ThreadTerms::new("We'd like weekly reports from now on, every Friday.");
        assert!(!thread.is_novel("Going forward we expect weekly reports."));
        assert!(thread.is_novel("Going forward we expect exclusivity in your region."));
    }

    #[test]
    fn without_a_thread_everything_is_novel() {
        assert!(ThreadTerms::new("").is_novel("We will also need a three-year term."));
    }
}
