//! What the engine reports: plain data with a byte span, no presentation.

use std::ops::Range;

use serde::Serialize;

pub use crate::selection::Severity;

/// A proposed rewrite of a finding's span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Short label for a menu: "Replace with “when you have a moment”".
    pub title: String,
    /// The text that replaces the whole span; empty means delete it.
    pub replacement: String,
    /// Mechanical (punctuation, capitals): safe to apply without reading it.
    pub safe: bool,
}

/// One tone or trust risk found in a message. The rest of what the rule says (why,
/// link, examples) is the engine's: [`crate::Engine::rule`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The id of the rule that fired: `pressure.asap`.
    pub rule: String,
    /// Its category: `pressure`.
    pub category: String,
    /// The severity after the user's overrides.
    pub severity: Severity,
    /// The rule's message for this text: `$0` and `${name}` in the rule's message are
    /// filled with what was found, so a message quotes only words that are there.
    pub message: String,
    /// Byte range in [`crate::Message::text`].
    pub span: Range<usize>,
    /// Rewrites, best first; empty when the fix is not a rewording.
    pub suggestions: Vec<Suggestion>,
}
