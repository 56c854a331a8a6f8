//! Reading a pack: its files, the packs it extends, its vocabulary and its `[pack.rules]`
//! settings, each problem reported at its place.
//!
//! Packs come from other people's repositories, so reading one stays inside its own
//! folder: `extends` takes built-in names and relative paths without `..`, and a file
//! or target reached through a link must still resolve inside the folder.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use super::budget::Budget;
use super::builtin::{builtin_pack_names, builtin_sources, compiled};
use super::expr::Node;
use super::keys::{did_you_mean, suggestion_suffix};
use super::layers::{already_defined, Layers};
use super::lists::{self, Lists, NamedList};
use super::spec::{Examples, FlaggedPhrases, PackFile, PackMeta, RuleKind, RuleSpec, Scope, SuggestionSpec};
use super::{
    compile_rule, Allowlist, ExprContext, LineStarts, Pack, PackError, Rule, Stored, BUILTIN_ORIGIN, MAX_ALLOWED_PHRASES, MAX_RULES_PER_PACK,
};
use crate::fsread::{self, Within};
use crate::parallel;
use crate::selection::Toggle;

/// How many packs deep `extends` may go.
pub const MAX_EXTENDS_DEPTH: usize = 8;
/// `.toml` files in one pack folder.
pub const MAX_PACK_FILES: usize = 100;
/// Size of one pack file.
pub const MAX_PACK_FILE_BYTES: u64 = fsread::PACK_FILE.bytes;

/// What errors call the folder a pack may not leave.
const PACK_FOLDER: &str = "the pack's folder";

/// Loads packs, remembering the chain of `extends` to catch cycles. Every pack one
/// loader reads draws on its compile [`Budget`].
#[derive(Debug, Default)]
pub struct Loader {
    /// Keys (`builtin:NAME` or a canonical path) of the packs being loaded.
    chain: Vec<String>,
    budget: Budget,
}

/// One file's parsed tables, with the text they point into.
struct Parsed<'a> {
    origin: &'a str,
    text: &'a str,
    lines: LineStarts,
    file: PackFile,
}

impl Loader {
    /// The built-in pack `name`: as compiled when tactful was built, else read from its
    /// files.
    pub(super) fn builtin(&mut self, name: &str) -> Option<Result<Pack, PackError>> {
        if let Some((pack, cost)) = compiled(name) {
            let charged = self.budget.add(*cost).map_err(|message| PackError::whole_file(&format!("{BUILTIN_ORIGIN}{name}"), message));
            return Some(charged.map(|()| pack.clone()));
        }
        let sources = builtin_sources(name)?;
        Some(self.builtin_from_files(name, &sources))
    }

    /// The built-in pack `name` read from its files (`sources`).
    pub(super) fn builtin_from_files(&mut self, name: &str, sources: &[(String, String)]) -> Result<Pack, PackError> {
        self.within(format!("builtin:{name}"), |loader| loader.assemble(name, sources, None, false))
    }

    /// What this loader has compiled so far.
    pub(super) fn budget(&self) -> Budget {
        self.budget
    }

