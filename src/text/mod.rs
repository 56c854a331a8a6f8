//! Text analysis, done once per message: sentences, clauses and tokens with byte spans.
//!
//! This is a leaf: it knows nothing of rules or the engine. Everything works on
//! `Message::masked()` (unchecked parts are spaces, offsets unchanged), and everything
//! is linear in the text.

mod sentences;
mod tokens;

use std::ops::Range;

pub use sentences::{paragraphs, sentences, words};
pub use tokens::{normalise, normalise_keeping_case, Token, TokenKind, Tokens};

pub(crate) use tokens::is_apostrophe;

/// Letters, digits and the underscore, as `\w` treats them.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// One sentence: its bytes and its tokens (an index range into [`Analysis::tokens`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub bytes: Range<usize>,
    pub tokens: Range<usize>,
}

/// The sentences and tokens of a text.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub tokens: Tokens,
    pub sentences: Vec<Sentence>,
}

impl Analysis {
    pub fn new(text: &str) -> Analysis {
        let tokens = Tokens::new(text);
        let mut next = 0;
        let sentences = sentences(text)
            .into_iter()
            .map(|bytes| {
                let first = next + tokens.list[next..].partition_point(|t| t.start < bytes.start);
                let last = first + tokens.list[first..].partition_point(|t| t.end <= bytes.end);
                next = last;
                Sentence { bytes, tokens: first..last }
            })
            .collect();
        Analysis { tokens, sentences }
    }

    /// The clauses of a sentence, as token ranges: the stretches between clause breaks
    /// (`,` `;` `:` a lone dash, brackets, `!` `?`), the breaks left out.
    pub fn clauses(&self, sentence: &Sentence) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = sentence.tokens.start;
        for index in sentence.tokens.clone() {
            if self.tokens.list[index].clause_break {
                if start < index {
                    out.push(start..index);
                }
                start = index + 1;
            }
        }
        if start < sentence.tokens.end {
            out.push(start..sentence.tokens.end);
        }
        out
    }

    /// The index of the sentence holding byte `at`, if any.
    pub fn sentence_at(&self, at: usize) -> Option<usize> {
        let index = self.sentences.partition_point(|s| s.bytes.end <= at);
        self.sentences.get(index).filter(|s| s.bytes.start <= at).map(|_| index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_know_their_tokens_and_clauses() {
        let text = "Hi Ana, thanks. If you can, send it (today) — or not!";
        let analysis = Analysis::new(text);
        let words = |range: Range<usize>| -> Vec<&str> { analysis.tokens.list[range].iter().map(|t| &text[t.span()]).collect() };
        assert_eq!(words(analysis.sentences[0].tokens.clone()), ["Hi", "Ana", ",", "thanks", "."]);
        let clauses: Vec<Vec<&str>> = analysis.clauses(&analysis.sentences[1]).into_iter().map(words).collect();
        assert_eq!(clauses, [vec!["If", "you", "can"], vec!["send", "it"], vec!["today"], vec!["or", "not"]]);
        assert_eq!(analysis.sentence_at(text.find("send").unwrap()), Some(1));
    }
}
