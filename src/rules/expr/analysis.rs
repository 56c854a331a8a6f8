//! What is worked out about resolved expressions before they are compiled: how many
//! tokens a match covers and which words anchor it. Shared lists are worked out once
//! per [`Analysis`], however many expressions name them: an engine's start-up pays
//! for each list once.

use std::cell::OnceCell;
use std::sync::Arc;

use foldhash::{HashMap, HashSet};

use super::lexicon::{Lexicon, WordId};
use super::Node;

/// Frequent words make poor anchors: a rule anchored on "you" is verified at every "you".
const COMMON: &[&str] = &[
    "'s", ",", ".", "a", "all", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do", "for", "from", "has", "have", "he", "i",
    "if", "in", "is", "it", "just", "me", "my", "no", "not", "of", "on", "or", "our", "please", "she", "so", "that", "the", "them", "they", "this",
    "to", "us", "we", "will", "with", "would", "you", "your",
];

/// How often an anchor word is likely to occur, relatively.
const COMMON_COST: usize = 1000;

/// Anchor numbers with their cost; `None`: no set of words every match holds.
type Anchors = Option<(AnchorSet, usize)>;

/// One word (most anchors, kept without allocating) or several, sorted.
#[derive(Debug, Clone)]
enum AnchorSet {
    One(WordId),
    Many(Arc<[WordId]>),
}

impl AnchorSet {
    fn ids(&self) -> &[WordId] {
        match self {
            AnchorSet::One(id) => std::slice::from_ref(id),
            AnchorSet::Many(ids) => ids,
        }
    }
}

/// Results for shared lists, keyed by the list's node (alive while the analysis is).
#[derive(Debug)]
pub struct Analysis {
    lengths: HashMap<*const Node, (usize, usize)>,
    anchors: HashMap<*const Node, (usize, Anchors)>,
    /// [`COMMON`], hashed when anchors are first asked for (a compile asks only for
    /// lengths): every word of every expression is looked up in it.
    common: OnceCell<HashSet<&'static str>>,
}

