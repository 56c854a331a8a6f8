//! Rule packs: the TOML format, its validation and the compiled rules.
//!
//! A pack is one TOML file, or a directory of them (a `pack.toml` with `[pack]` and
//! any number of files with `[[rule]]`s). Parsing a pack compiles every regex in it,
//! so a broken pack fails here, with a place, and never inside the engine.

mod budget;
mod builtin;
mod error;
pub mod expr;
pub mod git;
pub(crate) mod keys;
mod layers;
pub mod lists;
mod load;
pub mod matcher;
mod measure;
pub mod patterns;
pub(crate) mod place;
pub mod spec;
mod vocabulary;

use std::path::Path;
use std::sync::Arc;

use regex::Regex;
use toml::Spanned;

pub use budget::{MAX_PATTERNS, MAX_PATTERN_BYTES};
pub use builtin::{builtin_pack, builtin_pack_names, builtin_pack_providing, DEFAULT_PACK};
pub use error::{value_offset, Location, PackError};
pub use keys::did_you_mean;
pub use layers::layered_rules;
pub use lists::Lists;
pub use load::{Loader, MAX_EXTENDS_DEPTH, MAX_PACK_FILES, MAX_PACK_FILE_BYTES};
pub use measure::{Capitals, Measure, PronounRatio};
pub use patterns::{Escape, Expr, Guard, GuardWindow, Pattern};
pub use spec::{Examples, RewriteExample, RuleKind, Scope, SuggestionSpec};
pub use vocabulary::{Allowlist, MAX_ALLOWED_PHRASES};

use crate::selection::{Selectable, Severity};

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

impl Selectable for RuleInfo {
    fn id(&self) -> &str {
        &self.id
    }
    fn category(&self) -> &str {
        &self.category
    }
    fn severity(&self) -> Severity {
        self.severity
    }
    fn enabled(&self) -> bool {
        self.enabled
    }
}

/// A compiled rule: its info plus what the engine runs.
#[derive(Debug, Clone)]
pub struct Rule {
    pub info: Arc<RuleInfo>,
    pub scope: Scope,
    pub case_sensitive: bool,
    pub matcher: Arc<Matcher>,
    pub novel_to_thread: bool,
    /// `Some` for the message-level kinds (`many-questions` also uses the matcher).
    pub measure: Option<Measure>,
    /// Where the rule is written (its `id`).
    pub location: Location,
    /// `override = true` (or changed by a pack's `[pack.rules]`): it replaces an earlier
    /// rule with the same id on purpose.
    pub replaces: bool,
}

/// What a rule matches.
#[derive(Debug)]
pub enum Matcher {
    /// `match` expressions and `regex` escape hatches, with expression guards.
    Words { patterns: Vec<Pattern>, guards: Vec<Guard> },
    /// `phrases` and `patterns` with regex guards: the format before the match
    /// language, kept until every pack is ported.
    Legacy(Legacy),
}

/// A legacy rule's regexes.
#[derive(Debug)]
pub struct Legacy {
    /// Regex sources of the phrases and patterns, in the form the engine's set uses.
    pub sources: Vec<String>,
    /// The same, compiled one by one, to locate matches and their capture groups.
    pub patterns: Vec<Regex>,
    pub guards: Guards,
}

/// A legacy rule's conditions checked in the sentence of a match; each is "any of these patterns".
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
    /// Word lists: its own and those of the packs it extends.
    pub lists: Lists,
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

