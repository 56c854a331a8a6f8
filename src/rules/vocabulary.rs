//! A team's vocabulary: phrases that are always fine (a product called "NOW Platform",
//! "ASAP" in an internal pack). A finding that lies inside one of them is dropped,
//! whichever pack's rule made it. (Phrases a team always flags become ordinary
//! pattern rules when the pack is loaded.)

use std::ops::Range;

use regex::Regex;

use super::matcher;

/// Upper bound on allowed phrases in one pack, like the caps on rules and patterns.
pub const MAX_ALLOWED_PHRASES: usize = 2_000;

/// The allowed phrases of one or more packs, compiled.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(into = "Groups", try_from = "Groups")]
pub struct Allowlist {
    /// Each pack's phrases as written, with their case sensitivity.
    groups: Groups,
    regexes: Vec<Regex>,
}

/// Phrases as written, with their case sensitivity: what an [`Allowlist`] is compiled
/// from, and how it is stored.
type Groups = Vec<(Vec<String>, bool)>;

impl From<Allowlist> for Groups {
    fn from(allowed: Allowlist) -> Groups {
        allowed.groups
    }
}

impl TryFrom<Groups> for Allowlist {
    type Error = String;
    fn try_from(groups: Groups) -> Result<Allowlist, String> {
        let mut allowed = Allowlist::default();
        for (phrases, case_sensitive) in groups {
            allowed.extend(&Allowlist::compile(&phrases, case_sensitive).map_err(|(_, message)| message)?);
        }
        Ok(allowed)
    }
}

impl Allowlist {
    /// Compiles `phrases`; the error names the phrase that failed, by index.
    pub fn compile(phrases: &[String], case_sensitive: bool) -> Result<Allowlist, (usize, String)> {
        if phrases.is_empty() {
            return Ok(Allowlist::default());
        }
        if let Some(index) = phrases.iter().position(|p| p.trim().is_empty()) {
            return Err((index, "an allowed phrase is empty".into()));
        }
        let sources: Vec<String> = phrases.iter().map(|p| matcher::phrase_source(p)).collect();
        let regex = matcher::compile_any(&sources, case_sensitive)
            .map_err(|err| (0, format!("allowed phrases do not compile together: {err}")))?
            .expect("not empty");
        Ok(Allowlist { groups: vec![(phrases.to_vec(), case_sensitive)], regexes: vec![regex] })
    }

    /// Adds the phrases of `other` (once: merging a pack twice adds nothing).
    pub fn extend(&mut self, other: &Allowlist) {
        for (group, regex) in other.groups.iter().zip(&other.regexes) {
            if !self.groups.contains(group) {
                self.groups.push(group.clone());
                self.regexes.push(regex.clone());
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
    }

    /// Every allowed phrase as written.
    pub fn phrases(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().flat_map(|(phrases, _)| phrases.iter().map(String::as_str))
    }

    /// Where allowed phrases occur in `text` (on word boundaries).
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for regex in &self.regexes {
            let mut from = 0;
            while let Some(found) = matcher::find_bounded(regex, text, from) {
                out.push(found.range());
                from = found.end();
            }
        }
        out
    }

    /// Whether `span` lies inside one of `ranges` (from [`Allowlist::ranges`]).
    pub fn covers(ranges: &[Range<usize>], span: &Range<usize>) -> bool {
        ranges.iter().any(|r| r.start <= span.start && span.end <= r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_inside_an_allowed_phrase_is_covered() {
        let list = Allowlist::compile(&["ASAP".into(), "Just Ship It".into()], false).unwrap();
        let text = "Send it asap. We use Just Ship It daily, just so you know.";
        let ranges = list.ranges(text);
        assert!(Allowlist::covers(&ranges, &(8..12)));
        assert!(Allowlist::covers(&ranges, &(21..25)));
        assert!(!Allowlist::covers(&ranges, &(41..45)));
    }

    #[test]
    fn merging_the_same_list_twice_keeps_one_copy() {
        let list = Allowlist::compile(&["ACME".into()], true).unwrap();
        let mut all = Allowlist::default();
        all.extend(&list);
        all.extend(&list);
        assert_eq!(all.phrases().count(), 1);
    }
}
