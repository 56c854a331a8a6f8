//! Packs shared through git: `{ git = "URL", rev = "v1.2" }` in a config's `packs`.
//!
//! Only `tactful pack sync` touches the network: it runs the system `git` to fetch
//! the pinned ref into the cache (`$XDG_CACHE_HOME/tactful/packs/<hash of URL>/<rev>`).
//! Everything else reads that folder and, when it is missing, says to run the sync.
//!
//! In a config a git pack is kept as one string, `git+URL#REV` or `git+URL#REV:PATH`
//! (git refs cannot contain `:`), so a list of packs stays a list of strings for
//! every front end; the table form is the one people write.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// The prefix of a git pack in its string form.
pub const GIT_PREFIX: &str = "git+";

/// The file a finished sync leaves in the checkout; without it the checkout is not used.
const MARKER: &str = ".tactful-sync";

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
}

impl GitPack {
    /// Checks a config entry: a ref and URL that git cannot mistake for options, and a
    /// `path` that stays inside the repository.
    pub fn new(entry: GitEntry) -> Result<GitPack, String> {
        let GitEntry { git: url, rev, path } = entry;
        if url.trim().is_empty() || url.starts_with('-') || url.contains(char::is_whitespace) {
            return Err(format!("git pack: `{url}` is not a repository URL"));
        }
        if rev.is_empty() || rev.starts_with('-') || rev.contains([':', ' ', '\\', '~', '^', '?', '*', '[']) || rev.contains("..") {
            return Err(format!("git pack {url}: `{rev}` is not a tag, branch or commit name"));
        }
        if let Some(path) = &path {
            let p = Path::new(path);
            if path.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
                return Err(format!("git pack {url}: `path` must be a relative path inside the repository, not `{path}`"));
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

    /// The synced pack (the checkout, or `path` inside it), or why it cannot be used.
    pub fn synced_pack(&self) -> Result<PathBuf, String> {
        let root = Self::cache_root().ok_or("no cache folder to read synced packs from: set XDG_CACHE_HOME or HOME")?;
        let checkout = self.checkout_dir(&root);
        if !checkout.join(MARKER).is_file() {
            return Err(format!(
                "git pack {} at `{}` is not synced yet (looked in {}): run `tactful pack sync`",
                self.url,
                self.rev,
                checkout.display()
            ));
        }
        Ok(match &self.path {
            Some(path) => checkout.join(path),
            None => checkout,
        })
    }

    /// The commit of the synced checkout, if there is one.
    pub fn synced_commit(&self, root: &Path) -> Option<String> {
        let marker = std::fs::read_to_string(self.checkout_dir(root).join(MARKER)).ok()?;
        marker.lines().find_map(|line| line.strip_prefix("commit ")).map(str::to_owned)
    }

    /// Fetches the ref with the system git (shallow, no hooks, no submodules) and puts
    /// its files in place of the cached checkout, which is untouched on failure.
    pub fn sync(&self) -> Result<Synced, SyncError> {
        let root = Self::cache_root().ok_or(SyncError::NoCache)?;
        let dest = self.checkout_dir(&root);
        let parent = dest.parent().expect("checkout dir has a parent").to_path_buf();
        let io = |err| SyncError::Io { dir: parent.display().to_string(), err };
        std::fs::create_dir_all(&parent).map_err(io)?;
        let stage = parent.join(format!(".incoming-{}-{}", escape(&self.rev), std::process::id()));
        let _ = std::fs::remove_dir_all(&stage);
        let result = self.fetch_into(&stage);
        let commit = match result {
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
        let old = parent.join(format!(".outgoing-{}-{}", escape(&self.rev), std::process::id()));
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
    fn fetch_into(&self, stage: &Path) -> Result<String, SyncError> {
        let fetch_error = |detail: String| SyncError::Fetch { url: self.url.clone(), rev: self.rev.clone(), detail };
        std::fs::create_dir_all(stage).map_err(|err| SyncError::Io { dir: stage.display().to_string(), err })?;
        git(stage, &["init", "--quiet"]).map_err(fetch_error)?;
        git(stage, &["fetch", "--quiet", "--depth", "1", "--no-tags", "--", &self.url, &self.rev]).map_err(fetch_error)?;
        let commit = git(stage, &["rev-parse", "--verify", "FETCH_HEAD^{commit}"]).map_err(fetch_error)?;
        git(stage, &["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", "FETCH_HEAD"]).map_err(fetch_error)?;
        std::fs::remove_dir_all(stage.join(".git")).map_err(|err| SyncError::Io { dir: stage.display().to_string(), err })?;
        if let Some(path) = &self.path {
            if !stage.join(path).exists() {
                return Err(SyncError::NoPath { url: self.url.clone(), rev: self.rev.clone(), path: path.clone() });
            }
        }
        let marker = format!("url {}\nrev {}\ncommit {commit}\n", self.url, self.rev);
        std::fs::write(stage.join(MARKER), marker).map_err(|err| SyncError::Io { dir: stage.display().to_string(), err })?;
        Ok(commit)
    }
}

/// Runs git in `dir` with hooks and prompts off; stdout on success, git's own words
/// (its last error line) on failure.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "core.hooksPath=/dev/null", "-c", "init.templateDir=", "-c", "submodule.recurse=false"])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .map_err(|err| format!("cannot run git ({err}); is git installed and on PATH?"))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let detail = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("git failed").trim();
    Err(detail.trim_start_matches("fatal: ").to_owned())
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
