//! Checking documents off the executor: debounced, one check at a time per document,
//! results of an outdated revision discarded, diagnostics published with the version
//! they describe.
//!
//! A change schedules a task that sleeps for the debounce, then takes a snapshot of
//! the document (a rope clone is O(1)) if no newer change came in meanwhile. The check
//! itself (settings, parse, engine) runs on a blocking thread. While it runs, a newer
//! revision that becomes due only sets `rerun`; the running task checks again when it
//! is done, so a burst of keystrokes costs one check and never more than one runs per
//! document. No lock is held during a check: the document map is locked only to take
//! the snapshot and to store the result.
//!
//! Checks (and the profile builds they need) all run on one thread, the [`Checker`]:
//! compiled regexes keep a matching cache for each thread that uses them, which every
//! new text grows and nothing gives back, so checks spread over a pool of threads
//! would hold one such cache per thread.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ropey::Rope;
use tactful::{Finding, Message, SentenceCache};
use tower_lsp_server::ls_types::{Diagnostic, MessageType, Uri};

use super::context::{guarded, Ctx, State};
use super::document::{Checked, Document};
use super::settings;
use super::workspace::{Profile, Report};

/// Documents larger than this are not checked (an e-mail this long is not a draft).
pub const MAX_CHECKED_BYTES: usize = 8 << 20;

/// What a check task takes from the document.
struct Snapshot {
    revision: u64,
    version: i32,
    rope: Rope,
    language_id: String,
    path: Option<PathBuf>,
    uri_path: String,
    cache: Arc<Mutex<SentenceCache>>,
    diverged: bool,
}

impl Snapshot {
    fn of(uri: &Uri, doc: &Document) -> Snapshot {
        Snapshot {
            revision: doc.revision,
            version: doc.version,
            rope: doc.rope.clone(),
            language_id: doc.language_id.clone(),
            path: doc.path.clone(),
            uri_path: uri.path().as_str().to_owned(),
            cache: Arc::clone(&doc.cache),
            diverged: doc.diverged,
        }
    }
}

/// Checks `uri` after `delay` if `revision` is still its latest then.
pub fn schedule(ctx: &Ctx, uri: Uri, revision: u64, delay: Duration) {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let finished = guarded(&ctx, "a check", false, async {
            run(ctx.clone(), uri.clone(), revision).await;
            true
        })
        .await;
        if !finished {
            // Let the next change check again.
            if let Some(doc) = ctx.state.documents().get_mut(&uri) {
                doc.running = false;
                doc.rerun = false;
            }
        }
    });
}

/// Schedules every open document for a check now (the settings changed).
pub fn recheck_all(ctx: &Ctx) {
    let due: Vec<(Uri, u64)> = ctx.state.documents().iter().map(|(uri, doc)| (uri.clone(), doc.revision)).collect();
    for (uri, revision) in due {
        schedule(ctx, uri, revision, Duration::ZERO);
    }
}

async fn run(ctx: Ctx, uri: Uri, revision: u64) {
    let mut snapshot = {
        let mut docs = ctx.state.documents();
        let Some(doc) = docs.get_mut(&uri).filter(|doc| doc.revision == revision) else { return };
        if doc.running {
            doc.rerun = true;
            return;
        }
        doc.running = true;
        Snapshot::of(&uri, doc)
    };
    loop {
        let state = Arc::clone(&ctx.state);
        let outcome = ctx
            .state
            .checker
            .run(move || {
                let (profile, generation, report) = profile_for(&state, &snapshot);
                let checked = check(snapshot, &profile, generation);
                (checked, profile, report)
            })
            .await;
        let (checked, profile, report) = match outcome {
            Ok(done) => done,
            Err(err) => {
                ctx.log(MessageType::ERROR, format!("checking {} failed: {err}", uri.as_str()));
                let mut docs = ctx.state.documents();
                if let Some(doc) = docs.get_mut(&uri) {
                    doc.running = false;
                    doc.rerun = false;
                }
                return;
            }
        };
        let (publish, next) = {
            let mut docs = ctx.state.documents();
            let Some(doc) = docs.get_mut(&uri) else { return };
            doc.debounce = profile.debounce;
            let checked = Arc::new(checked);
            let is_current = checked.revision == doc.revision;
            let was_enabled = doc.checked.as_ref().is_some_and(|old| old.enabled);
            let publish =
                (is_current && !doc.pulled && (checked.enabled || was_enabled)).then(|| (ctx.diagnostics(&checked, &doc.ignored), checked.version));
            if is_current || doc.checked.as_ref().is_none_or(|old| old.revision < checked.revision) {
                doc.checked = Some(checked);
            }
            let next = if doc.rerun {
                doc.rerun = false;
                Some(Snapshot::of(&uri, doc))
            } else {
                doc.running = false;
                None
            };
            (publish, next)
        };
        if let Some((diagnostics, version)) = publish {
            ctx.client.publish_diagnostics(uri.clone(), diagnostics, Some(version)).await;
        }
        ctx.report(report).await;
        ctx.watch();
        match next {
            Some(newer) => snapshot = newer,
            None => return,
        }
    }
}

/// The profile for a snapshot and the settings generation it stands for. Blocking.
fn profile_for(state: &State, snapshot: &Snapshot) -> (Arc<Profile>, u64, Report) {
    let (key, generation) = {
        let mut ws = state.workspace.lock();
        (ws.key(snapshot.path.as_deref()), ws.generation())
    };
    let (profile, report) = state.workspace.profile(&key);
    (profile, generation, report)
}

