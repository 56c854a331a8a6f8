//! The words an engine's expressions name, numbered. A sentence's tokens are looked
//! up once ([`Lexicon::words`]); from then on candidate picking and every word test of
//! the [`super::vm`] compare numbers instead of hashing strings.

use std::sync::{Arc, OnceLock};

use foldhash::{HashMap, HashSet};

use super::Node;
use crate::text::Tokens;

/// The shared lists [`Lexicon::add_words`] has walked.
pub type Walked = HashSet<*const Node>;

/// A word's number in a [`Lexicon`].
pub type WordId = u32;

/// The number of every token form no expression names.
pub const UNKNOWN: WordId = WordId::MAX;

/// Normalised word -> number.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Lexicon {
    ids: HashMap<Box<str>, WordId>,
    /// The numbers of the one-byte forms, by byte: a fifth of a sentence's tokens are
    /// marks (",", "."), which a table answers without hashing. Made when first asked
    /// for, once every word is numbered.
    #[serde(skip)]
    one_byte: OnceLock<[WordId; 128]>,
}

/// A token's numbers: its whole normalised form and, for a contraction ("i'll"), its
/// head ("i") and its tail ("'ll"); [`UNKNOWN`] where no expression names the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenWords {
    pub whole: WordId,
    pub head: WordId,
    pub tail: WordId,
}

impl Lexicon {
    /// Numbers every word of `node`; a shared list is walked once (`seen`).
    pub fn add_words(&mut self, node: &Node, seen: &mut Walked) {
        match node {
            Node::Word(literal) if !self.ids.contains_key(&*literal.norm) => {
                let next = self.ids.len() as WordId;
                self.ids.insert(Box::from(&*literal.norm), next);
                // A table made before this word was numbered would miss it.
                self.one_byte.take();
            }
            Node::Seq(items) | Node::Alt(items) => items.iter().for_each(|item| self.add_words(item, seen)),
            Node::Repeat { node, .. } | Node::Not(node) | Node::Focus(node) | Node::Capture(_, node) => self.add_words(node, seen),
            Node::Shared(inner) if seen.insert(Arc::as_ptr(inner)) => self.add_words(inner, seen),
            _ => {}
        }
    }

    /// How many words are numbered (their numbers are below it).
    pub fn size(&self) -> usize {
        self.ids.len()
    }

    /// The number of a normalised word, [`UNKNOWN`] if no expression names it.
    pub fn id(&self, norm: &str) -> WordId {
        if let &[byte] = norm.as_bytes() {
            let one_byte = self
                .one_byte
                .get_or_init(|| std::array::from_fn(|byte| char::from_u32(byte as u32).map_or(UNKNOWN, |c| self.hashed(c.encode_utf8(&mut [0; 4])))));
            return one_byte[usize::from(byte)];
        }
        self.hashed(norm)
    }

    fn hashed(&self, norm: &str) -> WordId {
        self.ids.get(norm).copied().unwrap_or(UNKNOWN)
    }

    /// The numbers of every token of a sentence.
    pub fn words(&self, tokens: &Tokens) -> Vec<TokenWords> {
        (0..tokens.len())
            .map(|index| {
                let norm = tokens.norm(index);
                let whole = self.id(norm);
                match tokens.apostrophe(index) {
                    Some(at) => TokenWords { whole, head: self.id(&norm[..at]), tail: self.id(&norm[at..]) },
                    None => TokenWords { whole, head: UNKNOWN, tail: UNKNOWN },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One-byte forms are answered by a table; a word numbered after the table was
    /// made is still found.
    #[test]
    fn one_byte_words_are_found_however_late_they_are_numbered() {
        let mut lexicon = Lexicon::default();
        let mut walked = Walked::default();
        lexicon.add_words(&crate::rules::expr::parse("i need it").expect("parses"), &mut walked);
        let i = lexicon.id("i");
        assert_ne!(i, UNKNOWN);
        assert_eq!(lexicon.id("?"), UNKNOWN);
        lexicon.add_words(&crate::rules::expr::parse(r"\? a").expect("parses"), &mut walked);
        assert_ne!(lexicon.id("?"), UNKNOWN);
        assert_ne!(lexicon.id("a"), UNKNOWN);
        assert_eq!(lexicon.id("i"), i);
        assert_eq!(lexicon.id("need"), lexicon.hashed("need"));
        assert_eq!(lexicon.id("b"), UNKNOWN);
    }
}
