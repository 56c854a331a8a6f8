//! What is worked out about resolved expressions before they are compiled: how many
//! tokens a match covers and which words anchor it. Shared lists are worked out once
//! per [`Analysis`], however many expressions name them: an engine's start-up pays
//! for each list once.

use std::collections::HashMap;
use std::sync::Arc;

use super::lexicon::{Lexicon, WordId};
use super::Node;

/// Frequent words make poor anchors: a rule anchored on "you" is verified at every "you".
const COMMON: &[&str] = &[
    "the", "a", "an", "to", "of", "and", "or", "in", "on", "at", "for", "with", "is", "are", "be", "it", "this", "that", "i", "you", "we", "he",
    "she", "they", "me", "my", "your", "our", "us", "them", "not", "no", "do", "will", "would", "can", "could", "have", "has", "just", "so", "if",
    "but", "as", "by", "from", "please", "all", ".", ",", "'s",
];

/// How often an anchor word is likely to occur, relatively.
const COMMON_COST: usize = 1000;

/// Anchor numbers with their cost; `None`: no set of words every match holds.
type Anchors = Option<(Arc<[WordId]>, usize)>;

/// Results for shared lists, keyed by the list's node (alive while the analysis is).
#[derive(Debug, Default)]
pub struct Analysis {
    min_lens: HashMap<*const Node, usize>,
    max_lens: HashMap<*const Node, usize>,
    anchors: HashMap<*const Node, Anchors>,
}

impl Analysis {
    /// The fewest tokens a match of `node` covers.
    pub fn min_len(&mut self, node: &Node) -> usize {
        match node {
            Node::Seq(items) => items.iter().map(|item| self.min_len(item)).sum(),
            Node::Alt(items) => items.iter().map(|item| self.min_len(item)).min().unwrap_or(0),
            Node::Repeat { node, min, .. } => self.min_len(node) * usize::from(*min),
            Node::Gap(_) | Node::Start | Node::End => 0,
            Node::Focus(inner) | Node::Capture(_, inner) => self.min_len(inner),
            Node::Shared(inner) => match self.min_lens.get(&Arc::as_ptr(inner)) {
                Some(&len) => len,
                None => {
                    let len = self.min_len(inner);
                    self.min_lens.insert(Arc::as_ptr(inner), len);
                    len
                }
            },
            _ => 1,
        }
    }

    /// The most tokens a match of `node` covers.
    pub fn max_len(&mut self, node: &Node) -> usize {
        match node {
            Node::Seq(items) => items.iter().map(|item| self.max_len(item)).sum(),
            Node::Alt(items) => items.iter().map(|item| self.max_len(item)).max().unwrap_or(0),
            Node::Repeat { node, max, .. } => self.max_len(node) * usize::from(*max),
            Node::Gap(n) => usize::from(*n),
            Node::Start | Node::End => 0,
            Node::Focus(inner) | Node::Capture(_, inner) => self.max_len(inner),
            Node::Shared(inner) => match self.max_lens.get(&Arc::as_ptr(inner)) {
                Some(&len) => len,
                None => {
                    let len = self.max_len(inner);
                    self.max_lens.insert(Arc::as_ptr(inner), len);
                    len
                }
            },
            _ => 1,
        }
    }

    /// The numbers of the words one of which every match of `node` holds (its
    /// cheapest such set, sorted), or `None` when there is no such set and the
    /// expression must be tried everywhere. Its words must be in `lexicon`.
    pub fn anchor_words(&mut self, node: &Node, lexicon: &Lexicon) -> Option<Vec<WordId>> {
        let (ids, _) = self.anchors(node, lexicon)?;
        Some(ids.to_vec())
    }

    fn anchors(&mut self, node: &Node, lexicon: &Lexicon) -> Anchors {
        match node {
            Node::Word(literal) => {
                let cost = if COMMON.contains(&&*literal.norm) { COMMON_COST } else { 1 };
                Some((Arc::from([lexicon.id(&literal.norm)]), cost))
            }
            Node::Seq(items) => {
                let mut best: Anchors = None;
                for item in items {
                    if self.min_len(item) == 0 {
                        continue;
                    }
                    if let Some((ids, cost)) = self.anchors(item, lexicon) {
                        // The first of the cheapest.
                        if best.as_ref().is_none_or(|(_, least)| cost < *least) {
                            best = Some((ids, cost));
                        }
                    }
                }
                best
            }
            Node::Alt(items) => {
                let mut ids = Vec::new();
                let mut total = 0;
                for item in items {
                    let (more, cost) = self.anchors(item, lexicon)?;
                    ids.extend_from_slice(&more);
                    total += cost;
                }
                ids.sort_unstable();
                ids.dedup();
                Some((ids.into(), total))
            }
            Node::Repeat { node, min, .. } if *min > 0 => self.anchors(node, lexicon),
            Node::Focus(inner) | Node::Capture(_, inner) => self.anchors(inner, lexicon),
            Node::Shared(inner) => {
                if let Some(known) = self.anchors.get(&Arc::as_ptr(inner)) {
                    return known.clone();
                }
                let found = self.anchors(inner, lexicon);
                self.anchors.insert(Arc::as_ptr(inner), found.clone());
                found
            }
            _ => None,
        }
    }
}
