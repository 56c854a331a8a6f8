//! Parameters of the message-level rule kinds, read from a rule's `params` table.
//!
//! These kinds measure the whole message (capitals, sentence length, questions, the
//! balance of "I" and "you", co-occurring words) rather than matching one phrase; the
//! engine implements each measure once and the thresholds stay in the pack.

use std::collections::HashSet;

use regex::Regex;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::matcher;
use super::spec::RuleKind;

/// A compiled message-level measure.
#[derive(Debug, Clone)]
pub enum Measure {
    Capitals(Capitals),
    LongSentence { max_words: usize },
    ManyQuestions { max: usize },
    WallOfText { max_words: usize },
    PronounRatio(PronounRatio),
    CoOccurrence { groups: Vec<Regex> },
}

/// Words in capitals that read as a raised voice, with acronyms let through.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capitals {
    /// Words shorter than this (in letters) are never flagged.
    #[serde(default = "two")]
    pub min_length: usize,
    /// Capitalised words longer than this are taken for shouting even if not listed.
    #[serde(default = "six")]
    pub min_unknown_length: usize,
    /// Ordinary words that, in capitals, are emphasis ("NOT", "NEVER", "NOW").
    #[serde(default, deserialize_with = "upper_set")]
    pub emphasis: HashSet<String>,
    /// Acronyms and names that are fine in capitals whatever their length.
    #[serde(default, deserialize_with = "upper_set")]
    pub allow: HashSet<String>,
}

/// First person against second person over the body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PronounRatio {
    #[serde(deserialize_with = "lower_set")]
    pub first: HashSet<String>,
    #[serde(deserialize_with = "lower_set")]
    pub second: HashSet<String>,
    pub ratio: f64,
    pub min_words: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MaxWords {
    max_words: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Max {
    max: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllOf {
    all_of: Vec<Vec<String>>,
}

impl Measure {
    /// Reads the params of `kind`; `Ok(None)` for the phrase-matching kind.
    pub fn from_params(kind: RuleKind, params: toml::Table, case_sensitive: bool) -> Result<Option<Measure>, String> {
        let measure = match kind {
            RuleKind::Pattern => {
                if !params.is_empty() {
                    return Err("`params` is only for message-level kinds; a pattern rule has none".into());
                }
                return Ok(None);
            }
            RuleKind::Capitals => Measure::Capitals(read(params)?),
            RuleKind::LongSentence => Measure::LongSentence { max_words: read::<MaxWords>(params)?.max_words },
            RuleKind::ManyQuestions => Measure::ManyQuestions { max: read::<Max>(params)?.max },
            RuleKind::WallOfText => Measure::WallOfText { max_words: read::<MaxWords>(params)?.max_words },
            RuleKind::PronounRatio => Measure::PronounRatio(read(params)?),
            RuleKind::CoOccurrence => {
                let groups = read::<AllOf>(params)?.all_of;
                if groups.is_empty() {
                    return Err("`all_of` needs at least one group of phrases".into());
                }
                let groups = groups
                    .iter()
                    .map(|group| {
                        let sources: Vec<String> = group.iter().map(|p| matcher::phrase_source(p)).collect();
                        matcher::compile_any(&sources, case_sensitive)
                            .map_err(|err| err.to_string())?
                            .ok_or_else(|| "every group in `all_of` needs at least one phrase".to_owned())
                    })
                    .collect::<Result<_, _>>()?;
                Measure::CoOccurrence { groups }
            }
        };
        Ok(Some(measure))
    }
}

fn read<T: DeserializeOwned>(params: toml::Table) -> Result<T, String> {
    T::deserialize(toml::Value::Table(params)).map_err(|err| format!("in `params`: {}", super::keys::humanize(err.message().trim_end())))
}

fn upper_set<'de, D: serde::Deserializer<'de>>(de: D) -> Result<HashSet<String>, D::Error> {
    Ok(Vec::<String>::deserialize(de)?.iter().map(|w| w.to_uppercase()).collect())
}

fn lower_set<'de, D: serde::Deserializer<'de>>(de: D) -> Result<HashSet<String>, D::Error> {
    Ok(Vec::<String>::deserialize(de)?.iter().map(|w| w.to_lowercase()).collect())
}

fn two() -> usize {
    2
}

fn six() -> usize {
    6
}