    /// A pack file or folder on disk; its folder (or the folder of the file) is as far
    /// as its files and what it extends may reach.
    pub fn path(&mut self, path: &Path) -> Result<Pack, PackError> {
        let origin = path.display().to_string();
        let unreadable = |what: &str, err: std::io::Error| PackError::whole_file(&origin, format!("cannot read {what}: {err}"));
        let resolved = path.canonicalize().map_err(|err| unreadable("pack", err))?;
        if resolved.is_dir() {
            let within = Within { root: &resolved, name: PACK_FOLDER };
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|err| unreadable("pack directory", err))?
                .filter_map(|entry| entry.ok())
                // A link is read (and refused if it leads out); a real folder is skipped.
                .filter(|entry| entry.file_type().is_ok_and(|t| !t.is_dir()))
                .map(|entry| entry.path())
                .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
                .collect();
            files.sort();
            if files.len() > MAX_PACK_FILES {
                return Err(PackError::whole_file(&origin, format!("pack has {} files; at most {MAX_PACK_FILES} are allowed", files.len())));
            }
            let sources = files.iter().map(|file| read_pack_file(file, within)).collect::<Result<Vec<_>, _>>()?;
            let fallback = path.file_name().map_or_else(|| origin.clone(), |n| n.to_string_lossy().into_owned());
            let key = resolved.display().to_string();
            self.within(key, |loader| loader.assemble(&fallback, &sources, Some(&resolved), true))
        } else {
            let root = resolved.parent().map_or_else(|| resolved.clone(), Path::to_path_buf);
            let source = read_pack_file(path, Within { root: &root, name: PACK_FOLDER })?;
            let fallback = path.file_stem().map_or_else(|| origin.clone(), |n| n.to_string_lossy().into_owned());
            let key = resolved.display().to_string();
            self.within(key, |loader| loader.assemble(&fallback, &[source], Some(&root), true))
        }
    }

    /// A pack that must lie inside `boundary` (a git checkout), even through links.
    pub fn path_inside(&mut self, path: &Path, boundary: Within<'_>) -> Result<Pack, PackError> {
        let origin = path.display().to_string();
        let resolved = path.canonicalize().map_err(|err| PackError::whole_file(&origin, format!("cannot read pack: {err}")))?;
        if !resolved.starts_with(boundary.root) {
            return Err(PackError::whole_file(&origin, format!("the pack is a link to a place outside {}", boundary.name)));
        }
        self.path(path)
    }

    fn within(&mut self, key: String, load: impl FnOnce(&mut Loader) -> Result<Pack, PackError>) -> Result<Pack, PackError> {
        self.chain.push(key);
        let pack = load(self);
        self.chain.pop();
        pack
    }

    /// Builds a pack from its files; `folder` (canonical) is where `extends` may look,
    /// `None` for packs that may only extend built-in ones.
    /// With `verify`, expressions are compiled now to report errors at their place
    /// (every pack but the built-in ones, which are tested with the project).
    pub(super) fn assemble(
        &mut self,
        fallback_name: &str,
        sources: &[(String, String)],
        folder: Option<&Path>,
        verify: bool,
    ) -> Result<Pack, PackError> {
        // Where errors about the whole pack point.
        let first_origin = sources.first().map_or(fallback_name, |(origin, _)| origin.as_str());
        let files = parallel::map(sources.iter().collect(), |(origin, text)| {
            let file = toml::from_str::<PackFile>(text).map_err(|err| PackError::from_toml(origin, text, &err));
            (file, LineStarts::new(text))
        });
        let mut parsed = Vec::with_capacity(sources.len());
        for ((origin, text), (file, lines)) in sources.iter().zip(files) {
            parsed.push(Parsed { origin, text, lines, file: file? });
        }
        self.budget.charge(parsed.iter().map(|p| &p.file)).map_err(|message| PackError::whole_file(first_origin, message))?;
        let meta = pack_meta(&mut parsed)?;
        let name = meta.as_ref().map_or_else(|| fallback_name.to_owned(), |(m, _, _)| m.name.get_ref().clone());

        // What it builds on.
        let mut layers = Layers::default();
        let mut vocabulary = Allowlist::default();
        let mut lists = Lists::default();
        let mut extends = Vec::new();
        if let Some((meta, origin, text)) = &meta {
            for target in &meta.extends {
                let parent = self.extend(target, origin, text, folder)?;
                for rule in &parent.rules {
                    layers.add(Arc::clone(rule))?;
                }
                vocabulary.extend(&parent.vocabulary);
                lists.extend(&parent.lists).map_err(|message| PackError::at(origin, text, target.span().start, message))?;
                extends.push(target.get_ref().clone());
            }
        }

        read_lists(&mut parsed, &mut lists, verify)?;

        // Its own rules, the vocabulary's flagged phrases among them.
        let mut specs: Vec<(&str, &str, &LineStarts, RuleSpec)> = Vec::new();
        for Parsed { origin, text, lines, file } in &mut parsed {
            if let Some(words) = file.vocabulary.take() {
                let phrases: Vec<String> = words.allow.iter().map(|p| p.get_ref().clone()).collect();
                if phrases.len() > MAX_ALLOWED_PHRASES {
                    let message = format!("{} allowed phrases; at most {MAX_ALLOWED_PHRASES} are allowed", phrases.len());
                    return Err(PackError::at(origin, text, words.allow[0].span().start, message));
                }
                let own = Allowlist::compile(&phrases, words.case_sensitive)
                    .map_err(|(index, message)| PackError::at(origin, text, words.allow[index].span().start, message))?;
                vocabulary.extend(&own);
                let category = words.category.as_ref().map_or_else(|| slug(&name), |c| c.get_ref().clone());
                for entry in words.flag {
                    specs.push((origin, text, lines, flagged_rule(&category, entry, origin, text)?));
                }
            }
            specs.extend(std::mem::take(&mut file.rules).into_iter().map(|rule| (*origin, *text, &*lines, rule)));
        }
        if specs.len() > MAX_RULES_PER_PACK {
            let message = format!("pack has {} rules; at most {MAX_RULES_PER_PACK} are allowed", specs.len());
            return Err(PackError::whole_file(first_origin, message));
        }
        // Compiled on every core; the first problem in file order is the one reported.
        let ids: Vec<(&str, &str, Spanned<String>)> = specs.iter().map(|(origin, text, _, spec)| (*origin, *text, spec.id.clone())).collect();
        let compiled = parallel::map(specs, |(origin, text, lines, spec)| compile_rule(&name, origin, text, lines, spec, &lists, verify));
        let mut seen: HashMap<String, String> = HashMap::new();
        for ((origin, text, id), rule) in ids.into_iter().zip(compiled) {
            let (id, at) = (id.get_ref().clone(), id.span().start);
            if let Some(first) = seen.insert(id.clone(), origin.to_owned()) {
                return Err(PackError::at(origin, text, at, format!("duplicate rule id `{id}` (first defined in {first})")));
            }
            let rule = Arc::new(rule?);
            match layers.position(&id) {
                Some(index) if rule.replaces => layers.rules[index] = rule,
                Some(index) => return Err(already_defined(&rule, &layers.rules[index])),
                None if rule.replaces && !extends.is_empty() => return Err(nothing_to_override(&rule, &layers, &extends)),
                None => layers.rules.push(rule),
            }
        }

        if let Some((meta, origin, text)) = &meta {
            apply_settings(&mut layers, &meta.rules, origin, text)?;
        }
        if layers.rules.len() > MAX_RULES_PER_PACK {
            let message = format!("pack has {} rules with the ones it extends; at most {MAX_RULES_PER_PACK} are allowed", layers.rules.len());
            return Err(PackError::whole_file(first_origin, message));
        }
        let description = meta.map(|(m, _, _)| m.description).unwrap_or_default();
        let files = sources.iter().map(|(origin, _)| origin.clone()).collect();
        Ok(Pack { name, description, rules: layers.rules, vocabulary, lists, extends, files })
    }

    /// Loads what one `extends` entry names.
    fn extend(&mut self, target: &Spanned<String>, origin: &str, text: &str, folder: Option<&Path>) -> Result<Pack, PackError> {
        let at = |message: String| PackError::at(origin, text, target.span().start, message);
        let name = target.get_ref();
        if self.chain.len() >= MAX_EXTENDS_DEPTH {
            return Err(at(format!("extends `{name}`: packs extend each other more than {MAX_EXTENDS_DEPTH} deep")));
        }
        let builtins = builtin_pack_names().collect::<Vec<_>>().join(", ");
        let path_like = name.contains(['/', '\\']) || name.ends_with(".toml") || name.starts_with('.');
        if !path_like && builtin_sources(name).is_some() {
            self.check_cycle(&format!("builtin:{name}"), name, &at)?;
            return self.builtin(name).expect("built-in pack exists");
        }
        let Some(folder) = folder else {
            let close = suggestion_suffix(name, builtin_pack_names());
            return Err(at(format!(
                "extends `{name}`: no built-in pack by that name{close} (built-in packs: {builtins}); a built-in pack can only extend built-in packs"
            )));
        };
        let relative = Path::new(name);
        if relative.is_absolute() || relative.components().any(|c| matches!(c, Component::ParentDir | Component::Prefix(_))) {
            return Err(at(format!("extends `{name}`: a pack can only extend built-in packs and packs inside its own folder")));
        }
        let full = folder.join(relative);
        if !full.exists() {
            let nearby = folder_entries(folder);
            let mut candidates: Vec<&str> = nearby.iter().map(String::as_str).collect();
            for builtin in builtin_pack_names() {
                candidates.push(builtin);
            }
            let close = suggestion_suffix(name, candidates);
            return Err(at(format!(
                "extends `{name}`: no such pack: not a built-in pack ({builtins}) nor a file or folder inside this pack's folder{close}"
            )));
        }
        let canonical = full.canonicalize().map_err(|err| at(format!("extends `{name}`: cannot read it: {err}")))?;
        if !canonical.starts_with(folder) {
            return Err(at(format!("extends `{name}`: it leads outside this pack's folder (through a link); a pack can only extend built-in packs and packs inside its own folder")));
        }
        self.check_cycle(&canonical.display().to_string(), name, &at)?;
        self.path(&full)
    }

    fn check_cycle(&self, key: &str, name: &str, at: &dyn Fn(String) -> PackError) -> Result<(), PackError> {
        match self.chain.iter().position(|k| k == key) {
            Some(start) => {
                let circle: Vec<&str> = self.chain[start..].iter().map(String::as_str).chain([key]).collect();
                Err(at(format!("extends `{name}`: packs extend each other in a circle: {}", circle.join(" -> "))))
            }
            None => Ok(()),
        }
    }
}

