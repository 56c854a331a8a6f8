//! Running rules written in the match language over one sentence: candidates by anchor
//! words, one hash lookup per token, then verification of each candidate around its
//! anchor, bounded by the expression's longest match; `regex` escape hatches only when
//! the sentence holds one of their literals. Every step is linear in the sentence.

use std::cell::OnceCell;
use std::ops::{Range, RangeInclusive};
use std::sync::{Mutex, OnceLock, PoisonError};

use aho_corasick::{packed, AhoCorasick};
use foldhash::HashSet;
use serde::{Deserialize, Serialize};

use super::{ActiveRule, EngineError};
use crate::rules::expr::vm::{self, Found, Input, Scratch, Window};
use crate::rules::expr::Node;
use crate::rules::expr::{self, Lexicon, ListCache, Program, TokenWords, WordId};
use crate::rules::lists::Memo;
use crate::rules::patterns::required_literals;
use crate::rules::{matcher, Escape, Expr, GuardTest, GuardWindow, Lists, Matcher, Measure, Pattern, Rule};
use crate::text::{self, Tokens};

/// How many more sets of required words an expression is prefiltered by: the cheapest
/// few reject most sentences; more would cost more to test than they save.
const REQUIRED_SETS: usize = 4;

/// How many tokens a guard looks at on each side of a match.
const GUARD_REACH: usize = 64;

/// How far on each side of a span a rewrite can change what is found: a match that
/// touches the new words (at most the longest match away) and the guards of that match.
pub(super) const REWRITE_REACH: usize = expr::MAX_MATCH_TOKENS + GUARD_REACH;

/// A match of one rule in a sentence, before its guards: the reported span (bytes in
/// the sentence) and the groups a suggestion can insert.
#[derive(Debug)]
pub(super) struct Hit {
    pub rule: usize,
    pub span: Range<usize>,
    /// The reported span in token positions (see [`vm`]), for the guards' windows.
    pub positions: (usize, usize),
    /// `(name, text)` of each group, in order.
    pub groups: Vec<(String, String)>,
}

/// What matching reuses from sentence to sentence within one check, so that trying a
/// sentence allocates nothing once the buffers have grown.
#[derive(Debug, Default)]
pub(super) struct Buffers {
    scratch: Scratch,
    candidates: Vec<u64>,
    /// Per expression, whether the sentence holds the words it requires: decided
    /// when the expression is first a candidate.
    verdicts: Vec<Verdict>,
    /// The expressions whose verdict the last sentence decided: only those are reset
    /// for the next, not one entry per expression of the engine.
    decided: Vec<u32>,
}

/// Whether a sentence holds one word of each of an expression's required sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Unknown,
    Held,
    Missing,
}

/// One sentence's tokens and their numbers in the engine's lexicon: worked out once,
/// used by every rule that looks at the sentence.
#[derive(Debug)]
pub(super) struct Analysed {
    tokens: Tokens,
    numbers: Vec<TokenWords>,
    /// The numbers the sentence holds, found when first asked for.
    present: OnceCell<Present>,
    /// How many words the lexicon numbers.
    lexicon_size: usize,
}

impl Analysed {
    /// The lexicon numbers the sentence's tokens hold.
    fn present(&self) -> &Present {
        self.present.get_or_init(|| Present::new(&self.numbers, self.lexicon_size))
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// The tokens from `tokens` before `span` to `tokens` after it (indexes).
    pub fn tokens_around(&self, span: &Range<usize>, tokens: usize) -> Range<usize> {
        let list = &self.tokens.list;
        let first = list.partition_point(|t| t.end <= span.start).saturating_sub(tokens);
        let last = (list.partition_point(|t| t.start < span.end) + tokens).min(list.len());
        first..last
    }

    /// The bytes from `tokens` tokens before `span` to `tokens` tokens after it (within
    /// the sentence analysed, which is `text`).
    pub fn around(&self, text: &str, span: &Range<usize>, tokens: usize) -> Range<usize> {
        let list = &self.tokens.list;
        let Range { start: first, end: last } = self.tokens_around(span, tokens);
        let start = list.get(first).map_or(0, |t| t.start).min(span.start);
        let end = last.checked_sub(1).and_then(|i| list.get(i)).map_or(text.len(), |t| t.end).max(span.end);
        start..end
    }

    /// The sentence `text` (the one analysed) as the matcher reads it.
    pub fn input<'a>(&'a self, text: &'a str) -> Input<'a> {
        Input { text, tokens: &self.tokens, words: &self.numbers, case_sensitive: false }
    }
}

/// A compiled guard.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CompiledGuard {
    unless: bool,
    window: GuardWindow,
    test: CompiledTest,
}

#[derive(Debug, Serialize, Deserialize)]
enum CompiledTest {
    Expr {
        program: Box<Lazy>,
        /// Sorted.
        anchors: Option<Vec<WordId>>,
    },
    /// The regex is the rule's own guard at the same index.
    Regex,
}

/// The program of an expression, compiled the first time a sentence needs it: a
/// message uses few of the rules, and start-up pays only for those. The expression
/// itself stays in its rule; its lists are resolved when it is compiled.
#[derive(Debug, Default)]
pub(super) struct Lazy {
    program: OnceLock<Program>,
}

