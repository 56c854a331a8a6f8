//! User settings: which packs, which rules, how loud. Read from `.tactful.toml`
//! (workspace), `$XDG_CONFIG_HOME/tactful/config.toml` (user), the command line or the
//! editor, and layered: a higher layer's value replaces a lower one's, and rule
//! settings are merged key by key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::engine::{Selection, Toggle};
use crate::finding::Severity;
use crate::rules::{builtin_pack, Pack, PackError, DEFAULT_PACK};

/// The name of the workspace config file.
pub const WORKSPACE_FILE: &str = ".tactful.toml";

/// One layer of settings, as written in a config file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Packs to load, in order: built-in names ("default") or paths to a pack file or
    /// directory, relative to the config file. Replaces the lower layer's list.
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
}

impl Config {
    /// Parses a config file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, PackError> {
        let config: Config = toml::from_str(text).map_err(|err| PackError::from_toml(origin, text, &err))?;
        for (key, value) in &config.rules {
            if let Err(problem) = value.parse::<Toggle>() {
                let offset = text.find(&format!("\"{value}\"")).or_else(|| text.find(key.as_str())).unwrap_or(0);
                return Err(PackError::at(origin, text, offset, format!("rules.{key}: {problem}")));
            }
        }
        Ok(config)
    }

    /// Reads a config file; relative pack paths resolve against its folder.
    pub fn load(path: &Path) -> Result<Config, PackError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|err| PackError::whole_file(&origin, format!("cannot read config: {err}")))?;
        let mut config = Config::parse(&text, &origin)?;
        config.base_dir = path.parent().map(Path::to_path_buf);
        Ok(config)
    }

    /// `self` with `higher` laid over it.
    pub fn layered(mut self, higher: Config) -> Config {
        if higher.packs.is_some() {
            self.packs = higher.packs;
            self.base_dir = higher.base_dir;
        }
        self.rules.extend(higher.rules);
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

    /// Loads the configured packs (the default pack when none are named).
    pub fn load_packs(&self) -> Result<Vec<Pack>, PackError> {
        let names = self.packs.clone().unwrap_or_else(|| vec![DEFAULT_PACK.to_owned()]);
        names.iter().map(|name| load_pack(name, self.base_dir.as_deref())).collect()
    }
}

/// A pack by built-in name, or by path relative to `base_dir`.
pub fn load_pack(name: &str, base_dir: Option<&Path>) -> Result<Pack, PackError> {
    if let Some(pack) = builtin_pack(name) {
        return pack;
    }
    let path = Path::new(name);
    let path = match base_dir {
        Some(base) if path.is_relative() => base.join(path),
        _ => path.to_path_buf(),
    };
    if !path.exists() {
        let builtins = crate::rules::builtin_pack_names().collect::<Vec<_>>().join(", ");
        return Err(PackError::whole_file(name, format!("no such pack: not a built-in pack ({builtins}) nor an existing file or directory")));
    }
    Pack::load(&path)
}
