//! Rules stacked from several packs: a later rule with an id already taken replaces the
//! earlier one only when it says so (`override = true`); anything else is an error,
//! because a silent replacement hides a team's rule behind another with the same name.

use std::sync::Arc;

use super::{Pack, PackError, Rule};

/// Rules in load order, one per id.
#[derive(Debug, Default)]
pub(super) struct Layers {
    pub rules: Vec<Arc<Rule>>,
}

impl Layers {
    pub fn position(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|rule| rule.info.id == id)
    }

    /// Adds a rule loaded after the ones already here. The same written rule met again
    /// (a pack listed and also extended, or extended by two packs) is kept once, and an
    /// unchanged copy does not undo a pack's `[pack.rules]` change to it.
    pub fn add(&mut self, rule: Arc<Rule>) -> Result<(), PackError> {
        match self.position(&rule.info.id) {
            Some(index) if self.rules[index].location == rule.location && !rule.replaces => Ok(()),
            Some(index) if rule.replaces => {
                self.rules[index] = rule;
                Ok(())
            }
            Some(index) => Err(already_defined(&rule, &self.rules[index])),
            None => {
                self.rules.push(rule);
                Ok(())
            }
        }
    }
}

/// "rule `x` is already defined by pack `p` (file:line:col); ...", placed at `rule`.
pub(super) fn already_defined(rule: &Rule, earlier: &Rule) -> PackError {
    PackError::at_location(
        &rule.location,
        format!(
            "rule `{}` is already defined by pack `{}` ({}); add `override = true` to this rule to replace it, or give it another id",
            rule.info.id, earlier.info.pack, earlier.location
        ),
    )
}

/// The rules of packs loaded together, in order, as a config lists them, one per id: a
/// rule whose id an earlier pack already uses must have `override = true`, and a rule
/// met twice (two listed packs extend the same one) counts once.
pub fn layered_rules(packs: &[Pack]) -> Result<Vec<Arc<Rule>>, PackError> {
    let mut layers = Layers::default();
    for rule in packs.iter().flat_map(|pack| &pack.rules) {
        layers.add(Arc::clone(rule))?;
    }
    Ok(layers.rules)
}
