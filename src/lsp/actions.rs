//! Code actions and the commands behind them.
//!
//! - One quick fix per suggestion of a diagnostic, the first preferred, each a
//!   versioned edit of exactly the flagged span. A diagnostic from another version of
//!   the document, or whose range no longer holds the flagged text, gets no action.
//! - "Ignore this finding in this message": a command; the server keeps the key
//!   (rule, text, occurrence) for the document and never writes it into the text.
//! - "Disable rule X / category Y in this workspace": a command; the server edits the
//!   workspace `.tactful.toml` through `workspace/applyEdit` (creating it if needed)
//!   with the smallest text edit that sets `rules."X" = "off"`, the rest kept. A
//!   document with no workspace folder and no `.tactful.toml` above it gets "... in
//!   your user config" instead, which edits the user config the same way.
//! - "Fix all safe rewrites" (`source.fixAll.tactful`): every finding with a rewrite the
//!   pack marks `safe` (mechanical: one mark instead of three, plain case); rewordings
//!   change what the text says and are left to the writer.

use std::collections::HashMap;
use std::path::PathBuf;

use ropey::Rope;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tactful::engine::LIMIT_NOTE;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command, CreateFile, CreateFileOptions, Diagnostic, DocumentChangeOperation,
    DocumentChanges, ExecuteCommandParams, MessageType, OneOf, OptionalVersionedTextDocumentIdentifier, Range, ResourceOp, TextDocumentEdit,
    TextEdit, Uri, WorkspaceEdit,
};

use super::check;
use super::context::{ClientCaps, Ctx};
use super::convert::{self, FindingData};
use super::document::{Checked, Document};
use super::position::{self, PositionEncoding};
use super::workspace::DisableTarget;

pub const IGNORE_COMMAND: &str = "tactful.ignoreFinding";
pub const DISABLE_COMMAND: &str = "tactful.disable";

/// Every command the server executes.
pub const COMMANDS: [&str; 2] = [IGNORE_COMMAND, DISABLE_COMMAND];

/// The kind of the "Fix all safe rewrites" source action.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.tactful")
}

/// Arguments of [`IGNORE_COMMAND`].
#[derive(Debug, Serialize, Deserialize)]
pub struct IgnoreArgs {
    pub uri: Uri,
    pub rule: String,
    pub text: String,
    pub occurrence: usize,
}

/// Arguments of [`DISABLE_COMMAND`]: `key` is a rule id or a category.
#[derive(Debug, Serialize, Deserialize)]
pub struct DisableArgs {
    pub uri: Uri,
    pub key: String,
}

/// The code actions for a request, from the document as it is now.
pub fn code_actions(
    params: &CodeActionParams,
    doc: &Document,
    disable_in: Option<&DisableTarget>,
    encoding: PositionEncoding,
    caps: &ClientCaps,
) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let only = params.context.only.as_deref();
    let wants = |kind: &CodeActionKind| only.is_none_or(|only| only.iter().any(|k| kind.as_str().starts_with(k.as_str())));
    let mut found: Vec<(Diagnostic, FindingData)> =
        params.context.diagnostics.iter().filter_map(|d| FindingData::from_diagnostic(d).map(|data| (d.clone(), data))).collect();
    if found.is_empty() {
        found = overlapping(doc, params.range, encoding);
    }
    let mut actions = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        let mut fixes = Vec::new();
        let mut commands = Vec::new();
        for (diagnostic, data) in &found {
            if data.version != doc.version || !flags(&doc.rope, diagnostic.range, &data.text, encoding) {
                continue;
            }
            for (i, suggestion) in data.suggestions.iter().enumerate() {
                let edit = TextEdit { range: diagnostic.range, new_text: suggestion.replacement.clone() };
                fixes.push(CodeAction {
                    title: convert::suggestion_label(&suggestion.title, &suggestion.replacement),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(workspace_edit(uri, Some(doc.version), vec![edit], caps)),
                    is_preferred: Some(i == 0),
                    ..CodeAction::default()
                });
            }
            commands.extend(finding_commands(uri, diagnostic, data, found.len() > 1, disable_in));
        }
        // Two findings of one rule offer the same "disable" once (titles name the key).
        let mut seen = std::collections::HashSet::new();
        let is_disable = |action: &CodeAction| action.command.as_ref().is_some_and(|c| c.command == DISABLE_COMMAND);
        commands.retain(|action| !is_disable(action) || seen.insert(action.title.clone()));
        actions.extend(fixes.into_iter().chain(commands).map(CodeActionOrCommand::CodeAction));
    }
    let kind = fix_all_kind();
    if only.is_some_and(|only| only.iter().any(|k| kind.as_str().starts_with(k.as_str()))) || (only.is_none() && !actions.is_empty()) {
        if let Some(checked) = doc.current() {
            actions.extend(fix_all(uri, doc, checked, encoding, caps).map(CodeActionOrCommand::CodeAction));
        }
    }
    actions
}

