//! What the engine reports: plain data with a byte span, no presentation.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::rules::RuleInfo;

/// How strongly a finding is reported. Ordered from least to most severe, so
/// `severity >= min` keeps what a threshold asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 4] = [Severity::Hint, Severity::Info, Severity::Warning, Severity::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (expected error, warning, info or hint)"))
    }
}

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

/// One tone or trust risk found in a message.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that fired: id, category, message, why, examples.
    pub rule: Arc<RuleInfo>,
    /// The severity after the user's overrides.
    pub severity: Severity,
    /// Byte range in [`crate::Message::text`].
    pub span: Range<usize>,
    /// Rewrites, best first; empty when the fix is not a rewording.
    pub suggestions: Vec<Suggestion>,
}