/// Stored as nothing: a program is compiled again when first needed.
impl Serialize for Lazy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for Lazy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Lazy, D::Error> {
        <()>::deserialize(deserializer).map(|()| Lazy::default())
    }
}

impl Lazy {
    /// The program of `node` (checked when the engine was built, which is all that
    /// can stop a compile); `lexicon` holds its words.
    fn program(&self, node: &Node, words: &Words) -> &Program {
        self.program.get_or_init(|| {
            let resolved = words.lists.resolve_with(&words.resolved, node).map_err(|err| err.message().to_owned());
            let compiled = resolved.and_then(|node| {
                let mut lists = words.compiled_lists.lock().unwrap_or_else(PoisonError::into_inner);
                expr::compile(&node, &words.lexicon, &mut lists).map_err(|err| err.0)
            });
            compiled.unwrap_or_else(|err| unreachable!("checked expression: {err}"))
        })
    }
}

/// An expression with its anchors (sorted; `None`: tried everywhere).
type Anchored = (Lazy, Option<Vec<WordId>>);

/// Every rule's compiled expressions, guards and escape hatches, with the anchor index.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub(super) struct Words {
    /// (rule index, pattern index, program) of every `match` entry of a finding rule.
    exprs: Vec<(usize, usize, Lazy)>,
    /// Every word the expressions name, numbered.
    lexicon: Lexicon,
    /// Anchor word's number -> indexes into `exprs`.
    index: Vec<Vec<u32>>,
    /// Expressions without anchors: tried on every sentence.
    everywhere: Vec<u32>,
    /// Per expression tried everywhere: whether its `/re/` token needs one of some
    /// literals ([`token_literals`]; `/!{3,}/` needs "!!!"), so that a sentence
    /// without them is not tried.
    everywhere_needs_literal: Vec<bool>,
    /// Per expression: more sets of words a sentence must hold one of for it to match
    /// ([`expr::Analysis::anchors_and_required`]).
    required: Vec<Vec<WordSet>>,
    /// Per expression: how many tokens of a match can come before its anchor
    /// ([`expr::AnchorWords::before`]); any number for one tried everywhere.
    before_anchor: Vec<RangeInclusive<usize>>,
    /// (rule index, pattern index) of every `regex` entry.
    escapes: Vec<(usize, usize)>,
    /// Finds the literals of the escapes and of the expressions tried everywhere, in
    /// one pass over a sentence: pattern `k` is `literal_owner[k]`'s.
    literals: Option<Finder>,
    literal_owner: Vec<LiteralOwner>,
    escapes_everywhere: Vec<u32>,
    /// Per rule index: its guards.
    pub guards: Vec<Vec<CompiledGuard>>,
    /// Per rule index: the expressions of a `many-questions` rule (what counts as an
    /// ask), each with its pattern index.
    pub asks: Vec<Vec<(usize, Anchored)>>,
    /// Per rule index: the phrase groups of a `co-occurrence` rule.
    groups: Vec<Vec<Anchored>>,
    /// The lists the expressions are resolved with when they are compiled (the
    /// packs' own, not stored twice), and those expanded so far.
    #[serde(skip)]
    pub lists: Lists,
    #[serde(skip)]
    resolved: Memo,
    /// What compiling has worked out about those lists, for the next compile.
    #[serde(skip)]
    compiled_lists: Mutex<ListCache>,
}

/// Whose literal a sentence holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum LiteralOwner {
    /// An index into [`Words::escapes`].
    Escape(u32),
    /// A position in [`Words::everywhere`].
    Everywhere(u32),
}

/// The literals one of which every match of `node`'s first required `/re/` token
/// holds (case ignored). The token regex reads a token's normalised form, so a
/// literal with an apostrophe or a hyphen (which the text may spell otherwise) gives
/// none.
fn token_literals(node: &Node) -> Option<Vec<String>> {
    fn required_regex(node: &Node) -> Option<&expr::TokenRegex> {
        match node {
            Node::Regex(regex) => Some(regex),
            Node::Focus(inner) | Node::Capture(_, inner) => required_regex(inner),
            Node::Repeat { node, min, .. } if *min > 0 => required_regex(node),
            Node::Seq(items) => items.iter().find_map(required_regex),
            _ => None,
        }
    }
    let literals = required_literals(&required_regex(node)?.source)?;
    if literals.iter().any(|literal| literal.chars().any(text::has_spellings)) {
        return None;
    }
    Some(literals)
}

/// What [`Words::new`] works out for one expression.
struct Compiled {
    anchored: Anchored,
    /// How many tokens of a match can come before its anchor.
    before_anchor: RangeInclusive<usize>,
    /// More word sets a sentence must hold one of (expressions that make findings).
    required: Vec<Vec<WordId>>,
    /// The literals of an expression with no anchor ([`token_literals`]).
    literals: Option<Vec<String>>,
}

/// A finder for some literals, ASCII case ignored; stored as the literals.
///
/// It looks for the literals in lower case in the lower-cased text the tokens keep
/// ([`Tokens::lower_case`]): a search that tells case apart skips ahead to the
/// literals' first bytes, which one that folds case cannot. Most sentences hold none
/// of the literals.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "Vec<String>", try_from = "Vec<String>")]
struct Finder {
    literals: Vec<String>,
    /// Whether a text holds one of the literals: a vector search for their first few
    /// bytes together (`None` where the CPU has none). The automaton's own search
    /// skips to their first bytes alone, and stops at every "s" of a text, as "sorrr"
    /// starts with one.
    any: Option<packed::Searcher>,
    /// Every occurrence of the literals, in a text that holds one.
    every: AhoCorasick,
}

