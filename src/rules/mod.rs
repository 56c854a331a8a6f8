//! Rule packs: the TOML format, its validation and the compiled rules.
//!
//! A pack is one TOML file, or a directory of them (a `pack.toml` with `[pack]` and
//! any number of files with `[[rule]]`s). Parsing a pack compiles every regex in it,
//! so a broken pack fails here, with a place, and never inside the engine.

mod builtin;
mod error;
pub mod git;
pub(crate) mod keys;
mod layers;
mod load;
pub mod matcher;
mod measure;
pub mod spec;
mod vocabulary;

use std::path::Path;
use std::sync::Arc;

use regex::Regex;
use toml::Spanned;

pub use builtin::{builtin_pack, builtin_pack_names, DEFAULT_PACK};
pub use error::{Location, PackError};
pub use layers::check_layering;
pub use load::{MAX_EXTENDS_DEPTH, MAX_PACK_FILES, MAX_PACK_FILE_BYTES};
pub use measure::{Capitals, Measure, PronounRatio};
pub use spec::{Examples, RewriteExample, RuleKind, Scope, SuggestionSpec};
pub use vocabulary::{Allowlist, MAX_ALLOWED_PHRASES};

use crate::finding::Severity;

/// What a rule says about itself: everything a front end shows, nothing it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    /// `category.name`.
    pub id: String,
    pub category: String,
    /// Severity as the pack sets it, before any user override.
    pub severity: Severity,
    pub message: String,
    /// How the recipient will read it.
    pub why: String,
    /// A page about the rule, if the pack gives one.
    pub link: Option<String>,
    pub kind: RuleKind,
    /// Whether the rule runs when nobody enables it.
    pub enabled: bool,
    pub examples: Examples,
    pub suggestions: Vec<SuggestionSpec>,
    /// The pack it came from.
    pub pack: String,
}

/// A compiled rule: its info plus what the engine runs.
#[derive(Debug, Clone)]
pub struct Rule {
    pub info: Arc<RuleInfo>,
    pub scope: Scope,
    pub case_sensitive: bool,
    /// Regex sources of the phrases and patterns, in the form the engine's set uses.
    pub sources: Vec<String>,
    /// The same, compiled one by one, to locate matches and their capture groups.
    pub patterns: Vec<Regex>,
    pub guards: Guards,
    pub novel_to_thread: bool,
    /// `Some` for the message-level kinds.
    pub measure: Option<Measure>,
    /// Where the rule is written (its `id`).
    pub location: Location,
    /// `override = true` (or changed by a pack's `[pack.rules]`): it replaces an earlier
    /// rule with the same id on purpose.
    pub replaces: bool,
}

/// Conditions checked in the sentence of a match; each is "any of these patterns".
#[derive(Debug, Clone, Default)]
pub struct Guards {
    pub unless: Option<Regex>,
    pub requires: Option<Regex>,
    pub unless_before: Option<Regex>,
    pub requires_before: Option<Regex>,
    pub unless_after: Option<Regex>,
    pub requires_after: Option<Regex>,
}

/// A loaded, validated pack: its own rules and those of the packs it extends, with
/// its `[pack.rules]` settings applied.
#[derive(Debug, Default)]
pub struct Pack {
    pub name: String,
    pub description: String,
    pub rules: Vec<Arc<Rule>>,
    /// Phrases that are always fine: its own and those of the packs it extends.
    pub vocabulary: Allowlist,
    /// The packs it extends, as written.
    pub extends: Vec<String>,
    /// The files it was read from, named as in errors.
    pub files: Vec<String>,
}

/// How the files of built-in packs are named in errors: `builtin:NAME/FILE`.
pub const BUILTIN_ORIGIN: &str = "builtin:";

/// Upper bounds that keep a hostile or mistaken pack from exhausting the machine.
pub const MAX_RULES_PER_PACK: usize = 2_000;
pub const MAX_PATTERNS_PER_RULE: usize = 200;

impl Pack {
    /// Loads a pack from a `.toml` file or a directory of them. What it `extends` must
    /// be a built-in pack or lie inside the pack's folder.
    pub fn load(path: &Path) -> Result<Pack, PackError> {
        load::Loader::default().path(path)
    }

    /// Builds a pack from the `(origin, text)` of each of its files. The name comes from
    /// a `[pack]` table if one file has it, else `fallback_name`. Having no folder, it
    /// can only extend built-in packs.
    pub fn from_sources(fallback_name: &str, sources: &[(String, String)]) -> Result<Pack, PackError> {
        load::Loader::default().assemble(fallback_name, sources, None)
    }

    /// The rules written in this pack's folder: its own files and the packs inside its
    /// folder that it extends, not the built-in packs it builds on. These are the rules
    /// `tactful pack test` runs for it.
    pub fn own_rules(&self) -> impl Iterator<Item = &Arc<Rule>> {
        self.rules.iter().filter(|rule| {
            let origin = &rule.location.origin;
            self.files.contains(origin) || !origin.starts_with(BUILTIN_ORIGIN)
        })
    }
}

