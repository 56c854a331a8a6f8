//! The engine: every active rule of the loaded packs, compiled once, run over a message.
//!
//! The masked text (unchecked regions blanked, offsets unchanged) is split into
//! sentences; each sentence is tokenized once and the rules in the match language are
//! found in it by their anchor words, one hash lookup per token, and verified where an
//! anchor occurs ([`words`]). A sentence's results can be kept in a
//! [`SentenceCache`], so a long draft checked again costs only its changed sentences.
//! Message-level measures run after. Checking never fails: a message
//! always gives a (possibly empty) list.

mod cache;
mod compiled;
mod compose;
mod examples;
mod measures;
mod rewrite;
mod thread;
mod words;

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use crate::selection::{Selection, Toggle};
pub use cache::{SentenceCache, DEFAULT_CACHE_BYTES};
pub use compiled::compile_default_words;
pub use examples::run_examples;
pub use words::Unanchored;

use crate::finding::{Finding, Severity, Suggestion};
use crate::message::Message;
use crate::rules::{Allowlist, Lists, Pack, Rule, RuleInfo, Scope};
use crate::text::{self, Stretches};
use cache::Local;
use thread::ThreadTerms;
use words::{Analysed, Present, Words};

/// The most findings one message reports. Past it a message is no draft anyone fixes
/// one finding at a time (a pasted log, a word repeated for pages), and as every
/// finding's rewrites are checked, the limit also bounds the time a check takes. What
/// lies past the last reported finding is not checked, and a note says so.
pub const MAX_FINDINGS: usize = 1_000;

/// The rule id of that note: no pack's rule, so it has no "why" and cannot be disabled.
pub const LIMIT_NOTE: &str = "tactful.limit";

/// A rule of the packs, at the severity the selection gave it (`None`: off). The
/// engine compiles the rules that are off too, so what it compiles depends on the
/// packs only: the default pack compiled when tactful was built serves every
/// selection.
#[derive(Debug)]
struct ActiveRule {
    rule: Arc<Rule>,
    severity: Option<Severity>,
}

impl ActiveRule {
    fn runs(&self) -> bool {
        self.severity.is_some()
    }
}

/// The checker. Build it once per set of packs and settings; `check` is cheap.
#[derive(Debug)]
pub struct Engine {
    /// Tells one engine's cached sentence results from another's.
    id: u64,
    rules: Vec<ActiveRule>,
    /// Rules in the match language, compiled with the packs' lists.
    words: Arc<words::Words>,
    /// Phrases the packs' vocabularies allow: findings inside them are dropped.
    allowed: Allowlist,
}

/// An error building the engine: a limit, or lists of several packs that do not fit
/// together (each pack alone was checked when it loaded).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Rule(String),
}

/// The rules of `packs`, a later pack's rule replacing an earlier one with the same
/// id, each at the severity `selection` gives it.
fn choose(packs: &[Pack], selection: &Selection) -> Vec<ActiveRule> {
    let mut chosen: Vec<ActiveRule> = Vec::new();
    for rule in packs.iter().flat_map(|pack| &pack.rules) {
        chosen.retain(|active| active.rule.info.id != rule.info.id);
        chosen.push(ActiveRule { rule: Arc::clone(rule), severity: selection.resolve(&*rule.info) });
    }
    chosen
}

impl Engine {
    /// Runs the rules of `packs` that `selection` leaves on. A later pack's rule with
    /// the same id as an earlier one replaces it (loading packs checks that it says so:
    /// [`crate::rules::layered_rules`]). Lists are those of all packs together, so an
    /// addition in a later pack reaches the rules of an earlier one.
    pub fn new(packs: &[Pack], selection: &Selection) -> Result<Engine, EngineError> {
        let mut allowed = Allowlist::default();
        let mut lists = Lists::default();
        for pack in packs {
            allowed.extend(&pack.vocabulary);
            lists.extend(&pack.lists).map_err(|message| EngineError::Rule(format!("pack `{}`: {message}", pack.name)))?;
        }
        let chosen = choose(packs, selection);
        let words = match compiled::words_for(&chosen, &lists) {
            Some(words) => words,
            None => Arc::new(words::Words::new(chosen.iter().map(|active| &*active.rule), &lists)?),
        };
        static ENGINES: AtomicU64 = AtomicU64::new(1);
        let id = ENGINES.fetch_add(1, Ordering::Relaxed);
        Ok(Engine { id, rules: chosen, words, allowed })
    }

