//! The `LanguageServer` implementation: each handler converts its parameters, calls
//! the module that does the work and converts back. Every handler runs under
//! [`guarded`], so a panic answers one request with an error instead of ending the
//! server.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{self, ErrorCode};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::actions;
use super::check;
use super::context::{guarded, ClientCaps, Ctx, State};
use super::convert;
use super::document::{file_path, Document};
use super::hover;
use super::position::PositionEncoding;
use super::settings::{self, Settings};
use super::wire::{ChangeNotApplied, Malformed};

/// Environment variable that enables the `tactful/debugPanic` request (for tests).
pub const PANIC_SWITCH: &str = "TACTFUL_LSP_TEST_PANICS";

/// The language server.
pub struct Server {
    ctx: Ctx,
}

impl Server {
    pub fn new(client: Client, state: Arc<State>) -> Server {
        Server { ctx: Ctx { client, state } }
    }

    /// Answers a message the relay found malformed (see [`super::wire`]).
    pub async fn malformed(&self, params: Malformed) -> jsonrpc::Result<Value> {
        self.ctx.log(MessageType::ERROR, format!("malformed message: {}", params.message));
        Err(jsonrpc::Error { code: ErrorCode::from(params.code), message: params.message.into(), data: None })
    }

    /// A `didChange` the relay could not read (see [`super::wire`]): the document may no
    /// longer match the editor's, so it gets no findings or fixes until the whole text
    /// comes again (a full change, or reopening it). The user is told.
    pub async fn change_not_applied(&self, params: ChangeNotApplied) {
        let ctx = &self.ctx;
        guarded(ctx, "a change that could not be applied", (), async {
            let uri: Option<Uri> = params.uri.parse().ok();
            let due = uri.and_then(|uri| {
                let mut docs = ctx.state.documents();
                let doc = docs.get_mut(&uri)?;
                doc.diverged = true;
                doc.revision = ctx.state.next_revision();
                Some((uri, doc.revision))
            });
            let name = if params.uri.is_empty() { "a document" } else { params.uri.as_str() };
            let message = format!(
                "a change to {name} could not be applied ({}); its findings and fixes are off until the editor sends the whole text again (reopen the file)",
                params.problem
            );
            if let Some((uri, revision)) = due {
                // Clears what was shown for the old text.
                check::schedule(ctx, uri, revision, Duration::ZERO);
            }
            ctx.show(MessageType::ERROR, message).await;
        })
        .await
    }

    /// Panics, when the environment allows it: proves that a panic is contained.
    pub async fn debug_panic(&self) -> jsonrpc::Result<Value> {
        guarded(&self.ctx, "tactful/debugPanic", Err(jsonrpc::Error::internal_error()), async {
            if std::env::var_os(PANIC_SWITCH).is_some() {
                panic!("tactful/debugPanic was asked to panic");
            }
            Err(jsonrpc::Error::method_not_found())
        })
        .await
    }
}

/// Roots from `initialize`: the workspace folders, else the root URI.
#[allow(deprecated)]
fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let folders = params.workspace_folders.iter().flatten().map(|folder| &folder.uri);
    let mut roots: Vec<PathBuf> = folders.filter_map(file_path).collect();
    if roots.is_empty() {
        roots.extend(params.root_uri.as_ref().and_then(file_path));
    }
    roots
}

