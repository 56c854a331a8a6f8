//! Matching a [`Program`] over tokens: a bounded backtracker that visits each
//! (instruction, position) pair at most once, so one attempt costs at most the
//! program's size times the positions it can reach.
//!
//! Positions count half tokens: `2 * i` is before token `i`, `2 * i + 1` is inside it,
//! at the apostrophe of a contraction ("I|'ll"), where a pattern's "'ll" can go on.

use super::lexicon::{TokenWords, WordId, UNKNOWN};
use super::program::{Inst, Program, Test};
use super::{Class, Literal};
use crate::text::{normalise_keeping_case, TokenKind, Tokens};

/// What a program is matched against: one sentence and its tokens.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub text: &'a str,
    pub tokens: &'a Tokens,
    /// The tokens' numbers in the lexicon the program was compiled with.
    pub words: &'a [TokenWords],
    pub case_sensitive: bool,
}

/// Where a match may lie (positions): it stays in `lo..=hi`; `^` holds at `start`
/// and `$` at `end`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub lo: usize,
    pub hi: usize,
    pub start: usize,
    pub end: usize,
}

/// A match: positions of its ends and of its captures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// 0 and 1: the focus; then two per capture.
    pub slots: Vec<Option<usize>>,
}

impl Found {
    /// The reported part: the focus if the expression has one, else the whole match.
    pub fn focus(&self) -> (usize, usize) {
        match (self.slots.first().copied().flatten(), self.slots.get(1).copied().flatten()) {
            (Some(start), Some(end)) if start < end => (start, end),
            _ => (self.start, self.end),
        }
    }

    /// The positions of capture `index`, if it took part.
    pub fn capture(&self, index: usize) -> Option<(usize, usize)> {
        Some((self.slots.get(2 + 2 * index).copied()??, self.slots.get(3 + 2 * index).copied()??))
    }
}

/// Byte offset where position `pos` starts (for the start of a span).
pub fn start_byte(input: &Input<'_>, pos: usize) -> usize {
    let index = pos / 2;
    match input.tokens.list.get(index) {
        Some(token) if pos % 2 == 1 => apostrophe_byte(input.text, token.start, token.end),
        Some(token) => token.start,
        None => input.tokens.list.last().map_or(0, |t| t.end),
    }
}

/// Byte offset where position `pos` ends (for the end of a span).
pub fn end_byte(input: &Input<'_>, pos: usize) -> usize {
    let index = pos / 2;
    if pos % 2 == 1 {
        let token = input.tokens.list[index];
        return apostrophe_byte(input.text, token.start, token.end);
    }
    match index.checked_sub(1).and_then(|i| input.tokens.list.get(i)) {
        Some(token) => token.end,
        None => input.tokens.list.first().map_or(0, |t| t.start),
    }
}

fn apostrophe_byte(text: &str, start: usize, end: usize) -> usize {
    text[start..end].rfind(crate::text::is_apostrophe).map_or(end, |i| start + i)
}

#[derive(Debug)]
enum Frame {
    Explore(usize, usize),
    Restore(usize, Option<usize>),
}

/// The buffers of [`match_at`], kept by a caller that tries many starts so that a try
/// allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    /// One bit per (instruction, position) explored; all zero between tries.
    visited: Vec<u64>,
    /// The words of `visited` a try set: clearing them is cheaper than clearing the
    /// whole set, which for a program with long lists is kilobytes a try.
    touched: Vec<u32>,
    stack: Vec<Frame>,
    alternatives: Vec<u32>,
    slots: Vec<Option<usize>>,
}

/// The match starting at position `at`: the longest (the first written among equally
/// long ones) when `longest`, else the first found.
///
/// Inlined into the callers, which try one start after another and most of which fail
/// at once: only the tries that get past the first token pay for the call that sets
/// up the search.
#[inline]
pub fn match_at(program: &Program, input: &Input<'_>, window: Window, at: usize, longest: bool, scratch: &mut Scratch) -> Option<Found> {
    if cannot_start(program, input, window, at) {
        return None;
    }
    search(program, input, window, at, longest, scratch)
}

