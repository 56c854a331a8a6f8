//! The command-line front end: options, reports and exit codes over the library.

pub mod check;
pub mod guard;
pub mod held;
pub mod init;
mod ordered;
pub mod pack;
mod report;
pub mod rules;
pub mod signals;
pub mod thunderbird;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use tactful::{Config, Engine, Pack, Severity, Toggle};

/// Exit status when findings reach the threshold.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status for errors: unreadable input, a bad pack or config.
pub const EXIT_ERROR: u8 = 2;

/// Options that choose the rules, shared by the commands that run or list them.
#[derive(Args, Debug, Clone, Default)]
pub struct RuleOptions {
    /// Only report findings at or above this severity (error, warning, info, hint).
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// Turn off a rule or a whole category (repeatable).
    #[arg(long, value_name = "RULE_OR_CATEGORY")]
    pub disable: Vec<String>,
    /// Turn on a rule or category that is off by default (repeatable).
    #[arg(long, value_name = "RULE_OR_CATEGORY")]
    pub enable: Vec<String>,
    /// Load this pack (file or directory, or a built-in name) after the configured ones.
    #[arg(long = "pack", value_name = "PACK")]
    pub packs: Vec<String>,
    /// Use this config file instead of the user and workspace ones.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore config files: built-in defaults and the options given here only.
    #[arg(long)]
    pub no_config: bool,
}

impl RuleOptions {
    /// The layered config for checking files under `dir`, with these options on top.
    pub fn config(&self, dir: &Path) -> anyhow::Result<Config> {
        let mut config = match (&self.config, self.no_config) {
            (Some(file), _) => Config::load(file)?,
            (None, true) => Config::default(),
            (None, false) => Config::discover(dir)?,
        };
        for (keys, toggle) in [(&self.enable, Toggle::On), (&self.disable, Toggle::Off)] {
            for key in keys {
                config.rules.insert(key.clone(), toggle_name(toggle).to_owned());
                config.rule_places.remove(key);
            }
        }
        if let Some(min) = self.min_severity {
            config.min_severity = Some(min);
        }
        Ok(config)
    }

    /// The packs `config` names, plus the ones given with `--pack`, plus the built-in
    /// pack of a rule or category that `--enable` names and no loaded pack has
    /// (`--enable undermining` loads the optional pack `undermining`).
    pub fn packs(&self, config: &Config) -> anyhow::Result<Vec<Pack>> {
        let mut packs = config.load_packs()?;
        for name in &self.packs {
            packs.push(tactful::config::load_pack(name, None)?);
        }
        for key in &self.enable {
            let has = |packs: &[Pack]| packs.iter().flat_map(|p| &p.rules).any(|r| &r.info.id == key || &r.info.category == key);
            if let Some(name) = tactful::rules::builtin_pack_providing(key).filter(|_| !has(&packs)) {
                eprintln!("note: loading the built-in pack `{name}` for `--enable {key}`");
                packs.push(tactful::config::load_pack(name, None)?);
            }
        }
        tactful::rules::layered_rules(&packs)?;
        Ok(packs)
    }

    /// The engine for files under `dir`; unknown rule or category names are an error,
    /// since a typo in `--disable` would otherwise silently disable nothing.
    pub fn engine(&self, dir: &Path) -> anyhow::Result<Engine> {
        let config = self.config(dir)?;
        let packs = self.packs(&config)?;
        check_known_names(&config, &packs)?;
        Engine::new(&packs, &config.selection()).context("building the rule engine")
    }
}

fn toggle_name(toggle: Toggle) -> &'static str {
    match toggle {
        Toggle::On => "on",
        _ => "off",
    }
}

/// An unknown name in `rules` is an error at its place in the config file, or named
/// with its option when it came from the command line.
fn check_known_names(config: &Config, packs: &[Pack]) -> anyhow::Result<()> {
    match config.unknown_rule_names(packs).into_iter().next() {
        Some((_, Some(place), message)) => anyhow::bail!("{place}: {message}"),
        Some((key, None, message)) => {
            let option = if config.rules.get(&key).is_some_and(|value| value == "on") { "--enable" } else { "--disable" };
            anyhow::bail!("{option} {key}: {message}")
        }
        None => Ok(()),
    }
}
