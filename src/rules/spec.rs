//! The pack format as written in TOML: strict serde types, checked before compiling.
//!
//! Every struct rejects unknown keys, so a typo in a team's pack is an error with a
//! place instead of a silently ignored field. Strings that can be wrong on their own
//! (ids, patterns) are `Spanned`, so a compile error can point at their line.

use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;

/// One TOML file of a pack: optional metadata and any number of rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    pub pack: Option<PackMeta>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
}

/// `[pack]`: what the pack is called and how it is used.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Where in a message a rule looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Subject,
    Body,
    #[default]
    Both,
}

/// How a rule finds its spans. `pattern` matches phrases inside sentences; the others
/// are message-level measures whose thresholds live in `params`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    #[default]
    Pattern,
    Capitals,
    LongSentence,
    ManyQuestions,
    WallOfText,
    PronounRatio,
    CoOccurrence,
}

/// `[[rule]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: Spanned<String>,
    pub category: Option<Spanned<String>>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub why: String,
    pub link: Option<String>,
    #[serde(default)]
    pub kind: RuleKind,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub case_sensitive: bool,
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless_before: Vec<Spanned<String>>,
    #[serde(default)]
    pub requires_before: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless_after: Vec<Spanned<String>>,
    #[serde(default)]
    pub requires_after: Vec<Spanned<String>>,
    /// Flag only when the sentence's key terms are new to the quoted thread.
    #[serde(default)]
    pub novel_to_thread: bool,
    pub params: Option<toml::Table>,
    #[serde(default)]
    pub suggestions: Vec<SuggestionSpec>,
    #[serde(default)]
    pub examples: Examples,
}

/// `[[rule.suggestions]]`: a rewrite template. `$1`, `${name}` insert capture groups,
/// `$0` the whole match and `${lower}` the match in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionSpec {
    pub title: String,
    pub replacement: String,
}

/// `[rule.examples]`: texts the rule must flag and must leave alone, run as tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub flag: Vec<String>,
    #[serde(default)]
    pub pass: Vec<String>,
}

fn default_severity() -> Severity {
    Severity::Warning
}

fn yes() -> bool {
    true
}
