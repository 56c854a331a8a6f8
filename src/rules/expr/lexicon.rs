//! The words an engine's expressions name, numbered. A sentence's tokens are looked
//! up once ([`Lexicon::words`]); from then on candidate picking and every word test of
//! the [`super::vm`] compare numbers instead of hashing strings.

use std::sync::Arc;

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