    /// Number of rules that run.
    pub fn rule_count(&self) -> usize {
        self.rules.iter().filter(|active| active.runs()).count()
    }

    /// What the rule `id` (one that runs) says beyond a finding: why, link, examples.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().filter(|active| active.runs()).map(|active| &*active.rule.info).find(|info| info.id == id)
    }

    /// Expressions and regexes that have no anchor word or literal, so they run on
    /// every sentence (what `tactful pack check` warns about), of the rules that run.
    pub fn unanchored(&self) -> Vec<Unanchored> {
        self.words.unanchored(&self.rules).into_iter().filter(|found| self.rule(&found.rule).is_some()).collect()
    }

    /// The findings of the sentence-level rules in one sentence, relative to its start,
    /// each with only the rewrites that hold up ([`Engine::rewrite_holds`]): the first
    /// `budget` in text order, and where the next one starts when there are more.
    fn sentence_findings(
        &self,
        text: &str,
        analysed: &Analysed,
        in_subject: bool,
        budget: usize,
        reused: &mut Reused,
    ) -> (Arc<[Local]>, Option<usize>) {
        let mut hits = self.sentence_hits_touching(text, analysed, in_subject, None, &mut reused.buffers);
        if hits.is_empty() {
            return (Arc::clone(&reused.no_findings), None);
        }
        let mut cut = None;
        if hits.len() > budget {
            hits.sort_by_key(|hit| (hit.span.start, hit.span.end));
            cut = Some(hits[budget].span.start);
            hits.truncate(budget);
        }
        let found = hits.into_iter().map(|hit| {
            let active = &self.rules[hit.rule];
            let matched = &text[hit.span.clone()];
            let mut suggestions = suggestions(active, matched, hit.span.start == 0, &hit.groups);
            suggestions.retain(|suggestion| self.rewrite_holds(text, analysed, in_subject, &hit.span, &suggestion.replacement, &mut reused.buffers));
            let message = finding_message(active, matched, &hit.groups);
            Local { rule: hit.rule, span: hit.span, message, suggestions }
        });
        (found.collect(), cut)
    }

    /// A rewrite holds when it repeats no phrase of its sentence and, put in place,
    /// gives no rule anything to flag in the new words: a fix never needs a fix.
    /// Only the part of the sentence the rewrite can reach is looked at, so a sentence
    /// without end (a pasted log, a word repeated for pages) costs the same per fix.
    fn rewrite_holds(
        &self,
        sentence: &str,
        analysed: &Analysed,
        in_subject: bool,
        span: &Range<usize>,
        replacement: &str,
        buffers: &mut words::Buffers,
    ) -> bool {
        let reach = analysed.around(sentence, span, words::REWRITE_REACH);
        let text = &sentence[reach.clone()];
        let span = span.start - reach.start..span.end - reach.start;
        if compose::doubles_a_phrase(text, &span, replacement) {
            return false;
        }
        let rewritten = format!("{}{replacement}{}", &text[..span.start], &text[span.end..]);
        let new_words = span.start..span.start + replacement.len();
        let analysed = self.words.analyse(&rewritten);
        self.sentence_hits_touching(&rewritten, &analysed, in_subject, Some(&new_words), buffers).is_empty()
    }

    /// The matches of the sentence-level rules in one sentence that are in scope and
    /// pass their guards; with `touching`, only those that overlap it (their guards
    /// are not even run).
    fn sentence_hits_touching(
        &self,
        text: &str,
        analysed: &Analysed,
        in_subject: bool,
        touching: Option<&Range<usize>>,
        buffers: &mut words::Buffers,
    ) -> Vec<words::Hit> {
        let sentence = analysed.input(text);
        let touched = touching.map(|span| analysed.tokens_around(span, 0));
        let mut hits = self.words.hits(&self.rules, text, analysed, touched, buffers);
        hits.retain(|hit| {
            if touching.is_some_and(|span| !compose::overlaps(&hit.span, span)) {
                return false;
            }
            let active = &self.rules[hit.rule];
            if !active.runs() {
                return false;
            }
            let in_scope = match active.rule.scope {
                Scope::Both => true,
                Scope::Subject => in_subject,
                Scope::Body => !in_subject,
            };
            in_scope && self.words.guards_pass(&active.rule, hit.rule, sentence, hit)
        });
        hits
    }

    /// Every finding in the checked parts of `message`, in text order.
    pub fn check(&self, message: &Message) -> Vec<Finding> {
        self.check_with_cache(message, &mut SentenceCache::with_capacity(0))
    }

    /// As [`Engine::check`], reusing the results of sentences `cache` has seen (with
    /// this engine), and keeping this message's for the next check.
    pub fn check_with_cache(&self, message: &Message, cache: &mut SentenceCache) -> Vec<Finding> {
        let masked = message.masked();
        let view = View::new(message, masked, &self.words);
        let mut findings = Vec::new();
        let mut thread_terms: Option<ThreadTerms> = None;
        let mut novel = |sentence: &Range<usize>| {
            let terms = thread_terms.get_or_insert_with(|| ThreadTerms::new(message.thread()));
            terms.is_novel(&masked[sentence.clone()])
        };
        cache.for_engine(self.id);
        // Where checking stopped, at `MAX_FINDINGS`.
        let mut stopped = None;
        let mut reused = Reused::default();
        for (index, sentence) in view.sentences.iter().enumerate() {
            let text = &masked[sentence.clone()];
            let in_subject = view.in_subject(sentence.start);
            let room = MAX_FINDINGS.saturating_sub(findings.len());
            let local = cache.get(text, in_subject).filter(|cached| cached.len() <= room).unwrap_or_else(|| {
                let (found, cut) = self.sentence_findings(text, view.analysed(index), in_subject, room, &mut reused);
                match cut {
                    Some(at) => stopped = Some(sentence.start + at),
                    None => cache.put(text, in_subject, Arc::clone(&found)),
                }
                found
            });
            for found in local.iter() {
                let active = &self.rules[found.rule];
                let Some(severity) = active.severity else { continue };
                if active.rule.novel_to_thread && !novel(sentence) {
                    continue;
                }
                let span = sentence.start + found.span.start..sentence.start + found.span.end;
                findings.push(finding(&active.rule, severity, span, found.message.clone(), found.suggestions.clone()));
            }
            if stopped.is_some() {
                break;
            }
        }
        // Measures read what was checked, no more.
        let cut_view;
        let view = match stopped {
            Some(at) => {
                cut_view = View::new(message, &masked[..at], &self.words);
                &cut_view
            }
            None => &view,
        };
        for (rule_index, active) in self.rules.iter().enumerate() {
            if let (Some(measure), Some(severity)) = (&active.rule.measure, active.severity) {
                let analysed = |sentence: &Range<usize>| view.analysed(view.sentences.partition_point(|s| s.start < sentence.start));
                let asks = |sentence: &Range<usize>| self.words.asks(&active.rule, rule_index, &masked[sentence.clone()], analysed(sentence));
                let group_match = |group: usize, sentence: &Range<usize>| {
                    let found = self.words.group_match(&active.rule, rule_index, group, &masked[sentence.clone()], analysed(sentence))?;
                    Some(sentence.start + found.start..sentence.start + found.end)
                };
                let group_may_match = |group: usize| self.words.group_may_match(rule_index, group, view.present_anywhere());
                let sentences = measures::Sentences { asks: &asks, group_match: &group_match, group_may_match: &group_may_match };
                for span in measures::run(measure, &active.rule, view, &sentences) {
                    let opens_sentence = view.sentence_at(span.start).start == span.start;
                    let matched = &masked[span.clone()];
                    let suggestions = suggestions(active, matched, opens_sentence, &[]);
                    findings.push(finding(&active.rule, severity, span, finding_message(active, matched, &[]), suggestions));
                }
            }
        }
        if !self.allowed.is_empty() && !findings.is_empty() {
            let ranges = self.allowed.ranges(masked);
            findings.retain(|finding| !Allowlist::covers(&ranges, &finding.span));
        }
        let mut findings = compose::settle_conflicting_fixes(deduplicate(findings), |a, b| self.outranks_across(a, b));
        // Measures may take a message with room left past the limit.
        if findings.len() > MAX_FINDINGS {
            let first_dropped = findings[MAX_FINDINGS].span.start;
            stopped = Some(stopped.map_or(first_dropped, |at| at.min(first_dropped)));
            findings.truncate(MAX_FINDINGS);
        }
        findings.extend(stopped.map(|at| limit_note(masked, at)));
        findings
    }

    /// Between findings of two categories on the same words: the more severe, then the
    /// rule of the later pack (a team's own rule over the default one it builds on),
    /// then the longer span.
    fn outranks_across(&self, a: &Finding, b: &Finding) -> bool {
        let layer = |finding: &Finding| self.rules.iter().position(|active| active.rule.info.id == finding.rule);
        (a.severity, layer(a), a.span.len()) > (b.severity, layer(b), b.span.len())
    }
}