/// Validates one rule spec and compiles it; errors point into `text`. `lists` are the
/// lists the pack sees (its own and inherited ones).
pub(crate) fn compile_rule(pack: &str, origin: &str, text: &str, mut spec: spec::RuleSpec, lists: &Lists) -> Result<Rule, PackError> {
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
    let legacy = !spec.phrases.is_empty() || !spec.patterns.is_empty();
    let words = !spec.matches.is_empty() || !spec.regex.is_empty();
    if legacy && words {
        return Err(at(
            spec.id.span(),
            format!("rule `{id}` mixes `match`/`regex` with the older `phrases`/`patterns`; write it with `match` and `regex` only"),
        ));
    }
    let count = spec.matches.len() + spec.regex.len() + spec.phrases.len() + spec.patterns.len();
    if count > MAX_PATTERNS_PER_RULE {
        return Err(at(spec.id.span(), format!("rule `{id}` has {count} patterns; at most {MAX_PATTERNS_PER_RULE} are allowed")));
    }

    // Spans are not available for `params` (dotted keys), so errors point at its first mention.
    let params_at = text[spec.id.span().start..].find("params").map_or(spec.id.span(), |i| {
        let offset = spec.id.span().start + i;
        offset..offset
    });
    let params = spec.params.take().unwrap_or_default();
    let measure = Measure::from_params(spec.kind, params, case_sensitive, lists).map_err(|message| at(params_at, message))?;
    if measure.is_none() && count == 0 {
        return Err(at(spec.id.span(), format!("rule `{id}` has nothing to match: add `match` (or `regex`)")));
    }
    let matcher = if legacy || (measure.is_some() && !words && has_guards(&spec)) {
        Matcher::Legacy(legacy_matcher(origin, text, &spec)?)
    } else {
        let context = ExprContext { origin, text, lists };
        let mut patterns = Vec::new();
        for entry in &spec.matches {
            patterns.push(Pattern::Expr(context.rule_expr(entry)?));
        }
        for entry in &spec.regex {
            let location = Location::at(origin, text, entry.span().start);
            let escape = Escape::new(entry.get_ref(), case_sensitive, location).map_err(|(column, message)| {
                let offset = column.and_then(|c| entry.get_ref().char_indices().nth(c)).map(|(i, _)| i);
                let place = offset.map_or(entry.span().start, |o| value_offset(text, entry.span(), o));
                PackError::at(origin, text, place, message)
            })?;
            patterns.push(Pattern::Regex(escape));
        }
        let mut guards = Vec::new();
        let windows = [
            (&spec.unless, true, GuardWindow::Sentence),
            (&spec.requires, false, GuardWindow::Sentence),
            (&spec.unless_before, true, GuardWindow::Before),
            (&spec.requires_before, false, GuardWindow::Before),
            (&spec.unless_after, true, GuardWindow::After),
            (&spec.requires_after, false, GuardWindow::After),
        ];
        for (entries, unless, window) in windows {
            for entry in entries {
                guards.push(Guard { unless, window, expr: context.rule_expr(entry)? });
            }
        }
        check_template_names(&spec, &patterns, lists).map_err(|message| at(spec.id.span(), message))?;
        Matcher::Words { patterns, guards }
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
        matcher: Arc::new(matcher),
        novel_to_thread: spec.novel_to_thread,
        measure,
        location: Location::at(origin, text, spec.id.span().start),
        replaces: spec.replaces,
    })
}

/// A `${name}` in the message or a suggestion must be captured by some `match`
/// expression (through its lists) or named group of the rule: a typo would quote
/// nothing where the writer expects words. (An alternative without the capture is
/// fine: there the name inserts nothing.)
fn check_template_names(spec: &spec::RuleSpec, patterns: &[Pattern], lists: &Lists) -> Result<(), String> {
    let templates =
        std::iter::once(("message", spec.message.as_str())).chain(spec.suggestions.iter().map(|s| ("a suggestion", s.replacement.as_str())));
    for (what, template) in templates {
        for name in template.split("${").skip(1).filter_map(|rest| rest.split_once('}')).map(|(name, _)| name) {
            if name == "lower" || name.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let captured = patterns.iter().any(|pattern| match pattern {
                Pattern::Expr(expr) => lists.resolver().resolve(&expr.node).map_or(true, |node| node.captures(name)),
                Pattern::Regex(escape) => escape.source.contains(&format!("<{name}>")),
            });
            if !captured {
                return Err(format!("{what} uses `${{{name}}}`, but no `match` expression or `regex` of the rule captures `{name}`"));
            }
        }
    }
    Ok(())
}

fn has_guards(spec: &spec::RuleSpec) -> bool {
    [&spec.unless, &spec.requires, &spec.unless_before, &spec.requires_before, &spec.unless_after, &spec.requires_after]
        .iter()
        .any(|list| !list.is_empty())
}

