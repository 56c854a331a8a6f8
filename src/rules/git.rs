//! Packs shared through git: `{ git = "URL", rev = "v1.2" }` in a config's `packs`.
//!
//! Only `tactful pack sync` touches the network: it runs the system `git` to fetch
//! the pinned ref into the cache (`$XDG_CACHE_HOME/tactful/packs/<hash of URL>/<rev>`).
//! Everything else reads that folder and, when it is missing, says to run the sync.
//!
//! In a config a git pack is kept as one string, `git+URL#REV` or `git+URL#REV:PATH`
//! (git refs cannot contain `:`), so a list of packs stays a list of strings for
//! every front end; the table form is the one people write.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

use crate::fsread::{self, Limit, Within};

/// The prefix of a git pack in its string form.
pub const GIT_PREFIX: &str = "git+";

/// The file a finished sync leaves in the checkout; without it the checkout is not used.
const MARKER: &str = ".tactful-sync";

/// The marker is a few short lines.
const MARKER_LIMIT: Limit = Limit { what: "sync marker", bytes: 4 << 10 };

/// The transports a git pack may use, whatever the user's git config allows: the
/// others include `ext::` (runs a command) and `fd::` (waits on a file descriptor).
const TRANSPORTS: [&str; 4] = ["https", "ssh", "git", "file"];

/// Folders of syncs in progress, next to the checkouts: `.incoming-REV-PID`.
const INCOMING: &str = ".incoming-";
/// A checkout being replaced: `.outgoing-REV-PID`.
const OUTGOING: &str = ".outgoing-";

/// What errors call the folder a git pack's files must stay in.
const CHECKOUT: &str = "its git checkout";

/// `{ git = "...", rev = "...", path = "..." }` as written in a config.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitEntry {
    pub git: String,
    pub rev: String,
    pub path: Option<String>,
}

/// A pack in a git repository, pinned to a ref.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GitPack {
    /// What `git fetch` is given: `https://...`, `ssh://...`, `git@host:repo`, `file:///...`.
    pub url: String,
    /// A tag, branch or commit.
    pub rev: String,
    /// The pack inside the repository (a folder or a `.toml` file); the root by default.
    pub path: Option<String>,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Synced {
    /// Fetched for the first time, at this commit.
    New { commit: String },
    /// The ref moved: the checkout was replaced.
    Updated { from: String, to: String },
    /// Already at this commit.
    Unchanged { commit: String },
}

/// A failed sync; the cached copy, if any, is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("no cache folder: set XDG_CACHE_HOME or HOME")]
    NoCache,
    #[error("cannot run git ({0}); is git installed and on PATH?")]
    NoGit(std::io::Error),
    #[error("git could not fetch `{rev}` from {url}: {detail}")]
    Fetch { url: String, rev: String, detail: String },
    #[error("{url} at `{rev}` has no `{path}`")]
    NoPath { url: String, rev: String, path: String },
    #[error("cannot write the cache at {dir}: {err}")]
    Io { dir: String, err: std::io::Error },
    #[error("stopped by a signal; nothing of this sync was kept")]
    Interrupted,
}

/// A synced git pack on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The checkout folder, canonical: nothing of the pack may lie outside it.
    pub root: PathBuf,
    /// The pack: the checkout, or `path` inside it.
    pub pack: PathBuf,
}

impl Checkout {
    /// The bound a load of this pack must keep to.
    pub fn within(&self) -> Within<'_> {
        Within { root: &self.root, name: CHECKOUT }
    }
}