/// What one check reuses from sentence to sentence: the matching buffers, and the one
/// empty list of findings that most sentences share.
#[derive(Debug, Default)]
struct Reused {
    buffers: words::Buffers,
    no_findings: Arc<[Local]>,
}

/// The masked text with its sentences, words and subject, computed once a check.
pub(crate) struct View<'a> {
    pub masked: &'a str,
    /// The compiled rules, which read a sentence's tokens (and number its words).
    rules: &'a Words,
    /// Where in `masked` there is anything to read.
    stretches: Stretches,
    pub sentences: Vec<Range<usize>>,
    /// Each sentence's tokens, worked out when a rule first needs them (a sentence
    /// whose findings are cached may never need them).
    analysed: Vec<OnceCell<Analysed>>,
    /// Every word of the masked text ([`text::words`]), found when a measure first asks.
    words: OnceCell<TextWords>,
    /// The lexicon numbers the sentences hold, all together.
    present_anywhere: OnceCell<Present>,
    pub subject: Option<Range<usize>>,
}

impl<'a> View<'a> {
    fn new(message: &Message, masked: &'a str, rules: &'a Words) -> View<'a> {
        let checked = message.regions().iter().filter(|region| region.kind.is_checked()).map(|region| region.range.clone());
        let stretches = Stretches::new(masked, checked);
        let sentences = stretches.sentences(masked);
        let analysed = sentences.iter().map(|_| OnceCell::new()).collect();
        View { masked, rules, stretches, sentences, analysed, words: OnceCell::new(), present_anywhere: OnceCell::new(), subject: message.subject() }
    }

    /// The tokens of sentence `index`.
    fn analysed(&self, index: usize) -> &Analysed {
        self.analysed[index].get_or_init(|| self.rules.analyse(&self.masked[self.sentences[index].clone()]))
    }

    /// The lexicon numbers any sentence holds.
    fn present_anywhere(&self) -> &Present {
        self.present_anywhere
            .get_or_init(|| Present::anywhere((0..self.sentences.len()).map(|index| self.analysed(index)), self.rules.lexicon_size()))
    }

    /// The words inside `range`, with their starts.
    pub fn words_in(&self, range: Range<usize>) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        let masked = self.masked;
        self.word_spans(range).iter().map(move |word| (word.start, &masked[word.clone()]))
    }

    /// Every word of the masked text, and the indexes of those with no small letter and
    /// no digit ("NOW", "I"): few, and both capitals rules read only them.
    pub fn words_in_capitals(&self) -> (&[Range<usize>], &[usize]) {
        let words = self.words();
        (&words.spans, &words.in_capitals)
    }

    /// How many words lie inside `range`.
    pub fn word_count(&self, range: Range<usize>) -> usize {
        self.word_spans(range).len()
    }

    /// The spans of the words inside `range` (words never overlap, so their ends are
    /// in order as their starts are).
    fn word_spans(&self, range: Range<usize>) -> &[Range<usize>] {
        let words = &self.words().spans;
        let first = words.partition_point(|word| word.start < range.start);
        let last = words.partition_point(|word| word.end <= range.end).max(first);
        &words[first..last]
    }

    /// The words of the masked text, read from the sentences' tokens (worked out here
    /// for those no rule has needed), not from the text again: words never go across
    /// the blanks between sentences, only across the cut between the pieces of an
    /// over-long one, which are read from the text together.
    fn words(&self) -> &TextWords {
        self.words.get_or_init(|| {
            // Prose has a word every six bytes or so: room for them up front.
            let mut spans = Vec::with_capacity(self.stretches.byte_len() / 6);
            let mut index = 0;
            while let Some(sentence) = self.sentences.get(index) {
                let last = self.last_piece(index);
                if last == index {
                    let at = sentence.start;
                    self.analysed(index).tokens().words(&self.masked[sentence.clone()], |word| spans.push(at + word.start..at + word.end));
                } else {
                    let pieces = sentence.start..self.sentences[last].end;
                    for (start, word) in text::words(&self.masked[pieces.clone()]) {
                        spans.push(pieces.start + start..pieces.start + start + word.len());
                    }
                }
                index = last + 1;
            }
            let in_capitals = (0..spans.len()).filter(|&index| in_capitals(self.masked, spans[index].clone())).collect();
            TextWords { spans, in_capitals }
        })
    }

    /// The last of the sentences from `index` on that follow one another with no blank
    /// between them: the pieces of a sentence too long to read whole ([`text::sentences`]
    /// cuts one inside a word where it has no space); most often `index` itself.
    fn last_piece(&self, index: usize) -> usize {
        let following = self.sentences[index + 1..].iter().zip(&self.sentences[index..]);
        index + following.take_while(|(next, previous)| next.start == previous.end).count()
    }

    fn in_subject(&self, at: usize) -> bool {
        self.subject.as_ref().is_some_and(|s| s.start <= at && at < s.end.max(s.start + 1))
    }

    pub fn in_scope(&self, scope: Scope, at: usize) -> bool {
        match scope {
            Scope::Both => true,
            Scope::Subject => self.in_subject(at),
            Scope::Body => !self.in_subject(at),
        }
    }

    /// The sentence holding byte `at` (or an empty range there, between sentences).
    pub fn sentence_at(&self, at: usize) -> Range<usize> {
        let index = self.sentences.partition_point(|s| s.end <= at);
        match self.sentences.get(index) {
            Some(sentence) if sentence.start <= at => sentence.clone(),
            _ => at..at,
        }
    }

    /// The paragraphs of the masked text ([`text::paragraphs`]), found from the
    /// sentences rather than by reading the text again. All that lies between two
    /// sentences is blank, and a sentence goes on over no blank line but among the
    /// blanks it may start with: a paragraph ends where two line breaks lie between the
    /// end of a sentence and the first letter of the next.
    pub fn paragraphs(&self) -> Vec<Range<usize>> {
        let mut paragraphs: Vec<Range<usize>> = Vec::new();
        for sentence in &self.sentences {
            let text = &self.masked[sentence.clone()];
            let start = sentence.start + text.len() - text.trim_start().len();
            match paragraphs.last_mut() {
                Some(last) if memchr::memchr_iter(b'\n', &self.masked.as_bytes()[last.end..start]).nth(1).is_none() => last.end = sentence.end,
                _ => paragraphs.push(start..sentence.end),
            }
        }
        paragraphs
    }

    /// Sentences of the body (not the subject).
    pub fn body_sentences(&self) -> impl Iterator<Item = &Range<usize>> {
        self.sentences.iter().filter(|s| !self.in_subject(s.start))
    }
}

