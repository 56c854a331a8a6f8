//! User settings: which packs, which rules, how loud. Read from `.tactful.toml`
//! (workspace), `$XDG_CONFIG_HOME/tactful/config.toml` (user), the command line or the
//! editor, and layered: a higher layer's value replaces a lower one's, and rule
//! settings are merged key by key.
//!
//! A `packs` entry is a built-in name, a path, or a git pack (`{ git = "URL", rev =
//! "v1.2" }`, kept as the string `git+URL#v1.2` so the list stays a list of strings).
//! Loading a git pack reads the cache `tactful pack sync` fills; it never fetches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::fsread;
use crate::rules::git::{Checkout, GitEntry, GitPack, GIT_PREFIX};
use crate::rules::keys::{did_you_mean, fields_of, suggestion_suffix, TOP_LEVEL_SETTINGS};
use crate::rules::place;
use crate::rules::{builtin_pack, builtin_pack_names, builtin_pack_providing, layered_rules, Loader, Location, Pack, PackError, DEFAULT_PACK};
use crate::selection::{Selection, Severity, Toggle};

/// The name of the workspace config file.
pub const WORKSPACE_FILE: &str = ".tactful.toml";

/// One layer of settings, as written in a config file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Packs to load, in order: built-in names ("default"), paths to a pack file or
    /// directory (relative to the config file), or git packs (`git+URL#REV[:PATH]`,
    /// written `{ git = "URL", rev = "REV", path = "PATH" }`). Replaces the lower
    /// layer's list.
    #[serde(default, deserialize_with = "pack_entries")]
    pub packs: Option<Vec<String>>,
    /// Rule ids or categories mapped to "off", "on" or a severity.
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
    pub min_severity: Option<Severity>,
    /// Delay after the last keystroke before the server checks, in milliseconds.
    pub debounce_ms: Option<u64>,
    /// Language ids the server checks.
    pub languages: Option<Vec<String>>,
    /// Where relative pack paths start; the config file's folder. Not read from TOML.
    #[serde(skip)]
    pub base_dir: Option<PathBuf>,
    /// Where each `packs` entry is written, so a pack that cannot be found is reported
    /// at its line. Filled by [`Config::parse`]; not read from TOML.
    #[serde(skip)]
    pub pack_places: BTreeMap<String, Location>,
    /// Where each `rules` key is written, so a name that matches no rule is reported at
    /// its line. Filled by [`Config::parse`]; not read from TOML.
    #[serde(skip)]
    pub rule_places: BTreeMap<String, Location>,
}