/// [`match_at`] past its first test.
#[inline(never)]
fn search(program: &Program, input: &Input<'_>, window: Window, at: usize, longest: bool, scratch: &mut Scratch) -> Option<Found> {
    let reach = (2 * program.max_len + 2).min(window.hi.saturating_sub(at) + 1);
    let Scratch { visited, touched, stack, alternatives, slots } = scratch;
    for word in touched.drain(..) {
        visited[word as usize] = 0;
    }
    let words = (program.insts.len() * reach).div_ceil(64);
    if visited.len() < words {
        visited.resize(words, 0);
    }
    stack.clear();
    stack.push(Frame::Explore(0, at));
    slots.clear();
    slots.resize(2 + 2 * program.captures.len(), None);
    let mut best: Option<Found> = None;
    while let Some(frame) = stack.pop() {
        let (mut pc, mut pos) = match frame {
            Frame::Restore(slot, value) => {
                slots[slot] = value;
                continue;
            }
            Frame::Explore(pc, pos) => (pc, pos),
        };
        loop {
            let offset = pos - at;
            if offset >= reach {
                break;
            }
            let (word, bit) = ((pc * reach + offset) / 64, (pc * reach + offset) % 64);
            if visited[word] & (1 << bit) != 0 {
                break;
            }
            if visited[word] == 0 {
                touched.push(word as u32);
            }
            visited[word] |= 1 << bit;
            match &program.insts[pc] {
                Inst::Match => {
                    if best.as_ref().is_none_or(|b| pos > b.end) {
                        best = Some(Found { start: at, end: pos, slots: slots.clone() });
                    }
                    if !longest {
                        return best;
                    }
                    break;
                }
                Inst::Test(test) => {
                    let (whole, part) = step(program, test, input, window, pos);
                    let Some(next) = whole.or(part) else { break };
                    if let (Some(_), Some(other)) = (whole, part) {
                        stack.push(Frame::Explore(pc + 1, other));
                    }
                    pos = next;
                    pc += 1;
                }
                Inst::Split(preferred, other) => {
                    stack.push(Frame::Explore(*other, pos));
                    pc = *preferred;
                }
                Inst::Dispatch(index) => {
                    let dispatch = &program.dispatches[*index];
                    dispatch.alternatives(&token_ids(input, pos), alternatives);
                    // The first written is explored first, as a chain of splits would.
                    stack.extend(alternatives.iter().rev().map(|&alternative| Frame::Explore(dispatch.entries[alternative as usize], pos)));
                    break;
                }
                Inst::Jump(target) => pc = *target,
                Inst::Save(slot) => {
                    stack.push(Frame::Restore(*slot, slots[*slot]));
                    slots[*slot] = Some(pos);
                    pc += 1;
                }
                Inst::Start if pos == window.start => pc += 1,
                Inst::End if pos == window.end => pc += 1,
                Inst::Start | Inst::End => break,
            }
        }
    }
    best
}

/// Whether a match at `at` fails on its first token: most tries do, and this answers
/// before any state is set up.
fn cannot_start(program: &Program, input: &Input<'_>, window: Window, at: usize) -> bool {
    if let Some(starts) = &program.starts {
        return !token_ids(input, at).iter().any(|&id| starts.contains(id));
    }
    match program.insts.iter().find(|inst| !matches!(inst, Inst::Save(_))) {
        Some(Inst::Test(test)) => step(program, test, input, window, at) == (None, None),
        _ => false,
    }
}

/// The numbers a word test at `pos` can match: inside a contraction only its tail;
/// elsewhere the whole token, its head and its tail.
fn token_ids(input: &Input<'_>, pos: usize) -> [WordId; 3] {
    match input.words.get(pos / 2) {
        Some(words) if pos % 2 == 1 => [words.tail, UNKNOWN, UNKNOWN],
        Some(words) => [words.whole, words.head, words.tail],
        None => [UNKNOWN; 3],
    }
}