/// The words of a masked text: read in one pass, as every measure counts them and the
/// capitals rules look at the few in capitals.
#[derive(Debug, Default)]
struct TextWords {
    spans: Vec<Range<usize>>,
    /// Indexes into `spans`.
    in_capitals: Vec<usize>,
}

/// No small letter and no digit ("NOW", "I"): the word at `span` of `masked`.
#[inline]
fn in_capitals(masked: &str, span: Range<usize>) -> bool {
    // Most words have a small letter, most often their first or second: an ASCII
    // small letter or digit there settles it without reading the rest.
    let bytes = &masked.as_bytes()[span.clone()];
    let small = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.first().is_some_and(small) || bytes.get(1).is_some_and(small) {
        return false;
    }
    if bytes.is_ascii() {
        !bytes.iter().any(small)
    } else {
        !masked[span].chars().any(|c| c.is_lowercase() || c.is_ascii_digit())
    }
}

/// The rule's suggestions for the text it flagged, those that would change nothing left out.
fn suggestions(active: &ActiveRule, matched: &str, opens_sentence: bool, groups: &[(String, String)]) -> Vec<Suggestion> {
    let specs = active.rule.info.suggestions.iter();
    specs
        .map(|spec| {
            let replacement = rewrite::expand(&spec.replacement, matched, groups);
            let replacement = rewrite::match_case(replacement, matched, opens_sentence);
            Suggestion { title: spec.title.clone(), replacement, safe: spec.safe }
        })
        .filter(|suggestion| suggestion.replacement != matched)
        .collect()
}

