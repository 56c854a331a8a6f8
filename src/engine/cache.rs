//! Results per sentence, so that checking a long draft again after a keystroke only
//! matches the sentences that changed.
//!
//! A sentence's findings (of the rules matched sentence by sentence) depend only on
//! its text, on whether it is in the Subject line (rule scopes) and on the engine; the
//! thread matters only to `novel_to_thread` rules, whose filter is applied after the
//! cache. The caller owns the cache (the language server keeps one per document); its
//! size is bounded in bytes and the least recently used sentences go first.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::Arc;

use crate::finding::Suggestion;

/// The default bound, in bytes of sentence text and findings.
pub const DEFAULT_CACHE_BYTES: usize = 4 << 20;

/// A finding inside one sentence, its span relative to the sentence start.
#[derive(Debug, Clone)]
pub(super) struct Local {
    /// Index of the rule in the engine's active rules.
    pub rule: usize,
    pub span: Range<usize>,
    pub message: String,
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug)]
struct Entry {
    text: Box<str>,
    in_subject: bool,
    findings: Arc<[Local]>,
    bytes: usize,
    used: u64,
}

/// Sentence results of one engine, bounded in size.
#[derive(Debug)]
pub struct SentenceCache {
    engine: u64,
    /// Sentence -> its entry, by a hash of its text (the text is compared on a hit).
    entries: HashMap<u64, Entry>,
    /// Seeded per cache, so no text can choose the keys of another.
    hasher: foldhash::fast::RandomState,
    bytes: usize,
    max_bytes: usize,
    clock: u64,
}

impl Default for SentenceCache {
    fn default() -> SentenceCache {
        SentenceCache::with_capacity(DEFAULT_CACHE_BYTES)
    }
}

impl SentenceCache {
    /// A cache that holds about `max_bytes` of sentences and their findings.
    pub fn with_capacity(max_bytes: usize) -> SentenceCache {
        SentenceCache { engine: 0, entries: HashMap::new(), hasher: Default::default(), bytes: 0, max_bytes, clock: 0 }
    }

    /// How many bytes it holds now.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Forgets everything if the results are of another engine.
    pub(super) fn for_engine(&mut self, engine: u64) {
        if self.engine != engine {
            self.entries.clear();
            self.bytes = 0;
            self.engine = engine;
        }
    }

    pub(super) fn get(&mut self, text: &str, in_subject: bool) -> Option<Arc<[Local]>> {
        // A cache that holds nothing (a one-off check) need not hash the sentence.
        if self.entries.is_empty() {
            return None;
        }
        self.clock += 1;
        let entry = self.entries.get_mut(&self.hasher.hash_one((text, in_subject)))?;
        if &*entry.text != text || entry.in_subject != in_subject {
            return None;
        }
        entry.used = self.clock;
        Some(Arc::clone(&entry.findings))
    }

    pub(super) fn put(&mut self, text: &str, in_subject: bool, findings: Arc<[Local]>) {
        let bytes = text.len()
            + std::mem::size_of::<Entry>()
            + findings
                .iter()
                .map(|f| std::mem::size_of::<Local>() + f.suggestions.iter().map(|s| s.title.len() + s.replacement.len()).sum::<usize>())
                .sum::<usize>();
        if bytes > self.max_bytes / 4 {
            return;
        }
        let entry = Entry { text: text.into(), in_subject, findings, bytes, used: self.clock };
        if let Some(old) = self.entries.insert(self.hasher.hash_one((text, in_subject)), entry) {
            self.bytes -= old.bytes;
        }
        self.bytes += bytes;
        if self.bytes > self.max_bytes {
            self.evict();
        }
    }

    /// Drops the least recently used entries down to three quarters of the bound.
    fn evict(&mut self) {
        let mut ages: Vec<(u64, u64)> = self.entries.iter().map(|(key, entry)| (entry.used, *key)).collect();
        ages.sort_unstable();
        for (_, key) in ages {
            if self.bytes <= self.max_bytes / 4 * 3 {
                break;
            }
            if let Some(old) = self.entries.remove(&key) {
                self.bytes -= old.bytes;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Arc<[Local]> {
        Arc::from(Vec::new())
    }

    #[test]
    fn entries_are_found_by_text_and_subject_and_dropped_for_another_engine() {
        let mut cache = SentenceCache::default();
        cache.for_engine(1);
        cache.put("Reply ASAP.", false, Arc::from(vec![Local { rule: 3, span: 6..10, message: String::new(), suggestions: Vec::new() }]));
        assert_eq!(cache.get("Reply ASAP.", false).map(|f| f[0].span.clone()), Some(6..10));
        assert!(cache.get("Reply ASAP.", true).is_none());
        cache.for_engine(2);
        assert!(cache.get("Reply ASAP.", false).is_none());
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn the_size_stays_bounded_and_recent_entries_survive() {
        let mut cache = SentenceCache::with_capacity(64 << 10);
        cache.for_engine(1);
        cache.put("kept", false, none());
        for n in 0..10_000 {
            assert!(cache.get("kept", false).is_some(), "evicted after {n}");
            cache.put(&format!("sentence number {n} of a long draft"), false, none());
            assert!(cache.bytes() <= 64 << 10);
        }
    }
}