/// Parsing expressions of one pack file, with the lists the pack sees.
pub(crate) struct ExprContext<'a> {
    pub origin: &'a str,
    pub text: &'a str,
    pub lists: &'a Lists,
}

impl ExprContext<'_> {
    /// Parses an expression and checks its `@names`; errors point at the character.
    pub fn parse(&self, entry: &Spanned<String>) -> Result<Expr, PackError> {
        let source = entry.get_ref();
        let place = |offset: usize| value_offset(self.text, entry.span(), offset);
        let node = expr::parse(source).map_err(|err| PackError::at(self.origin, self.text, place(err.offset), err.message))?;
        let mut names = Vec::new();
        node.lists(&mut names);
        for (name, offset) in names {
            if !self.lists.names().any(|known| known == name) {
                let close = keys::suggestion_suffix(&name, self.lists.names());
                return Err(PackError::at(self.origin, self.text, place(offset), format!("unknown list `@{name}`{close}")));
            }
        }
        Ok(Expr { source: source.clone(), node, location: Location::at(self.origin, self.text, entry.span().start) })
    }

    /// A `match` or guard expression: parsed, and compiled once with the lists as they
    /// are now to catch what only compiling finds (an expression that matches nothing).
    pub fn rule_expr(&self, entry: &Spanned<String>) -> Result<Expr, PackError> {
        let parsed = self.parse(entry)?;
        let fail = |message: &str| PackError::at(self.origin, self.text, entry.span().start, message);
        let resolved = self.lists.resolver().resolve(&parsed.node).map_err(|err| fail(err.message()))?;
        expr::compile(&resolved).map_err(|err| fail(&err.0))?;
        Ok(parsed)
    }
}

/// The regexes and regex guards of a legacy rule.
fn legacy_matcher(origin: &str, text: &str, spec: &spec::RuleSpec) -> Result<Legacy, PackError> {
    let at = |span: std::ops::Range<usize>, message: String| PackError::at(origin, text, span.start, message);
    let case_sensitive = spec.case_sensitive;
    let compile_one = |source: String, written: &Spanned<String>| {
        let span = written.span();
        let regex = matcher::compile(&source, case_sensitive).map_err(|err| at(error_span(text, written), regex_problem(&err)))?;
        if regex.is_match("") {
            return Err(at(span, "pattern matches empty text; it would flag everything".into()));
        }
        Ok((source, regex))
    };
    let phrases = spec.phrases.iter().map(|p| (matcher::phrase_source(p.get_ref()), p));
    let patterns = spec.patterns.iter().map(|p| (matcher::pattern_source(p.get_ref()), p));
    let (sources, patterns): (Vec<_>, Vec<_>) =
        phrases.chain(patterns).map(|(source, written)| compile_one(source, written)).collect::<Result<Vec<_>, _>>()?.into_iter().unzip();

    // Each guard list is one alternation; only when it fails are the patterns compiled
    // one by one, to point at the one that is wrong.
    let guard = |list: &[Spanned<String>]| -> Result<Option<Regex>, PackError> {
        let sources: Vec<String> = list.iter().map(|p| matcher::pattern_source(p.get_ref())).collect();
        matcher::compile_any(&sources, case_sensitive).map_err(|combined| {
            let culprit = list.iter().zip(&sources).find_map(|(pattern, source)| {
                let err = matcher::compile(source, case_sensitive).err()?;
                Some(at(error_span(text, pattern), regex_problem(&err)))
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
    Ok(Legacy { sources, patterns, guards })
}

/// Where in the pack file a regex error is: at the offending character, found by
/// parsing the pattern as written and mapping the place back through the TOML
/// string's quotes and escapes; at the string itself for errors that have no one
/// character (size).
fn error_span(text: &str, written: &Spanned<String>) -> std::ops::Range<usize> {
    let span = written.span();
    let offset = match regex_syntax::Parser::new().parse(written.get_ref()) {
        Err(regex_syntax::Error::Parse(err)) => err.span().start.offset,
        Err(regex_syntax::Error::Translate(err)) => err.span().start.offset,
        _ => return span,
    };
    let at = value_offset(text, span, offset);
    at..at
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