impl TryFrom<Vec<String>> for Finder {
    type Error = aho_corasick::BuildError;
    fn try_from(literals: Vec<String>) -> Result<Finder, Self::Error> {
        let lower = || literals.iter().map(|literal| literal.to_ascii_lowercase());
        let any = packed::Config::new().builder().extend(lower()).build();
        let every = AhoCorasick::new(lower())?;
        Ok(Finder { literals, any, every })
    }
}

impl Finder {
    /// The literals a text holds, by index, each as often as it occurs (overlapping);
    /// `lower` is the text with its ASCII letters in lower case.
    fn found_in<'a>(&'a self, lower: &'a str) -> impl Iterator<Item = usize> + 'a {
        // A search that may stop at the first costs less than the overlapping one
        // that reports every occurrence.
        let any = self.any.as_ref().map_or_else(|| self.every.is_match(lower), |any| any.find(lower).is_some());
        any.then(|| self.every.find_overlapping_iter(lower).map(|found| found.pattern().as_usize())).into_iter().flatten()
    }
}

impl From<Finder> for Vec<String> {
    fn from(finder: Finder) -> Vec<String> {
        finder.literals
    }
}

/// A rule expression that runs on every sentence (for `tactful pack check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanchored {
    pub rule: String,
    pub location: crate::rules::Location,
    pub source: String,
}

