//! Compiling a resolved expression (no `@list` left) to a program for [`super::vm`],
//! with what the engine needs to pick candidates: the anchor words and the longest
//! stretch of tokens a match can cover.

use std::sync::Arc;

use foldhash::HashMap;

use super::analysis::Analysis;
use super::lexicon::{Lexicon, WordId, UNKNOWN};
use super::{Class, Literal, Node, SharedText, TokenRegex};

/// The most tokens one match may cover; longer expressions are an error, which keeps
/// the work per candidate bounded.
pub const MAX_MATCH_TOKENS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError(pub String);

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Program {
    pub(super) insts: Vec<Inst>,
    pub(super) subs: Vec<Program>,
    /// The most tokens a match covers.
    pub max_len: usize,
    /// Starts with `^`: only tried at the start of its window.
    pub anchored_start: bool,
    /// Capture names; capture `k` is in slots `2 + 2k` and `3 + 2k`, the focus in 0 and 1.
    pub captures: Vec<String>,
    /// The words every match starts with, when known: a start at any other word is
    /// refused before any work.
    pub(super) starts: Option<WordSet>,
    pub(super) dispatches: Vec<Dispatch>,
}

/// Many alternatives at one place, most starting with a word: only those whose first
/// word is the token's (and those that start otherwise) are tried, in written order.
#[derive(Debug, Clone)]
pub(super) struct Dispatch {
    /// (first word's number, alternative), sorted.
    pub by_word: Vec<(WordId, u32)>,
    /// Alternatives that start with no one word: always tried.
    pub always: Vec<u32>,
    /// Where each alternative's instructions start.
    pub entries: Vec<usize>,
}

