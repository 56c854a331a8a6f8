//! Text analysis: sentences, clauses and tokens with byte spans.
//!
//! This is a leaf: it knows nothing of rules or the engine. The engine splits
//! `Message::masked()` (unchecked parts are spaces, offsets unchanged) into sentences
//! and tokenizes each sentence once (a sentence is also the unit of its result cache).
//! Everything is linear in the text.

mod sentences;
mod stretches;
mod tokens;

use std::ops::Range;

#[cfg(test)]
pub use sentences::paragraphs;
pub use sentences::{sentences, words};
pub use stretches::Stretches;
pub use tokens::{has_spellings, normalise, normalise_keeping_case, Token, TokenKind, Tokens};

pub(crate) use tokens::is_apostrophe;

/// Letters, digits and the underscore, as `\w` treats them.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// [`is_word_char`] for an ASCII byte (false for any other): a table, as the words and
/// tokens of a message look up nearly every byte of it.
fn is_word_byte(byte: u8) -> bool {
    const WORD_BYTES: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 128 {
            table[byte] = (byte as u8).is_ascii_alphanumeric() || byte as u8 == b'_';
            byte += 1;
        }
        table
    };
    WORD_BYTES[usize::from(byte)]
}

/// The clauses of a sentence's tokens, as index ranges: the stretches between clause
/// breaks (`,` `;` `:` a lone dash, brackets, `!` `?`), the breaks left out.
pub fn clauses(tokens: &Tokens) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (index, token) in tokens.list.iter().enumerate() {
        if token.clause_break {
            if start < index {
                out.push(start..index);
            }
            start = index + 1;
        }
    }
    if start < tokens.len() {
        out.push(start..tokens.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_end_at_commas_dashes_brackets_and_marks() {
        let text = "If you can, send it (today) — or not! ok";
        let tokens = Tokens::new(text);
        let words = |range: Range<usize>| -> Vec<&str> { tokens.list[range].iter().map(|t| &text[t.span()]).collect() };
        let found: Vec<Vec<&str>> = clauses(&tokens).into_iter().map(words).collect();
        assert_eq!(found, [vec!["If", "you", "can"], vec!["send", "it"], vec!["today"], vec!["or", "not"], vec!["ok"]]);
    }
}