impl Config {
    /// Parses a config file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, PackError> {
        let tables = [("the config", fields_of::<Config>())];
        let mut config: Config = toml::from_str(text).map_err(|err| PackError::from_toml_with(origin, text, &err, &tables))?;
        let rule_keys = place::key_spans(text, &["rules"]);
        for (key, value) in &config.rules {
            let (key_at, value_at) = rule_keys.iter().find(|(name, ..)| name == key).map_or((0, 0), |(_, key, value)| (key.start, value.start));
            if let Err(problem) = value.parse::<Toggle>() {
                let close = suggestion_suffix(value, ["off", "on", "error", "warning", "info", "hint"]);
                return Err(PackError::at(origin, text, value_at, format!("rules.{key}: {problem}{close}")));
            }
            config.rule_places.insert(key.clone(), Location::at(origin, text, key_at));
        }
        let packs_start = text.find("packs").unwrap_or(0);
        for entry in config.packs.iter().flatten() {
            let needle = match GitPack::parse(entry) {
                Some(Ok(git)) => git.url,
                _ => format!("\"{entry}\""),
            };
            if let Some(at) = text[packs_start..].find(&needle) {
                config.pack_places.insert(entry.clone(), Location::at(origin, text, packs_start + at));
            }
        }
        Ok(config)
    }

    /// Reads a config file (a regular file of at most [`fsread::CONFIG`] bytes);
    /// relative pack paths resolve against its folder.
    pub fn load(path: &Path) -> Result<Config, PackError> {
        let origin = path.display().to_string();
        let text = fsread::read_text(path, fsread::CONFIG).map_err(|err| PackError::whole_file(&origin, err.to_string()))?;
        let mut config = Config::parse(&text, &origin)?;
        config.base_dir = path.parent().map(Path::to_path_buf);
        Ok(config)
    }

    /// `self` with `higher` laid over it.
    pub fn layered(mut self, higher: Config) -> Config {
        if higher.packs.is_some() {
            self.packs = higher.packs;
            self.base_dir = higher.base_dir;
            self.pack_places = higher.pack_places;
        }
        self.rules.extend(higher.rules);
        self.rule_places.extend(higher.rule_places);
        self.min_severity = higher.min_severity.or(self.min_severity);
        self.debounce_ms = higher.debounce_ms.or(self.debounce_ms);
        self.languages = higher.languages.or(self.languages);
        self
    }

    /// The user config file, if the environment names a place for it.
    pub fn user_file() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
        Some(base.join("tactful").join("config.toml"))
    }

    /// The nearest `.tactful.toml` in `dir` or its ancestors.
    pub fn find_workspace_file(dir: &Path) -> Option<PathBuf> {
        dir.ancestors().map(|d| d.join(WORKSPACE_FILE)).find(|p| p.is_file())
    }

    /// User config then the nearest workspace config for `dir`, over the defaults.
    pub fn discover(dir: &Path) -> Result<Config, PackError> {
        let mut config = Config::default();
        for file in [Config::user_file(), Config::find_workspace_file(dir)].into_iter().flatten() {
            if file.is_file() {
                config = config.layered(Config::load(&file)?);
            }
        }
        Ok(config)
    }

    /// Which rules run, at what severity.
    pub fn selection(&self) -> Selection {
        let mut selection = Selection { min_severity: self.min_severity, ..Selection::default() };
        for (key, value) in &self.rules {
            if let Ok(toggle) = value.parse() {
                selection.set(key.clone(), toggle);
            }
        }
        selection
    }

    /// Loads the configured packs (the default pack when none are named), and checks
    /// that a rule repeating an earlier pack's id says `override = true`. The packs
    /// share one compile budget ([`crate::rules::MAX_PATTERNS`]).
    pub fn load_packs(&self) -> Result<Vec<Pack>, PackError> {
        let names = self.packs.clone().unwrap_or_else(|| vec![DEFAULT_PACK.to_owned()]);
        let mut loader = Loader::default();
        let packs = names.iter().map(|name| self.load_entry(name, &mut loader)).collect::<Result<Vec<_>, _>>()?;
        layered_rules(&packs)?;
        Ok(packs)
    }

    /// Each `rules` key that names no rule and no category of `packs`: the key, where it
    /// is written (`None`: not in a file) and what to say about it, which names the
    /// built-in pack that has it or the closest name.
    pub fn unknown_rule_names(&self, packs: &[Pack]) -> Vec<(String, Option<Location>, String)> {
        let infos = || packs.iter().flat_map(|pack| &pack.rules).map(|rule| &rule.info);
        let names: Vec<&str> = infos().flat_map(|info| [info.id.as_str(), info.category.as_str()]).collect();
        self.rules
            .keys()
            .filter(|key| !names.contains(&key.as_str()))
            .map(|key| {
                let mut message = format!("no rule or category named `{key}` in the loaded packs");
                if TOP_LEVEL_SETTINGS.contains(&key.as_str()) {
                    message.push_str(&format!("; `{key}` is a setting of its own: write it above `[rules]`"));
                    return (key.clone(), self.rule_places.get(key).cloned(), message);
                }
                match builtin_pack_providing(key) {
                    Some(pack) => message.push_str(&format!("; it is in the built-in pack `{pack}`: add \"{pack}\" to `packs`")),
                    None => match did_you_mean(key, names.iter().copied()) {
                        Some(close) => message.push_str(&format!(" (did you mean `{close}`?)")),
                        None => message.push_str(" (see `tactful rules`)"),
                    },
                }
                (key.clone(), self.rule_places.get(key).cloned(), message)
            })
            .collect()
    }

    /// The git packs this layer names, for `tactful pack sync`.
    pub fn git_packs(&self) -> Vec<GitPack> {
        let entries = self.packs.iter().flatten();
        entries.filter_map(|entry| GitPack::parse(entry)).filter_map(Result::ok).collect()
    }

    /// One entry; a pack that cannot be found is reported at its line in the config.
    fn load_entry(&self, name: &str, loader: &mut Loader) -> Result<Pack, PackError> {
        match resolve(name, self.base_dir.as_deref()) {
            Ok(source) => source.load(loader),
            Err(message) => Err(self.entry_error(name, message)),
        }
    }

    fn entry_error(&self, name: &str, message: String) -> PackError {
        match self.pack_places.get(name) {
            Some(place) => PackError::at_location(place, message),
            None => PackError::whole_file(name, message),
        }
    }
}