/// Where a test at `pos` can go on: the whole token, and for a word that is the head of
/// a contraction ("I" of "I'll"), also its apostrophe.
fn step(program: &Program, test: &Test, input: &Input<'_>, window: Window, pos: usize) -> (Option<usize>, Option<usize>) {
    let index = pos / 2;
    let Some(token) = input.tokens.list.get(index) else {
        return (None, None);
    };
    let whole = (2 * index + 2 <= window.hi).then_some(2 * index + 2);
    let inside = (pos % 2 == 0 && pos < window.hi).then_some(pos + 1);
    let words = input.words[index];
    let (full, part) = match test {
        Test::Word(..) | Test::Set(_) if input.case_sensitive => step_cased(test, input, index, pos % 2 == 1),
        // Inside a contraction: only its tail ("'ll") can follow.
        Test::Word(_, id) if pos % 2 == 1 => (known(*id, words.tail), false),
        Test::Set(set) if pos % 2 == 1 => (set.contains(words.tail), false),
        _ if pos % 2 == 1 => (false, false),
        Test::Word(literal, id) => {
            // A contraction's tail written alone ("'ll") matches any word ending in it.
            let tail_only = literal.norm.starts_with('\'');
            let full = known(*id, words.whole) || in_mark_run(literal, token.kind, input.tokens.norm(index)) || (tail_only && known(*id, words.tail));
            (full, !tail_only && known(*id, words.head))
        }
        // As for one word: a tail in the set ("'ll" of `(will | 'll)`) matches any word ending in it.
        Test::Set(set) => (set.contains(words.whole) || set.contains(words.tail), set.contains(words.head)),
        Test::Any => (!token.clause_break, false),
        Test::Class(class) => (class_holds(*class, input, index), false),
        Test::Regex(regex) => {
            let text = if input.case_sensitive { &input.text[token.span()] } else { input.tokens.norm(index) };
            (regex.is_match(text, input.case_sensitive), false)
        }
        Test::Not(sub) => {
            let inner = Window { lo: pos, hi: window.hi, start: window.start, end: window.end };
            // The caller's buffers are in use: a negation (rare) has its own.
            let sub = &program.subs[*sub];
            (!token.clause_break && match_at(sub, input, inner, pos, false, &mut Scratch::default()).is_none(), false)
        }
    };
    (full.then_some(whole).flatten(), part.then_some(inside).flatten())
}

/// `id` is `other`, and a word the lexicon knows.
fn known(id: WordId, other: WordId) -> bool {
    id == other && id != UNKNOWN
}

/// A word or set test of a case-sensitive rule: compared as written. `in_tail`: the
/// position is a contraction's apostrophe, where only its tail can match.
fn step_cased(test: &Test, input: &Input<'_>, index: usize, in_tail: bool) -> (bool, bool) {
    let token = input.tokens.list[index];
    let cased = normalise_keeping_case(&input.text[token.span()]);
    let contraction = input.tokens.apostrophe(index).is_some();
    let head = contraction.then(|| head_of(&cased));
    let tail = contraction.then(|| tail_of(&cased));
    match test {
        Test::Word(literal, _) if in_tail => (tail.as_deref() == Some(&*literal.cased), false),
        Test::Set(set) if in_tail => (tail.is_some_and(|t| set.contains_cased(&t)), false),
        Test::Word(literal, _) => {
            let tail_only = literal.norm.starts_with('\'');
            let is = |form: &Option<String>| form.as_deref() == Some(&*literal.cased);
            let full = *literal.cased == *cased || in_mark_run(literal, token.kind, input.tokens.norm(index)) || (tail_only && is(&tail));
            (full, !tail_only && is(&head))
        }
        Test::Set(set) => (set.contains_cased(&cased) || tail.is_some_and(|t| set.contains_cased(&t)), head.is_some_and(|h| set.contains_cased(&h))),
        _ => (false, false),
    }
}

fn class_holds(class: Class, input: &Input<'_>, index: usize) -> bool {
    let token = input.tokens.list[index];
    let text = &input.text[token.span()];
    match class {
        Class::Number => token.kind == TokenKind::Number,
        // The sentence's first word is capitalised anyway.
        Class::Capitalised => token.kind == TokenKind::Word && index != 0 && text.starts_with(char::is_uppercase),
        Class::Upper => {
            token.kind == TokenKind::Word && text.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !text.chars().any(char::is_lowercase)
        }
        Class::Emoji => token.kind == TokenKind::Symbol,
    }
}

/// A pattern's `\?` or `\!` also matches a run like "?!" or "!!!".
fn in_mark_run(literal: &Literal, kind: TokenKind, norm: &str) -> bool {
    kind == TokenKind::Punct && matches!(&*literal.norm, "?" | "!" | ".") && norm.contains(&*literal.norm)
}