impl Default for Analysis {
    fn default() -> Analysis {
        Analysis { lengths: HashMap::default(), anchors: HashMap::default(), common: OnceCell::new() }
    }
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
            Node::Alt(items) => items
                .iter()
                .map(|item| self.lengths(item))
                .reduce(|(min, max), (item_min, item_max)| (min.min(item_min), max.max(item_max)))
                .unwrap_or((0, 0)),
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
        let (_, anchors) = self.anchors(node, lexicon);
        let (ids, _) = anchors?;
        Some(ids.ids().to_vec())
    }

    /// The anchors (as [`Analysis::anchor_words`] finds them) and, besides them, the
    /// other sets of words of which every match holds one (one per word-anchored part
    /// of the sequence that must match), cheapest first, at most `most`. A sentence
    /// without a word of each set cannot match, and is not tried: "(I | we) need [your
    /// answer] by @weekday" is anchored on "need" and also needs "answer", a weekday
    /// and "by". One walk of the tree answers both.
    pub fn anchors_and_required(&mut self, node: &Node, lexicon: &Lexicon, most: usize) -> (Option<Vec<WordId>>, Vec<Vec<WordId>>) {
        let mut parts = Vec::new();
        self.mandatory_parts(node, lexicon, &mut parts);
        // The first of the cheapest, as a sequence picks its anchor.
        let Some(anchor) = parts.iter().enumerate().min_by_key(|(index, (_, cost))| (*cost, *index)).map(|(_, (set, _))| set.ids().to_vec()) else {
            return (None, Vec::new());
        };
        parts.sort_by_key(|(_, cost)| *cost);
        let mut sets: Vec<Vec<WordId>> = Vec::new();
        for (set, _) in parts {
            if set.ids() != anchor && !sets.iter().any(|known| known == set.ids()) {
                sets.push(set.ids().to_vec());
            }
        }
        sets.truncate(most);
        (Some(anchor), sets)
    }

    /// The anchor sets of the parts of `node`'s top sequence that every match holds.
    fn mandatory_parts(&mut self, node: &Node, lexicon: &Lexicon, out: &mut Vec<(AnchorSet, usize)>) {
        match node {
            Node::Seq(items) => {
                for item in items {
                    let (min, anchors) = self.anchors(item, lexicon);
                    if min == 0 {
                        continue;
                    }
                    match item {
                        Node::Seq(_) | Node::Focus(_) | Node::Capture(..) => self.mandatory_parts(item, lexicon, out),
                        _ => out.extend(anchors),
                    }
                }
            }
            Node::Focus(inner) | Node::Capture(_, inner) => self.mandatory_parts(inner, lexicon, out),
            _ => out.extend(self.anchors(node, lexicon).1),
        }
    }

    /// The fewest tokens a match of `node` covers, with its anchors: one walk of the
    /// tree answers both, as a sequence skips the items that may match nothing.
    fn anchors(&mut self, node: &Node, lexicon: &Lexicon) -> (usize, Anchors) {
        match node {
            Node::Word(literal) => {
                let common = self.common.get_or_init(|| COMMON.iter().copied().collect());
                let cost = if common.contains(&*literal.norm) { COMMON_COST } else { 1 };
                (1, Some((AnchorSet::One(lexicon.id(&literal.norm)), cost)))
            }
            Node::Seq(items) => {
                let mut best: Anchors = None;
                let mut min = 0;
                for item in items {
                    let (item_min, anchors) = self.anchors(item, lexicon);
                    min += item_min;
                    if item_min == 0 {
                        continue;
                    }
                    if let Some((ids, cost)) = anchors {
                        // The first of the cheapest.
                        if best.as_ref().is_none_or(|(_, least)| cost < *least) {
                            best = Some((ids, cost));
                        }
                    }
                }
                (min, best)
            }
            Node::Alt(items) => {
                let mut ids = Vec::new();
                let mut total = 0;
                let mut min = usize::MAX;
                let mut anchored = true;
                for item in items {
                    let (item_min, anchors) = self.anchors(item, lexicon);
                    min = min.min(item_min);
                    match anchors {
                        Some((more, cost)) if anchored => {
                            ids.extend_from_slice(more.ids());
                            total += cost;
                        }
                        _ => anchored = false,
                    }
                }
                let min = if items.is_empty() { 0 } else { min };
                if !anchored {
                    return (min, None);
                }
                ids.sort_unstable();
                ids.dedup();
                (min, Some((AnchorSet::Many(ids.into()), total)))
            }
            Node::Repeat { node, min, .. } => {
                let (one_min, anchors) = self.anchors(node, lexicon);
                (one_min * usize::from(*min), anchors.filter(|_| *min > 0))
            }
            Node::Focus(inner) | Node::Capture(_, inner) => self.anchors(inner, lexicon),
            Node::Shared(inner) => {
                if let Some(known) = self.anchors.get(&Arc::as_ptr(inner)) {
                    return known.clone();
                }
                let found = self.anchors(inner, lexicon);
                self.anchors.insert(Arc::as_ptr(inner), found.clone());
                found
            }
            _ => (self.min_len(node), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::expr::lexicon::Walked;

    /// Anchored on "need"; a sentence must also hold "answer", a weekday, "by" and
    /// "your", cheapest first; "I"/"we" (two common words) is past the four kept, and the
    /// optional "really" and the gap are not required.
    #[test]
    fn the_words_a_match_requires_besides_its_anchor_come_cheapest_first() {
        let node = crate::rules::expr::parse("(i | we) really? need [your answer] ..2 by (monday | friday)").unwrap();
        let mut lexicon = Lexicon::default();
        lexicon.add_words(&node, &mut Walked::default());
        let mut analysis = Analysis::default();
        let ids = |words: &[&str]| {
            let mut ids: Vec<WordId> = words.iter().map(|w| lexicon.id(w)).collect();
            ids.sort_unstable();
            ids
        };
        let (anchor, required) = analysis.anchors_and_required(&node, &lexicon, 4);
        assert_eq!(anchor, analysis.anchor_words(&node, &lexicon));
        assert_eq!(anchor, Some(ids(&["need"])));
        assert_eq!(required, [ids(&["answer"]), ids(&["monday", "friday"]), ids(&["your"]), ids(&["by"])]);
        assert_eq!(analysis.anchors_and_required(&node, &lexicon, 1).1, [ids(&["answer"])]);
    }
}