fn capabilities(encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::fix_all_kind()]),
            resolve_provider: Some(false),
            ..CodeActionOptions::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: actions::COMMANDS.iter().map(|c| (*c).to_owned()).collect(),
            ..ExecuteCommandOptions::default()
        }),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some(convert::SOURCE.to_owned()),
            inter_file_dependencies: false,
            workspace_diagnostics: false,
            ..DiagnosticOptions::default()
        })),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities { supported: Some(true), change_notifications: Some(OneOf::Left(true)) }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> jsonrpc::Result<InitializeResult> {
        let ctx = &self.ctx;
        guarded(ctx, "initialize", Err(jsonrpc::Error::internal_error()), async {
            let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_deref());
            let encoding = PositionEncoding::negotiate(offered);
            let _ = ctx.state.encoding.set(encoding);
            let _ = ctx.state.caps.set(ClientCaps::of(&params.capabilities));
            let options = params.initialization_options.clone().unwrap_or_default();
            {
                let mut ws = ctx.state.workspace.lock();
                ws.set_roots(roots(&params));
                // Helix (among others) sends the section wrapped as { "tactful": { ... } }.
                match Settings::from_change(&options).unwrap_or_else(|| Settings::from_value(&options)) {
                    Ok(settings) => ws.set_editor(settings),
                    Err(problem) => ctx.state.early.lock().unwrap_or_else(PoisonError::into_inner).push(problem),
                }
            }
            Ok(InitializeResult {
                capabilities: capabilities(encoding),
                server_info: Some(ServerInfo { name: "tactful".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
                offset_encoding: None,
            })
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        let ctx = &self.ctx;
        guarded(ctx, "initialized", (), async {
            let early = std::mem::take(&mut *ctx.state.early.lock().unwrap_or_else(PoisonError::into_inner));
            for problem in early {
                ctx.show(MessageType::ERROR, format!("{problem} (using the defaults)")).await;
            }
            ctx.watch();
            if ctx.caps().configuration {
                // Not awaited here: the answer may come after `shutdown`.
                let ctx = ctx.clone();
                tokio::spawn(async move { pull_settings(&ctx).await });
            }
        })
        .await
    }

    async fn shutdown(&self) -> jsonrpc::Result<()> {
        self.ctx.state.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let ctx = &self.ctx;
        guarded(ctx, "didOpen", (), async {
            let item = params.text_document;
            let revision = ctx.state.next_revision();
            let debounce = ctx.state.workspace.lock().editor_debounce();
            let doc = Document::new(&item.uri, item.language_id, item.version, &item.text, revision, debounce);
            ctx.state.documents().insert(item.uri.clone(), doc);
            check::schedule(ctx, item.uri, revision, Duration::ZERO);
        })
        .await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let ctx = &self.ctx;
        guarded(ctx, "didChange", (), async {
            let uri = params.text_document.uri;
            let version = params.text_document.version;
            let due = {
                let mut docs = ctx.state.documents();
                let Some(doc) = docs.get_mut(&uri) else {
                    drop(docs);
                    return ctx.log(MessageType::WARNING, format!("didChange for a document that is not open: {}", uri.as_str()));
                };
                if version <= doc.version {
                    eprintln!("tactful: {} went from version {} to {version}; taking the change", uri.as_str(), doc.version);
                }
                doc.apply(params.content_changes, ctx.encoding());
                doc.version = version;
                doc.revision = ctx.state.next_revision();
                (!doc.pulled).then_some((doc.revision, doc.debounce))
            };
            if let Some((revision, debounce)) = due {
                check::schedule(ctx, uri, revision, debounce);
            }
        })
        .await
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        let ctx = &self.ctx;
        guarded(ctx, "didSave", (), async {
            // Without file watching, a save is the moment to look at the config again.
            if !ctx.caps().dynamic_watch {
                ctx.state.workspace.lock().reload();
                check::recheck_all(ctx);
            }
        })
        .await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let ctx = &self.ctx;
        guarded(ctx, "didClose", (), async {
            let uri = params.text_document.uri;
            if ctx.state.documents().remove(&uri).is_some() {
                ctx.state.forget_unused_profiles();
                ctx.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        })
        .await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let ctx = &self.ctx;
        guarded(ctx, "didChangeConfiguration", (), async {
            match Settings::from_change(&params.settings) {
                Some(settings) => apply_settings(ctx, settings).await,
                None if ctx.caps().configuration => pull_settings(ctx).await,
                None => {}
            }
        })
        .await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let ctx = &self.ctx;
        guarded(ctx, "didChangeWatchedFiles", (), async {
            {
                let mut ws = ctx.state.workspace.lock();
                ws.reload();
                for change in &params.changes {
                    if let Some(path) = file_path(&change.uri) {
                        ws.file_changed(&path);
                    }
                }
            }
            check::recheck_all(ctx);
            ctx.refresh_pulled().await;
        })
        .await
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let ctx = &self.ctx;
        guarded(ctx, "didChangeWorkspaceFolders", (), async {
            {
                let mut ws = ctx.state.workspace.lock();
                let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(|f| file_path(&f.uri)).collect();
                let mut roots: Vec<PathBuf> = ws.roots().iter().filter(|r| !removed.contains(r)).cloned().collect();
                roots.extend(params.event.added.iter().filter_map(|f| file_path(&f.uri)));
                ws.set_roots(roots);
            }
            check::recheck_all(ctx);
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> jsonrpc::Result<Option<Hover>> {
        let ctx = &self.ctx;
        guarded(ctx, "hover", Err(jsonrpc::Error::internal_error()), async {
            let at = params.text_document_position_params;
            let docs = ctx.state.documents();
            Ok(docs.get(&at.text_document.uri).and_then(|doc| hover::hover(doc, at.position, ctx.encoding())))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> jsonrpc::Result<Option<CodeActionResponse>> {
        let ctx = &self.ctx;
        guarded(ctx, "codeAction", Err(jsonrpc::Error::internal_error()), async {
            let Some(path) = ctx.state.documents().get(&params.text_document.uri).map(|doc| doc.path.clone()) else { return Ok(None) };
            let disable_in = ctx.state.workspace.lock().disable_target(path.as_deref());
            let docs = ctx.state.documents();
            let Some(doc) = docs.get(&params.text_document.uri) else { return Ok(None) };
            if doc.diverged {
                return Ok(Some(Vec::new()));
            }
            Ok(Some(actions::code_actions(&params, doc, disable_in.as_ref(), ctx.encoding(), &ctx.caps())))
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> jsonrpc::Result<Option<Value>> {
        let ctx = &self.ctx;
        guarded(ctx, "executeCommand", Err(jsonrpc::Error::internal_error()), actions::execute(ctx, params)).await
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> jsonrpc::Result<DocumentDiagnosticReportResult> {
        let ctx = &self.ctx;
        guarded(ctx, "textDocument/diagnostic", Err(jsonrpc::Error::internal_error()), async {
            let items = check::pull(ctx, &params.text_document.uri).await.unwrap_or_default();
            let report = FullDocumentDiagnosticReport { result_id: None, items };
            let report = RelatedFullDocumentDiagnosticReport { related_documents: None, full_document_diagnostic_report: report };
            Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(report)))
        })
        .await
    }
}

/// New editor settings: take them and check everything again.
async fn apply_settings(ctx: &Ctx, settings: Result<Settings, String>) {
    match settings {
        Ok(settings) => {
            {
                let mut ws = ctx.state.workspace.lock();
                if *ws.editor() == settings {
                    return;
                }
                ws.set_editor(settings);
            }
            check::recheck_all(ctx);
            ctx.refresh_pulled().await;
        }
        Err(problem) => ctx.show(MessageType::ERROR, format!("{problem} (keeping the previous settings)")).await,
    }
}

/// Reads the "tactful" section with `workspace/configuration`.
async fn pull_settings(ctx: &Ctx) {
    let scope_uri = ctx.state.workspace.lock().roots().first().and_then(Uri::from_file_path);
    let item = ConfigurationItem { scope_uri, section: Some(settings::SECTION.to_owned()) };
    match ctx.client.configuration(vec![item]).await {
        Ok(values) => {
            // A client that knows no such section answers null (or {}): then the
            // initializationOptions stay in force.
            let value = values.into_iter().next().unwrap_or_default();
            let empty = match &value {
                Value::Null => true,
                Value::Object(map) => map.is_empty(),
                Value::Array(items) => items.is_empty(),
                _ => false,
            };
            if !empty {
                apply_settings(ctx, Settings::from_value(&value)).await;
            }
        }
        Err(err) => ctx.log(MessageType::WARNING, format!("workspace/configuration failed: {err}")),
    }
}