impl Dispatch {
    /// The alternatives to try where the token's numbers are `ids`, in written order.
    pub fn alternatives(&self, ids: &[WordId], out: &mut Vec<u32>) {
        out.clear();
        out.extend_from_slice(&self.always);
        for &id in ids.iter().filter(|&&id| id != UNKNOWN) {
            let from = self.by_word.partition_point(|&(word, _)| word < id);
            out.extend(self.by_word[from..].iter().take_while(|&&(word, _)| word == id).map(|&(_, alternative)| alternative));
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[derive(Debug, Clone)]
pub(super) enum Inst {
    Match,
    Test(Test),
    /// Try the first, then the second.
    Split(usize, usize),
    /// Index into `dispatches`; every alternative ends with a jump past them all.
    Dispatch(usize),
    Jump(usize),
    Save(usize),
    Start,
    End,
}

#[derive(Debug, Clone)]
pub(super) enum Test {
    /// A word and its number in the engine's lexicon.
    Word(Literal, WordId),
    Set(Arc<WordSet>),
    Any,
    Class(Class),
    Regex(Arc<TokenRegex>),
    /// Index into `subs`.
    Not(usize),
}

/// Several one-token words, looked up at once.
#[derive(Debug, Default, Clone)]
pub(super) struct WordSet {
    /// Bit `id` is set for each word's number in the lexicon: one load per lookup,
    /// where a sentence makes thousands.
    bits: Vec<u64>,
    /// The words as written, for case-sensitive rules (few: looked through in turn).
    cased: Vec<SharedText>,
}

impl WordSet {
    fn new(ids: impl IntoIterator<Item = WordId>, cased: Vec<SharedText>) -> WordSet {
        let mut bits = Vec::new();
        for id in ids.into_iter().filter(|&id| id != UNKNOWN) {
            let (word, bit) = (id as usize / 64, id % 64);
            if bits.len() <= word {
                bits.resize(word + 1, 0);
            }
            bits[word] |= 1 << bit;
        }
        WordSet { bits, cased }
    }

    /// Whether a word written so is in the set.
    pub fn contains_cased(&self, word: &str) -> bool {
        self.cased.iter().any(|cased| **cased == *word)
    }

    pub fn contains(&self, id: WordId) -> bool {
        self.bits.get(id as usize / 64).is_some_and(|word| word & (1 << (id % 64)) != 0)
    }
}

/// Checks what would stop `node` (its lists resolved) from compiling, without
/// compiling it: it must match at least one word and at most [`MAX_MATCH_TOKENS`].
pub fn check(node: &Node, analysis: &mut Analysis) -> Result<(), CompileError> {
    if analysis.min_len(node) == 0 {
        return Err(CompileError("the expression can match no word at all; it would flag everything".into()));
    }
    let max_len = analysis.max_len(node);
    if max_len > MAX_MATCH_TOKENS {
        return Err(CompileError(format!(
            "the expression can cover up to {max_len} words; at most {MAX_MATCH_TOKENS} are allowed: shorten its gaps and repeats"
        )));
    }
    Ok(())
}

/// What compiling works out about shared lists (the `@name`s a resolver expanded, see
/// [`Node::Shared`]), kept from one program to the next compiled with one lexicon: an
/// engine compiles hundreds of expressions naming the same few dozen lists, whose
/// lengths, word sets and dispatch tables are then worked out once, not once a
/// program. The lists must outlive it (an engine's memo of expanded lists keeps them).
#[derive(Debug, Default)]
pub struct ListCache {
    analysis: Analysis,
    memo: Memo,
}

/// The word sets and dispatch tables of the alternations compiled so far, by the
/// address of their node.
#[derive(Debug, Default)]
struct Memo {
    /// The word set of each alternation, by its first alternative: a list repeated
    /// (`@degree{0,4}`) or named twice is looked up in the lexicon once.
    sets: HashMap<usize, Arc<WordSet>>,
    /// The same for the alternatives a dispatch tries by first word (`by_word`,
    /// `always`): the same for every copy, only where each starts differs.
    dispatched: HashMap<usize, FirstWords>,
}

/// Compiles `node` (its lists resolved); its words must be in `lexicon`, and its
/// shared lists alive as long as `lists` is.
pub fn compile(node: &Node, lexicon: &Lexicon, lists: &mut ListCache) -> Result<Program, CompileError> {
    let mut compiler = Compiler::new(lexicon, lists, 0);
    check(node, &mut compiler.lists.analysis)?;
    let max_len = compiler.lists.analysis.max_len(node);
    compiler.node(node)?;
    compiler.insts.push(Inst::Match);
    let mut words = Vec::new();
    let starts =
        starting_words(node, &mut compiler.lists.analysis, &mut words).then(|| WordSet::new(words.iter().map(|l| lexicon.id(&l.norm)), Vec::new()));
    let anchored_start = matches!(node, Node::Start) || matches!(node, Node::Seq(items) if matches!(items.first(), Some(Node::Start)));
    Ok(Program {
        insts: compiler.insts,
        subs: compiler.subs,
        max_len,
        anchored_start,
        captures: compiler.captures,
        starts,
        dispatches: compiler.dispatches,
    })
}

struct Compiler<'l, 'c> {
    insts: Vec<Inst>,
    subs: Vec<Program>,
    captures: Vec<String>,
    dispatches: Vec<Dispatch>,
    lexicon: &'l Lexicon,
    lists: &'c mut ListCache,
    /// What is worked out about this program's own alternations, which live only as
    /// long as its tree (an inline alternation repeated, `(a | b | c){0,3}`).
    own: Memo,
    /// How many shared lists the node being compiled lies in: a node in one lives as
    /// long as the list, and what is worked out about it is kept in `lists`.
    in_list: usize,
}

/// From this many alternatives on, an alternation dispatches on its first words.
const DISPATCH_FROM: usize = 4;

impl<'l, 'c> Compiler<'l, 'c> {
    fn new(lexicon: &'l Lexicon, lists: &'c mut ListCache, in_list: usize) -> Compiler<'l, 'c> {
        Compiler { insts: Vec::new(), subs: Vec::new(), captures: Vec::new(), dispatches: Vec::new(), lexicon, lists, own: Memo::default(), in_list }
    }

    /// Where what is worked out about the node being compiled is kept.
    fn memo(&mut self) -> &mut Memo {
        if self.in_list > 0 {
            &mut self.lists.memo
        } else {
            &mut self.own
        }
    }

    fn node(&mut self, node: &Node) -> Result<(), CompileError> {
        match node {
            Node::Word(literal) => self.insts.push(Inst::Test(Test::Word(literal.clone(), self.lexicon.id(&literal.norm)))),
            Node::Seq(items) => items.iter().try_for_each(|item| self.node(item))?,
            Node::Alt(alternatives) => {
                let lexicon = self.lexicon;
                let alternatives = merge_words(alternatives, lexicon, &mut self.memo().sets);
                if alternatives.len() >= DISPATCH_FROM {
                    self.dispatch(node, &alternatives)?;
                } else {
                    self.split_chain(&alternatives)?;
                }
            }
            Node::Repeat { node, min, max } => {
                for _ in 0..*min {
                    self.node(node)?;
                }
                let mut skips = Vec::with_capacity(usize::from(*max).saturating_sub(usize::from(*min)));
                for _ in *min..*max {
                    skips.push(self.insts.len());
                    self.insts.push(Inst::Split(0, 0));
                    self.node(node)?;
                }
                self.patch_greedy(&skips);
            }
            Node::Gap(max) => {
                let mut stops = Vec::with_capacity(usize::from(*max));
                for _ in 0..*max {
                    stops.push(self.insts.len());
                    self.insts.push(Inst::Split(0, 0));
                    self.insts.push(Inst::Test(Test::Any));
                }
                let end = self.insts.len();
                for stop in stops {
                    // Lazy: a gap prefers to skip fewer words.
                    self.insts[stop] = Inst::Split(end, stop + 1);
                }
            }
            Node::Any => self.insts.push(Inst::Test(Test::Any)),
            Node::Not(inner) => {
                let sub = compile_inner(inner, self.lexicon, self.lists, self.in_list)?;
                self.subs.push(sub);
                self.insts.push(Inst::Test(Test::Not(self.subs.len() - 1)));
            }
            Node::Focus(inner) => {
                self.insts.push(Inst::Save(0));
                self.node(inner)?;
                self.insts.push(Inst::Save(1));
            }
            Node::Capture(name, inner) => {
                let index = self.captures.iter().position(|n| n == name).unwrap_or_else(|| {
                    self.captures.push(name.clone());
                    self.captures.len() - 1
                });
                self.insts.push(Inst::Save(2 + 2 * index));
                self.node(inner)?;
                self.insts.push(Inst::Save(3 + 2 * index));
            }
            Node::Class(class) => self.insts.push(Inst::Test(Test::Class(*class))),
            Node::Regex(regex) => self.insts.push(Inst::Test(Test::Regex(Arc::clone(regex)))),
            Node::List(name, _) => return Err(CompileError(format!("list `@{name}` was not resolved"))),
            Node::Shared(inner) => {
                self.in_list += 1;
                let compiled = self.node(inner);
                self.in_list -= 1;
                compiled?;
            }
            Node::Start => self.insts.push(Inst::Start),
            Node::End => self.insts.push(Inst::End),
        }
        Ok(())
    }

    fn branch(&mut self, alternative: &Branch<'_>) -> Result<(), CompileError> {
        match alternative {
            Branch::Node(node) => self.node(node),
            Branch::Set(set, _) => {
                self.insts.push(Inst::Test(Test::Set(Arc::clone(set))));
                Ok(())
            }
        }
    }

    /// Alternatives as a chain of splits: each tried in turn.
    fn split_chain(&mut self, alternatives: &[Branch<'_>]) -> Result<(), CompileError> {
        let mut exits = Vec::with_capacity(alternatives.len());
        for (index, alternative) in alternatives.iter().enumerate() {
            let last = index + 1 == alternatives.len();
            let split = self.insts.len();
            if !last {
                self.insts.push(Inst::Split(split + 1, 0));
            }
            self.branch(alternative)?;
            if !last {
                exits.push(self.insts.len());
                self.insts.push(Inst::Jump(0));
                let next = self.insts.len();
                self.insts[split] = Inst::Split(split + 1, next);
            }
        }
        let end = self.insts.len();
        for exit in exits {
            self.insts[exit] = Inst::Jump(end);
        }
        Ok(())
    }

    /// Alternatives (those of `alternation`) behind a [`Dispatch`] on their first words.
    fn dispatch(&mut self, alternation: &Node, alternatives: &[Branch<'_>]) -> Result<(), CompileError> {
        let index = self.dispatches.len();
        self.dispatches.push(Dispatch { by_word: Vec::new(), always: Vec::new(), entries: Vec::new() });
        self.insts.push(Inst::Dispatch(index));
        let key = alternation as *const Node as usize;
        let (by_word, always) = match self.memo().dispatched.get(&key) {
            Some(known) => known.clone(),
            None => {
                let firsts = first_words_of(alternatives, self.lexicon, &mut self.lists.analysis);
                self.memo().dispatched.insert(key, firsts.clone());
                firsts
            }
        };
        let (mut entries, mut exits) = (Vec::with_capacity(alternatives.len()), Vec::with_capacity(alternatives.len()));
        for alternative in alternatives {
            entries.push(self.insts.len());
            self.branch(alternative)?;
            exits.push(self.insts.len());
            self.insts.push(Inst::Jump(0));
        }
        let end = self.insts.len();
        for exit in exits {
            self.insts[exit] = Inst::Jump(end);
        }
        self.dispatches[index] = Dispatch { by_word, always, entries };
        Ok(())
    }

    /// Each optional copy of a repeat: try it (greedy), else skip all the rest.
    fn patch_greedy(&mut self, skips: &[usize]) {
        let end = self.insts.len();
        for &skip in skips {
            self.insts[skip] = Inst::Split(skip + 1, end);
        }
    }
}

/// What a dispatch tries by first word: (first word's number, alternative) sorted, and
/// the alternatives that start with no one word.
type FirstWords = (Vec<(WordId, u32)>, Vec<u32>);

/// The [`FirstWords`] of a dispatch over `alternatives`.
fn first_words_of(alternatives: &[Branch<'_>], lexicon: &Lexicon, analysis: &mut Analysis) -> FirstWords {
    let (mut by_word, mut always) = (Vec::new(), Vec::new());
    // One buffer for the first words of every alternative in turn.
    let mut words = Vec::new();
    for (number, alternative) in alternatives.iter().enumerate() {
        let number = number as u32;
        let numbered = |literal: &&Literal| (lexicon.id(&literal.norm), number);
        match alternative {
            Branch::Set(_, words) => by_word.extend(words.iter().map(numbered)),
            Branch::Node(node) if starting_words(node, analysis, &mut words) => by_word.extend(words.iter().map(numbered)),
            Branch::Node(_) => always.push(number),
        }
    }
    by_word.sort_unstable();
    by_word.dedup();
    (by_word, always)
}

/// The program of `!x`'s `x`: matched anchored, any length. `in_list`: as for the
/// program it is in.
fn compile_inner(node: &Node, lexicon: &Lexicon, lists: &mut ListCache, in_list: usize) -> Result<Program, CompileError> {
    let mut compiler = Compiler::new(lexicon, lists, in_list);
    compiler.node(node)?;
    compiler.insts.push(Inst::Match);
    let max_len = compiler.lists.analysis.max_len(node);
    let (insts, subs, dispatches) = (compiler.insts, compiler.subs, compiler.dispatches);
    Ok(Program { insts, subs, max_len, anchored_start: false, captures: Vec::new(), starts: None, dispatches })
}

enum Branch<'a> {
    Node(&'a Node),
    /// The set and the words in it.
    Set(Arc<WordSet>, Vec<&'a Literal>),
}

/// One-word alternatives become one set lookup, in the place of the first of them;
/// `sets` keeps the set of each alternation for the next time it is compiled.
fn merge_words<'n>(alternatives: &'n [Node], lexicon: &Lexicon, sets: &mut HashMap<usize, Arc<WordSet>>) -> Vec<Branch<'n>> {
    let mut words: Vec<&Literal> = alternatives.iter().filter_map(|a| if let Node::Word(l) = a { Some(l) } else { None }).collect();
    if words.len() < 2 {
        return alternatives.iter().map(Branch::Node).collect();
    }
    let set = sets
        .entry(alternatives.as_ptr() as usize)
        .or_insert_with(|| Arc::new(WordSet::new(words.iter().map(|l| lexicon.id(&l.norm)), words.iter().map(|l| l.cased.clone()).collect())));
    // The set takes the place of all the words but one.
    let mut out = Vec::with_capacity(alternatives.len() + 1 - words.len());
    let mut placed = false;
    for alternative in alternatives {
        match alternative {
            Node::Word(_) if placed => {}
            Node::Word(_) => {
                placed = true;
                out.push(Branch::Set(Arc::clone(set), std::mem::take(&mut words)));
            }
            other => out.push(Branch::Node(other)),
        }
    }
    out
}

/// Puts in `out` (emptied first) the words one of which every match of `node` starts
/// with; false when there are none to name (also when it may match nothing).
fn starting_words<'n>(node: &'n Node, analysis: &mut Analysis, out: &mut Vec<&'n Literal>) -> bool {
    out.clear();
    analysis.min_len(node) > 0 && first_words(node, analysis, out)
}

/// Adds to `out` the words one of which every match of `node` that covers a token
/// starts with (as a whole token, a contraction's head, or a tail written alone);
/// false when no such words can be named (`out` then holds a part of them). A sentence
/// mark is never one: `\?` also matches a run like "?!". In a sequence, an item that
/// may match nothing (`x?`, the sentence start `^`) adds its words to those of the
/// items after it.
fn first_words<'n>(node: &'n Node, analysis: &mut Analysis, out: &mut Vec<&'n Literal>) -> bool {
    match node {
        Node::Word(literal) if matches!(&*literal.norm, "?" | "!" | ".") => false,
        Node::Word(literal) => {
            out.push(literal);
            true
        }
        Node::Seq(items) => {
            for item in items.iter().filter(|item| !matches!(item, Node::Start)) {
                if !first_words(item, analysis, out) {
                    return false;
                }
                if analysis.min_len(item) > 0 {
                    return true;
                }
            }
            false
        }
        Node::Alt(items) => items.iter().all(|item| first_words(item, analysis, out)),
        Node::Repeat { node, .. } => first_words(node, analysis, out),
        Node::Focus(inner) | Node::Capture(_, inner) => first_words(inner, analysis, out),
        Node::Shared(inner) => first_words(inner, analysis, out),
        _ => false,
    }
}