impl GitPack {
    /// Checks a config entry: a ref and URL that git cannot mistake for options, and a
    /// `path` that stays inside the repository.
    pub fn new(entry: GitEntry) -> Result<GitPack, String> {
        let GitEntry { git: url, rev, path } = entry;
        if url.trim().is_empty() || url.starts_with('-') || url.contains(char::is_whitespace) || url.contains(char::is_control) {
            return Err(format!("git pack: `{}` is not a repository URL", url.escape_debug()));
        }
        transport_allowed(&url)?;
        let odd = |c: char| c.is_control() || c.is_whitespace() || [':', '\\', '~', '^', '?', '*', '['].contains(&c);
        if rev.is_empty() || rev.starts_with('-') || rev.contains(odd) || rev.contains("..") {
            return Err(format!("git pack {url}: `{}` is not a tag, branch or commit name", rev.escape_debug()));
        }
        if let Some(path) = &path {
            let p = Path::new(path);
            let inside = p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            if path.is_empty() || !inside || path.contains(char::is_control) {
                return Err(format!("git pack {url}: `path` must be a relative path inside the repository, not `{}`", path.escape_debug()));
            }
        }
        Ok(GitPack { url, rev, path })
    }

    /// Reads the string form, `git+URL#REV[:PATH]`; `None` when `entry` is not a git pack.
    pub fn parse(entry: &str) -> Option<Result<GitPack, String>> {
        let rest = entry.strip_prefix(GIT_PREFIX)?;
        let Some((url, pinned)) = rest.rsplit_once('#') else {
            return Some(Err(format!("git pack `{entry}` needs a ref: `git+URL#REV`")));
        };
        let (rev, path) = match pinned.split_once(':') {
            Some((rev, path)) => (rev, Some(path.to_owned())),
            None => (pinned, None),
        };
        Some(GitPack::new(GitEntry { git: url.to_owned(), rev: rev.to_owned(), path }))
    }

    /// The string form kept in a config's pack list.
    pub fn to_entry(&self) -> String {
        match &self.path {
            Some(path) => format!("{GIT_PREFIX}{}#{}:{path}", self.url, self.rev),
            None => format!("{GIT_PREFIX}{}#{}", self.url, self.rev),
        }
    }

