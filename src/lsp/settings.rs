//! The editor's settings: the "tactful" section in camelCase JSON, as strict as a
//! config file (unknown keys are an error), turned into one [`Config`] layer.
//!
//! They arrive as `initializationOptions`, as the answer to `workspace/configuration`
//! for the section "tactful", or inside `workspace/didChangeConfiguration` (either as
//! `{ "tactful": { ... } }` or as the section itself). An empty Lua table arrives as
//! `[]`, so an empty list stands for an empty object.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use tactful::{Config, Severity, Toggle};

/// The section name for `workspace/configuration` and `didChangeConfiguration`.
pub const SECTION: &str = "tactful";

/// Delay before checking when nothing sets `debounceMs`.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// The largest `debounceMs` accepted.
pub const MAX_DEBOUNCE_MS: u64 = 10_000;

/// Which documents are checked when nothing sets `languages`: language ids, and file
/// names by suffix for entries starting with `*`.
pub const DEFAULT_LANGUAGES: &[&str] = &["mail", "plaintext", "markdown", "text", "gitcommit", "*.eml"];

/// The "tactful" settings section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Built-in pack names or pack paths (relative to the workspace folder).
    pub packs: Option<Vec<String>>,
    /// Rule id or category -> "off", "on", "error", "warning", "info" or "hint".
    pub rules: BTreeMap<String, String>,
    pub min_severity: Option<Severity>,
    pub debounce_ms: Option<u64>,
    /// Language ids, and `*.ext` file name patterns.
    pub languages: Option<Vec<String>>,
}

/// Every key of the section.
pub const KEYS: [&str; 5] = ["packs", "rules", "minSeverity", "debounceMs", "languages"];

impl Settings {
    /// Reads the section; `null` and `[]` are no settings. Errors name the key.
    pub fn from_value(value: &Value) -> Result<Settings, String> {
        let empty = serde_json::Map::new();
        let map = match value {
            Value::Null => &empty,
            Value::Array(items) if items.is_empty() => &empty,
            Value::Object(map) => map,
            other => return Err(format!("editor settings ({SECTION}) must be an object, not {other}")),
        };
        if let Some(unknown) = map.keys().find(|key| !KEYS.contains(&key.as_str())) {
            return Err(format!("editor settings ({SECTION}): unknown key `{unknown}` (expected one of {})", KEYS.join(", ")));
        }
        let settings = Settings {
            packs: field(map, "packs")?,
            rules: field::<MapOrList>(map, "rules")?
                .map(MapOrList::into_map)
                .transpose()
                .map_err(|e| format!("editor settings ({SECTION}): rules: {e}"))?
                .unwrap_or_default(),
            min_severity: field(map, "minSeverity")?,
            debounce_ms: field(map, "debounceMs")?,
            languages: field(map, "languages")?,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// The section inside a `didChangeConfiguration` payload, or `None` when the payload
    /// carries nothing for us (the server then asks with `workspace/configuration`).
    pub fn from_change(value: &Value) -> Option<Result<Settings, String>> {
        match value {
            Value::Object(map) if map.contains_key(SECTION) => Some(Settings::from_value(&map[SECTION])),
            // The section itself, sent bare.
            Value::Object(map) if !map.is_empty() && map.keys().all(|key| KEYS.contains(&key.as_str())) => Some(Settings::from_value(value)),
            _ => None,
        }
    }

    fn validate(&self) -> Result<(), String> {
        for (key, value) in &self.rules {
            value.parse::<Toggle>().map_err(|problem| format!("editor settings ({SECTION}): rules.{key}: {problem}"))?;
        }
        if let Some(ms) = self.debounce_ms.filter(|ms| *ms > MAX_DEBOUNCE_MS) {
            return Err(format!("editor settings ({SECTION}): debounceMs is {ms}; at most {MAX_DEBOUNCE_MS} is allowed"));
        }
        Ok(())
    }

    /// The settings as a config layer; relative pack paths resolve against `base_dir`.
    pub fn layer(&self, base_dir: Option<&Path>) -> Config {
        Config {
            packs: self.packs.clone(),
            rules: self.rules.clone(),
            min_severity: self.min_severity,
            debounce_ms: self.debounce_ms,
            languages: self.languages.clone(),
            base_dir: self.packs.as_ref().and(base_dir.map(Path::to_path_buf)),
            ..Config::default()
        }
    }
}

/// The debounce a layered config asks for.
pub fn debounce(config: &Config) -> Duration {
    config.debounce_ms.map_or(DEFAULT_DEBOUNCE, |ms| Duration::from_millis(ms.min(MAX_DEBOUNCE_MS)))
}

/// Whether a document with this language id and URI path is checked under `config`.
pub fn accepts(config: &Config, language_id: &str, uri_path: &str) -> bool {
    let name = uri_path.rsplit('/').next().unwrap_or(uri_path);
    let matches = |entry: &str| match entry.strip_prefix('*') {
        Some("") => true,
        Some(suffix) => name.len().checked_sub(suffix.len()).and_then(|at| name.get(at..)).is_some_and(|tail| tail.eq_ignore_ascii_case(suffix)),
        None => entry == language_id,
    };
    match &config.languages {
        Some(list) => list.iter().any(|entry| matches(entry)),
        None => DEFAULT_LANGUAGES.iter().any(|entry| matches(entry)),
    }
}

/// One key of the section; `null` is no value.
fn field<T: DeserializeOwned>(map: &serde_json::Map<String, Value>, key: &str) -> Result<Option<T>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => T::deserialize(value).map(Some).map_err(|err| format!("editor settings ({SECTION}): {key}: {err}")),
    }
}