impl Words {
    /// Compiles the match-language rules among `rules` with the final `lists`.
    pub fn new<'r>(rules: impl Iterator<Item = &'r Rule>, lists: &Lists) -> Result<Words, EngineError> {
        let mut words = Words::default();
        let resolved = Memo::default();
        let mut resolver = lists.resolver(&resolved);
        let mut lexicon = Lexicon::default();
        let mut walked = HashSet::default();
        let mut analysis = expr::Analysis::default();
        // `finding`: an expression that makes findings, which `hits` prefilters by the
        // other words it requires.
        let mut compile = |expr: &Expr, finding: bool| -> Result<Compiled, EngineError> {
            let fail = |message: &str| EngineError::Rule(format!("{}: {message}", expr.location));
            let node = resolver.resolve(&expr.node).map_err(|err| fail(err.message()))?;
            expr::check(&node, &mut analysis).map_err(|err| fail(&err.0))?;
            lexicon.add_words(&node, &mut walked);
            let (anchors, required) = if finding {
                analysis.anchors_and_required(&node, &lexicon, REQUIRED_SETS)
            } else {
                (analysis.anchor_words(&node, &lexicon), Vec::new())
            };
            let literals = if finding && anchors.is_none() { token_literals(&node) } else { None };
            let before_anchor = anchors.as_ref().map_or(0..=usize::MAX, |anchors| anchors.before.clone());
            let anchored = (Lazy::default(), anchors.map(|anchors| anchors.words));
            Ok(Compiled { anchored, before_anchor, required, literals })
        };
        let mut all_literals = Vec::new();
        for (rule_index, rule) in rules.enumerate() {
            let Matcher { patterns, guards } = &**rule.matcher;
            let mut asks = Vec::new();
            for (pattern_index, pattern) in patterns.iter().enumerate() {
                match pattern {
                    Pattern::Expr(expr) if rule.measure.is_some() => {
                        asks.push((pattern_index, compile(expr, false)?.anchored));
                    }
                    // A measure's regexes are looked at by `asks`, not run as findings.
                    Pattern::Regex(_) if rule.measure.is_some() => {}
                    Pattern::Expr(expr) => {
                        let Compiled { anchored: (program, anchors), before_anchor, required, literals } = compile(expr, true)?;
                        let id = words.exprs.len() as u32;
                        words.required.push(required.iter().map(|set| WordSet::new(set)).collect());
                        words.before_anchor.push(before_anchor);
                        match anchors {
                            Some(anchors) => anchors.into_iter().for_each(|anchor| {
                                let slot = anchor as usize;
                                if words.index.len() <= slot {
                                    words.index.resize_with(slot + 1, Vec::new);
                                }
                                words.index[slot].push(id);
                            }),
                            None => {
                                let position = LiteralOwner::Everywhere(words.everywhere.len() as u32);
                                words.everywhere.push(id);
                                words.everywhere_needs_literal.push(literals.is_some());
                                for literal in literals.into_iter().flatten() {
                                    all_literals.push(literal);
                                    words.literal_owner.push(position);
                                }
                            }
                        }
                        words.exprs.push((rule_index, pattern_index, program));
                    }
                    Pattern::Regex(escape) => {
                        let id = words.escapes.len() as u32;
                        words.escapes.push((rule_index, pattern_index));
                        match &escape.literals {
                            Some(found) => found.iter().for_each(|literal| {
                                all_literals.push(literal.clone());
                                words.literal_owner.push(LiteralOwner::Escape(id));
                            }),
                            None => words.escapes_everywhere.push(id),
                        }
                    }
                }
            }
            let mut compiled = Vec::new();
            for guard in guards {
                let test = match &guard.test {
                    GuardTest::Expr(expr) => {
                        let (program, anchors) = compile(expr, false)?.anchored;
                        CompiledTest::Expr { program: Box::new(program), anchors }
                    }
                    GuardTest::Regex(_) => CompiledTest::Regex,
                };
                compiled.push(CompiledGuard { unless: guard.unless, window: guard.window, test });
            }
            words.guards.push(compiled);
            words.asks.push(asks);
            let mut groups = Vec::new();
            if let Some(Measure::CoOccurrence { groups: phrases }) = &rule.measure {
                for node in phrases {
                    let group = Expr { source: String::new(), node: node.clone(), location: rule.location.clone() };
                    groups.push(compile(&group, false)?.anchored);
                }
            }
            words.groups.push(groups);
        }
        words.lexicon = lexicon;
        words.lists = lists.clone();
        words.resolved = resolved;
        if !all_literals.is_empty() {
            words.literals = Some(Finder::try_from(all_literals).map_err(|e| EngineError::Rule(e.to_string()))?);
        }
        Ok(words)
    }

    /// Expressions and regexes that run on every sentence, by rule.
    pub fn unanchored(&self, rules: &[ActiveRule]) -> Vec<Unanchored> {
        let mut out = Vec::new();
        for &id in &self.everywhere {
            let (rule_index, pattern_index, _) = &self.exprs[id as usize];
            let rule = &rules[*rule_index].rule;
            if let Some(Pattern::Expr(expr)) = rule.matcher.patterns.get(*pattern_index) {
                out.push(Unanchored { rule: rule.info.id.clone(), location: expr.location.clone(), source: expr.source.clone() });
            }
        }
        for &id in &self.escapes_everywhere {
            let (rule_index, pattern_index) = self.escapes[id as usize];
            let rule = &rules[rule_index].rule;
            if let Some(escape) = escape_of(rule, pattern_index) {
                out.push(Unanchored { rule: rule.info.id.clone(), location: escape.location.clone(), source: escape.source.clone() });
            }
        }
        out
    }

    /// How many words the lexicon numbers.
    pub fn lexicon_size(&self) -> usize {
        self.lexicon.size()
    }

    /// A sentence's tokens and their lexicon numbers, for [`Words::hits`], the guards
    /// and [`Words::asks`].
    pub fn analyse(&self, text: &str) -> Analysed {
        let tokens = Tokens::new(text);
        let numbers = self.lexicon.words(&tokens);
        Analysed { tokens, numbers, present: OnceCell::new(), lexicon_size: self.lexicon_size() }
    }

    /// Every match of every rule in one sentence (`sentence.text`), before guards, in no
    /// particular order; spans are relative to the sentence. With `touching` (token
    /// indexes), only matches that can reach those tokens from their anchor, given the
    /// most tokens the rule's match covers (those of `regex` escapes: all).
    pub fn hits(&self, rules: &[ActiveRule], text: &str, analysed: &Analysed, touching: Option<Range<usize>>, buffers: &mut Buffers) -> Vec<Hit> {
        let Buffers { scratch, candidates, verdicts, decided } = buffers;
        let sentence = analysed.input(text);
        let tokens = sentence.tokens;
        let scan = touching.as_ref().map_or(0..tokens.len(), |touched| {
            touched.start.saturating_sub(expr::MAX_MATCH_TOKENS)..(touched.end + expr::MAX_MATCH_TOKENS).min(tokens.len())
        });
        let mut out = Vec::new();
        // The words the scanned tokens hold, for the required-words test: found once
        // when an expression first needs it.
        let scanned = OnceCell::new();
        let present = || match touching {
            None => analysed.present(),
            Some(_) => scanned.get_or_init(|| Present::new(&sentence.words[scan.clone()], analysed.lexicon_size)),
        };
        // Most expressions whose anchor a sentence holds miss another word they
        // require: they are ruled out once, when first met, and never become candidates.
        for expr in decided.drain(..) {
            verdicts[expr as usize] = Verdict::Unknown;
        }
        if verdicts.len() < self.exprs.len() {
            verdicts.resize(self.exprs.len(), Verdict::Unknown);
        }
        let mut may_match = |expr: u32| {
            let verdict = &mut verdicts[expr as usize];
            if *verdict == Verdict::Unknown {
                let required = &self.required[expr as usize];
                let held = required.is_empty() || required.iter().all(|set| present().holds_one_in(set));
                *verdict = if held { Verdict::Held } else { Verdict::Missing };
                decided.push(expr);
            }
            *verdict == Verdict::Held
        };
        // (expression, token index) in one number, which sorts and deduplicates faster
        // than a pair. Room for a few per token, grown only for a sentence full of
        // anchors.
        let candidate = |expr: u32, index: usize| u64::from(expr) << 32 | index as u64;
        candidates.clear();
        // The expressions anchored on word `id`, at token `index`: called for each of a
        // token's three numbers in turn rather than looping over them, which the
        // compiler did not always unroll.
        let mut gather = |id: WordId, index: usize| {
            for &expr in self.index.get(id as usize).map_or(&[][..], Vec::as_slice) {
                if may_match(expr) {
                    candidates.push(candidate(expr, index));
                }
            }
        };
        for (index, words) in sentence.words[scan.clone()].iter().enumerate() {
            let index = scan.start + index;
            gather(words.whole, index);
            gather(words.head, index);
            gather(words.tail, index);
        }
        let owners = self.literal_owners(tokens.lower_case());
        for (position, (&id, &needs_literal)) in self.everywhere.iter().zip(&self.everywhere_needs_literal).enumerate() {
            if (!needs_literal || owners.contains(&LiteralOwner::Everywhere(position as u32))) && may_match(id) {
                candidates.extend(scan.clone().map(|index| candidate(id, index)));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let expr_of = |candidate: u64| (candidate >> 32) as u32;
        let token_of = |candidate: u64| candidate as u32 as usize;
        let mut rest = &candidates[..];
        while let Some(&first) = rest.first() {
            let id = expr_of(first);
            let count = rest.iter().take_while(|&&other| expr_of(other) == id).count();
            let (group, tail) = rest.split_at(count);
            rest = tail;
            let (rule_index, pattern_index, lazy) = &self.exprs[id as usize];
            let Some(Pattern::Expr(expr)) = rules[*rule_index].rule.matcher.patterns.get(*pattern_index) else { continue };
            let program = lazy.program(&expr.node, self);
            // A match holds its anchor and covers at most `max_len` tokens.
            let reaches = |&anchor: &usize| {
                touching.as_ref().is_none_or(|touched| anchor + program.max_len > touched.start && anchor < touched.end + program.max_len)
            };
            let input = Input { case_sensitive: rules[*rule_index].rule.case_sensitive, ..sentence };
            let near = group.iter().map(|&candidate| token_of(candidate)).filter(reaches);
            for found in matches_near(program, &input, near, &self.before_anchor[id as usize], scratch) {
                out.push(expression_hit(*rule_index, program, &input, &found));
            }
        }
        self.escape_hits(rules, text, tokens, &owners, &mut out);
        out
    }

    /// Whose literals a sentence holds (`lower`, its ASCII letters in lower case),
    /// sorted.
    fn literal_owners(&self, lower: &str) -> Vec<LiteralOwner> {
        let Some(finder) = &self.literals else { return Vec::new() };
        let mut owners: Vec<LiteralOwner> = finder.found_in(lower).map(|pattern| self.literal_owner[pattern]).collect();
        owners.sort_unstable();
        owners.dedup();
        owners
    }

    /// The matches of the escapes that run everywhere and of those whose literals
    /// the sentence holds (`owners`).
    fn escape_hits(&self, rules: &[ActiveRule], text: &str, tokens: &Tokens, owners: &[LiteralOwner], out: &mut Vec<Hit>) {
        let found = owners.iter().filter_map(|owner| match owner {
            LiteralOwner::Escape(id) => Some(*id),
            LiteralOwner::Everywhere(_) => None,
        });
        let mut wanted: Vec<u32> = self.escapes_everywhere.iter().copied().chain(found).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for id in wanted {
            let (rule_index, pattern_index) = self.escapes[id as usize];
            let Some(escape) = escape_of(&rules[rule_index].rule, pattern_index) else { continue };
            let regex = &escape.regex;
            let mut from = 0;
            while let Some(found) = matcher::find_bounded(regex, text, from) {
                from = found.end();
                let span = found.range();
                let first = tokens.list.partition_point(|t| t.end <= span.start);
                let after = tokens.list.partition_point(|t| t.start < span.end);
                let groups = super::rewrite::regex_groups(regex, text, span.start);
                out.push(Hit { rule: rule_index, span, positions: (2 * first, 2 * after.max(first)), groups });
            }
        }
    }

    /// Whether rule `rule_index`'s guards let a hit in this sentence through.
    pub fn guards_pass(&self, rule: &Rule, rule_index: usize, sentence: Input<'_>, hit: &Hit) -> bool {
        let guards = &self.guards[rule_index];
        if guards.is_empty() {
            return true;
        }
        let (text, tokens) = (sentence.text, sentence.tokens);
        let input = Input { case_sensitive: rule.case_sensitive, ..sentence };
        let last = 2 * tokens.len();
        let (start, end) = hit.positions;
        let reach = 2 * GUARD_REACH;
        let window = |kind: GuardWindow| match kind {
            GuardWindow::Sentence => Window { lo: start.saturating_sub(reach), hi: last.min(end + reach), start: 0, end: last },
            GuardWindow::Before => Window { lo: start.saturating_sub(reach), hi: start, start: 0, end: start },
            GuardWindow::After => Window { lo: end, hi: last.min(end + reach).max(end), start: end, end: last },
        };
        for kind in [GuardWindow::Sentence, GuardWindow::Before, GuardWindow::After] {
            let mut required = false;
            let mut satisfied = false;
            for (guard, written) in guards.iter().zip(&rule.matcher.guards).filter(|(g, _)| g.window == kind) {
                if !guard.unless && satisfied {
                    continue;
                }
                let found = match (&guard.test, &written.test) {
                    (CompiledTest::Expr { program, anchors }, GuardTest::Expr(expr)) => {
                        search_window(program.program(&expr.node, self), &input, window(kind), anchors.as_deref())
                    }
                    (CompiledTest::Regex, GuardTest::Regex(escape)) => {
                        let hay = match kind {
                            GuardWindow::Sentence => text,
                            GuardWindow::Before => &text[..hit.span.start],
                            GuardWindow::After => &text[hit.span.end..],
                        };
                        matcher::is_match_bounded(&escape.regex, hay)
                    }
                    _ => false,
                };
                if guard.unless && found {
                    return false;
                }
                if !guard.unless {
                    required = true;
                    satisfied |= found;
                }
            }
            if required && !satisfied {
                return false;
            }
        }
        true
    }

    /// Whether one of a `many-questions` rule's expressions or regexes occurs in a sentence.
    pub fn asks(&self, rule: &Rule, rule_index: usize, text: &str, analysed: &Analysed) -> bool {
        let by_regex = rule.matcher.patterns.iter().any(|pattern| match pattern {
            Pattern::Regex(escape) => matcher::is_match_bounded(&escape.regex, text),
            Pattern::Expr(_) => false,
        });
        let programs = &self.asks[rule_index];
        if by_regex || programs.is_empty() {
            return by_regex;
        }
        let input = Input { case_sensitive: rule.case_sensitive, ..analysed.input(text) };
        programs.iter().any(|(pattern_index, anchored)| match rule.matcher.patterns.get(*pattern_index) {
            Some(Pattern::Expr(expr)) => self.first_in_sentence(&expr.node, anchored, &input, analysed).is_some(),
            _ => false,
        })
    }

    /// Where phrase group `group` of rule `rule_index` (a `co-occurrence` rule) first
    /// matches in one sentence (`text`, analysed), relative to it. Of the phrases that
    /// match at one place, the first written wins.
    pub fn group_match(&self, rule: &Rule, rule_index: usize, group: usize, text: &str, analysed: &Analysed) -> Option<Range<usize>> {
        let anchored = self.groups[rule_index].get(group)?;
        let Some(Measure::CoOccurrence { groups }) = &rule.measure else { return None };
        let input = Input { case_sensitive: rule.case_sensitive, ..analysed.input(text) };
        let found = self.first_in_sentence(groups.get(group)?, anchored, &input, analysed)?;
        let (start, end) = found.focus();
        Some(vm::start_byte(&input, start)..vm::end_byte(&input, end))
    }

    /// Whether phrase group `group` of rule `rule_index` can match in a message whose
    /// sentences hold only the words of `anywhere`: not when none is one of its
    /// anchors. Most messages hold no phrase of most groups, and this is one test a
    /// message instead of one a sentence.
    pub fn group_may_match(&self, rule_index: usize, group: usize, anywhere: &Present) -> bool {
        self.groups[rule_index].get(group).is_some_and(|(_, anchors)| anchors.as_deref().is_none_or(|anchors| anywhere.holds_one_of(anchors)))
    }

    /// The first match of the expression `node` (compiled as `anchored`) in the whole
    /// sentence `input` (`analysed`). A sentence that holds none of its anchors is not
    /// tried, nor is the expression compiled: the anchors are compared with the words
    /// the sentence holds, two short sorted lists, not looked up token by token.
    fn first_in_sentence(&self, node: &Node, (program, anchors): &Anchored, input: &Input<'_>, analysed: &Analysed) -> Option<Found> {
        if anchors.as_deref().is_some_and(|anchors| !analysed.present().holds_one_of(anchors)) {
            return None;
        }
        let end = 2 * analysed.tokens.len();
        first_match(program.program(node, self), input, Window { lo: 0, hi: end, start: 0, end }, None)
    }
}

fn escape_of(rule: &Rule, pattern_index: usize) -> Option<&Escape> {
    match rule.matcher.patterns.get(pattern_index) {
        Some(Pattern::Regex(escape)) => Some(escape),
        _ => None,
    }
}

/// Whether `program` matches anywhere in `window`; with `anchors`, only where one of
/// them is near.
fn search_window(program: &Program, input: &Input<'_>, window: Window, anchors: Option<&[WordId]>) -> bool {
    window.lo < window.hi && first_match(program, input, window, anchors).is_some()
}

/// The first match of `program` in `window` from the left (the first written among
/// alternatives at one place); with `anchors`, none unless one of them is there.
fn first_match(program: &Program, input: &Input<'_>, window: Window, anchors: Option<&[WordId]>) -> Option<Found> {
    let first = window.lo.div_ceil(2);
    let last = window.hi / 2;
    if program.anchored_start {
        let at = window.start;
        return (at % 2 == 0 && at >= window.lo).then(|| vm::match_at(program, input, window, at, false, &mut Scratch::default())).flatten();
    }
    if !holds_anchor(input, first..last, anchors) {
        return None;
    }
    let mut scratch = Scratch::default();
    (first..last).find_map(|index| vm::match_at(program, input, window, 2 * index, false, &mut scratch))
}

/// Whether one of the tokens `range` is one of `anchors` (sorted); `None`: no anchors,
/// any sentence may match.
fn holds_anchor(input: &Input<'_>, range: Range<usize>, anchors: Option<&[WordId]>) -> bool {
    anchors.is_none_or(|anchors| {
        let (Some(&lowest), Some(&highest)) = (anchors.first(), anchors.last()) else { return false };
        // Most numbers (every unknown word's among them) fall outside the anchors' range.
        let anchor = |&id: &WordId| (lowest..=highest).contains(&id) && anchors.binary_search(&id).is_ok();
        input.words[range].iter().any(|words| [words.whole, words.head, words.tail].iter().any(anchor))
    })
}

/// The lexicon numbers some tokens hold, one bit each: a sentence holds a few dozen
/// words and an expression requires one of a few dozen, so testing each of those bits
/// costs less than sorting the sentence's numbers to merge the two lists.
#[derive(Debug)]
pub(super) struct Present {
    bits: Vec<u64>,
}

impl Present {
    /// No number of a lexicon of `lexicon_size` words. The bits are allocated and then
    /// cleared, not allocated cleared: glibc's calloc skips the allocator's per-thread
    /// cache, and cost about 300 instructions a sentence, more than both steps here.
    #[allow(clippy::slow_vector_initialization, reason = "calloc is the slower here, as said above")]
    fn none(lexicon_size: usize) -> Present {
        let words = lexicon_size.div_ceil(64);
        let mut bits = Vec::with_capacity(words);
        bits.resize(words, 0);
        Present { bits }
    }

    /// The numbers any of `sentences` holds: read from their tokens' numbers, fewer
    /// than the words of their own sets.
    pub fn anywhere<'a>(sentences: impl Iterator<Item = &'a Analysed>, lexicon_size: usize) -> Present {
        let mut present = Present::none(lexicon_size);
        for sentence in sentences {
            present.add(&sentence.numbers);
        }
        present
    }

    /// The numbers of `words`, every one below `lexicon_size`, or unknown.
    fn new(words: &[TokenWords], lexicon_size: usize) -> Present {
        let mut present = Present::none(lexicon_size);
        present.add(words);
        present
    }

    fn add(&mut self, words: &[TokenWords]) {
        for words in words {
            for id in [words.whole, words.head, words.tail] {
                if id != expr::lexicon::UNKNOWN {
                    self.bits[id as usize / 64] |= 1 << (id % 64);
                }
            }
        }
    }

    /// Whether one of `ids` is held.
    fn holds_one_of(&self, ids: &[WordId]) -> bool {
        ids.iter().any(|&id| self.bits.get(id as usize / 64).is_some_and(|bits| bits & (1 << (id % 64)) != 0))
    }

    /// Whether one of the numbers of `set` is held: one test per 64-bit word of the
    /// set's bits, not one per number.
    fn holds_one_in(&self, set: &WordSet) -> bool {
        set.blocks.iter().any(|&(index, mask)| self.bits.get(index as usize).is_some_and(|bits| bits & mask != 0))
    }
}

