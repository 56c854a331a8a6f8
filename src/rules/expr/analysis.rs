//! What is worked out about resolved expressions before they are compiled: how many
//! tokens a match covers and which words anchor it. Shared lists are worked out once
//! per [`Analysis`], however many expressions name them: an engine's start-up pays
//! for each list once.

use std::cell::OnceCell;
use std::ops::RangeInclusive;
use std::sync::Arc;

use foldhash::HashMap;

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

/// Words and marks less frequent than [`COMMON`] but in most messages, separated by
/// spaces: a rarer part of an expression anchors it better.
const FREQUENT: &str = "\
    ! \" # ' ( ) - / : ; ? @ about after again also always am any anyone anything around ask asked back because \
    been before being best better big both call came case come day did didn't does doesn't doing don't down each \
    email end even ever every everyone few find first get getting give go going good got great had help her here \
    him his how i'll i'm i've into it's its keep know last let like list little long look made mail make many may \
    maybe more most much must need never new next now number off old once one only other out over own part people \
    place point problem put read really right said same say see seems send sent should since some something soon \
    still such sure take tell than thanks then there these thing things think those though through time today \
    told too try two up use used very want was way week well were what when where which who why without work year \
    yes yet";

/// How often a [`FREQUENT`] word is likely to occur, relatively. Measured on real mail
/// (easy-ham-1): 300 verifies least; as costly as [`COMMON`] ties the two and picks
/// worse anchors than no list at all.
const FREQUENT_COST: usize = 300;

/// Anchor words with their cost and where in a match they lie; `None`: no set of
/// words every match holds.
type Anchors = Option<Anchor>;

#[derive(Debug, Clone)]
struct Anchor {
    set: AnchorSet,
    cost: usize,
    /// The fewest and the most tokens (as [`Analysis::lengths`] counts them) a match
    /// covers before its anchor word.
    before: (usize, usize),
}

impl Anchor {
    /// The same anchor in a match that covers `before` tokens more before it.
    fn after(self, (min, max): (usize, usize)) -> Anchor {
        Anchor { before: (self.before.0 + min, self.before.1 + max), ..self }
    }
}

/// The words one of which every match of an expression holds, and where that word
/// can lie: a match starting at token `s` holds one at a token from
/// `s + before.start` to `s + before.end` (inclusive), so only those starts are tried
/// around an occurrence of the word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorWords {
    /// Sorted.
    pub words: Vec<WordId>,
    pub before: RangeInclusive<usize>,
}

impl From<Anchor> for AnchorWords {
    fn from(anchor: Anchor) -> AnchorWords {
        // Two words can share one token ("you|'re"): a match covering `min` words
        // before the anchor may cover only half as many tokens.
        let (min, max) = anchor.before;
        AnchorWords { words: anchor.set.ids().to_vec(), before: min / 2..=max }
    }
}

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

/// Results for shared lists, keyed by the address of the list's node (alive while the
/// analysis is; an address, not a pointer, so that an analysis can be kept across
/// threads with the lists it was made for).
#[derive(Debug)]
pub struct Analysis {
    lengths: HashMap<usize, (usize, usize)>,
    anchors: HashMap<usize, (usize, Anchors)>,
    /// The cost of the [`COMMON`] and [`FREQUENT`] words, hashed when anchors are
    /// first asked for (a compile asks only for lengths): every word of every
    /// expression is looked up in it.
    costs: OnceCell<HashMap<&'static str, usize>>,
}

