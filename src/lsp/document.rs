//! An open document: its text in a rope, the client's version and the server's own
//! revision, what the user chose to ignore in it, and the last check of it.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ropey::Rope;
use tactful::{Finding, Message, RuleInfo, SentenceCache};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::position::{self, PositionEncoding};
use super::workspace::Rules;

/// A finding the user ignored in one document: the rule, the flagged text and which
/// occurrence of that pair it is, so that edits elsewhere do not bring it back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IgnoreKey {
    pub rule: String,
    pub text: String,
    pub occurrence: usize,
}

/// One open document.
#[derive(Debug)]
pub struct Document {
    pub language_id: String,
    /// The file behind the URI, when it is a `file:` URI.
    pub path: Option<PathBuf>,
    /// The version the client gave with the last change; published with diagnostics.
    pub version: i32,
    /// Increases with every change the server applies (server-wide, so a document closed
    /// and opened again never reuses one). Results of an older revision are discarded.
    pub revision: u64,
    pub rope: Rope,
    pub ignored: HashSet<IgnoreKey>,
    /// The last completed check, possibly of an older revision.
    pub checked: Option<Arc<Checked>>,
    /// Whether the client pulls diagnostics for this document (then none are pushed).
    pub pulled: bool,
    /// A check of this document is running; at most one runs at a time.
    pub running: bool,
    /// A newer revision became due while a check was running: check again after it.
    pub rerun: bool,
    /// The debounce of the settings in force for this document.
    pub debounce: Duration,
    /// Sentence results of earlier checks: typing re-checks only the changed sentences.
    pub cache: Arc<Mutex<SentenceCache>>,
    /// A change from the client could not be applied, so this text may differ from the
    /// editor's: no findings and no fixes until a change sends the whole text again.
    pub diverged: bool,
}

impl Document {
    pub fn new(uri: &Uri, language_id: String, version: i32, text: &str, revision: u64, debounce: Duration) -> Document {
        Document {
            language_id,
            path: file_path(uri),
            version,
            revision,
            rope: Rope::from_str(text),
            ignored: HashSet::new(),
            checked: None,
            pulled: false,
            running: false,
            rerun: false,
            debounce,
            cache: Arc::default(),
            diverged: false,
        }
    }

    /// Applies the client's changes in order: a change with a range replaces that range
    /// (clamped to the text), one without replaces the whole text (and makes a diverged
    /// document trustworthy again).
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, encoding: PositionEncoding) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let chars = position::char_range(&self.rope, range, encoding);
                    self.rope.remove(chars.clone());
                    self.rope.insert(chars.start, &change.text);
                }
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.diverged = false;
                }
            }
        }
    }

    /// The check of the current revision, if it is done.
    pub fn current(&self) -> Option<&Arc<Checked>> {
        self.checked.as_ref().filter(|checked| checked.revision == self.revision)
    }
}

/// The path of a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn doc(text: &str) -> Document {
        let uri: Uri = "file:///tmp/draft.eml".parse().unwrap();
        Document::new(&uri, "mail".into(), 1, text, 1, Duration::ZERO)
    }

    fn change(range: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|(a, b)| Range::new(Position::new(a.0, a.1), Position::new(b.0, b.1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_in_utf16() {
        let mut d = doc("👋 hi\r\nthere");
        d.apply(vec![change(Some(((0, 3), (0, 5))), "hello"), change(Some(((1, 5), (1, 5))), "!")], PositionEncoding::Utf16);
        assert_eq!(d.rope.to_string(), "👋 hello\r\nthere!");
        assert_eq!(d.path.as_deref(), Some(std::path::Path::new("/tmp/draft.eml")));
    }

    #[test]
    fn a_change_at_the_very_end_and_past_it() {
        let mut d = doc("abc\n");
        d.apply(vec![change(Some(((1, 0), (1, 0))), "x")], PositionEncoding::Utf8);
        d.apply(vec![change(Some(((7, 0), (9, 9))), "y")], PositionEncoding::Utf8);
        assert_eq!(d.rope.to_string(), "abc\nxy");
    }

    #[test]
    fn full_sync_replaces_everything() {
        let mut d = doc("old");
        d.apply(vec![change(None, "new 東京")], PositionEncoding::Utf16);
        assert_eq!(d.rope.to_string(), "new 東京");
    }
}

/// The result of checking one revision of a document.
#[derive(Debug)]
pub struct Checked {
    pub revision: u64,
    pub version: i32,
    /// The text that was checked, for converting spans.
    pub rope: Rope,
    pub message: Message,
    /// The settings generation it was checked under.
    pub generation: u64,
    /// Findings whose spans point into the document, in text order, each with its
    /// occurrence: how many earlier findings have the same rule and text.
    pub findings: Vec<(Finding, usize)>,
    /// False when the settings say this document is not checked, or it diverged.
    pub enabled: bool,
    /// The rules it was checked with: what a finding's rule says (why, link).
    pub rules: Arc<Rules>,
}

impl Checked {
    /// What the rule of `finding` says beyond it.
    pub fn rule(&self, finding: &Finding) -> Option<&RuleInfo> {
        self.rules.engine.rule(&finding.rule)
    }

    /// Findings the user did not ignore.
    pub fn visible<'a>(&'a self, ignored: &'a HashSet<IgnoreKey>) -> impl Iterator<Item = &'a (Finding, usize)> + 'a {
        self.findings.iter().filter(move |(finding, occurrence)| ignored.is_empty() || !ignored.contains(&self.key(finding, *occurrence)))
    }

    /// The ignore key of a finding of this check.
    pub fn key(&self, finding: &Finding, occurrence: usize) -> IgnoreKey {
        IgnoreKey { rule: finding.rule.clone(), text: self.message.text().get(finding.span.clone()).unwrap_or_default().to_owned(), occurrence }
    }
}
