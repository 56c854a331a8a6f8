//! Which settings apply to a document, and the engine built from them.
//!
//! Layers, lowest first: the built-in defaults, the user config
//! (`$XDG_CONFIG_HOME/tactful/config.toml`), the workspace `.tactful.toml`, the
//! editor's settings. The workspace file of a document is the nearest `.tactful.toml`
//! in its folder or a parent, as for `tactful check`; without one, the file that
//! "disable in this workspace" creates is in the document's workspace folder (or, for
//! a document outside every workspace folder, in its own folder).
//!
//! Building a profile (reading packs, compiling the engine) happens on the checking
//! thread, once per workspace file and reload. The packs and the engine (hundreds of
//! megabytes of compiled patterns) are shared by every profile with the same packs and
//! rule settings, so documents in many folders cost one engine, not one each; and a
//! profile no open document uses is forgotten. A reload (a watched file changed, the
//! settings changed) bumps the generation; a profile of an older generation is rebuilt
//! when next asked for. When a build fails, the last good profile stays in force and
//! the failure is reported once.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use tactful::config::WORKSPACE_FILE;
use tactful::fsread;
use tactful::rules::{builtin_pack_names, BUILTIN_ORIGIN};
use tactful::{Config, Engine, Pack, PackError};

use super::settings::{self, Settings};

/// The workspace file a profile is for: `None` for documents outside every workspace.
pub type Key = Option<PathBuf>;

/// The settings in force for a group of documents and the rules they give.
#[derive(Debug)]
pub struct Profile {
    pub config: Config,
    pub rules: Arc<Rules>,
    pub debounce: Duration,
    /// Files whose change reloads the settings: config files and pack paths.
    pub watched: Vec<PathBuf>,
}

/// What a list of packs and rule settings gives, shared by the profiles that have the
/// same ones.
#[derive(Debug)]
pub struct Rules {
    pub engine: Engine,
    /// The packs it was built from (their rules are the engine's, shared).
    packs: Vec<Pack>,
}

/// Something wrong in a config or pack, with the file it is in when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub error: PackError,
    pub file: Option<PathBuf>,
    /// False for warnings (an unknown rule name), which do not stop the build.
    pub fatal: bool,
}

impl Problem {
    fn new(error: PackError, fatal: bool) -> Problem {
        let path = Path::new(&error.origin);
        let file = (path.is_absolute() && path.is_file()).then(|| path.to_path_buf());
        Problem { error, file, fatal }
    }
}

/// What the server must tell the user after a build.
#[derive(Debug, Default)]
pub struct Report {
    /// Messages not shown since the last reload.
    pub messages: Vec<Problem>,
    /// Files whose problem diagnostics changed: their problems now (empty: clear).
    pub files: Vec<(PathBuf, Vec<Problem>)>,
}

/// The settings of every workspace folder, cached profiles and reported problems.
#[derive(Debug, Default)]
pub struct Workspace {
    roots: Vec<PathBuf>,
    editor: Settings,
    /// Text of config files the server edited and the client may not have saved yet.
    overlays: HashMap<PathBuf, String>,
    /// Each key's profile and the generation it stands for.
    profiles: HashMap<Key, (u64, Arc<Profile>)>,
    /// The key of each document folder, until the next reload.
    keys: HashMap<PathBuf, Key>,
    generation: u64,
    /// Problems of the latest build of each key.
    problems: HashMap<Key, Vec<Problem>>,
    /// Problems already shown since the last reload, as displayed.
    shown: HashSet<String>,
    /// Rules built since the last reload, by what they were built from ([`recipe`]).
    rules: HashMap<String, Weak<Rules>>,
    files_with_problems: HashMap<PathBuf, Vec<Problem>>,
}

impl Workspace {
    /// Forgets every profile: the next check rebuilds from the files and settings.
    pub fn reload(&mut self) {
        self.generation += 1;
        self.keys.clear();
        self.shown.clear();
        self.rules.clear();
    }

