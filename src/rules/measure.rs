//! Parameters of the message-level rule kinds, read from a rule's `params` table.
//!
//! These kinds measure the whole message (capitals, sentence length, questions, the
//! balance of "I" and "you", co-occurring words) rather than matching one phrase; the
//! engine implements each measure once and the thresholds stay in the pack.

use foldhash::HashSet;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::expr::{phrase_node, Node};
use super::lists::Lists;
use super::spec::RuleKind;

/// A compiled message-level measure.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub enum Measure {
    Capitals(Capitals),
    LongSentence {
        max_words: usize,
    },
    ManyQuestions {
        max: usize,
    },
    WallOfText {
        max_words: usize,
    },
    PronounRatio(PronounRatio),
    /// Each group: its phrases as one alternation, the first written winning where
    /// several match at one place.
    CoOccurrence {
        groups: Vec<Node>,
    },
}

/// Words in capitals that read as a raised voice, with acronyms let through.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Capitals {
    /// Words shorter than this (in letters) are never flagged.
    pub min_length: usize,
    /// Capitalised words longer than this are taken for shouting even if not listed.
    pub min_unknown_length: usize,
    /// Ordinary words that, in capitals, are emphasis ("NOT", "NEVER", "NOW").
    pub emphasis: HashSet<String>,
    /// Acronyms and names that are fine in capitals whatever their length.
    pub allow: HashSet<String>,
    /// Whether an emphasis word on its own is reported; when not, only runs of three
    /// words are (a single emphasised word is left to a gentler rule).
    pub single_words: bool,
}

/// `params` of `kind = "capitals"` as written; word lists may name `[lists]` (`"@acronym"`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CapitalsParams {
    #[serde(default = "two")]
    min_length: usize,
    #[serde(default = "six")]
    min_unknown_length: usize,
    #[serde(default)]
    emphasis: Vec<String>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default = "yes")]
    single_words: bool,
}

fn yes() -> bool {
    true
}

/// First person against second person over the body.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PronounRatio {
    pub first: HashSet<String>,
    pub second: HashSet<String>,
    pub ratio: f64,
    pub min_words: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PronounRatioParams {
    first: Vec<String>,
    second: Vec<String>,
    ratio: f64,
    min_words: usize,
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
    /// Reads the params of `kind`; `Ok(None)` for the phrase-matching kind. Word lists in
    /// the params may name the pack's `[lists]` (`"@acronym"`), expanded here, as the
    /// lists are when the pack loads.
    pub fn from_params(kind: RuleKind, params: toml::Table, lists: &Lists) -> Result<Option<Measure>, String> {
        let words = |written: Vec<String>| expand_lists(written, lists);
        let measure = match kind {
            RuleKind::Pattern => {
                if !params.is_empty() {
                    return Err("`params` is only for message-level kinds; a pattern rule has none".into());
                }
                return Ok(None);
            }
            RuleKind::Capitals => {
                let spec: CapitalsParams = read(params)?;
                Measure::Capitals(Capitals {
                    min_length: spec.min_length,
                    min_unknown_length: spec.min_unknown_length,
                    emphasis: words(spec.emphasis)?.iter().map(|w| w.to_uppercase()).collect(),
                    allow: words(spec.allow)?.iter().map(|w| w.to_uppercase()).collect(),
                    single_words: spec.single_words,
                })
            }
            RuleKind::LongSentence => Measure::LongSentence { max_words: read::<MaxWords>(params)?.max_words },
            RuleKind::ManyQuestions => Measure::ManyQuestions { max: read::<Max>(params)?.max },
            RuleKind::WallOfText => Measure::WallOfText { max_words: read::<MaxWords>(params)?.max_words },
            RuleKind::PronounRatio => {
                let spec: PronounRatioParams = read(params)?;
                Measure::PronounRatio(PronounRatio {
                    first: words(spec.first)?.iter().map(|w| w.to_lowercase()).collect(),
                    second: words(spec.second)?.iter().map(|w| w.to_lowercase()).collect(),
                    ratio: spec.ratio,
                    min_words: spec.min_words,
                })
            }
            RuleKind::CoOccurrence => {
                let groups = read::<AllOf>(params)?.all_of;
                if groups.is_empty() {
                    return Err("`all_of` needs at least one group of phrases".into());
                }
                let groups = groups
                    .into_iter()
                    .map(|group| {
                        let phrases = words(group)?;
                        if phrases.is_empty() {
                            return Err("every group in `all_of` needs at least one phrase".to_owned());
                        }
                        let phrases = phrases.iter().map(|phrase| phrase_node(phrase).map_err(|err| format!("`{phrase}`: {err}")));
                        Ok(Node::Alt(phrases.collect::<Result<_, _>>()?))
                    })
                    .collect::<Result<_, _>>()?;
                Measure::CoOccurrence { groups }
            }
        };
        Ok(Some(measure))
    }
}

fn read<T: DeserializeOwned>(params: toml::Table) -> Result<T, String> {
    T::deserialize(toml::Value::Table(params)).map_err(|err| format!("in `params`: {}", super::keys::humanize(err.message().trim_end(), &[])))
}

/// Replaces each `"@name"` in a measure's word list by the entries of that list (and of
/// the lists those entries name). A measure counts plain words and phrases, so an entry
/// with match-language operators is an error.
fn expand_lists(written: Vec<String>, lists: &Lists) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(written.len());
    let mut pending: Vec<(String, usize)> = written.into_iter().rev().map(|w| (w, 0)).collect();
    while let Some((word, depth)) = pending.pop() {
        let Some(name) = word.strip_prefix('@') else {
            out.push(word);
            continue;
        };
        if depth > MAX_LIST_NESTING {
            return Err(format!("lists used in `params` nest more than {MAX_LIST_NESTING} deep at `@{name}` (do they use each other in a circle?)"));
        }
        let mut entries = lists.iter().filter(|list| list.name == name).flat_map(|list| list.entries.iter()).peekable();
        if entries.peek().is_none() {
            return Err(format!("unknown list `@{name}` in `params`{}", super::keys::suggestion_suffix(name, lists.names())));
        }
        for entry in entries.collect::<Vec<_>>().into_iter().rev() {
            if entry.source.contains(|c: char| "~()[]|?*+_!#/\\=".contains(c)) {
                return Err(format!("list `@{name}` entry `{}` is an expression; a measure's `params` take plain words and phrases", entry.source));
            }
            pending.push((entry.source.clone(), depth + 1));
        }
    }
    Ok(out)
}

/// How deep `@name`s in `params` may refer to further lists.
const MAX_LIST_NESTING: usize = 8;

fn two() -> usize {
    2
}

fn six() -> usize {
    6
}
