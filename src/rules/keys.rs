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

/// A table a format above the packs defines (the config), named for unknown-key
/// errors: its name and its fields ([`fields_of`]).
pub type NamedTable = (&'static str, &'static [&'static str]);

/// Rewrites serde's "unknown field" and "unknown variant" messages for people;
/// any other message comes back unchanged. `more` names tables of other formats.
pub fn humanize(message: &str, more: &[NamedTable]) -> String {
    if let Some((key, expected)) = parse_unknown(message, "unknown field `") {
        let table = table_name(&expected, more).map_or_else(String::new, |name| format!(" in {name}"));
        return unknown_key(&key, &table, &expected);
    }
    if let Some((value, expected)) = parse_unknown(message, "unknown variant `") {
        let list = expected.join(", ");
        return format!("unknown value `{value}`; expected one of: {list}{}", suggestion_suffix(&value, expected.iter().map(String::as_str)));
    }
    message.to_owned()
}

/// What a key of a pack or config takes, and an example, for wrong-type errors:
/// (key, what it takes, example). Keys that mean different things in different
/// tables are told apart in [`wrong_type`].
const TAKES: &[(&str, &str, &str)] = &[
    ("severity", r#""error", "warning", "info" or "hint""#, r#"severity = "info""#),
    ("min_severity", r#""error", "warning", "info" or "hint""#, r#"min_severity = "info""#),
    (
        "kind",
        r#""pattern", "capitals", "long-sentence", "many-questions", "wall-of-text", "pronoun-ratio" or "co-occurrence""#,
        r#"kind = "long-sentence""#,
    ),
    ("scope", r#""subject", "body" or "both""#, r#"scope = "body""#),
    ("match", "a list of match expressions", r#"match = ["at your earliest (convenience | opportunity)"]"#),
    ("regex", "a list of regular expressions", r#"regex = ['''\bper my last email\b''']"#),
    ("phrases", "a list of phrases", r#"phrases = ["touch base", "circle back"]"#),
    ("patterns", "a list of regular expressions", r#"patterns = ['''\bper my last email\b''']"#),
    ("unless", "a list of expressions", r#"unless = ["no (rush | hurry)"]"#),
    ("requires", "a list of expressions", r#"requires = ["you"]"#),
    ("unless_before", "a list of expressions", r#"unless_before = ["(if | whether) ..3 $"]"#),
    ("requires_before", "a list of expressions", r#"requires_before = ["you $"]"#),
    ("unless_after", "a list of expressions", r#"unless_after = ["^ (if | whether)"]"#),
    ("requires_after", "a list of expressions", r#"requires_after = ["^ today"]"#),
    (
        "suggestions",
        "a list of tables with `title` and `replacement`",
        r#"suggestions = [{ title = "Leave the timing to them", replacement = "when you have a moment" }]"#,
    ),
    ("examples", "a table of `flag`, `pass` and `rewrite` lists", r#"examples.flag = ["Reply ASAP."]"#),
    ("pass", "a list of texts that must not be flagged", r#"examples.pass = ["Thanks for the notes."]"#),
    ("rewrite", "a list of tables with `from` and `to`", r#"examples.rewrite = [{ from = "Reply ASAP.", to = "Reply when you have a moment." }]"#),
    ("params", "a table of the kind's settings", "params.max_words = 30"),
    ("extends", "a list of built-in pack names or paths inside the pack's folder", r#"extends = ["default", "legal"]"#),
    ("allow", "a list of phrases", r#"allow = ["NOW Platform"]"#),
    ("packs", "a list of built-in pack names, paths or git packs", r#"packs = ["default", "./team-rules"]"#),
    ("languages", "a list of editor language ids or `*.ending` patterns", r#"languages = ["mail", "*.eml"]"#),
    ("debounce_ms", "a number of milliseconds (0 to 10000)", "debounce_ms = 150"),
    ("id", "a rule id, `category.name`", r#"id = "pressure.act-now""#),
    ("enabled", "true or false", "enabled = false"),
    ("override", "true or false", "override = true"),
    ("case_sensitive", "true or false", "case_sensitive = true"),
    ("novel_to_thread", "true or false", "novel_to_thread = true"),
    ("safe", "true or false", "safe = true"),
    ("message", "a string", r#"message = "Leave the timing to the reader.""#),
    ("why", "a string", r#"why = "A deadline they did not agree to reads as pressure.""#),
    ("link", "a string", r#"link = "https://wiki.example.com/tone""#),
    ("name", "a string", r#"name = "acme""#),
    ("description", "a string", r#"description = "Our house style.""#),
    ("category", "a string", r#"category = "acme""#),
    ("title", "a string", r#"title = "Offer a date""#),
    ("replacement", "a string", r#"replacement = "when you have a moment""#),
    ("from", "a string", r#"from = "Reply ASAP.""#),
    ("to", "a string", r#"to = "Reply when you have a moment.""#),
    ("git", "a repository URL", r#"git = "https://github.com/acme/tone-packs.git""#),
    ("rev", "a tag, branch or commit", r#"rev = "v1.2""#),
    ("path", "a folder or file inside the repository", r#"path = "legal""#),
];

/// Config settings that are easy to write below `[rules]` by mistake.
pub const TOP_LEVEL_SETTINGS: [&str; 4] = ["packs", "min_severity", "debounce_ms", "languages"];

/// What a `rules` table maps a rule id or category to.
const RULE_SETTING: &str = r#""off", "on", "error", "warning", "info" or "hint""#;

/// A wrong-type error said as what the key takes, with an example, instead of serde's
/// words ("invalid type: integer `150`, expected a string"). `path` is the key's place
/// (from [`super::place::key_path_at`]), `found` the value as written. `None` for
/// other errors and keys without an entry.
pub fn wrong_type(message: &str, path: &[String], found: &str) -> Option<String> {
    if !(message.starts_with("invalid type") || message.starts_with("wanted ") || message.starts_with("invalid length")) {
        return None;
    }
    let found = found.lines().next().unwrap_or_default().trim();
    let found = if found.is_empty() { String::new() } else { format!("; found `{}`", clip(found)) };
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    let key = match names.as_slice() {
        // A value in a `rules` table: the key is a rule id or category.
        [.., "rules", key] => {
            let hint = if TOP_LEVEL_SETTINGS.contains(key) {
                format!(" (`{key}` is a setting of its own: write it above `[rules]`)")
            } else {
                String::new()
            };
            return Some(format!("`rules.{key}` takes {RULE_SETTING}, e.g. `\"{key}\" = \"off\"`{found}{hint}"));
        }
        [.., "rules"] => {
            return Some(format!(
                "`rules` takes a table of rule ids or categories, each {RULE_SETTING}, e.g. `rules = {{ \"pressure.asap\" = \"off\" }}`{found}"
            ));
        }
        // `flag` is a list of texts under `examples`, a list of tables under `vocabulary`.
        [.., "vocabulary", "flag"] => {
            return Some(format!(
                "`vocabulary.flag` takes `[[vocabulary.flag]]` tables with `phrases` and `message`, e.g. `phrases = [\"unlimited support\"]` under `[[vocabulary.flag]]`{found}"
            ));
        }
        [.., "flag"] => return Some(format!("`flag` takes a list of texts the rule must flag, e.g. `examples.flag = [\"Reply ASAP.\"]`{found}")),
        [.., key] => *key,
        [] => return None,
    };
    let (key, what, example) = TAKES.iter().find(|(name, ..)| *name == key)?;
    Some(format!("`{key}` takes {what}, e.g. `{example}`{found}"))
}

/// At most 60 characters of `text`.
fn clip(text: &str) -> String {
    const MAX: usize = 60;
    let mut clipped: String = text.chars().take(MAX).collect();
    if clipped.len() < text.len() {
        clipped.push('…');
    }
    clipped
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
fn table_name(fields: &[String], more: &[NamedTable]) -> Option<&'static str> {
    use crate::rules::spec;
    let tables: [NamedTable; 9] = [
        ("a pack file's top level", fields_of::<spec::PackFile>()),
        ("[pack]", fields_of::<spec::PackMeta>()),
        ("[[rule]]", fields_of::<spec::RuleSpec>()),
        ("[rule.examples]", fields_of::<spec::Examples>()),
        ("a rewrite example", fields_of::<spec::RewriteExample>()),
        ("a rule's suggestions", fields_of::<spec::SuggestionSpec>()),
        ("[vocabulary]", fields_of::<spec::VocabularySpec>()),
        ("[[vocabulary.flag]]", fields_of::<spec::FlaggedPhrases>()),
        ("a git pack entry", fields_of::<crate::rules::git::GitEntry>()),
    ];
    tables
        .into_iter()
        .chain(more.iter().copied())
        .find(|(_, known)| known.len() == fields.len() && known.iter().zip(fields).all(|(a, b)| a == b))
        .map(|(name, _)| name)
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
        assert_eq!(humanize(&message, &[]), "unknown key `phrase` in [[rule]] (did you mean `phrases`?)");
        assert_eq!(
            humanize("unknown variant `warn`, expected one of `hint`, `info`, `warning`, `error`", &[]),
            "unknown value `warn`; expected one of: hint, info, warning, error (did you mean `warning`?)"
        );
        assert_eq!(humanize("missing field `message`", &[]), "missing field `message`");
    }
    #[test]
    fn wrong_types_say_what_the_key_takes() {
        let path = |keys: &[&str]| keys.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            wrong_type("wanted string or table", &path(&["rule", "severity"]), "1").as_deref(),
            Some(r#"`severity` takes "error", "warning", "info" or "hint", e.g. `severity = "info"`; found `1`"#)
        );
        assert_eq!(
            wrong_type("invalid type: integer `150`, expected a string", &path(&["rules", "debounce_ms"]), "150").as_deref(),
            Some(
                r#"`rules.debounce_ms` takes "off", "on", "error", "warning", "info" or "hint", e.g. `"debounce_ms" = "off"`; found `150` (`debounce_ms` is a setting of its own: write it above `[rules]`)"#
            )
        );
        assert_eq!(wrong_type("missing field `message`", &path(&["rule"]), ""), None);
        assert_eq!(wrong_type("invalid type: integer `1`", &[], "1"), None);
    }
}
