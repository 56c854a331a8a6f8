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
mod stored;
mod vocabulary;

use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

pub use budget::{MAX_PATTERNS, MAX_PATTERN_BYTES};
pub use builtin::{builtin_pack_names, compile_builtin, compiled_default_pack, DEFAULT_PACK};
pub use error::{value_offset, LineStarts, Location, PackError};
pub use keys::did_you_mean;
pub use layers::layered_rules;
pub use lists::Lists;
pub use load::{builtin_pack, builtin_pack_providing, Loader, MAX_EXTENDS_DEPTH, MAX_PACK_FILES, MAX_PACK_FILE_BYTES};
pub use measure::{Capitals, Measure, PronounRatio};
pub use patterns::{Escape, Expr, Guard, GuardTest, GuardWindow, Pattern};
pub use spec::{Examples, RewriteExample, RuleKind, Scope, SuggestionSpec};
pub use stored::Stored;
pub use vocabulary::{Allowlist, MAX_ALLOWED_PHRASES};

use crate::selection::{Selectable, Severity};

/// What a rule says about itself: everything a front end shows, nothing it runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
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
    pub examples: Stored<Examples>,
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
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Rule {
    pub info: Arc<RuleInfo>,
    pub scope: Scope,
    pub case_sensitive: bool,
    pub matcher: Arc<Stored<Matcher>>,
    pub novel_to_thread: bool,
    /// `Some` for the message-level kinds (`many-questions` also uses the matcher).
    pub measure: Option<Measure>,
    /// Where the rule is written (its `id`).
    pub location: Location,
    /// `override = true` (or changed by a pack's `[pack.rules]`): it replaces an earlier
    /// rule with the same id on purpose.
    pub replaces: bool,
}

/// What a rule matches: `match` expressions and regexes, with its guards.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Matcher {
    pub patterns: Vec<Pattern>,
    pub guards: Vec<Guard>,
}

/// A loaded, validated pack: its own rules and those of the packs it extends, with
/// its `[pack.rules]` settings applied.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
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
        load::Loader::default().assemble(fallback_name, sources, None, true)
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
/// Reads one rule. With `verify`, each expression is also compiled with the lists the
/// pack sees, so a mistake is reported at its place now rather than when an engine is
/// built; the built-in packs, tested with the project, skip it to start faster.
pub(crate) fn compile_rule(
    pack: &str,
    origin: &str,
    text: &str,
    lines: &LineStarts,
    mut spec: spec::RuleSpec,
    lists: &Lists,
    verify: bool,
) -> Result<Rule, PackError> {
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
    let regex_format = !spec.phrases.is_empty() || !spec.patterns.is_empty();
    let words = !spec.matches.is_empty() || !spec.regex.is_empty();
    if regex_format && words {
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
    let measure = Measure::from_params(spec.kind, params, lists).map_err(|message| at(params_at, message))?;
    if measure.is_none() && count == 0 {
        return Err(at(spec.id.span(), format!("rule `{id}` has nothing to match: add `match` (or `regex`)")));
    }
    // A rule written with phrases and patterns has regex guards, as has a measure that
    // has guards and nothing else to match.
    let regex_guards = regex_format || (measure.is_some() && !words);
    let context = ExprContext { origin, text, lines, lists, verify };
    let escape = |entry: &Spanned<String>, source: &str| {
        Escape::new(source, case_sensitive, lines.location(origin, text, entry.span().start)).map_err(|(column, message)| {
            let offset = column.and_then(|c| entry.get_ref().char_indices().nth(c)).map(|(i, _)| i);
            let place = offset.map_or(entry.span().start, |o| value_offset(text, entry.span(), o));
            PackError::at(origin, text, place, message)
        })
    };
    let mut patterns = Vec::new();
    for entry in &spec.matches {
        patterns.push(Pattern::Expr(context.rule_expr(entry)?));
    }
    for entry in &spec.phrases {
        patterns.push(Pattern::Regex(escape(entry, &matcher::phrase_pattern(entry.get_ref()))?));
    }
    for entry in spec.regex.iter().chain(&spec.patterns) {
        patterns.push(Pattern::Regex(escape(entry, entry.get_ref())?));
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
            let test = if regex_guards { GuardTest::Regex(escape(entry, entry.get_ref())?) } else { GuardTest::Expr(context.rule_expr(entry)?) };
            guards.push(Guard { unless, window, test });
        }
    }
    check_template_names(&spec, &patterns, lists).map_err(|message| at(spec.id.span(), message))?;
    let matcher = Matcher { patterns, guards };

    let info = RuleInfo {
        id: id.clone(),
        category: id_category.to_owned(),
        severity: spec.severity,
        message: spec.message,
        why: spec.why,
        link: spec.link,
        kind: spec.kind,
        enabled: spec.enabled,
        examples: Stored::new(spec.examples),
        suggestions: spec.suggestions,
        pack: pack.to_owned(),
    };
    Ok(Rule {
        info: Arc::new(info),
        scope: spec.scope,
        case_sensitive,
        matcher: Arc::new(Stored::new(matcher)),
        novel_to_thread: spec.novel_to_thread,
        measure,
        location: lines.location(origin, text, spec.id.span().start),
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
                Pattern::Expr(expr) => lists.resolve(&expr.node).map_or(true, |node| node.captures(name)),
                Pattern::Regex(escape) => escape.source.contains(&format!("<{name}>")),
            });
            if !captured {
                return Err(format!("{what} uses `${{{name}}}`, but no `match` expression or `regex` of the rule captures `{name}`"));
            }
        }
    }
    Ok(())
}