/// Adds the `[lists]` of a pack's files to `lists` (which holds the inherited ones), then
/// checks every entry: its `@names` exist and, with `verify`, no list uses itself and
/// its token regexes compile (the built-in packs' lists are checked by their tests).
fn read_lists(parsed: &mut [Parsed<'_>], lists: &mut Lists, verify: bool) -> Result<(), PackError> {
    let mut own = Vec::new();
    for Parsed { origin, text, lines, file } in parsed.iter_mut() {
        let Some(spec) = file.lists.take() else {
            continue;
        };
        let tagged = spec.define.into_iter().map(|(name, value)| (name, value, false));
        for (name, value, add) in tagged.chain(spec.add.into_iter().map(|(name, value)| (name, value, true))) {
            let fail = |message: String| PackError::at(origin, text, value.span().start, message);
            if !lists::valid_name(&name) {
                return Err(fail(format!("list name `{name}`: use lower-case letters, digits and `-`, starting with a letter")));
            }
            if value.get_ref().is_empty() {
                return Err(fail(format!("list `{name}` is empty")));
            }
            own.push((*origin, *text, &*lines, name, value, add));
        }
    }
    // Names first (placeholders), so entries may use lists defined later or in another file.
    let mut names = lists.clone();
    for (origin, text, lines, name, value, add) in &own {
        let location = lines.location(origin, text, value.span().start);
        let placeholder = NamedList { name: name.clone(), add: *add, entries: Stored::default(), location };
        names.push(Arc::new(placeholder)).map_err(|message| PackError::at(origin, text, value.span().start, message))?;
    }
    // Every entry of every list parsed on every core; the first problem in file order
    // is the one reported.
    let entries: Vec<_> =
        own.iter().flat_map(|(origin, text, lines, _, value, _)| value.get_ref().iter().map(move |entry| (*origin, *text, *lines, entry))).collect();
    let mut parsed_entries = parallel::map(entries, |(origin, text, lines, entry)| {
        let expr = ExprContext { origin, text, lines, lists: &names, verify }.parse(entry)?;
        if expr.node.has_focus() {
            let message = "a list entry cannot choose the reported span: put `[...]` in the rule's `match`";
            return Err(PackError::at(origin, text, entry.span().start, message));
        }
        Ok(lists::Entry { source: expr.source, node: expr.node })
    })
    .into_iter();
    for (origin, text, lines, name, value, add) in &own {
        let entries = parsed_entries.by_ref().take(value.get_ref().len()).collect::<Result<Vec<_>, _>>()?;
        let location = lines.location(origin, text, value.span().start);
        let list = NamedList { name: name.clone(), add: *add, entries: Stored::new(entries), location };
        lists.push(Arc::new(list)).map_err(|message| PackError::at(origin, text, value.span().start, message))?;
    }
    if !verify {
        return Ok(());
    }
    let memo = lists::Memo::default();
    let mut resolver = lists.resolver(&memo);
    for (origin, text, _, name, value, _) in &own {
        resolver.resolve(&Node::List(name.clone(), 0)).map_err(|err| PackError::at(origin, text, value.span().start, err.message()))?;
    }
    Ok(())
}

/// Reads one pack file, which must resolve inside the pack's folder.
fn read_pack_file(file: &Path, folder: Within<'_>) -> Result<(String, String), PackError> {
    let origin = file.display().to_string();
    let text = fsread::read_text_inside(file, folder, fsread::PACK_FILE).map_err(|err| PackError::whole_file(&origin, err.to_string()))?;
    Ok((origin, text))
}

/// The one `[pack]` table of a pack's files, with the file it is in.
fn pack_meta<'a>(parsed: &mut [Parsed<'a>]) -> Result<Option<(PackMeta, &'a str, &'a str)>, PackError> {
    let mut found: Option<(PackMeta, &str, &str)> = None;
    for Parsed { origin, text, file, .. } in parsed {
        if let Some(meta) = file.pack.take() {
            if let Some((_, first, _)) = &found {
                let message = format!("a second [pack] table (the first is in {first}); a pack has one");
                return Err(PackError::at(origin, text, meta.name.span().start, message));
            }
            found = Some((meta, origin, text));
        }
    }
    Ok(found)
}