/// Diagnostics of the current check that touch `range`, for requests that carry none.
fn overlapping(doc: &Document, range: Range, encoding: PositionEncoding) -> Vec<(Diagnostic, FindingData)> {
    let Some(checked) = doc.current().filter(|c| c.enabled) else { return Vec::new() };
    let wanted = position::byte_range(&doc.rope, range, encoding);
    checked
        .visible(&doc.ignored)
        .filter(|(f, _)| f.span.start <= wanted.end && wanted.start <= f.span.end)
        .map(|(f, occurrence)| (convert::diagnostic(checked, f, *occurrence, encoding), FindingData::of(checked, f, *occurrence)))
        .collect()
}

/// Whether `range` of the document holds exactly `text`.
fn flags(rope: &Rope, range: Range, text: &str, encoding: PositionEncoding) -> bool {
    let chars = position::char_range(rope, range, encoding);
    rope.slice(chars) == text
}

/// "Ignore" and "disable" for one finding; `named`: say which rule is ignored (when
/// the request covers several findings). The "disable" titles say which file they
/// write; without one to write, or for the note that checking stopped (no rule of a
/// pack), there are none.
fn finding_commands(uri: &Uri, diagnostic: &Diagnostic, data: &FindingData, named: bool, disable_in: Option<&DisableTarget>) -> Vec<CodeAction> {
    let command = |title: String, name: &str, args: Value| CodeAction {
        title: title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        command: Some(Command { title, command: name.to_owned(), arguments: Some(vec![args]) }),
        ..CodeAction::default()
    };
    let ignore = IgnoreArgs { uri: uri.clone(), rule: data.rule.clone(), text: data.text.clone(), occurrence: data.occurrence };
    let disable = |key: &str| DisableArgs { uri: uri.clone(), key: key.to_owned() };
    let mut commands = vec![command(
        if named { format!("Ignore this finding in this message ({})", data.rule) } else { "Ignore this finding in this message".into() },
        IGNORE_COMMAND,
        json(&ignore),
    )];
    if let Some(target) = disable_in.filter(|_| data.rule != LIMIT_NOTE) {
        let place = match target {
            DisableTarget::Workspace(_) => "in this workspace",
            DisableTarget::User(_) => "in your user config",
        };
        commands.push(command(format!("Disable rule {} {place}", data.rule), DISABLE_COMMAND, json(&disable(&data.rule))));
        commands.push(command(format!("Disable category {} {place}", data.category), DISABLE_COMMAND, json(&disable(&data.category))));
    }
    commands
}

/// Command arguments as JSON (plain structs: serializing cannot fail).
fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// One edit per finding with a rewrite marked safe (its first), overlapping ones skipped.
fn fix_all(uri: &Uri, doc: &Document, checked: &Checked, encoding: PositionEncoding, caps: &ClientCaps) -> Option<CodeAction> {
    let mut edits = Vec::new();
    let mut end = 0;
    for (finding, _) in checked.visible(&doc.ignored) {
        if let Some(safe) = finding.suggestions.iter().find(|suggestion| suggestion.safe) {
            if finding.span.start >= end || edits.is_empty() {
                end = finding.span.end;
                let range = position::range(&checked.rope, finding.span.clone(), encoding);
                edits.push(TextEdit { range, new_text: safe.replacement.clone() });
            }
        }
    }
    if edits.is_empty() {
        return None;
    }
    Some(CodeAction {
        title: format!("Fix all safe rewrites ({})", edits.len()),
        kind: Some(fix_all_kind()),
        edit: Some(workspace_edit(uri, Some(checked.version), edits, caps)),
        ..CodeAction::default()
    })
}

/// Edits of one document: versioned `documentChanges` when the client takes them.
fn workspace_edit(uri: &Uri, version: Option<i32>, edits: Vec<TextEdit>, caps: &ClientCaps) -> WorkspaceEdit {
    if caps.document_changes {
        let edit = TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        };
        WorkspaceEdit { document_changes: Some(DocumentChanges::Edits(vec![edit])), ..WorkspaceEdit::default() }
    } else {
        WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..WorkspaceEdit::default() }
    }
}

