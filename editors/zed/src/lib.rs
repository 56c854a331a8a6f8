//! Zed extension: starts `tactful lsp` and hands it the user's settings.
//!
//! settings.json:
//!   "lsp": { "tactful": {
//!     "binary": { "path": "/home/me/.cargo/bin/tactful" },          // else `tactful` on PATH
//!     "settings": { "tactful": { "minSeverity": "info" } },          // workspace/configuration
//!     "initialization_options": { "minSeverity": "info" } } }
use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result, Worktree};

struct Tactful;

impl zed::Extension for Tactful {
    fn new() -> Self {
        Tactful
    }

    fn language_server_command(&mut self, _id: &LanguageServerId, worktree: &Worktree) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree("tactful", worktree).ok().and_then(|s| s.binary);
        let path = binary
            .as_ref()
            .and_then(|b| b.path.clone())
            .or_else(|| worktree.which("tactful"))
            .ok_or_else(|| "`tactful` is not on PATH: install it (cargo install --path .) or set lsp.tactful.binary.path".to_string())?;
        let args = binary.and_then(|b| b.arguments).unwrap_or_else(|| vec!["lsp".to_string()]);
        Ok(zed::Command { command: path, args, env: worktree.shell_env() })
    }

    fn language_server_initialization_options(
        &mut self,
        _id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree("tactful", worktree).ok().and_then(|s| s.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree("tactful", worktree).ok().and_then(|s| s.settings))
    }
}

zed::register_extension!(Tactful);
