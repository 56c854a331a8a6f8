//! `tactful init`: a commented starter `.tactful.toml` for a workspace.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tactful::config::WORKSPACE_FILE;
use tactful::Config;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The folder to write it in (default: the current directory).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Replace an existing `.tactful.toml`.
    #[arg(long)]
    pub force: bool,
}

/// The starter config: every key, the common ones set, the rest commented.
pub const STARTER: &str = r#"# tactful settings for this folder and everything below it.
# The nearest .tactful.toml wins over the user config (~/.config/tactful/config.toml),
# which wins over the built-in defaults. Every key is described in rules/README.md.

# Rule packs, in order: built-in names, paths to a pack file or folder (relative to
# this file), or git packs pinned to a tag, branch or commit. A later pack's rule may
# replace an earlier one only with `override = true`.
packs = [
  "default",
  # "sales",        # stricter pressure and overclaim rules for outbound sales
  # "support",      # blame and policy-hiding wording in support replies
  # "undermining",  # self-diminishing wording ("just", "sorry to bother you")
  # "./team-rules", # a pack of your own: `tactful pack new team-rules`
  # { git = "https://github.com/acme/tone-packs.git", rev = "v1.2", path = "sales" },
]
# After adding a git pack, run `tactful pack sync` once (and after changing `rev`).

# Report only findings at or above this severity.
# min_severity = "info"

# Language server: wait this long after the last keystroke before checking (ms).
# debounce_ms = 150

# Language server: the editor language ids to check ("*.eml": by file name ending).
# languages = ["mail", "plaintext", "markdown", "text", "gitcommit", "*.eml"]

# Switch rules or whole categories "off", "on", or to a severity
# ("error", "warning", "info", "hint"). A rule's own setting wins over its category's.
# Keep this table at the end: every `key = value` line below `[rules]` belongs to it.
[rules]
# "clarity" = "off"
# "pressure.asap" = "error"
"#;

pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().context("reading the current directory")?,
    };
    let file = dir.join(WORKSPACE_FILE);
    anyhow::ensure!(!file.exists() || args.force, "{} already exists (use --force to replace it)", file.display());
    // The starter must always be a valid config; a broken one would be a poor start.
    Config::parse(STARTER, "starter config").context("the built-in starter config")?;
    std::fs::write(&file, STARTER).with_context(|| format!("{}: cannot write", file.display()))?;
    println!("wrote {}", file.display());
    Ok(ExitCode::SUCCESS)
}
