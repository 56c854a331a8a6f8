//! Severities and the user's choices of which rules run and how loudly: a leaf that
//! rules, engine and config all use, so none of them depends on another for these.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How strongly a finding is reported. Ordered from least to most severe, so
/// `severity >= min` keeps what a threshold asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 4] = [Severity::Hint, Severity::Info, Severity::Warning, Severity::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (expected error, warning, info or hint)"))
    }
}

/// What a selection needs to know about a rule.
pub trait Selectable {
    /// `category.name`.
    fn id(&self) -> &str;
    fn category(&self) -> &str;
    /// The severity the pack gives it.
    fn severity(&self) -> Severity;
    /// Whether it runs when nobody enables it.
    fn enabled(&self) -> bool;
}

/// A rule's setting from the user: on or off, or on at a given severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    Off,
    On,
    At(Severity),
}

impl std::str::FromStr for Toggle {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "off" | "false" | "disable" | "disabled" => Ok(Toggle::Off),
            "on" | "true" | "enable" | "enabled" => Ok(Toggle::On),
            other => other.parse().map(Toggle::At).map_err(|_| format!("unknown setting `{s}` (expected off, on, error, warning, info or hint)")),
        }
    }
}

/// Settings keyed by rule id (`pressure.asap`) or category (`pressure`); a rule's own
/// setting wins over its category's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub toggles: HashMap<String, Toggle>,
    /// Findings below this are dropped.
    pub min_severity: Option<Severity>,
}

impl Selection {
    /// The severity `rule` runs at, or `None` when it is off.
    pub fn resolve(&self, rule: &impl Selectable) -> Option<Severity> {
        let toggle = self.toggles.get(rule.id()).or_else(|| self.toggles.get(rule.category()));
        let severity = match toggle {
            Some(Toggle::Off) => return None,
            Some(Toggle::At(severity)) => *severity,
            Some(Toggle::On) => rule.severity(),
            None if rule.enabled() => rule.severity(),
            None => return None,
        };
        (severity >= self.min_severity.unwrap_or(Severity::Hint)).then_some(severity)
    }

    /// Sets `key` (rule id or category), replacing an earlier setting for it.
    pub fn set(&mut self, key: impl Into<String>, toggle: Toggle) {
        self.toggles.insert(key.into(), toggle);
    }
}