/// Validates one rule spec and compiles its regexes; errors point into `text`.
pub(crate) fn compile_rule(pack: &str, origin: &str, text: &str, spec: spec::RuleSpec) -> Result<Rule, PackError> {
    let at = |span: std::ops::Range<usize>, message: String| PackError::at(origin, text, span.start, message);
    let id = spec.id.get_ref();
    let Some((id_category, name)) = id.split_once('.') else {
        return Err(at(spec.id.span(), format!("rule id `{id}` must be `category.name`")));
    };
    if id_category.is_empty() || name.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(at(spec.id.span(), format!("rule id `{id}` must be `category.name` in letters, digits, `-` and `_`")));
    }
    if let Some(category) = &spec.category {
        if category.get_ref() != id_category {
            return Err(at(category.span(), format!("category `{}` does not match the id `{id}`", category.get_ref())));
        }
    }
    let case_sensitive = spec.case_sensitive;
    let compile_one = |source: String, span: std::ops::Range<usize>| {
        let regex = matcher::compile(&source, case_sensitive)
            .map_err(|err| at(error_span(text, span.clone(), &source, &err), regex_problem(&err)))?;
        if regex.is_match("") {
            return Err(at(span, "pattern matches empty text; it would flag everything".into()));
        }
        Ok((source, regex))
    };
    let phrases = spec.phrases.iter().map(|p| (matcher::phrase_source(p.get_ref()), p.span()));
    let patterns = spec.patterns.iter().map(|p| (matcher::pattern_source(p.get_ref()), p.span()));
    let all: Vec<_> = phrases.chain(patterns).collect();
    if all.len() > MAX_PATTERNS_PER_RULE {
        return Err(at(spec.id.span(), format!("rule `{id}` has {} patterns; at most {MAX_PATTERNS_PER_RULE} are allowed", all.len())));
    }
    let (sources, patterns): (Vec<_>, Vec<_>) =
        all.into_iter().map(|(source, span)| compile_one(source, span)).collect::<Result<Vec<_>, _>>()?.into_iter().unzip();

    // Spans are not available for `params` (dotted keys), so errors point at its first mention.
    let params_at = text[spec.id.span().start..].find("params").map_or(spec.id.span(), |i| {
        let offset = spec.id.span().start + i;
        offset..offset
    });
    let params = spec.params.unwrap_or_default();
    let measure = Measure::from_params(spec.kind, params, case_sensitive).map_err(|message| at(params_at, message))?;
    if measure.is_none() && sources.is_empty() {
        return Err(at(spec.id.span(), format!("rule `{id}` has no `phrases` or `patterns`")));
    }

    // Each guard list is one alternation; only when it fails are the patterns compiled
    // one by one, to point at the one that is wrong.
    let guard = |list: &[Spanned<String>]| -> Result<Option<Regex>, PackError> {
        let sources: Vec<String> = list.iter().map(|p| matcher::pattern_source(p.get_ref())).collect();
        matcher::compile_any(&sources, case_sensitive).map_err(|combined| {
            let culprit = list.iter().zip(&sources).find_map(|(pattern, source)| {
                let err = matcher::compile(source, case_sensitive).err()?;
                Some(at(error_span(text, pattern.span(), source, &err), regex_problem(&err)))
            });
            culprit.unwrap_or_else(|| at(spec.id.span(), regex_problem(&combined)))
        })
    };
    let guards = Guards {
        unless: guard(&spec.unless)?,
        requires: guard(&spec.requires)?,
        unless_before: guard(&spec.unless_before)?,
        requires_before: guard(&spec.requires_before)?,
        unless_after: guard(&spec.unless_after)?,
        requires_after: guard(&spec.requires_after)?,
    };

    let info = RuleInfo {
        id: id.clone(),
        category: id_category.to_owned(),
        severity: spec.severity,
        message: spec.message,
        why: spec.why,
        link: spec.link,
        kind: spec.kind,
        enabled: spec.enabled,
        examples: spec.examples,
        suggestions: spec.suggestions,
        pack: pack.to_owned(),
    };
    Ok(Rule {
        info: Arc::new(info),
        scope: spec.scope,
        case_sensitive,
        sources,
        patterns,
        guards,
        novel_to_thread: spec.novel_to_thread,
        measure,
        location: Location::at(origin, text, spec.id.span().start),
        replaces: spec.replaces,
    })
}

/// Where in the pack file a regex error is: at the offending character when the
/// pattern is written without escapes (as TOML `'...'` strings are), else at the string.
fn error_span(text: &str, span: std::ops::Range<usize>, compiled: &str, err: &regex::Error) -> std::ops::Range<usize> {
    let fallback = span.clone();
    let Some(caret) = caret_column(err) else { return fallback };
    let raw = &text[span.clone()];
    let delimiter = if raw.starts_with("\'\'\'") || raw.starts_with("\"\"\"") { 3 } else { 1 };
    let Some(content) = raw.get(delimiter..raw.len().saturating_sub(delimiter)) else { return fallback };
    if matcher::pattern_source(content) != compiled {
        return fallback;
    }
    // `compiled` is the pattern with each apostrophe widened to `['’]`; walk both.
    let mut compiled_chars = 0;
    for (byte, c) in content.char_indices() {
        let width = if c == '\'' { "['’]".chars().count() } else { 1 };
        if caret < compiled_chars + width {
            let offset = span.start + delimiter + byte;
            return offset..offset;
        }
        compiled_chars += width;
    }
    fallback
}

/// The column (in characters) of the first `^` under a one-line pattern in the regex
/// crate's report, if the report has that shape and the pattern matches it.
fn caret_column(err: &regex::Error) -> Option<usize> {
    let regex::Error::Syntax(report) = err else { return None };
    let mut lines = report.lines();
    let _header = lines.next()?;
    let _pattern = lines.next()?.strip_prefix("    ")?;
    let carets = lines.next()?.strip_prefix("    ")?;
    carets.chars().position(|c| c == '^')
}

/// A regex error on one line: the crate's multi-line report is for terminals.
fn regex_problem(err: &regex::Error) -> String {
    match err {
        regex::Error::CompiledTooBig(limit) => {
            format!("pattern is too large once compiled (over {limit} bytes); split it or simplify it")
        }
        other => {
            let text = other.to_string();
            let detail = text.lines().rev().find(|l| l.starts_with("error:")).unwrap_or(text.as_str());
            format!("invalid regex: {}", detail.trim_start_matches("error:").trim())
        }
    }
}
