//! Which rules run and how loudly: the user's choices, resolved per rule.

use std::collections::HashMap;

use crate::finding::Severity;
use crate::rules::RuleInfo;

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
    pub fn resolve(&self, rule: &RuleInfo) -> Option<Severity> {
        let toggle = self.toggles.get(&rule.id).or_else(|| self.toggles.get(&rule.category));
        let severity = match toggle {
            Some(Toggle::Off) => return None,
            Some(Toggle::At(severity)) => *severity,
            Some(Toggle::On) => rule.severity,
            None if rule.enabled => rule.severity,
            None => return None,
        };
        (severity >= self.min_severity.unwrap_or(Severity::Hint)).then_some(severity)
    }

    /// Sets `key` (rule id or category), replacing an earlier setting for it.
    pub fn set(&mut self, key: impl Into<String>, toggle: Toggle) {
        self.toggles.insert(key.into(), toggle);
    }
}
