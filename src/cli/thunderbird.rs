//! `tactful thunderbird install|uninstall`: the native-messaging host manifest that
//! lets the Thunderbird add-on (editors/thunderbird) start this binary.
//!
//! Thunderbird reads `<name>.json` from `~/.mozilla/native-messaging-hosts/` (one
//! user) or `/usr/lib/mozilla/native-messaging-hosts/` (everyone), and starts the
//! program at its absolute `path` with `[manifest path, add-on id]` as arguments;
//! `main` recognises those arguments and serves the language server over native
//! messaging. The add-on cannot choose a program itself, so this manifest is where the
//! binary's path is set: run `install` with the binary you want Thunderbird to use.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde_json::json;

/// The host name the add-on connects to (`runtime.connectNative("tactful")`).
pub const HOST_NAME: &str = "tactful";

/// The add-on's id (`browser_specific_settings.gecko.id` in its manifest.json).
pub const ADDON_ID: &str = "tactful@tactful";

/// Where a system-wide install puts the manifest on Linux.
const SYSTEM_DIR: &str = "/usr/lib/mozilla/native-messaging-hosts";

#[derive(Args, Debug)]
pub struct ThunderbirdArgs {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Let the Thunderbird add-on run this binary: write the native-messaging host
    /// manifest (~/.mozilla/native-messaging-hosts/tactful.json).
    Install(Scope),
    /// Remove the manifest that `install` wrote.
    Uninstall(Scope),
}

#[derive(Args, Debug)]
pub struct Scope {
    /// For every user: /usr/lib/mozilla/native-messaging-hosts (needs root).
    #[arg(long)]
    pub system: bool,
}

impl Scope {
    fn manifest_path(&self) -> anyhow::Result<PathBuf> {
        let dir = if self.system {
            PathBuf::from(SYSTEM_DIR)
        } else {
            let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).context("HOME is not set, so there is no ~/.mozilla to write to")?;
            Path::new(&home).join(".mozilla/native-messaging-hosts")
        };
        Ok(dir.join(format!("{HOST_NAME}.json")))
    }
}

pub fn run(args: &ThunderbirdArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Install(scope) => install(scope),
        Action::Uninstall(scope) => uninstall(scope),
    }
}

fn install(scope: &Scope) -> anyhow::Result<ExitCode> {
    let binary = std::env::current_exe().and_then(|p| p.canonicalize()).context("finding the path of this binary")?;
    if binary.to_str().is_none() {
        bail!("the path of this binary is not UTF-8, which a host manifest cannot hold: {}", binary.display());
    }
    let manifest = json!({
        "name": HOST_NAME,
        "description": "tactful language server for the Thunderbird add-on",
        "path": binary,
        "type": "stdio",
        "allowed_extensions": [ADDON_ID],
    });
    let path = scope.manifest_path()?;
    let dir = path.parent().expect("the manifest is in a folder");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let text = serde_json::to_string_pretty(&manifest)? + "\n";
    std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}:\n{text}", path.display());
    println!("Thunderbird now runs {} for the add-on {ADDON_ID}; restart Thunderbird if it is open.", binary.display());
    Ok(ExitCode::SUCCESS)
}

fn uninstall(scope: &Scope) -> anyhow::Result<ExitCode> {
    let path = scope.manifest_path()?;
    match std::fs::remove_file(&path) {
        Ok(()) => println!("removed {}", path.display()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            println!("nothing to remove: {} does not exist", path.display())
        }
        Err(err) => return Err(err).with_context(|| format!("removing {}", path.display())),
    }
    Ok(ExitCode::SUCCESS)
}