    /// `$XDG_CACHE_HOME/tactful/packs` (or `~/.cache/tactful/packs`).
    pub fn cache_root() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
        Some(base.join("tactful").join("packs"))
    }

    /// The checkout of this ref: `<root>/<hash of the URL>/<rev>`.
    pub fn checkout_dir(&self, root: &Path) -> PathBuf {
        root.join(format!("{:016x}", fnv1a(self.url.as_bytes()))).join(escape(&self.rev))
    }

    /// The synced pack, or why it cannot be used.
    pub fn synced(&self) -> Result<Checkout, String> {
        let root = Self::cache_root().ok_or("no cache folder to read synced packs from: set XDG_CACHE_HOME or HOME")?;
        let checkout = self.checkout_dir(&root);
        let not_synced =
            || format!("git pack {} at `{}` is not synced yet (looked in {}): run `tactful pack sync`", self.url, self.rev, checkout.display());
        let root = checkout.canonicalize().map_err(|_| not_synced())?;
        read_marker(&root).map_err(|_| not_synced())?;
        let pack = match &self.path {
            Some(path) => root.join(path),
            None => root.clone(),
        };
        Ok(Checkout { root, pack })
    }

    /// The commit of the synced checkout, if there is one.
    pub fn synced_commit(&self, root: &Path) -> Option<String> {
        let checkout = self.checkout_dir(root).canonicalize().ok()?;
        let marker = read_marker(&checkout).ok()?;
        marker.lines().find_map(|line| line.strip_prefix("commit ")).map(str::to_owned)
    }

    /// Fetches the ref with the system git (shallow, no hooks, no submodules, only the
    /// [`TRANSPORTS`]) and puts its files in place of the cached checkout, which is
    /// untouched on failure. `interrupted` is asked while git runs: when it says yes, git
    /// is stopped and the partial fetch removed.
    pub fn sync(&self, interrupted: &dyn Fn() -> bool) -> Result<Synced, SyncError> {
        let root = Self::cache_root().ok_or(SyncError::NoCache)?;
        let dest = self.checkout_dir(&root);
        let parent = dest.parent().expect("checkout dir has a parent").to_path_buf();
        let io = |err| SyncError::Io { dir: parent.display().to_string(), err };
        std::fs::create_dir_all(&parent).map_err(io)?;
        remove_abandoned(&parent);
        let stage = parent.join(format!("{INCOMING}{}-{}", escape(&self.rev), std::process::id()));
        let _ = std::fs::remove_dir_all(&stage);
        let commit = match self.fetch_into(&stage, interrupted) {
            Ok(commit) => commit,
            Err(err) => {
                let _ = std::fs::remove_dir_all(&stage);
                return Err(err);
            }
        };
        let previous = self.synced_commit(&root);
        if previous.as_deref() == Some(commit.as_str()) {
            let _ = std::fs::remove_dir_all(&stage);
            return Ok(Synced::Unchanged { commit });
        }
        let old = parent.join(format!("{OUTGOING}{}-{}", escape(&self.rev), std::process::id()));
        if dest.exists() {
            std::fs::rename(&dest, &old).map_err(io)?;
        }
        std::fs::rename(&stage, &dest).map_err(io)?;
        let _ = std::fs::remove_dir_all(&old);
        Ok(match previous {
            Some(from) => Synced::Updated { from, to: commit },
            None => Synced::New { commit },
        })
    }

    /// Fetches into a fresh folder and checks the files out there; returns the commit.
    fn fetch_into(&self, stage: &Path, interrupted: &dyn Fn() -> bool) -> Result<String, SyncError> {
        let git = |args: &[&str]| {
            git(stage, args, interrupted).map_err(|failure| match failure {
                GitFailure::Interrupted => SyncError::Interrupted,
                GitFailure::Failed(detail) => SyncError::Fetch { url: self.url.clone(), rev: self.rev.clone(), detail },
            })
        };
        let io = |err| SyncError::Io { dir: stage.display().to_string(), err };
        std::fs::create_dir_all(stage).map_err(io)?;
        git(&["init", "--quiet"])?;
        git(&["fetch", "--quiet", "--depth", "1", "--no-tags", "--", &self.url, &self.rev])?;
        let commit = git(&["rev-parse", "--verify", "FETCH_HEAD^{commit}"])?;
        git(&["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", "FETCH_HEAD"])?;
        std::fs::remove_dir_all(stage.join(".git")).map_err(io)?;
        if let Some(path) = &self.path {
            if std::fs::symlink_metadata(stage.join(path)).is_err() {
                return Err(SyncError::NoPath { url: self.url.clone(), rev: self.rev.clone(), path: path.clone() });
            }
        }
        let marker = format!("url {}\nrev {}\ncommit {commit}\n", self.url, self.rev);
        write_marker(stage, &marker).map_err(io)?;
        Ok(commit)
    }
}

/// Whether git may fetch from `url`: one of the [`TRANSPORTS`], an scp-like
/// `user@host:path` (ssh) or a local path (file). git itself is told the same.
fn transport_allowed(url: &str) -> Result<(), String> {
    let scheme = match url.split_once("://") {
        Some((scheme, _)) => scheme.to_ascii_lowercase(),
        // `transport::address` runs a remote helper (`ext::`, `fd::`).
        None if url.contains("::") => url.split("::").next().unwrap_or_default().to_ascii_lowercase(),
        None => return Ok(()),
    };
    if TRANSPORTS.contains(&scheme.as_str()) {
        return Ok(());
    }
    Err(format!("git pack `{url}`: the `{scheme}` transport is not allowed; use one of {}", TRANSPORTS.join(", ")))
}

/// Reads the marker of a checkout (canonical), which must be a file in it, not a link.
fn read_marker(checkout: &Path) -> Result<String, fsread::ReadError> {
    fsread::read_text_inside(&checkout.join(MARKER), Within { root: checkout, name: CHECKOUT }, MARKER_LIMIT)
}

