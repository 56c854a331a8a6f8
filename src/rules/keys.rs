//! Friendlier messages for the strict formats: "unknown key `phrase` in [[rule]] (did you
//! mean `phrases`?)" instead of serde's list of every field.
//!
//! The names of the tables come from the serde types themselves (a probing
//! deserializer records the field list each struct asks for), so the messages stay
//! right when a field is added.

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo:
/// a few edits away (`-` and `_` count as the same), or `word` a clear prefix.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.to_lowercase().replace('-', "_");
    let word_n = norm(word);
    let allowed = (word_n.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        .filter_map(|c| {
            let cand = norm(c);
            let distance = edit_distance(&word_n, &cand);
            let prefix = word_n.chars().count() >= 3 && cand.starts_with(&word_n);
            (distance <= allowed || prefix).then_some((distance, c))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Edit distance with adjacent transpositions (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// " (did you mean `x`?)" or nothing.
pub fn suggestion_suffix<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates).map_or_else(String::new, |close| format!(" (did you mean `{close}`?)"))
}

/// Rewrites serde's "unknown field" and "unknown variant" messages for people;
/// any other message comes back unchanged.
pub fn humanize(message: &str) -> String {
    if let Some((key, expected)) = parse_unknown(message, "unknown field `") {
        let table = table_name(&expected).map_or_else(String::new, |name| format!(" in {name}"));
        return unknown_key(&key, &table, &expected);
    }
    if let Some((value, expected)) = parse_unknown(message, "unknown variant `") {
        let list = expected.join(", ");
        return format!("unknown value `{value}`; expected one of: {list}{}", suggestion_suffix(&value, expected.iter().map(String::as_str)));
    }
    message.to_owned()
}

/// "unknown key `k`{where} (did you mean `x`?)", or the list of known keys when none is close.
pub fn unknown_key(key: &str, place: &str, known: &[String]) -> String {
    match did_you_mean(key, known.iter().map(String::as_str)) {
        Some(close) => format!("unknown key `{key}`{place} (did you mean `{close}`?)"),
        None if known.is_empty() => format!("unknown key `{key}`{place}"),
        None => format!("unknown key `{key}`{place}; known keys: {}", known.join(", ")),
    }
}

/// `("foo", ["a", "b"])` from "unknown field `foo`, expected one of `a`, `b`".
fn parse_unknown(message: &str, lead: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix(lead)?;
    let (name, tail) = rest.split_once('`')?;
    let expected = tail.split('`').skip(1).step_by(2).map(str::to_owned).collect();
    Some((name.to_owned(), expected))
}

/// Where a key was expected, named as a pack or config author writes it.
fn table_name(fields: &[String]) -> Option<&'static str> {
    use crate::rules::spec;
    let tables: [(&'static str, &'static [&'static str]); 10] = [
        ("a pack file's top level", fields_of::<spec::PackFile>()),
        ("[pack]", fields_of::<spec::PackMeta>()),
        ("[[rule]]", fields_of::<spec::RuleSpec>()),
        ("[rule.examples]", fields_of::<spec::Examples>()),
        ("a rewrite example", fields_of::<spec::RewriteExample>()),
        ("a rule's suggestions", fields_of::<spec::SuggestionSpec>()),
        ("[vocabulary]", fields_of::<spec::VocabularySpec>()),
        ("[[vocabulary.flag]]", fields_of::<spec::FlaggedPhrases>()),
        ("the config", fields_of::<crate::config::Config>()),
        ("a git pack entry", fields_of::<crate::rules::git::GitEntry>()),
    ];
    tables.into_iter().find(|(_, known)| known.len() == fields.len() && known.iter().zip(fields).all(|(a, b)| a == b)).map(|(name, _)| name)
}

/// The field names a derived `Deserialize` struct asks for.
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut probe = Probe(None);
    let _ = T::deserialize(&mut probe);
    probe.0.unwrap_or(&[])
}

struct Probe(Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for &mut Probe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("probe"))
    }

    fn deserialize_struct<V: Visitor<'de>>(self, _name: &'static str, fields: &'static [&'static str], _visitor: V) -> Result<V::Value, Self::Error> {
        self.0 = Some(fields);
        Err(de::Error::custom("probe"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_words_are_suggested_and_far_ones_are_not() {
        let keys = ["phrases", "patterns", "case_sensitive", "examples", "severity"];
        assert_eq!(did_you_mean("phrase", keys), Some("phrases"));
        assert_eq!(did_you_mean("pharses", keys), Some("phrases"));
        assert_eq!(did_you_mean("case-sensitive", keys), Some("case_sensitive"));
        assert_eq!(did_you_mean("exam", keys), Some("examples"));
        assert_eq!(did_you_mean("colour", keys), None);
    }

    #[test]
    fn serde_messages_become_sentences_about_keys() {
        let rule = fields_of::<crate::rules::spec::RuleSpec>().iter().map(|f| format!("`{f}`")).collect::<Vec<_>>();
        let message = format!("unknown field `phrase`, expected one of {}", rule.join(", "));
        assert_eq!(humanize(&message), "unknown key `phrase` in [[rule]] (did you mean `phrases`?)");
        assert_eq!(
            humanize("unknown variant `warn`, expected one of `hint`, `info`, `warning`, `error`"),
            "unknown value `warn`; expected one of: hint, info, warning, error (did you mean `warning`?)"
        );
        assert_eq!(humanize("missing field `message`"), "missing field `message`");
    }
}