/// The check itself: settings, parse, engine.
fn check(snapshot: Snapshot, profile: &Profile, generation: u64) -> Checked {
    let enabled = !snapshot.diverged
        && settings::accepts(&profile.config, &snapshot.language_id, &snapshot.uri_path)
        && snapshot.rope.len_bytes() <= MAX_CHECKED_BYTES;
    let mut text = if enabled { snapshot.rope.to_string() } else { String::new() };
    if snapshot.language_id == "gitcommit" {
        blank_git_comments(&mut text);
    }
    let message = Message::parse(&text);
    let findings = if enabled {
        // One check runs per document at a time, so the lock is never contended; a
        // check that panicked left a cache that is still consistent.
        let mut cache = snapshot.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        profile.rules.engine.check_with_cache(&message, &mut cache)
    } else {
        Vec::new()
    };
    Checked {
        revision: snapshot.revision,
        version: snapshot.version,
        findings: with_occurrences(&text, &message, findings),
        rope: snapshot.rope,
        message,
        generation,
        enabled,
        rules: Arc::clone(&profile.rules),
    }
}

/// Blanks what git drops from a commit message, keeping every offset: comment lines
/// (`#`) and everything from the scissors line on (the diff of `commit -v`).
fn blank_git_comments(text: &mut String) {
    const SCISSORS: &str = "# ------------------------ >8 ------------------------";
    let mut bytes = std::mem::take(text).into_bytes();
    let mut start = 0;
    let mut cut = false;
    while start < bytes.len() {
        let end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| start + i + 1);
        cut = cut || bytes[start..end].starts_with(SCISSORS.as_bytes());
        if cut || bytes[start] == b'#' {
            for byte in &mut bytes[start..end] {
                if !matches!(*byte, b'\n' | b'\r') {
                    *byte = b' ';
                }
            }
        }
        start = end;
    }
    // Only whole lines were blanked, so the text is still UTF-8.
    *text = String::from_utf8(bytes).unwrap_or_default();
}

/// Keeps the findings whose span means the same text in the document (all of them,
/// unless the message had to be decoded) and numbers repeated (rule, text) pairs.
fn with_occurrences(text: &str, message: &Message, findings: Vec<Finding>) -> Vec<(Finding, usize)> {
    let decoded = message.is_decoded();
    let mut seen: std::collections::HashMap<(String, String), usize> = std::collections::HashMap::new();
    findings
        .into_iter()
        .filter(|finding| !decoded || text.get(finding.span.clone()) == message.text().get(finding.span.clone()))
        .map(|finding| {
            let flagged = text.get(finding.span.clone()).unwrap_or_default().to_owned();
            let count = seen.entry((finding.rule.clone(), flagged)).or_insert(0);
            let occurrence = *count;
            *count += 1;
            (finding, occurrence)
        })
        .collect()
}

/// Diagnostics for a pull request: the current check, or a check made now.
pub async fn pull(ctx: &Ctx, uri: &Uri) -> Option<Vec<Diagnostic>> {
    let generation = ctx.state.workspace.lock().generation();
    let snapshot = {
        let mut docs = ctx.state.documents();
        let doc = docs.get_mut(uri)?;
        if !doc.pulled {
            doc.pulled = true;
            // Pushed diagnostics would show twice next to the pulled ones.
            let client = ctx.client.clone();
            let (uri, version) = (uri.clone(), doc.version);
            tokio::spawn(async move { client.publish_diagnostics(uri, Vec::new(), Some(version)).await });
        }
        if let Some(checked) = doc.current().filter(|checked| checked.generation == generation) {
            return Some(if checked.enabled { ctx.diagnostics(checked, &doc.ignored) } else { Vec::new() });
        }
        Snapshot::of(uri, doc)
    };
    let state = Arc::clone(&ctx.state);
    let (checked, report) = ctx
        .state
        .checker
        .run(move || {
            let (profile, generation, report) = profile_for(&state, &snapshot);
            (check(snapshot, &profile, generation), report)
        })
        .await
        .ok()?;
    ctx.report(report).await;
    let mut docs = ctx.state.documents();
    let doc = docs.get_mut(uri)?;
    let checked = Arc::new(checked);
    let diagnostics = if checked.enabled { ctx.diagnostics(&checked, &doc.ignored) } else { Vec::new() };
    if checked.revision == doc.revision {
        doc.checked = Some(checked);
    }
    Some(diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_comments_and_the_diff_are_not_checked() {
        let mut text =
            "Fix it ASAP\n\n# Please enter the message 👋\r\nBody\n# ------------------------ >8 ------------------------\ndiff ASAP\n".to_owned();
        let len = text.len();
        blank_git_comments(&mut text);
        assert_eq!(text.len(), len);
        assert!(text.starts_with("Fix it ASAP\n\n "));
        assert!(text.contains("\r\nBody\n"));
        assert_eq!(text.matches("ASAP").count(), 1);
        assert!(!text.contains('#') && !text.contains("diff"));
    }

    #[test]
    fn repeated_findings_are_numbered_by_rule_and_text() {
        let config = tactful::Config::default();
        let engine = tactful::Engine::new(&config.load_packs().unwrap(), &config.selection()).unwrap();
        let text = "Subject: hi\n\nSend it ASAP. Then ASAP again. Why??? asap";
        let message = Message::parse(text);
        let numbered = with_occurrences(text, &message, engine.check(&message));
        let asap: Vec<(&str, usize)> = numbered.iter().filter(|(f, _)| f.rule == "pressure.asap").map(|(f, n)| (&text[f.span.clone()], *n)).collect();
        assert_eq!(asap, vec![("ASAP", 0), ("ASAP", 1), ("asap", 0)]);
    }
}
