//! What every handler shares: the client, what it can do, the server's state, and
//! [`guarded`], which turns a panic in a handler into a logged error.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll};

use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use super::convert;
use super::document::{Checked, Document, IgnoreKey};
use super::position::PositionEncoding;
use super::workspace::{self, Report};

/// What the client said it can do, reduced to what the server asks.
#[derive(Debug, Clone, Default)]
pub struct ClientCaps {
    pub apply_edit: bool,
    pub document_changes: bool,
    pub create_files: bool,
    pub configuration: bool,
    pub dynamic_watch: bool,
    pub relative_patterns: bool,
    pub diagnostic_refresh: bool,
}

impl ClientCaps {
    pub(super) fn of(caps: &ClientCapabilities) -> ClientCaps {
        let workspace = caps.workspace.as_ref();
        let edit = workspace.and_then(|w| w.workspace_edit.as_ref());
        let watch = workspace.and_then(|w| w.did_change_watched_files.as_ref());
        ClientCaps {
            apply_edit: workspace.and_then(|w| w.apply_edit) == Some(true),
            document_changes: edit.and_then(|e| e.document_changes) == Some(true),
            create_files: edit.and_then(|e| e.resource_operations.as_ref()).is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
            configuration: workspace.and_then(|w| w.configuration) == Some(true),
            dynamic_watch: watch.and_then(|w| w.dynamic_registration) == Some(true),
            relative_patterns: watch.and_then(|w| w.relative_pattern_support) == Some(true),
            diagnostic_refresh: workspace.and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support) == Some(true),
        }
    }
}

/// Everything the server knows, shared by handlers and check tasks. Locks are held
/// only to read or update, never across a check or a message to the client.
#[derive(Debug, Default)]
pub struct State {
    docs: Mutex<HashMap<Uri, Document>>,
    pub workspace: workspace::Shared,
    /// The thread that checks documents.
    pub checker: Checker,
    pub(super) encoding: OnceLock<PositionEncoding>,
    pub(super) caps: OnceLock<ClientCaps>,
    revisions: AtomicU64,
    pub shutdown_requested: AtomicBool,
    /// The files the client watches for us, as last registered.
    watched: Mutex<Option<Vec<PathBuf>>>,
    /// Problems found before the client could be told (in `initialize`).
    pub(super) early: Mutex<Vec<String>>,
}

impl State {
    pub fn documents(&self) -> MutexGuard<'_, HashMap<Uri, Document>> {
        self.docs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn next_revision(&self) -> u64 {
        self.revisions.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Forgets the profiles (and the rules only they hold) that no open document uses.
    pub(super) fn forget_unused_profiles(&self) {
        let paths: Vec<Option<PathBuf>> = self.documents().values().map(|doc| doc.path.clone()).collect();
        let mut ws = self.workspace.lock();
        let used = paths.iter().map(|path| ws.key(path.as_deref())).collect();
        ws.retain_profiles(&used);
    }
}

/// The client and the state: what a handler or a check task needs.
#[derive(Clone)]
pub struct Ctx {
    pub client: Client,
    pub state: Arc<State>,
}

impl Ctx {
    pub fn encoding(&self) -> PositionEncoding {
        self.state.encoding.get().copied().unwrap_or_default()
    }

    pub fn caps(&self) -> ClientCaps {
        self.state.caps.get().cloned().unwrap_or_default()
    }

    /// Logs to stderr and to the client's log.
    pub fn log(&self, kind: MessageType, message: String) {
        eprintln!("tactful: {message}");
        let client = self.client.clone();
        tokio::spawn(async move { client.log_message(kind, message).await });
    }

    /// Tells the user (and logs it).
    pub async fn show(&self, kind: MessageType, message: String) {
        eprintln!("tactful: {message}");
        self.client.log_message(kind, &message).await;
        self.client.show_message(kind, format!("tactful: {message}")).await;
    }

    pub fn diagnostics(&self, checked: &Checked, ignored: &HashSet<IgnoreKey>) -> Vec<Diagnostic> {
        convert::diagnostics(checked, ignored, self.encoding())
    }

    /// Shows new config or pack problems and updates the diagnostics on those files.
    pub async fn report(&self, report: Report) {
        for problem in report.messages {
            let kind = if problem.fatal { MessageType::ERROR } else { MessageType::WARNING };
            let consequence = if problem.fatal { " (keeping the last good rules)" } else { "" };
            self.show(kind, format!("{}{consequence}", problem.error)).await;
        }
        for (file, problems) in report.files {
            let Some(uri) = Uri::from_file_path(&file) else { continue };
            let text = self.state.workspace.lock().config_text(&file).unwrap_or_default();
            let rope = ropey::Rope::from_str(&text);
            let diagnostics = problems.iter().map(|problem| convert::problem(&rope, problem, self.encoding())).collect();
            self.client.publish_diagnostics(uri, diagnostics, None).await;
        }
    }

