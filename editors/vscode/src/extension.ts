// VS Code client for `tactful lsp`: starts the server for plaintext, markdown and
// mail documents, maps the `tactful.*` settings onto the server's "tactful" section
// (see settings.ts), shows the number of findings in the status bar and restarts the
// server when `tactful.path` changes.

import * as os from "os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import { Context, RawSettings, serverCommand, ServerSettings, toServerSettings } from "./settings";

const SECTION = "tactful";
const SOURCE = "tactful";
const LANGUAGES = ["plaintext", "markdown", "mail"];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let starting: Promise<void> | undefined;

const selector: DocumentSelector = LANGUAGES.flatMap((language) => [
  { scheme: "file", language },
  { scheme: "untitled", language },
]);

function contextFor(scope?: vscode.Uri): Context {
  const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : vscode.workspace.workspaceFolders?.[0];
  return { workspaceFolder: folder?.uri.fsPath, home: os.homedir() };
}

function rawSettings(scope?: vscode.Uri): RawSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope ?? null);
  return {
    path: c.get("path"),
    packs: c.get("packs"),
    rules: c.get("rules"),
    minSeverity: c.get("minSeverity"),
    debounceMs: c.get("debounceMs"),
  };
}

const reported = new Set<string>();
function serverSettings(scope?: vscode.Uri): ServerSettings {
  const { settings, problems } = toServerSettings(rawSettings(scope), contextFor(scope));
  for (const p of problems) {
    if (!reported.has(p)) {
      reported.add(p);
      output.appendLine(`settings: ${p}`);
    }
  }
  return settings;
}

function isTactfulDocument(doc: vscode.TextDocument | undefined): boolean {
  return doc !== undefined && vscode.languages.match(selector as vscode.DocumentSelector, doc) > 0;
}

function updateStatus(): void {
  const doc = vscode.window.activeTextEditor?.document;
  if (!isTactfulDocument(doc)) {
    status.hide();
    return;
  }
  if (!client || client.state !== State.Running) {
    status.text = starting ? "$(sync~spin) tactful: starting" : "$(error) tactful: not running";
    status.tooltip = starting ? "tactful: starting the server" : "tactful: the server is not running (click for its output)";
    status.command = "tactful.showOutput";
    status.show();
    return;
  }
  const diags = vscode.languages.getDiagnostics(doc!.uri).filter((d) => d.source === SOURCE);
  const bySeverity = [0, 0, 0, 0];
  for (const d of diags) {
    bySeverity[d.severity]++;
  }
  const n = diags.length;
  status.text = `$(comment-discussion) tactful: ${n}`;
  status.tooltip =
    n === 0
      ? "tactful: no findings in this document"
      : `tactful: ${n} finding${n === 1 ? "" : "s"} in this document ` +
        `(${bySeverity[0]} error, ${bySeverity[1]} warning, ${bySeverity[2]} info, ${bySeverity[3]} hint); click for the Problems view`;
  status.command = "workbench.actions.view.problems";
  status.show();
}

async function startClient(): Promise<void> {
  const command = serverCommand(rawSettings().path, contextFor());
  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"] },
    debug: { command, args: ["lsp"] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    outputChannel: output,
    initializationOptions: () => serverSettings(),
    middleware: {
      workspace: {
        // Answer the server's workspace/configuration requests for "tactful" with the
        // mapped settings of the folder asked about; other sections go to VS Code.
        configuration: async (params, token, next) => {
          const other = await next(params, token);
          if (!Array.isArray(other)) {
            return other;
          }
          return params.items.map((item, i) => {
            if (item.section === SECTION) {
              return serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined);
            }
            return other[i];
          });
        },
      },
    },
  };
  output.appendLine(`starting ${command} lsp`);
  const c = new LanguageClient("tactful", "tactful", serverOptions, clientOptions);
  client = c;
  c.onDidChangeState(() => updateStatus());
  starting = c.start();
  updateStatus();
  try {
    await starting;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    output.appendLine(`could not start ${command}: ${msg}`);
    void vscode.window
      .showErrorMessage(
        `tactful: could not start "${command} lsp" (${msg}). Install tactful or set "tactful.path".`,
        "Open Settings",
      )
      .then((choice) => {
        if (choice) {
          void vscode.commands.executeCommand("workbench.action.openSettings", "tactful.path");
        }
      });
  } finally {
    starting = undefined;
    updateStatus();
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch (err) {
      output.appendLine(`stopping the server: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

async function restart(): Promise<void> {
  await stopClient();
  await startClient();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("tactful");
  status = vscode.window.createStatusBarItem("tactful.findings", vscode.StatusBarAlignment.Right, 100);
  status.name = "tactful findings";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("tactful.restart", restart),
    vscode.commands.registerCommand("tactful.showOutput", () => output.show(true)),
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.window.onDidChangeActiveTextEditor(() => updateStatus()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration(`${SECTION}.path`)) {
        output.appendLine("tactful.path changed: restarting the server");
        await restart();
      } else if (e.affectsConfiguration(SECTION) && client?.state === State.Running) {
        // The server re-reads its section (workspace/configuration) or takes it from here.
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