/// The rule's message with what was found filled in (the same template language as
/// suggestions; most messages have no `$` and are copied as written).
fn finding_message(active: &ActiveRule, matched: &str, groups: &[(String, String)]) -> String {
    let template = &active.rule.info.message;
    if template.contains('$') {
        rewrite::expand(template, matched, groups)
    } else {
        template.clone()
    }
}

/// The note that checking stopped at byte `at` of `masked`, on the word there.
fn limit_note(masked: &str, at: usize) -> Finding {
    let end = text::words(&masked[at..]).next().map_or(at, |(start, word)| at + start + word.len());
    Finding {
        rule: LIMIT_NOTE.to_owned(),
        category: "tactful".to_owned(),
        severity: Severity::Info,
        span: at..end,
        message: format!("tactful stopped here: this message has more than {MAX_FINDINGS} findings, so the rest of it was not checked."),
        suggestions: Vec::new(),
    }
}

fn finding(rule: &Rule, severity: Severity, span: Range<usize>, message: String, suggestions: Vec<Suggestion>) -> Finding {
    let info = &rule.info;
    Finding { rule: info.id.clone(), category: info.category.clone(), severity, span, message, suggestions }
}

/// Text order; where two findings of one category overlap, the more severe (then the
/// longer) stays, so one phrase is not reported twice for the same risk.
fn deduplicate(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        (a.span.start, std::cmp::Reverse(a.severity), std::cmp::Reverse(a.span.end)).cmp(&(
            b.span.start,
            std::cmp::Reverse(b.severity),
            std::cmp::Reverse(b.span.end),
        ))
    });
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    // Per category, the kept findings that may still overlap a candidate, in the order
    // they were kept. Candidates come in order of start, so a finding that ends before
    // one starts can overlap no later one and leaves the list: a long message with
    // thousands of findings compares each with a few, not with all kept so far.
    let mut open: HashMap<String, Vec<usize>> = HashMap::new();
    let reach = |f: &Finding| f.span.end.max(f.span.start + 1);
    for candidate in findings {
        let open = open.entry(candidate.category.clone()).or_default();
        open.retain(|&index| reach(&kept[index]) > candidate.span.start);
        let clash = open.iter().rev().copied().find(|&index| kept[index].span.start < reach(&candidate));
        match clash {
            Some(index) if outranks(&candidate, &kept[index]) => kept[index] = candidate,
            Some(_) => {}
            None => {
                open.push(kept.len());
                kept.push(candidate);
            }
        }
    }
    kept.sort_by_key(|f| (f.span.start, f.span.end));
    kept
}