    /// Forgets the profiles of keys no open document has (with their engines, unless
    /// another profile shares them).
    pub fn retain_profiles(&mut self, used: &HashSet<Key>) {
        self.profiles.retain(|key, _| used.contains(key));
    }

    /// Increases with every reload: results of an older one are outdated.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn editor(&self) -> &Settings {
        &self.editor
    }

    pub fn set_roots(&mut self, roots: Vec<PathBuf>) {
        self.roots = roots;
        self.reload();
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    pub fn set_editor(&mut self, editor: Settings) {
        self.editor = editor;
        self.reload();
    }

    /// The editor's settings as a config layer (no files read): for decisions that
    /// must be made before any profile is built.
    pub fn editor_debounce(&self) -> Duration {
        settings::debounce(&self.editor.layer(None))
    }

    /// Uses `text` for `file` until the file itself changes on disk.
    pub fn set_overlay(&mut self, file: PathBuf, text: String) {
        self.overlays.insert(file, text);
        self.reload();
    }

    /// A watched file changed on disk: it is the truth again.
    pub fn file_changed(&mut self, file: &Path) {
        self.overlays.remove(file);
        self.reload();
    }

    /// The current text of a config file: the overlay, else the disk, else nothing.
    pub fn config_text(&self, file: &Path) -> Option<String> {
        text_of(file, &self.overlays)
    }

    /// Every file a profile depends on.
    pub fn watched(&self) -> Vec<PathBuf> {
        let mut all: Vec<PathBuf> = self.profiles.values().flat_map(|(_, p)| p.watched.iter().cloned()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// The key of a document at `path` (or of an untitled one).
    pub fn key(&mut self, path: Option<&Path>) -> Key {
        let dir = match path.and_then(Path::parent) {
            Some(dir) => dir.to_path_buf(),
            None => return self.roots.first().map(|root| root.join(WORKSPACE_FILE)),
        };
        if let Some(key) = self.keys.get(&dir) {
            return key.clone();
        }
        let found = dir.ancestors().map(|ancestor| ancestor.join(WORKSPACE_FILE)).find(|file| self.overlays.contains_key(file) || file.is_file());
        let root = self.roots.iter().filter(|root| dir.starts_with(root)).max_by_key(|root| root.as_os_str().len());
        let key = Some(found.unwrap_or_else(|| root.unwrap_or(&dir).join(WORKSPACE_FILE)));
        self.keys.insert(dir, key.clone());
        key
    }
}

/// Where "disable rule / category" writes for a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisableTarget {
    /// The document's `.tactful.toml`: the nearest one, or the one its workspace folder
    /// would have.
    Workspace(PathBuf),
    /// The user config: the document has no workspace folder and no `.tactful.toml`
    /// above it (a mail client's draft in /tmp), so a file next to it would be
    /// forgotten and could change the settings of everything else in that folder.
    User(PathBuf),
}

impl Workspace {
    /// Where "disable" writes for the document at `path`; `None` when there is no
    /// workspace file and the environment names no place for a user config.
    pub fn disable_target(&mut self, path: Option<&Path>) -> Option<DisableTarget> {
        let file =
            self.key(path).filter(|file| self.overlays.contains_key(file) || file.is_file() || self.roots.iter().any(|root| file.starts_with(root)));
        match file {
            Some(file) => Some(DisableTarget::Workspace(file)),
            None => Config::user_file().map(DisableTarget::User),
        }
    }
}

/// The workspace behind its lock, and a second lock that lets one profile build at a
/// time (so a reload with many open documents builds each profile once).
#[derive(Debug, Default)]
pub struct Shared {
    state: Mutex<Workspace>,
    building: Mutex<()>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Workspace> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The profile for `key`, built if it is missing or stale. Blocking: call it from a
    /// blocking thread.
    pub fn profile(&self, key: &Key) -> (Arc<Profile>, Report) {
        if let Some(profile) = self.fresh(key) {
            return (profile, Report::default());
        }
        let _building = self.building.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(profile) = self.fresh(key) {
            return (profile, Report::default());
        }
        let (editor, overlays, generation, previous) = {
            let ws = self.lock();
            (ws.editor.clone(), ws.overlays.clone(), ws.generation, ws.profiles.get(key).map(|(_, p)| Arc::clone(p)))
        };
        let (profile, problems) = match self.build(key.as_deref(), &editor, &overlays, generation) {
            Ok((profile, warnings)) => (Arc::new(profile), warnings),
            Err((problem, mut watched)) => {
                // The last good rules (or the defaults), watching the files to fix as well.
                let last = previous.unwrap_or_else(|| Arc::new(self.defaults(generation)));
                watched.extend(last.watched.iter().cloned());
                let kept = Profile { config: last.config.clone(), rules: Arc::clone(&last.rules), debounce: last.debounce, watched };
                (Arc::new(kept), vec![problem])
            }
        };
        let mut ws = self.lock();
        if ws.generation == generation {
            ws.profiles.insert(key.clone(), (generation, Arc::clone(&profile)));
        }
        let report = ws.record(key, problems);
        (profile, report)
    }

    /// The layers for `key` and the rules they give; warnings are problems that did not
    /// stop the build. Every file read is watched: the config files (also those not
    /// written yet), the packs named by path and every file the loaded packs came from.
    fn build(
        &self,
        key: Option<&Path>,
        editor: &Settings,
        overlays: &HashMap<PathBuf, String>,
        generation: u64,
    ) -> Result<(Profile, Vec<Problem>), Failure> {
        let mut watched: Vec<PathBuf> = [Config::user_file(), key.map(Path::to_path_buf)].into_iter().flatten().collect();
        let fail = |error: PackError, watched: &[PathBuf]| (Problem::new(error, true), watched.to_vec());
        let mut config = Config::default();
        for file in watched.clone() {
            match read_layer(&file, overlays) {
                Ok(Some(layer)) => config = config.layered(layer),
                Ok(None) => {}
                Err(error) => return Err(fail(error, &watched)),
            }
        }
        config = config.layered(editor.layer(key.and_then(Path::parent)));
        watched.extend(pack_paths(&config));
        let rules = self.rules(&config, generation).map_err(|error| fail(error, &watched))?;
        let pack_files = rules.packs.iter().flat_map(|pack| &pack.files).filter(|file| !file.starts_with(BUILTIN_ORIGIN));
        watched.extend(pack_files.map(PathBuf::from).filter(|path| path.is_absolute()));
        let warnings = unknown_rule_names(&config, &rules.packs);
        Ok((Profile { debounce: settings::debounce(&config), config, rules, watched }, warnings))
    }

    /// The rules `config` gives: the ones built for the same packs and settings since
    /// the last reload, else new ones.
    fn rules(&self, config: &Config, generation: u64) -> Result<Arc<Rules>, PackError> {
        let recipe = recipe(config);
        if let Some(rules) = self.lock().rules.get(&recipe).and_then(Weak::upgrade) {
            return Ok(rules);
        }
        let packs = config.load_packs()?;
        let engine = Engine::new(&packs, &config.selection()).map_err(|err| PackError::whole_file("packs", err.to_string()))?;
        let rules = Arc::new(Rules { engine, packs });
        let mut ws = self.lock();
        if ws.generation == generation {
            ws.rules.retain(|_, rules| rules.strong_count() > 0);
            ws.rules.insert(recipe, Arc::downgrade(&rules));
        }
        Ok(rules)
    }

    /// Built-in packs only, default settings: what runs when nothing good was ever loaded.
    fn defaults(&self, generation: u64) -> Profile {
        let config = Config::default();
        let rules = self.rules(&config, generation).unwrap_or_else(|_| {
            let engine = Engine::new(&[], &config.selection()).expect("an engine without rules always builds");
            Arc::new(Rules { engine, packs: Vec::new() })
        });
        Profile { debounce: settings::debounce(&config), config, rules, watched: Vec::new() }
    }

    fn fresh(&self, key: &Key) -> Option<Arc<Profile>> {
        let ws = self.lock();
        ws.profiles.get(key).filter(|(generation, _)| *generation == ws.generation).map(|(_, p)| Arc::clone(p))
    }
}

impl Workspace {
    /// Remembers the problems of a build; says what to show and which file diagnostics
    /// changed.
    fn record(&mut self, key: &Key, problems: Vec<Problem>) -> Report {
        let messages: Vec<Problem> = problems.iter().filter(|p| self.shown.insert(p.error.to_string())).cloned().collect();
        self.problems.insert(key.clone(), problems);
        let mut by_file: HashMap<PathBuf, Vec<Problem>> = HashMap::new();
        for problem in self.problems.values().flatten() {
            if let Some(file) = &problem.file {
                let list = by_file.entry(file.clone()).or_default();
                if !list.contains(problem) {
                    list.push(problem.clone());
                }
            }
        }
        let mut files = Vec::new();
        for (file, old) in &self.files_with_problems {
            if by_file.get(file) != Some(old) {
                files.push((file.clone(), by_file.get(file).cloned().unwrap_or_default()));
            }
        }
        for (file, new) in &by_file {
            if !self.files_with_problems.contains_key(file) {
                files.push((file.clone(), new.clone()));
            }
        }
        self.files_with_problems = by_file;
        Report { messages, files }
    }
}

/// What a failed build leaves: the problem, and the files to watch for its fix.
type Failure = (Problem, Vec<PathBuf>);

/// A config file's layer, from the overlay or the disk; `None` when there is no file.
fn read_layer(file: &Path, overlays: &HashMap<PathBuf, String>) -> Result<Option<Config>, PackError> {
    let text = match overlays.get(file) {
        Some(text) => text.clone(),
        None => match fsread::read_text(file, fsread::CONFIG) {
            Ok(text) => text,
            Err(err) if err.is_not_found() => return Ok(None),
            Err(err) => return Err(PackError::whole_file(&file.display().to_string(), err.to_string())),
        },
    };
    let mut layer = Config::parse(&text, &file.display().to_string())?;
    layer.base_dir = file.parent().map(Path::to_path_buf);
    Ok(Some(layer))
}

/// A config file's text from the overlay or the disk, if it can be read.
fn text_of(file: &Path, overlays: &HashMap<PathBuf, String>) -> Option<String> {
    overlays.get(file).cloned().or_else(|| fsread::read_text(file, fsread::CONFIG).ok())
}

/// What decides a config's rules: its packs (and the folder relative ones are in) and
/// its rule settings.
fn recipe(config: &Config) -> String {
    format!("{:?} {:?} {:?} {:?}", config.packs, config.base_dir, config.rules, config.min_severity)
}

/// Paths of the packs a config names by path (not built-in, not git).
fn pack_paths(config: &Config) -> Vec<PathBuf> {
    let names = config.packs.as_deref().unwrap_or_default();
    let is_path = |name: &&String| !name.starts_with("git+") && !builtin_pack_names().any(|builtin| builtin == name.as_str());
    names.iter().filter(is_path).map(|name| tactful::config::pack_path(name, config.base_dir.as_deref())).collect()
}

/// A warning for each `rules` key that names no rule and no category of the packs, on
/// the config file where it is written (the editor's settings have no file).
fn unknown_rule_names(config: &Config, packs: &[Pack]) -> Vec<Problem> {
    let problem = |(_, place, message): (String, Option<tactful::rules::Location>, String)| {
        let error = match place {
            Some(place) => PackError::at_location(&place, message),
            None => PackError::whole_file("settings", message),
        };
        Problem::new(error, false)
    };
    config.unknown_rule_names(packs).into_iter().map(problem).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tactful-lsp-ws-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        dir
    }

    #[test]
    fn the_nearest_workspace_file_else_the_roots() {
        let root = temp("key");
        let mut ws = Workspace::default();
        ws.set_roots(vec![root.clone()]);
        let draft = root.join("a/b/draft.eml");
        assert_eq!(ws.key(Some(&draft)), Some(root.join(WORKSPACE_FILE)));
        std::fs::write(root.join("a").join(WORKSPACE_FILE), "").unwrap();
        ws.reload();
        assert_eq!(ws.key(Some(&draft)), Some(root.join("a").join(WORKSPACE_FILE)));
        // Outside every root and every workspace file: the document's own folder.
        let elsewhere = std::env::temp_dir().join("elsewhere");
        let expected = Config::find_workspace_file(&elsewhere).unwrap_or_else(|| elsewhere.join(WORKSPACE_FILE));
        assert_eq!(ws.key(Some(&elsewhere.join("x.eml"))), Some(expected));
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn a_broken_file_keeps_the_last_good_profile() {
        let root = temp("broken");
        let file = root.join(WORKSPACE_FILE);
        std::fs::write(&file, "[rules]\n\"pressure.asap\" = \"off\"\n").unwrap();
        let shared = Shared::default();
        shared.lock().set_roots(vec![root.clone()]);
        let key = Some(file.clone());
        let (good, report) = shared.profile(&key);
        assert!(report.messages.is_empty(), "{report:?}");
        assert_eq!(good.config.rules.get("pressure.asap").map(String::as_str), Some("off"));

        std::fs::write(&file, "[rules\n").unwrap();
        shared.lock().file_changed(&file);
        let (kept, report) = shared.profile(&key);
        assert_eq!(kept.config.rules.get("pressure.asap").map(String::as_str), Some("off"));
        assert_eq!(report.messages.len(), 1);
        assert_eq!(report.messages[0].error.line, 1);
        assert_eq!(report.files, vec![(file.clone(), report.messages.clone())]);
        assert!(kept.watched.contains(&file), "the broken file is watched for its fix");
        // Asked again in the same generation: nothing new to say.
        assert!(shared.profile(&key).1.messages.is_empty());

        std::fs::write(&file, "").unwrap();
        shared.lock().file_changed(&file);
        let (_, report) = shared.profile(&key);
        assert_eq!(report.files, vec![(file, Vec::new())], "the file's diagnostic is cleared");
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn folders_with_the_same_settings_share_their_rules_and_unused_profiles_go() {
        let root = temp("share");
        let shared = Shared::default();
        let (a, b) = (Some(root.join("a").join(WORKSPACE_FILE)), Some(root.join("a/b").join(WORKSPACE_FILE)));
        let (first, second) = (shared.profile(&a).0, shared.profile(&b).0);
        assert!(Arc::ptr_eq(&first.rules, &second.rules), "one engine for both folders");
        std::fs::write(root.join("a").join(WORKSPACE_FILE), "[rules]\n\"pressure\" = \"off\"\n").unwrap();
        shared.lock().file_changed(&root.join("a").join(WORKSPACE_FILE));
        assert!(!Arc::ptr_eq(&shared.profile(&a).0.rules, &shared.profile(&b).0.rules), "other settings, other rules");
        shared.lock().retain_profiles(&HashSet::from([b.clone()]));
        assert!(!shared.lock().profiles.contains_key(&a) && shared.lock().profiles.contains_key(&b));
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn overlays_win_until_the_file_changes() {
        let root = temp("overlay");
        let file = root.join(WORKSPACE_FILE);
        let shared = Shared::default();
        shared.lock().set_overlay(file.clone(), "min_severity = \"error\"\n".into());
        let key = Some(file.clone());
        assert_eq!(shared.profile(&key).0.config.min_severity, Some(tactful::Severity::Error));
        shared.lock().file_changed(&file);
        assert_eq!(shared.profile(&key).0.config.min_severity, None);
        let _ = std::fs::remove_dir_all(root);
    }
}