/// Where a pack entry is found.
enum Source {
    Builtin(Result<Pack, PackError>),
    Path(PathBuf),
    /// A synced git pack, which must stay inside its checkout.
    Git(Checkout),
}

impl Source {
    fn load(self, loader: &mut Loader) -> Result<Pack, PackError> {
        match self {
            Source::Builtin(pack) => pack,
            Source::Path(path) => loader.path(&path),
            Source::Git(checkout) => loader.path_inside(&checkout.pack, checkout.within()),
        }
    }
}

/// A built-in pack, a synced git pack or a path relative to `base_dir`; no network.
fn resolve(name: &str, base_dir: Option<&Path>) -> Result<Source, String> {
    if let Some(pack) = builtin_pack(name) {
        return Ok(Source::Builtin(pack));
    }
    if let Some(git) = GitPack::parse(name) {
        return git?.synced().map(Source::Git);
    }
    let path = pack_path(name, base_dir);
    if !path.exists() {
        let builtins = builtin_pack_names().collect::<Vec<_>>().join(", ");
        let close = suggestion_suffix(name, builtin_pack_names());
        return Err(format!("no such pack `{name}`: not a built-in pack ({builtins}) nor an existing file or directory{close}"));
    }
    Ok(Source::Path(path))
}

/// The path a `packs` entry names: relative to `base_dir` (the config file's folder)
/// unless absolute, without `.` parts (`/team/./acme` is shown as `/team/acme`).
pub fn pack_path(name: &str, base_dir: Option<&Path>) -> PathBuf {
    let path = Path::new(name);
    let joined = match base_dir {
        Some(base) if path.is_relative() => base.join(path),
        _ => path.to_path_buf(),
    };
    joined.components().filter(|part| *part != std::path::Component::CurDir).collect()
}

/// A pack by built-in name, synced git pack (`git+URL#REV`), or path relative to `base_dir`.
pub fn load_pack(name: &str, base_dir: Option<&Path>) -> Result<Pack, PackError> {
    match resolve(name, base_dir) {
        Ok(source) => source.load(&mut Loader::default()),
        Err(message) => Err(PackError::whole_file(name, message)),
    }
}

/// `packs = ["default", "./team", { git = "...", rev = "v1" }]`: every entry as a string.
fn pack_entries<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Vec<String>>, D::Error> {
    struct Entry(String);

    impl<'de> Deserialize<'de> for Entry {
        fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Entry, D::Error> {
            de.deserialize_any(EntryVisitor)
        }
    }

    struct EntryVisitor;

    impl<'de> Visitor<'de> for EntryVisitor {
        type Value = Entry;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a pack name or path, or a table { git = \"URL\", rev = \"REF\" }")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Entry, E> {
            if value.starts_with(GIT_PREFIX) {
                GitPack::parse(value).expect("git prefix").map_err(E::custom)?;
            }
            Ok(Entry(value.to_owned()))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
            let entry = GitEntry::deserialize(de::value::MapAccessDeserializer::new(map))?;
            GitPack::new(entry).map(|git| Entry(git.to_entry())).map_err(de::Error::custom)
        }
    }

    let entries = Option::<Vec<Entry>>::deserialize(de)?;
    Ok(entries.map(|list| list.into_iter().map(|Entry(name)| name).collect()))
}
