//! The default pack's rules in the match language, compiled when tactful is built
//! (build.rs) and read back at start-up. Working out every expression's anchors and
//! words is most of what building an engine costs, and a one-file `tactful check`
//! would otherwise spend more on it than on the check.

use std::sync::{Arc, OnceLock};

use super::words::Words;
use super::{ActiveRule, EngineError};
use crate::embedded;
use crate::rules::{compiled_default_pack, Lists, Pack};

/// The rules of `pack`, compiled and serialized: what build.rs embeds for the default
/// pack.
pub fn compile_default_words(pack: &Pack) -> Result<Vec<u8>, EngineError> {
    let words = Words::new(pack.rules.iter().map(|rule| &**rule), &pack.lists)?;
    postcard::to_allocvec(&words).map_err(|err| EngineError::Rule(format!("cannot serialize the default pack's rules: {err}")))
}

/// The compiled words for `chosen` rules with `lists`, when they are the default
/// pack's rules, in its order, and its lists: the pack compiled with tactful, not
/// changed by another pack (whatever the selection: rules that are off are compiled
/// too).
pub(super) fn words_for(chosen: &[ActiveRule], lists: &Lists) -> Option<Arc<Words>> {
    let pack = compiled_default_pack()?;
    let same_rules = chosen.len() == pack.rules.len() && chosen.iter().zip(&pack.rules).all(|(active, rule)| Arc::ptr_eq(&active.rule, rule));
    if !same_rules || !lists.same_as(&pack.lists) {
        return None;
    }
    // Read once per process: a constant of the binary, like the pack it belongs to.
    static WORDS: OnceLock<Option<Arc<Words>>> = OnceLock::new();
    let read = || {
        let mut words: Words = postcard::from_bytes(embedded::DEFAULT_WORDS_COMPILED).ok()?;
        words.lists = pack.lists.clone();
        Some(Arc::new(words))
    };
    WORDS.get_or_init(read).clone()
}