/// Runs one of [`COMMANDS`].
pub async fn execute(ctx: &Ctx, params: ExecuteCommandParams) -> jsonrpc::Result<Option<Value>> {
    let argument = params.arguments.into_iter().next().unwrap_or_default();
    let invalid = |err: serde_json::Error| jsonrpc::Error::invalid_params(format!("{}: {err}", params.command));
    match params.command.as_str() {
        IGNORE_COMMAND => ignore(ctx, serde_json::from_value(argument).map_err(invalid)?).await,
        DISABLE_COMMAND => disable(ctx, serde_json::from_value(argument).map_err(invalid)?).await,
        other => return Err(jsonrpc::Error::invalid_params(format!("unknown command `{other}`"))),
    }
    Ok(None)
}

async fn ignore(ctx: &Ctx, args: IgnoreArgs) {
    let republish = {
        let mut docs = ctx.state.documents();
        let Some(doc) = docs.get_mut(&args.uri) else { return };
        doc.ignored.insert(super::document::IgnoreKey { rule: args.rule, text: args.text, occurrence: args.occurrence });
        match doc.current() {
            Some(checked) if !doc.pulled => Some((ctx.diagnostics(checked, &doc.ignored), doc.version)),
            Some(_) => None,
            None => {
                check::schedule(ctx, args.uri.clone(), doc.revision, std::time::Duration::ZERO);
                None
            }
        }
    };
    if let Some((diagnostics, version)) = republish {
        ctx.client.publish_diagnostics(args.uri, diagnostics, Some(version)).await;
    }
    ctx.refresh_pulled().await;
}

async fn disable(ctx: &Ctx, args: DisableArgs) {
    let path = ctx.state.documents().get(&args.uri).and_then(|doc| doc.path.clone());
    let state = std::sync::Arc::clone(&ctx.state);
    let key = args.key.clone();
    let planned = tokio::task::spawn_blocking(move || {
        let target = state.workspace.lock().disable_target(path.as_deref()).ok_or("no workspace folder or user config to write it in")?;
        let file = match &target {
            DisableTarget::Workspace(file) => file.clone(),
            DisableTarget::User(file) => {
                let dir = file.parent().unwrap_or(file);
                std::fs::create_dir_all(dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
                file.clone()
            }
        };
        let old = state.workspace.lock().config_text(&file);
        let new = disable_in_toml(old.as_deref().unwrap_or_default(), &key)?;
        Ok::<_, String>((target, file, old, new))
    })
    .await;
    let (target, file, old, new) = match planned {
        Ok(Ok(plan)) => plan,
        Ok(Err(problem)) => return ctx.show(MessageType::ERROR, format!("cannot disable it: {problem}")).await,
        Err(err) => return ctx.show(MessageType::ERROR, format!("cannot disable it: {err}")).await,
    };
    match apply_config_edit(ctx, &file, old.as_deref(), &new).await {
        Ok(()) => {
            ctx.state.workspace.lock().set_overlay(file.clone(), new);
            check::recheck_all(ctx);
            ctx.refresh_pulled().await;
            if let DisableTarget::User(_) = target {
                let why = "this file has no workspace folder and no .tactful.toml above it";
                ctx.show(MessageType::INFO, format!("turned `{}` off in your user config, {} ({why})", args.key, file.display())).await;
            }
        }
        Err(problem) => ctx.show(MessageType::ERROR, format!("cannot edit {}: {problem}", file.display())).await,
    }
}

/// Writes `new` over `old` (`None`: the file does not exist) through the client, or
/// directly when the client cannot apply such an edit.
async fn apply_config_edit(ctx: &Ctx, file: &std::path::Path, old: Option<&str>, new: &str) -> Result<(), String> {
    let caps = ctx.caps();
    let uri = Uri::from_file_path(file).ok_or("not an absolute path")?;
    let edit = match old {
        Some(old) if caps.apply_edit => {
            let edit = minimal_edit(old, new, ctx.encoding());
            Some(workspace_edit(&uri, None, vec![edit], &caps))
        }
        None if caps.apply_edit && caps.create_files => {
            let create = ResourceOp::Create(CreateFile {
                uri: uri.clone(),
                options: Some(CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
                annotation_id: None,
            });
            let insert = TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                edits: vec![OneOf::Left(TextEdit { range: Range::default(), new_text: new.to_owned() })],
            };
            let changes = vec![DocumentChangeOperation::Op(create), DocumentChangeOperation::Edit(insert)];
            Some(WorkspaceEdit { document_changes: Some(DocumentChanges::Operations(changes)), ..WorkspaceEdit::default() })
        }
        _ => None,
    };
    match edit {
        Some(edit) => {
            let response = ctx.client.apply_edit(edit).await.map_err(|err| err.to_string())?;
            if response.applied {
                Ok(())
            } else {
                Err(response.failure_reason.unwrap_or_else(|| "the editor did not apply the edit".into()))
            }
        }
        None => {
            let (file, new) = (PathBuf::from(file), new.to_owned());
            tokio::task::spawn_blocking(move || std::fs::write(file, new)).await.map_err(|err| err.to_string())?.map_err(|err| err.to_string())
        }
    }
}

/// `text` with `rules."<key>" = "off"`, comments and layout kept.
pub fn disable_in_toml(text: &str, key: &str) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|err| format!(".tactful.toml does not parse: {err}"))?;
    let rules = doc.entry("rules").or_insert_with(toml_edit::table);
    let table = rules.as_table_like_mut().ok_or("`rules` in .tactful.toml is not a table")?;
    table.insert(key, toml_edit::value("off"));
    Ok(doc.to_string())
}