/// `rules` as an object, or an empty list (an empty Lua table).
#[derive(Deserialize)]
#[serde(untagged)]
enum MapOrList {
    Map(BTreeMap<String, String>),
    List(Vec<Value>),
}

impl MapOrList {
    fn into_map(self) -> Result<BTreeMap<String, String>, String> {
        match self {
            MapOrList::Map(map) => Ok(map),
            MapOrList::List(list) if list.is_empty() => Ok(BTreeMap::new()),
            MapOrList::List(_) => Err("must map a rule id or category to off, on or a severity".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_key_in_camel_case() {
        let s = Settings::from_value(&json!({
            "packs": ["default", "team/pack.toml"],
            "rules": { "pressure.asap": "off", "shouting": "hint" },
            "minSeverity": "info",
            "debounceMs": 0,
            "languages": ["mail", "*.txt"]
        }))
        .unwrap();
        let config = s.layer(Some(Path::new("/ws")));
        assert_eq!(config.packs.as_deref(), Some(&["default".to_owned(), "team/pack.toml".to_owned()][..]));
        assert_eq!(config.base_dir.as_deref(), Some(Path::new("/ws")));
        assert_eq!(config.min_severity, Some(Severity::Info));
        assert_eq!(debounce(&config), Duration::ZERO);
        assert!(accepts(&config, "plaintext", "/x/notes.TXT"));
        assert!(!accepts(&config, "plaintext", "/x/notes.md"));
        assert_eq!(config.selection().toggles.len(), 2);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        assert!(Settings::from_value(&json!({ "minseverity": "info" })).unwrap_err().contains("unknown key `minseverity`"));
        assert!(Settings::from_value(&json!({ "minSeverity": "loud" })).unwrap_err().contains("minSeverity: unknown variant"));
        assert!(Settings::from_value(&json!({ "packs": "default" })).unwrap_err().contains("packs:"));
        assert!(Settings::from_value(&json!(3)).is_err());
        assert!(Settings::from_value(&json!({ "rules": { "pressure": "loud" } })).unwrap_err().contains("rules.pressure"));
        assert!(Settings::from_value(&json!({ "minSeverity": "severe" })).is_err());
        assert!(Settings::from_value(&json!({ "debounceMs": 60_000 })).is_err());
        assert!(Settings::from_value(&json!({ "rules": ["x"] })).is_err());
    }

    #[test]
    fn empty_lua_tables_and_nulls() {
        assert_eq!(Settings::from_value(&json!([])).unwrap(), Settings::default());
        assert_eq!(Settings::from_value(&json!(null)).unwrap(), Settings::default());
        assert_eq!(Settings::from_value(&json!({ "rules": [], "packs": null })).unwrap(), Settings::default());
    }

    #[test]
    fn change_payloads() {
        let wrapped = Settings::from_change(&json!({ "tactful": { "minSeverity": "error" } })).unwrap().unwrap();
        assert_eq!(wrapped.min_severity, Some(Severity::Error));
        let bare = Settings::from_change(&json!({ "minSeverity": "hint" })).unwrap().unwrap();
        assert_eq!(bare.min_severity, Some(Severity::Hint));
        assert!(Settings::from_change(&json!({})).is_none());
        assert!(Settings::from_change(&json!({ "otherServer": { "x": 1 } })).is_none());
        assert!(Settings::from_change(&json!(null)).is_none());
    }

    #[test]
    fn default_documents() {
        let config = Config::default();
        for language in ["mail", "plaintext", "markdown", "text", "gitcommit"] {
            assert!(accepts(&config, language, "/d/x"));
        }
        assert!(accepts(&config, "unknown", "/d/message.eml"));
        assert!(!accepts(&config, "rust", "/d/main.rs"));
    }
}