/// Lexicon numbers as the words of a bitset over the lexicon that hold one of them:
/// [`Present::holds_one_in`] tests a sentence's bits a word at a time. A required set
/// is often a list of dozens of words, numbered together when the lexicon first met
/// the list, so it spans a few words of bits; a sentence usually holds none of it, and
/// testing number by number read every one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct WordSet {
    /// (index of a 64-bit word, the set's bits in it), each index once, ascending.
    blocks: Vec<(u32, u64)>,
}

impl WordSet {
    fn new(ids: &[WordId]) -> WordSet {
        let mut blocks: Vec<(u32, u64)> = Vec::new();
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        for id in sorted {
            let (index, bit) = (id / 64, 1 << (id % 64));
            match blocks.last_mut() {
                Some((last, mask)) if *last == index => *mask |= bit,
                _ => blocks.push((index, bit)),
            }
        }
        WordSet { blocks }
    }
}

/// Matches of `program` in a sentence that contain one of the anchor tokens `near`
/// (ascending), with `before` tokens of the match before it, leftmost first, not
/// overlapping. Every start where a match can begin is tried in order, once.
fn matches_near(
    program: &Program,
    input: &Input<'_>,
    near: impl Iterator<Item = usize>,
    before: &RangeInclusive<usize>,
    scratch: &mut Scratch,
) -> Vec<Found> {
    let tokens = input.tokens.len();
    let window = Window { lo: 0, hi: 2 * tokens, start: 0, end: 2 * tokens };
    let mut out = Vec::new();
    if program.anchored_start {
        out.extend(vm::match_at(program, input, window, 0, true, scratch));
        return out;
    }
    let reach = (program.max_len.max(1) - 1).min(*before.end());
    let mut next_free = 0;
    for anchor in near {
        let Some(last) = anchor.checked_sub(*before.start()) else { continue };
        for start in anchor.saturating_sub(reach).max(next_free)..=last.min(tokens.saturating_sub(1)) {
            if let Some(found) = vm::match_at(program, input, window, 2 * start, true, scratch) {
                next_free = found.end.div_ceil(2).max(start + 1);
                out.push(found);
                break;
            }
            next_free = start + 1;
        }
    }
    out
}

