//! The pack format as written in TOML: strict serde types, checked before compiling.
//!
//! Every struct rejects unknown keys, so a typo in a team's pack is an error with a
//! place instead of a silently ignored field. Strings that can be wrong on their own
//! (ids, patterns) are `Spanned`, so a compile error can point at their line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::selection::Severity;

/// One TOML file of a pack: optional metadata, vocabulary and any number of rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    pub pack: Option<PackMeta>,
    pub vocabulary: Option<VocabularySpec>,
    /// `[lists]`: named word lists, and `[lists.add]` for additions to inherited ones.
    pub lists: Option<ListsSpec>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
}

/// `[pack]`: what the pack is called, what it builds on and how it changes that.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    /// Packs whose rules this one starts from: built-in names or paths inside the
    /// pack's own folder.
    #[serde(default)]
    pub extends: Vec<Spanned<String>>,
    /// Inherited (or own) rules and categories switched "off", "on" or to a severity.
    #[serde(default)]
    pub rules: BTreeMap<String, Spanned<String>>,
}

/// `[vocabulary]`: the words of this team.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularySpec {
    /// Phrases that are always fine: a finding inside one of them is dropped.
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    /// Whether `allow` phrases match only with the same capitals.
    #[serde(default)]
    pub case_sensitive: bool,
    /// The category of the `flag` rules (default: the pack's name).
    pub category: Option<Spanned<String>>,
    /// Phrases that are always flagged, each group with its message.
    #[serde(default)]
    pub flag: Vec<Spanned<FlaggedPhrases>>,
}

/// `[[vocabulary.flag]]`: phrases always flagged, compiled to a pattern rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlaggedPhrases {
    pub phrases: Vec<Spanned<String>>,
    pub message: String,
    /// The rule id; default `CATEGORY.first-phrase-in-kebab-case`.
    pub id: Option<Spanned<String>>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    #[serde(default)]
    pub why: String,
    /// Text to offer instead, as a quick fix.
    pub replacement: Option<String>,
    /// Sentences with the phrase that must not be flagged anyway (a `[[rule]]`'s `unless`).
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    /// Sentences that must not be flagged, run by `tactful pack test`.
    #[serde(default)]
    pub pass: Vec<String>,
}

/// A list as written: its entries, spanned, the whole value spanned too.
pub type ListValue = Spanned<Vec<Spanned<String>>>;

/// `[lists]`: `name = ["expression", ...]`, and `[lists.add]` with the same shape.
#[derive(Debug, Default)]
pub struct ListsSpec {
    pub define: Vec<(String, ListValue)>,
    pub add: Vec<(String, ListValue)>,
}

impl<'de> Deserialize<'de> for ListsSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Tables;
        impl<'de> serde::de::Visitor<'de> for Tables {
            type Value = ListsSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of lists: name = [\"expression\", ...]")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ListsSpec, A::Error> {
                let mut out = ListsSpec::default();
                while let Some(name) = map.next_key::<String>()? {
                    if name == "add" {
                        let added: BTreeMap<String, ListValue> = map.next_value()?;
                        out.add.extend(added);
                    } else {
                        out.define.push((name, map.next_value()?));
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Tables)
    }
}

/// Where in a message a rule looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Subject,
    Body,
    #[default]
    Both,
}

/// How a rule finds its spans. `pattern` matches phrases inside sentences; the others
/// are message-level measures whose thresholds live in `params`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
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
    /// Replaces an inherited rule with the same id; without it a repeated id is an error.
    #[serde(default, rename = "override")]
    pub replaces: bool,
    #[serde(default)]
    pub case_sensitive: bool,
    /// Match expressions (rules/README.md, "Match expressions").
    #[serde(default, rename = "match")]
    pub matches: Vec<Spanned<String>>,
    /// Regular expressions on the sentence text: the escape hatch.
    #[serde(default)]
    pub regex: Vec<Spanned<String>>,
    /// The regex format: literal phrases, each a `regex` entry.
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
    /// The regex format: regexes, each a `regex` entry.
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionSpec {
    pub title: String,
    pub replacement: String,
    /// A mechanical fix that cannot change what the text says (one mark for several,
    /// plain case for capitals): "Fix all safe rewrites" applies only these.
    #[serde(default)]
    pub safe: bool,
}

/// `[rule.examples]`: texts the rule must flag and must leave alone, run as tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub flag: Vec<String>,
    #[serde(default)]
    pub pass: Vec<String>,
    /// Texts with the result one of the rule's suggestions must give.
    #[serde(default)]
    pub rewrite: Vec<RewriteExample>,
}

/// `{ from = "...", to = "..." }`: applying one of the suggestions to the first
/// finding in `from` gives `to`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RewriteExample {
    pub from: String,
    pub to: String,
}

pub(crate) fn default_severity() -> Severity {
    Severity::Warning
}

fn yes() -> bool {
    true
}