fn head_of(word: &str) -> String {
    word.rfind('\'').map_or_else(|| word.to_owned(), |i| word[..i].to_owned())
}

fn tail_of(word: &str) -> String {
    word.rfind('\'').map_or_else(String::new, |i| word[i..].to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::lexicon::Walked;
    use super::super::{compile, parse, Lexicon, ListCache, Node};
    use super::*;

    /// Every match of `expression` in `text` (one sentence), left to right, as the
    /// reported text, with captures after `|`.
    fn matches(expression: &str, text: &str) -> Vec<String> {
        matches_with(expression, text, false)
    }

    fn matches_with(expression: &str, text: &str, case_sensitive: bool) -> Vec<String> {
        let node = parse(expression).unwrap();
        let mut lexicon = Lexicon::default();
        lexicon.add_words(&node, &mut Walked::default());
        let program = compile(&node, &lexicon, &mut ListCache::default()).unwrap();
        matches_of(&program, &lexicon, text, case_sensitive)
    }

    /// The same for a compiled program.
    fn matches_of(program: &Program, lexicon: &Lexicon, text: &str, case_sensitive: bool) -> Vec<String> {
        let tokens = Tokens::new(text);
        let words = lexicon.words(&tokens);
        let input = Input { text, tokens: &tokens, words: &words, case_sensitive };
        let end = 2 * tokens.len();
        let window = Window { lo: 0, hi: end, start: 0, end };
        let mut out = Vec::new();
        let mut at = 0;
        while at < end {
            match match_at(program, &input, window, at, true, &mut Scratch::default()) {
                Some(found) => {
                    let (start, stop) = found.focus();
                    let mut shown = text[start_byte(&input, start)..end_byte(&input, stop)].to_owned();
                    for index in 0..program.captures.len() {
                        if let Some((s, e)) = found.capture(index) {
                            shown.push_str(&format!("|{}", &text[start_byte(&input, s)..end_byte(&input, e)]));
                        }
                    }
                    out.push(shown);
                    at = found.end.max(at + 2).next_multiple_of(2);
                }
                None => at += 2,
            }
        }
        out
    }

    #[test]
    fn words_inflections_and_contractions() {
        assert_eq!(matches("~reply", "He replied, then replies."), ["replied", "replies"]);
        assert_eq!(matches("(I | we) 'll ~send", "I’ll send it; we'll sent; we will send"), ["I’ll send", "we'll sent"]);
        assert_eq!(matches("I", "I'll go"), ["I"]);
        assert_eq!(matches("'ll go", "she'll go"), ["she'll go"]);
        assert_eq!(matches("(will | 'll) go", "she'll go, he will go"), ["she'll go", "will go"]);
        assert_eq!(matches("follow-up", "a follow-up and a follow up, not followup"), ["follow-up", "follow up"]);
        assert_eq!(matches("why \\?", "why?! why"), ["why?!"]);
    }

    #[test]
    fn many_alternatives_are_tried_by_their_first_word_in_written_order() {
        let many = "(per my last | per my | as I said | 'll do | will do | (a | an) ~idiot)";
        assert_eq!(matches(many, "As I said, I'll do it per my last note, an idiot"), ["As I said", "I'll do", "per my last", "an idiot"]);
        // Of two equally long matches, the first written is reported.
        assert_eq!(matches("(x=we will | we y=will | you must | they must)", "we will"), ["we will|we"]);
        assert_eq!(matches("(ok | we y=will | x=we will | you must)", "we will"), ["we will|will"]);
    }

    #[test]
    fn a_case_sensitive_rule_compares_words_as_written() {
        assert_eq!(matches_with("(ACME | Globex | Initech | Umbrella) rocks", "Acme rocks, ACME rocks", true), ["ACME rocks"]);
        assert_eq!(matches_with("(We | They | You | I) 'll go", "we'll go, We'll go", true), ["We'll go"]);
        assert_eq!(matches_with("(We | They | You | I) 'll go", "we'll go, We'll go", false), ["we'll go", "We'll go"]);
    }

    #[test]
    fn gaps_stop_at_clause_breaks_and_the_longest_alternative_wins() {
        assert_eq!(matches("need ..3 by (friday | friday morning)", "I need it by Friday morning"), ["need it by Friday morning"]);
        assert_eq!(matches("need ..3 by friday", "I need it, by Friday"), Vec::<String>::new());
        assert_eq!(matches("need ..2 by friday", "I need it all done by Friday"), Vec::<String>::new());
        assert_eq!(matches("no rush", "no, rush"), Vec::<String>::new());
    }

    #[test]
    fn focus_captures_negation_and_classes() {
        assert_eq!(matches("we [guarantee] results", "We guarantee results."), ["guarantee"]);
        assert_eq!(matches("you !not verb=(care | mind)", "you not care; you do mind; you mind"), ["you do mind|mind"]);
        assert_eq!(matches("#num ~day", "in 3 days or 10:30 days"), ["3 days", "10:30 days"]);
        assert_eq!(matches("#upper", "Please READ this NOW, ok? A I"), ["READ", "NOW"]);
        assert_eq!(matches("#cap", "Ask Ana"), ["Ana"]);
        assert_eq!(matches("/\\d+(st|nd)/ #emoji", "the 1st 👍🏽 and 2nd 🎉"), ["1st 👍🏽", "2nd 🎉"]);
        assert_eq!(matches("^ per", "per per"), ["per"]);
        assert_eq!(matches("per $", "per per"), ["per"]);
    }

    /// A match is tried only where its first word can be; an item that may match
    /// nothing lets the words after it start one too.
    #[test]
    fn optional_first_items_and_empty_alternatives_still_start_a_match() {
        assert_eq!(matches("^ (please | kindly)? (could | can) you", "Please could you send it"), ["Please could you"]);
        assert_eq!(matches("^ (please | kindly)? (could | can) you", "Could you send it"), ["Could you"]);
        assert!(matches("^ (please | kindly)? (could | can) you", "So could you send it").is_empty());
        assert_eq!(matches("please? (send | mail) it", "mail it now"), ["mail it"]);
        let empty_among_many = "(just now | right now | very? | so much) send it";
        assert_eq!(matches(empty_among_many, "send it now; right now send it"), ["send it", "right now send it"]);
    }

    /// Programs compiled in turn keep what is worked out about a shared list (its word
    /// set, its dispatch table), never about their own alternations, which live only
    /// as long as their tree: the next program's may lie at the same address, as the
    /// alternations compiled here from one variable do.
    #[test]
    fn programs_compiled_in_turn_match_as_if_compiled_alone() {
        let list = Arc::new(parse("(send off | mail | post | ship out | fax | hand over)").unwrap());
        let shared = || Node::Shared(Arc::clone(&list));
        let with_list = [
            Node::Seq(vec![shared(), parse("it").unwrap()]),
            Node::Seq(vec![parse("please").unwrap(), Node::Repeat { node: Box::new(shared()), min: 1, max: 2 }]),
        ];
        let own = ["(x y | y z | z w | w x)", "please (now | today | soon | later)", "(p q | q r | r s | s p)"];
        let mut lexicon = Lexicon::default();
        let mut walked = Walked::default();
        with_list.iter().for_each(|node| lexicon.add_words(node, &mut walked));
        own.iter().for_each(|source| lexicon.add_words(&parse(source).unwrap(), &mut walked));
        let text = "please mail post it; x y it, p q it, please soon; ship out it";
        let mut lists = ListCache::default();
        let mut in_turn = |node: &Node| {
            let alone = matches_of(&compile(node, &lexicon, &mut ListCache::default()).unwrap(), &lexicon, text, false);
            let found = matches_of(&compile(node, &lexicon, &mut lists).unwrap(), &lexicon, text, false);
            assert_eq!(found, alone);
            found
        };
        assert_eq!(in_turn(&with_list[0]), ["post it", "ship out it"]);
        assert_eq!(in_turn(&with_list[1]), ["please mail post"]);
        let expected = [["x y"], ["please soon"], ["p q"]];
        let mut node;
        for (source, expected) in own.iter().zip(expected) {
            node = parse(source).unwrap();
            assert_eq!(in_turn(&node), expected, "{source}");
        }
        assert_eq!(in_turn(&with_list[0]), ["post it", "ship out it"]);
    }

    #[test]
    fn spans_are_exact_bytes_around_multibyte_text() {
        assert_eq!(matches("café ~say", "😀 Café said 日本"), ["Café said"]);
        assert_eq!(matches("日本語", "これは 日本語 です"), ["日本語"]);
    }
}