    /// Asks the client to watch the config and pack files, when the set changed and
    /// the client lets the server register watchers.
    pub fn watch(&self) {
        let caps = self.caps();
        if !caps.dynamic_watch {
            return;
        }
        let mut files = self.state.workspace.lock().watched();
        files.extend(tactful::Config::user_file());
        files.sort();
        files.dedup();
        let was_registered = {
            let mut registered = self.state.watched.lock().unwrap_or_else(PoisonError::into_inner);
            if registered.as_ref() == Some(&files) {
                return;
            }
            registered.replace(files.clone()).is_some()
        };
        let client = self.client.clone();
        tokio::spawn(async move {
            let watchers = watchers(&files, caps.relative_patterns);
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let id = "tactful-watched-files".to_owned();
            let method = "workspace/didChangeWatchedFiles".to_owned();
            if was_registered {
                let _ = client.unregister_capability(vec![Unregistration { id: id.clone(), method: method.clone() }]).await;
            }
            let registration = Registration { id, method, register_options: serde_json::to_value(options).ok() };
            if let Err(err) = client.register_capability(vec![registration]).await {
                eprintln!("tactful: the client refused to watch files: {err}");
            }
        });
    }

    /// Asks a client that pulls diagnostics to pull them again.
    pub async fn refresh_pulled(&self) {
        let any_pulled = self.state.documents().values().any(|doc| doc.pulled);
        if any_pulled && self.caps().diagnostic_refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }
}

/// Glob patterns for the watched files: every `.tactful.toml`, and each other file (or
/// directory, by its `.toml` files) by its path.
fn watchers(files: &[PathBuf], relative: bool) -> Vec<FileSystemWatcher> {
    let mut patterns = vec![GlobPattern::String(format!("**/{}", tactful::config::WORKSPACE_FILE))];
    for file in files {
        if file.file_name().is_some_and(|name| name == tactful::config::WORKSPACE_FILE) {
            continue;
        }
        let (base, pattern) = if file.is_dir() {
            (Some(file.clone()), "**/*.toml".to_owned())
        } else {
            (file.parent().map(PathBuf::from), file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
        };
        let base_uri = base.as_deref().and_then(Uri::from_file_path);
        patterns.push(match base_uri {
            Some(base_uri) if relative => GlobPattern::Relative(RelativePattern { base_uri: OneOf::Right(base_uri), pattern }),
            _ => GlobPattern::String(if file.is_dir() { format!("{}/{pattern}", file.display()) } else { file.display().to_string() }),
        });
    }
    patterns.into_iter().map(|glob_pattern| FileSystemWatcher { glob_pattern, kind: None }).collect()
}

/// Runs a handler; a panic in it is logged and answered with `fallback`.
pub async fn guarded<T>(ctx: &Ctx, name: &str, fallback: T, work: impl Future<Output = T>) -> T {
    match (CatchUnwind { inner: Box::pin(work) }).await {
        Ok(value) => value,
        Err(panic) => {
            ctx.log(MessageType::ERROR, format!("internal error in {name}: {} (the server keeps running)", panic_text(&*panic)));
            fallback
        }
    }
}

pub fn panic_text(panic: &(dyn Any + Send)) -> &str {
    panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str)).unwrap_or("a panic")
}

/// A future that turns a panic while polling `inner` into an `Err`.
struct CatchUnwind<F> {
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.inner.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// Work for the checking thread.
type Job = Box<dyn FnOnce() + Send>;

/// The one thread that checks documents and builds the profiles they need, started
/// when first used.
#[derive(Debug, Default)]
pub struct Checker {
    jobs: OnceLock<Sender<Job>>,
}

impl Checker {
    /// Runs `work` on the checking thread, after the work queued before it; a panic in
    /// it comes back as an error.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|panic| panic_text(&*panic).to_owned());
            let _ = done.send(outcome);
        });
        self.jobs().send(job).map_err(|_| "the checking thread has stopped".to_owned())?;
        result.await.map_err(|_| "the checking thread has stopped".to_owned())?
    }

    fn jobs(&self) -> &Sender<Job> {
        self.jobs.get_or_init(|| {
            let (jobs, queue) = mpsc::channel::<Job>();
            let thread = std::thread::Builder::new().name("tactful-check".into()).spawn(move || {
                for job in queue {
                    job();
                }
            });
            if let Err(err) = thread {
                eprintln!("tactful: cannot start the checking thread: {err}");
            }
            jobs
        })
    }
}