/// A `[[vocabulary.flag]]` entry as the pattern rule it stands for.
fn flagged_rule(category: &str, entry: Spanned<FlaggedPhrases>, origin: &str, text: &str) -> Result<RuleSpec, PackError> {
    let span = entry.span();
    let entry = entry.into_inner();
    let Some(first) = entry.phrases.first() else {
        return Err(PackError::at(origin, text, span.start, "a [[vocabulary.flag]] entry needs at least one phrase in `phrases`"));
    };
    let id = match entry.id {
        Some(id) => id,
        None => {
            let name = slug(first.get_ref());
            if name.is_empty() {
                return Err(PackError::at(
                    origin,
                    text,
                    first.span().start,
                    "give this [[vocabulary.flag]] entry an `id`: its phrase has no letters to name it by",
                ));
            }
            Spanned::new(span.clone(), format!("{category}.{name}"))
        }
    };
    let flag = entry.phrases.iter().map(|p| p.get_ref().clone()).collect();
    let suggestions = entry
        .replacement
        .map(|replacement| SuggestionSpec { title: format!("Replace with “{replacement}”"), replacement, safe: false })
        .into_iter()
        .collect();
    Ok(RuleSpec {
        id,
        category: None,
        severity: entry.severity,
        message: entry.message,
        why: entry.why,
        link: None,
        kind: RuleKind::Pattern,
        scope: Scope::Both,
        enabled: true,
        replaces: false,
        case_sensitive: false,
        matches: Vec::new(),
        regex: Vec::new(),
        phrases: entry.phrases,
        patterns: Vec::new(),
        unless: entry.unless,
        requires: Vec::new(),
        unless_before: Vec::new(),
        requires_before: Vec::new(),
        unless_after: Vec::new(),
        requires_after: Vec::new(),
        novel_to_thread: false,
        params: None,
        suggestions,
        examples: Examples { flag, pass: entry.pass, rewrite: Vec::new() },
    })
}