fn outranks(a: &Finding, b: &Finding) -> bool {
    (a.severity, a.span.len()) > (b.severity, b.span.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Seeded;

    /// Generated messages: a subject, then a body of words, marks, blank lines,
    /// quotes (which are blanked) and runs of letters long enough that a sentence is
    /// read in pieces cut inside a word.
    fn generated_messages(count: usize) -> Vec<Message> {
        let long = ["ab".repeat(2_500), "é".repeat(1_700), format!("{}'{}", "x".repeat(4_095), "y".repeat(100))];
        let mut pieces = vec![
            "word",
            "Zq",
            " ",
            " ",
            "\n",
            "\n\n",
            ". ",
            "? ",
            "\n> quoted line.\n",
            "e-mail",
            "I’m",
            "3.5",
            "™\u{200D}a",
            "\u{a0}",
            "\n- item",
            "\n1. ",
            "NOW",
            "日本語。",
            "👍🏽",
            "\n \u{a0}\n",
            "’",
        ];
        pieces.extend(long.iter().map(String::as_str));
        let mut seeded = Seeded::default();
        (0..count)
            .map(|_| {
                let subject = seeded.draw(&pieces[..8], 0..6).concat().replace('\n', " ");
                let body = seeded.draw(&pieces, 0..40).concat();
                Message::from_bytes(format!("Subject: {subject}\n\n{body}").as_bytes())
            })
            .collect()
    }

    /// The words read from the sentences' tokens, and from the text where a sentence
    /// was cut into pieces, are those of reading the whole masked text; so are the
    /// paragraphs found from the sentences.
    #[test]
    fn the_words_and_paragraphs_of_the_sentences_are_those_of_the_text() {
        let pack =
            Pack::from_sources("test", &[("test.toml".to_owned(), "[[rule]]\nid = \"a.b\"\nmessage = \"m\"\nmatch = [\"hello\"]\n".to_owned())]);
        let engine = Engine::new(&[pack.expect("a pack")], &Selection::default()).expect("an engine");
        let mut cut = 0;
        for message in generated_messages(3_000) {
            let masked = message.masked();
            let view = View::new(&message, masked, &engine.words);
            let read: Vec<Range<usize>> = text::words(masked).map(|(start, word)| start..start + word.len()).collect();
            assert_eq!(view.words().spans, read, "{masked:?}");
            assert_eq!(view.paragraphs(), text::paragraphs(masked), "{masked:?}");
            cut += usize::from((0..view.sentences.len()).any(|index| view.last_piece(index) > index));
        }
        assert!(cut > 100, "{cut} messages with a sentence cut in pieces");
    }
}