/// Parsing expressions of one pack file, with the lists the pack sees.
pub(crate) struct ExprContext<'a> {
    pub origin: &'a str,
    pub text: &'a str,
    pub lines: &'a LineStarts,
    pub lists: &'a Lists,
    /// Compile each expression now, to report its errors at its place.
    pub verify: bool,
}

impl ExprContext<'_> {
    /// Parses an expression and checks its `@names`; errors point at the character.
    pub fn parse(&self, entry: &Spanned<String>) -> Result<Expr, PackError> {
        let source = entry.get_ref();
        let place = |offset: usize| value_offset(self.text, entry.span(), offset);
        let node = expr::parse(source).map_err(|err| PackError::at(self.origin, self.text, place(err.offset), err.message))?;
        if self.verify {
            let mut regexes = Vec::new();
            node.regexes(&mut regexes);
            for regex in regexes {
                regex.compile().map_err(|err| PackError::at(self.origin, self.text, place(err.offset), err.message))?;
            }
        }
        let mut names = Vec::new();
        node.lists(&mut names);
        for (name, offset) in names {
            if !self.lists.names().any(|known| known == name) {
                let close = keys::suggestion_suffix(&name, self.lists.names());
                return Err(PackError::at(self.origin, self.text, place(offset), format!("unknown list `@{name}`{close}")));
            }
        }
        Ok(Expr { source: source.clone(), node, location: self.lines.location(self.origin, self.text, entry.span().start) })
    }

    /// A `match` or guard expression: parsed, and checked once with the lists as they
    /// are now to catch what only compiling finds (an expression that matches nothing).
    pub fn rule_expr(&self, entry: &Spanned<String>) -> Result<Expr, PackError> {
        let parsed = self.parse(entry)?;
        if !self.verify {
            return Ok(parsed);
        }
        let fail = |message: &str| PackError::at(self.origin, self.text, entry.span().start, message);
        let resolved = self.lists.resolve(&parsed.node).map_err(|err| fail(err.message()))?;
        expr::check(&resolved, &mut expr::Analysis::default()).map_err(|err| fail(&err.0))?;
        Ok(parsed)
    }
}