/// One edit turning `old` into `new`: the changed middle between the common prefix
/// and suffix, on char boundaries.
pub fn minimal_edit(old: &str, new: &str, encoding: PositionEncoding) -> TextEdit {
    let prefix = common_prefix(old, new);
    let suffix = common_prefix_rev(&old[prefix..], &new[prefix..]);
    let rope = Rope::from_str(old);
    let range = Range::new(position::position(&rope, prefix, encoding), position::position(&rope, old.len() - suffix, encoding));
    TextEdit { range, new_text: new[prefix..new.len() - suffix].to_owned() }
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices().zip(b.chars()).find(|((_, x), y)| x != y).map_or(a.len().min(b.len()), |((i, _), _)| i)
}

fn common_prefix_rev(a: &str, b: &str) -> usize {
    let mut len = 0;
    for (x, y) in a.chars().rev().zip(b.chars().rev()) {
        if x != y {
            break;
        }
        len += x.len_utf8();
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::Position;

    fn apply(old: &str, edit: &TextEdit) -> String {
        let rope = Rope::from_str(old);
        let range = position::byte_range(&rope, edit.range, PositionEncoding::Utf16);
        format!("{}{}{}", &old[..range.start], edit.new_text, &old[range.end..])
    }

    #[test]
    fn disabling_keeps_the_rest_of_the_file() {
        let old = "# team settings\nmin_severity = \"info\"  # keep\n\n[rules]\nshouting = \"hint\"\n";
        let new = disable_in_toml(old, "pressure.asap").unwrap();
        assert_eq!(new, "# team settings\nmin_severity = \"info\"  # keep\n\n[rules]\nshouting = \"hint\"\n\"pressure.asap\" = \"off\"\n");
        let edit = minimal_edit(old, &new, PositionEncoding::Utf16);
        assert_eq!(edit.range.start, Position::new(5, 0));
        assert_eq!(apply(old, &edit), new);
    }

    #[test]
    fn disabling_in_an_empty_or_missing_file() {
        assert_eq!(disable_in_toml("", "pressure").unwrap(), "[rules]\npressure = \"off\"\n");
        let inline = disable_in_toml("rules = { shouting = \"off\" }\n", "pressure").unwrap();
        assert!(inline.contains("pressure = \"off\""), "{inline}");
        assert!(disable_in_toml("rules = 3\n", "pressure").is_err());
        assert!(disable_in_toml("[rules\n", "pressure").is_err());
    }

    #[test]
    fn an_existing_setting_is_replaced() {
        let old = "[rules]\n\"pressure.asap\" = \"error\" # loud\n";
        let new = disable_in_toml(old, "pressure.asap").unwrap();
        assert!(new.starts_with("[rules]\n\"pressure.asap\" = \"off\""), "{new}");
        assert_eq!(apply(old, &minimal_edit(old, &new, PositionEncoding::Utf16)), new);
    }

    #[test]
    fn minimal_edits_with_multibyte_text() {
        let old = "# Zoë 👋\na = 1\n";
        let new = "# Zoë 👋\na = 2\n";
        let edit = minimal_edit(old, new, PositionEncoding::Utf16);
        assert_eq!(edit.range, Range::new(Position::new(1, 4), Position::new(1, 5)));
        assert_eq!(edit.new_text, "2");
        assert_eq!(apply("", &minimal_edit("", "x\n", PositionEncoding::Utf16)), "x\n");
    }
}