fn expression_hit(rule: usize, program: &Program, input: &Input<'_>, found: &Found) -> Hit {
    let (start, end) = found.focus();
    let span = vm::start_byte(input, start)..vm::end_byte(input, end);
    let groups = program
        .captures
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let value =
                found.capture(index).map_or("", |(s, e)| &input.text[vm::start_byte(input, s)..vm::end_byte(input, e).max(vm::start_byte(input, s))]);
            (name.clone(), value.to_owned())
        })
        .collect();
    Hit { rule, span, positions: (start, end), groups }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals_of(source: &str) -> Option<Vec<bool>> {
        let finder = Finder::try_from(token_literals(&expr::parse(source).unwrap())?).unwrap();
        Some(
            ["Stop!!! Now.", "What?!? Really", "Hello there."]
                .iter()
                .map(|text| finder.found_in(&text.to_ascii_lowercase()).next().is_some())
                .collect(),
        )
    }

    #[test]
    fn literals_are_found_whatever_their_case() {
        let finder = Finder::try_from(vec!["Sorrr".to_owned(), "!!".to_owned(), "sorryyy".to_owned()]).unwrap();
        let found = |text: &str| finder.found_in(Tokens::new(text).lower_case()).collect::<Vec<_>>();
        assert_eq!(found("I am SoRRRy!!! Really SORRYYY."), [0, 1, 1, 2]);
        assert_eq!(found("Sorry, sörrr! Ok."), Vec::<usize>::new());
    }

    /// The vector search that decides whether a text holds a literal answers as the
    /// overlapping search that then finds them all, on texts drawn from pieces of the
    /// default pack's literals.
    #[test]
    fn the_quick_test_for_a_literal_agrees_with_the_overlapping_search() {
        let literals = ["sorrr", "sorryyy", "!!", "?!", "!?", "??", "!!!"];
        let finder = Finder::try_from(literals.map(str::to_owned).to_vec()).unwrap();
        let pieces = ["s", "so", "sor", "r", "rr", "y", "yy", "!", "?", " ", "a", "sorry", "\u{e9}"];
        let mut seeded = crate::testing::Seeded::default();
        for _ in 0..20_000 {
            let text = seeded.draw(&pieces, 0..12).concat();
            let every: Vec<usize> = finder.every.find_overlapping_iter(&text).map(|found| found.pattern().as_usize()).collect();
            let any = finder.any.as_ref().map(|any| any.find(&text).is_some());
            assert_eq!(any.unwrap_or(!every.is_empty()), !every.is_empty(), "{text:?}");
            assert_eq!(finder.found_in(&text).collect::<Vec<_>>(), every, "{text:?}");
        }
    }

    #[test]
    fn a_sentence_holds_the_numbers_of_its_tokens_whole_and_in_parts() {
        let token = |whole, head, tail| TokenWords { whole, head, tail };
        let unknown = expr::lexicon::UNKNOWN;
        let present = Present::new(&[token(3, unknown, unknown), token(130, 64, 0), token(unknown, unknown, unknown)], 131);
        for held in [0, 3, 64, 130] {
            assert!(present.holds_one_of(&[held]), "{held}");
        }
        assert!(present.holds_one_of(&[1, 2, 130]));
        assert!(!present.holds_one_of(&[1, 2, 63, 65, 129]));
        assert!(!present.holds_one_of(&[]));
        // A number past the lexicon (none is) is not held.
        assert!(!present.holds_one_of(&[5000]));
    }

    /// Testing a set a 64-bit word at a time answers as testing its numbers one by one,
    /// for sets and sentences drawn over a lexicon of a few hundred words (and numbers
    /// past it, and unknown words).
    #[test]
    fn a_set_is_held_word_by_word_as_number_by_number() {
        let mut seeded = crate::testing::Seeded::default();
        let unknown = expr::lexicon::UNKNOWN;
        // A sentence's numbers are below the lexicon's size (300) or unknown; a set's
        // may also lie past it.
        let number = |seeded: &mut crate::testing::Seeded, past: usize| match seeded.within(0..20) {
            0 => unknown,
            1 if past > 0 => seeded.within(300..300 + past) as WordId,
            _ => seeded.within(0..300) as WordId,
        };
        for _ in 0..20_000 {
            let tokens: Vec<TokenWords> = (0..seeded.within(0..12))
                .map(|_| TokenWords { whole: number(&mut seeded, 0), head: number(&mut seeded, 0), tail: number(&mut seeded, 0) })
                .collect();
            let present = Present::new(&tokens, 300);
            let ids: Vec<WordId> = (0..seeded.within(0..40)).map(|_| number(&mut seeded, 200)).collect();
            assert_eq!(present.holds_one_in(&WordSet::new(&ids)), present.holds_one_of(&ids), "{ids:?}");
        }
    }

    /// A token regex every match needs gives a prefilter on its literals; one that is
    /// optional, one whose literal normalising would change, or one with no literal
    /// gives none (the expression is tried on every sentence, as before).
    #[test]
    fn an_expression_tried_everywhere_is_prefiltered_by_its_token_regex_literals() {
        assert_eq!(literals_of("/!{3,}/"), Some(vec![true, false, false]));
        assert_eq!(literals_of(r"[/\?[!?]{2,}|[!?]\?[!?]+/]"), Some(vec![false, true, false]));
        assert_eq!(literals_of("#cap /!{3,}/"), Some(vec![true, false, false]));
        assert_eq!(literals_of("#cap /!{3,}/?"), None);
        assert_eq!(literals_of("/don't+/"), None);
        assert_eq!(literals_of("/[a-z]+/"), None);
    }
}