/// Writes the marker as a new file: whatever the repository put at that name (a link
/// to a file elsewhere, above all) is removed first, never written through.
fn write_marker(stage: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let marker = stage.join(MARKER);
    match std::fs::symlink_metadata(&marker) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&marker)?,
        Ok(_) => std::fs::remove_file(&marker)?,
        Err(_) => {}
    }
    // `create_new` fails on any existing name, a link included: it never follows one.
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&marker)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Removes what syncs that died (killed outright) left next to the checkouts.
fn remove_abandoned(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(INCOMING) || name.starts_with(OUTGOING)) {
            continue;
        }
        let pid = name.rsplit('-').next().and_then(|pid| pid.parse::<u32>().ok());
        if pid.is_some_and(|pid| !process_alive(pid)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_alive(pid: u32) -> bool {
    pid == std::process::id()
}

/// Why a git command did not succeed.
enum GitFailure {
    /// git's own words (its last error line).
    Failed(String),
    Interrupted,
}

/// Runs git in `dir` with hooks, prompts and every transport but the [`TRANSPORTS`]
/// off, whatever the user's git config says; stdout on success. git runs in its own
/// process group, so that stopping it (when `interrupted` says so) stops the helpers
/// it started too.
fn git(dir: &Path, args: &[&str], interrupted: &dyn Fn() -> bool) -> Result<String, GitFailure> {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args(["-c", "core.hooksPath=/dev/null", "-c", "init.templateDir=", "-c", "submodule.recurse=false"])
        .args(["-c", "protocol.allow=never"]);
    for transport in TRANSPORTS {
        command.arg("-c").arg(format!("protocol.{transport}.allow=always"));
    }
    command
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        // This variable overrides protocol.allow; it is set to the same list.
        .env("GIT_ALLOW_PROTOCOL", TRANSPORTS.join(":"))
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|err| GitFailure::Failed(format!("cannot run git ({err}); is git installed and on PATH?")))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if interrupted() {
            stop_group(&mut child);
            return Err(GitFailure::Interrupted);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if status.success() {
        return Ok(String::from_utf8_lossy(&stdout).trim().to_owned());
    }
    let stderr = String::from_utf8_lossy(&stderr);
    let detail = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("git failed").trim();
    Err(GitFailure::Failed(detail.trim_start_matches("fatal: ").to_owned()))
}

/// Reads a pipe to its end on a thread of its own, so git never blocks writing to it.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Ends git and every process of its group, and reaps it.
fn stop_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    if let Ok(group) = libc::pid_t::try_from(child.id()) {
        // SAFETY: sends a signal to the group git leads (it was started as its leader).
        unsafe { libc::kill(-group, libc::SIGKILL) };
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A ref as one folder name: `/` and anything unusual become `%XX`.
fn escape(rev: &str) -> String {
    let mut out = String::with_capacity(rev.len());
    for (i, byte) in rev.bytes().enumerate() {
        let plain = byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' || (byte == b'.' && i > 0);
        if plain {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// FNV-1a, 64 bits: stable across Rust versions, unlike the std hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_form_round_trips_and_rejects_option_like_refs() {
        let pack = GitPack::parse("git+https://example.com/packs.git#release/v1.2:sales").unwrap().unwrap();
        assert_eq!((pack.url.as_str(), pack.rev.as_str(), pack.path.as_deref()), ("https://example.com/packs.git", "release/v1.2", Some("sales")));
        assert_eq!(pack.to_entry(), "git+https://example.com/packs.git#release/v1.2:sales");
        assert!(GitPack::parse("default").is_none());
        assert!(GitPack::parse("git+https://example.com/x.git#--upload-pack=evil").unwrap().is_err());
        assert!(GitPack::parse("git+https://example.com/x.git#v1:../../etc").unwrap().is_err());
        assert!(GitPack::parse("git+https://example.com/x.git").unwrap().is_err());
    }

    #[test]
    fn refs_become_single_folder_names() {
        assert_eq!(escape("release/v1.2"), "release%2Fv1.2");
        assert_eq!(escape(".hidden"), "%2Ehidden");
    }
}