/// `override = true` on a rule no extended pack has: most likely a misspelt id.
fn nothing_to_override(rule: &Rule, layers: &Layers, extends: &[String]) -> PackError {
    let id = &rule.info.id;
    let close = suggestion_suffix(id, layers.rules.iter().map(|r| r.info.id.as_str()));
    let message = format!("rule `{id}` has `override = true`, but no pack it extends ({}) has a rule `{id}`{close}", extends.join(", "));
    PackError::at_location(&rule.location, message)
}

/// `[pack.rules]`: categories first, then single rules, so a rule's own setting wins.
fn apply_settings(layers: &mut Layers, settings: &BTreeMap<String, Spanned<String>>, origin: &str, text: &str) -> Result<(), PackError> {
    let (categories, ids): (Vec<_>, Vec<_>) = settings.iter().partition(|(key, _)| !key.contains('.'));
    for (key, value) in categories.into_iter().chain(ids) {
        let at = |message: String| PackError::at(origin, text, value.span().start, message);
        let toggle: Toggle = value.get_ref().parse().map_err(|problem| at(format!("pack.rules.{key}: {problem}")))?;
        let mut hit = false;
        for slot in &mut layers.rules {
            if slot.info.id == *key || slot.info.category == *key {
                hit = true;
                *slot = Arc::new(adjusted(slot, toggle));
            }
        }
        if !hit {
            let names = layers.rules.iter().flat_map(|r| [r.info.id.as_str(), r.info.category.as_str()]);
            let close = did_you_mean(key, names).map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"));
            return Err(at(format!("pack.rules: no rule or category `{key}` in this pack or the packs it extends{close}")));
        }
    }
    Ok(())
}

