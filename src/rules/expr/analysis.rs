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
    lengths: HashMap<*const Node, (usize, usize)>,
    anchors: HashMap<*const Node, Anchors>,
}

impl Analysis {
    /// The fewest tokens a match of `node` covers.
    pub fn min_len(&mut self, node: &Node) -> usize {
        self.lengths(node).0
    }

    /// The most tokens a match of `node` covers.
    pub fn max_len(&mut self, node: &Node) -> usize {
        self.lengths(node).1
    }

    /// The fewest and the most tokens a match of `node` covers.
    fn lengths(&mut self, node: &Node) -> (usize, usize) {
        match node {
            Node::Seq(items) => items.iter().fold((0, 0), |(min, max), item| {
                let (item_min, item_max) = self.lengths(item);
                (min + item_min, max + item_max)
            }),
            Node::Alt(items) => {
                let lengths: Vec<(usize, usize)> = items.iter().map(|item| self.lengths(item)).collect();
                let min = lengths.iter().map(|(min, _)| *min).min().unwrap_or(0);
                (min, lengths.iter().map(|(_, max)| *max).max().unwrap_or(0))
            }
            Node::Repeat { node, min, max } => {
                let (one_min, one_max) = self.lengths(node);
                (one_min * usize::from(*min), one_max * usize::from(*max))
            }
            Node::Gap(n) => (0, usize::from(*n)),
            Node::Start | Node::End => (0, 0),
            Node::Focus(inner) | Node::Capture(_, inner) => self.lengths(inner),
            Node::Shared(inner) => {
                if let Some(&known) = self.lengths.get(&Arc::as_ptr(inner)) {
                    return known;
                }
                let found = self.lengths(inner);
                self.lengths.insert(Arc::as_ptr(inner), found);
                found
            }
            _ => (1, 1),
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