impl Default for Analysis {
    fn default() -> Analysis {
        Analysis { lengths: HashMap::default(), anchors: HashMap::default(), costs: OnceCell::new() }
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
                if let Some(&known) = self.lengths.get(&address(inner)) {
                    return known;
                }
                let found = self.lengths(inner);
                self.lengths.insert(address(inner), found);
                found
            }
            _ => (1, 1),
        }
    }

    /// The words one of which every match of `node` holds (its cheapest such set),
    /// or `None` when there is no such set and the expression must be tried
    /// everywhere. Its words must be in `lexicon`.
    pub fn anchor_words(&mut self, node: &Node, lexicon: &Lexicon) -> Option<AnchorWords> {
        self.anchors(node, lexicon).1.map(AnchorWords::from)
    }

    /// The anchors (as [`Analysis::anchor_words`] finds them) and, besides them, the
    /// other sets of words of which every match holds one (one per word-anchored part
    /// of the sequence that must match), cheapest first, at most `most`. A sentence
    /// without a word of each set cannot match, and is not tried: "(I | we) need [your
    /// answer] by @weekday" is anchored on "need" and also needs "answer", a weekday
    /// and "by". One walk of the tree answers both.
    pub fn anchors_and_required(&mut self, node: &Node, lexicon: &Lexicon, most: usize) -> (Option<AnchorWords>, Vec<Vec<WordId>>) {
        let mut parts = Vec::new();
        self.mandatory_parts(node, lexicon, (0, 0), &mut parts);
        // The first of the cheapest, as a sequence picks its anchor.
        let Some(anchor) = parts.iter().enumerate().min_by_key(|(index, part)| (part.cost, *index)).map(|(_, part)| AnchorWords::from(part.clone()))
        else {
            return (None, Vec::new());
        };
        parts.sort_by_key(|part| part.cost);
        let mut sets: Vec<Vec<WordId>> = Vec::new();
        for part in parts {
            let ids = part.set.ids();
            if ids != anchor.words && !sets.iter().any(|known| known == ids) {
                sets.push(ids.to_vec());
            }
        }
        sets.truncate(most);
        (Some(anchor), sets)
    }

    /// The anchors of the parts of `node`'s top sequence that every match holds,
    /// `before` tokens into the match.
    fn mandatory_parts(&mut self, node: &Node, lexicon: &Lexicon, before: (usize, usize), out: &mut Vec<Anchor>) {
        match node {
            Node::Seq(items) => {
                let mut before = before;
                for item in items {
                    let (min, anchors) = self.anchors(item, lexicon);
                    if min > 0 {
                        match item {
                            Node::Seq(_) | Node::Focus(_) | Node::Capture(..) => self.mandatory_parts(item, lexicon, before, out),
                            _ => out.extend(anchors.map(|anchor| anchor.after(before))),
                        }
                    }
                    let (item_min, item_max) = self.lengths(item);
                    before = (before.0 + item_min, before.1 + item_max);
                }
            }
            Node::Focus(inner) | Node::Capture(_, inner) => self.mandatory_parts(inner, lexicon, before, out),
            _ => out.extend(self.anchors(node, lexicon).1.map(|anchor| anchor.after(before))),
        }
    }

    /// The fewest tokens a match of `node` covers, with its anchors: one walk of the
    /// tree answers both, as a sequence skips the items that may match nothing.
    fn anchors(&mut self, node: &Node, lexicon: &Lexicon) -> (usize, Anchors) {
        match node {
            Node::Word(literal) => {
                let costs = self.costs.get_or_init(|| {
                    let frequent = FREQUENT.split_ascii_whitespace().map(|word| (word, FREQUENT_COST));
                    frequent.chain(COMMON.iter().map(|&word| (word, COMMON_COST))).collect()
                });
                let cost = costs.get(&*literal.norm).copied().unwrap_or(1);
                (1, Some(Anchor { set: AnchorSet::One(lexicon.id(&literal.norm)), cost, before: (0, 0) }))
            }
            Node::Seq(items) => {
                let mut best: Anchors = None;
                let mut before = (0, 0);
                for item in items {
                    let (item_min, anchors) = self.anchors(item, lexicon);
                    if let Some(anchor) = anchors.filter(|_| item_min > 0) {
                        // The first of the cheapest.
                        if best.as_ref().is_none_or(|least| anchor.cost < least.cost) {
                            best = Some(anchor.after(before));
                        }
                    }
                    let (_, item_max) = self.lengths(item);
                    before = (before.0 + item_min, before.1 + item_max);
                }
                (before.0, best)
            }
            Node::Alt(items) => {
                let mut ids = Vec::new();
                let mut total = 0;
                let mut min = usize::MAX;
                let mut before = (usize::MAX, 0);
                let mut anchored = true;
                for item in items {
                    let (item_min, anchors) = self.anchors(item, lexicon);
                    min = min.min(item_min);
                    match anchors {
                        Some(anchor) if anchored => {
                            ids.extend_from_slice(anchor.set.ids());
                            total += anchor.cost;
                            before = (before.0.min(anchor.before.0), before.1.max(anchor.before.1));
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
                (min, Some(Anchor { set: AnchorSet::Many(ids.into()), cost: total, before: (before.0.min(before.1), before.1) }))
            }
            Node::Repeat { node, min, .. } => {
                // Every match holds the anchor of its first repetition.
                let (one_min, anchors) = self.anchors(node, lexicon);
                (one_min * usize::from(*min), anchors.filter(|_| *min > 0))
            }
            Node::Focus(inner) | Node::Capture(_, inner) => self.anchors(inner, lexicon),
            Node::Shared(inner) => {
                if let Some(known) = self.anchors.get(&address(inner)) {
                    return known.clone();
                }
                let found = self.anchors(inner, lexicon);
                self.anchors.insert(address(inner), found.clone());
                found
            }
            _ => (self.min_len(node), None),
        }
    }
}

/// Where a shared list's node lies, which names it while the list is alive.
fn address(list: &Arc<Node>) -> usize {
    Arc::as_ptr(list) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::expr::lexicon::Walked;

    /// Anchored on "answer", its rarest word ("need" is in most mail); a sentence must
    /// also hold a weekday, "need", "your" and "by", cheapest first; "I"/"we" (two
    /// common words) is past the four kept, and the optional "really" and the gap are
    /// not required.
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
        assert_eq!(anchor, Some(AnchorWords { words: ids(&["answer"]), before: 1..=4 }));
        assert_eq!(required, [ids(&["monday", "friday"]), ids(&["need"]), ids(&["your"]), ids(&["by"])]);
        assert_eq!(analysis.anchors_and_required(&node, &lexicon, 1).1, [ids(&["monday", "friday"])]);
    }

    /// An anchor lies as far into a match as what must and may come before it, and a
    /// contraction holds two words in one token ("you|'re").
    #[test]
    fn an_anchor_lies_between_the_fewest_and_the_most_tokens_before_it() {
        let before = |source: &str| {
            let node = crate::rules::expr::parse(source).unwrap();
            let mut lexicon = Lexicon::default();
            lexicon.add_words(&node, &mut Walked::default());
            let mut analysis = Analysis::default();
            let (anchor, _) = analysis.anchors_and_required(&node, &lexicon, 4);
            assert_eq!(anchor, analysis.anchor_words(&node, &lexicon), "{source}");
            anchor.map(|anchor| anchor.before)
        };
        assert_eq!(before("sincerely yours"), Some(0..=0));
        assert_eq!(before("(you | they) ('re | are) (so | very)? (rude | lazy)"), Some(1..=3));
        assert_eq!(before("I (really | truly)? [need (this | that)] ..3 (now | today)"), Some(0..=2));
        assert_eq!(before("(the | a)? (report | (final | last) draft)"), Some(0..=2));
        assert_eq!(before("(asap | urgently) ..2 please reply"), Some(1..=4));
        assert_eq!(before("/[a-z]+/ ..2"), None);
    }
}