/// A copy of `rule` switched on, off or to another severity by a pack's settings.
fn adjusted(rule: &Rule, toggle: Toggle) -> Rule {
    let mut info = (*rule.info).clone();
    match toggle {
        Toggle::Off => info.enabled = false,
        Toggle::On => info.enabled = true,
        Toggle::At(severity) => {
            info.enabled = true;
            info.severity = severity;
        }
    }
    Rule { info: Arc::new(info), replaces: true, ..rule.clone() }
}

/// Lower-case letters and digits joined by `-`: "Act now!" gives "act-now".
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Names of the files and folders in `folder`, for "did you mean".
fn folder_entries(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

/// Parses the built-in pack `name`, or `None` if there is no such pack.
pub fn builtin_pack(name: &str) -> Option<Result<Pack, PackError>> {
    Loader::default().builtin(name)
}

/// The built-in pack with a rule or category named `key`, for telling a user which
/// pack to load. Loads the built-in packs: call it when a name was not found.
pub fn builtin_pack_providing(key: &str) -> Option<&'static str> {
    builtin_pack_names().find(|name| {
        let pack = builtin_pack(name).and_then(Result::ok);
        pack.is_some_and(|pack| pack.rules.iter().any(|rule| rule.info.id == key || rule.info.category == key))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_kebab_case_ascii() {
        assert_eq!(slug("Act now!"), "act-now");
        assert_eq!(slug("  per our policy "), "per-our-policy");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn a_vocabulary_flag_becomes_a_rule_with_its_phrases_as_examples() {
        let text =
            "[pack]\nname = \"acme\"\n[[vocabulary.flag]]\nphrases = [\"act now\"]\nmessage = \"No rush.\"\nreplacement = \"when you are ready\"\n";
        let pack = Pack::from_sources("x", &[("acme.toml".into(), text.into())]).unwrap();
        let info = &pack.rules[0].info;
        assert_eq!((info.id.as_str(), info.category.as_str()), ("acme.act-now", "acme"));
        assert_eq!(info.examples.flag, ["act now"]);
        assert_eq!(info.suggestions[0].replacement, "when you are ready");
        assert_eq!(pack.rules[0].location.line, 3);
    }

    #[test]
    fn spec_types_are_known_to_the_key_suggestions() {
        assert!(super::super::keys::fields_of::<RuleSpec>().contains(&"override"));
    }
}
