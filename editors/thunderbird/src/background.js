// The add-on's background page: one tactful language server (a native-messaging
// host) for every compose window. Each compose window is one document,
// "untitled:compose-<tab id>", language "mail": its Subject line, a blank line and
// the body as text (lib/mapping.js). Findings come back as diagnostics; the content
// script in the editor underlines them, the popup lists them, and onBeforeSend holds
// a message that still has findings at or above the chosen severity.
"use strict";

const { ComposeDocument, replaceInSubject } = globalThis.tactfulMapping;
const { validate, toServer, installCommand } = globalThis.tactfulSettings;
const { popupModel, badge, severityName, whyFromHover, heldCount, hostAfterDisconnect } = globalThis.tactfulPopupModel;
const { LspClient } = globalThis.tactfulLsp;

const HOST_NAME = "tactful";
/** The end-to-end test's driver add-on, the only other add-on this one answers. */
const TEST_DRIVER_ID = "tactful-e2e-driver@tactful";
/** How long a check may take before it is given up (and a message is let go unchecked). */
const CHECK_TIMEOUT_MS = 10000;
const SUBJECT_POLL_MS = 1000;

const HIGHLIGHT_CSS = ["error:#d32f2f", "warning:#e08a00", "info:#1e88e5", "hint:#9e9e9e"]
  .map((entry) => {
    const [name, color] = entry.split(":");
    return `::highlight(tactful-${name}) { text-decoration: underline wavy ${color}; text-decoration-skip-ink: none; }`;
  })
  .join("\n");

let settings = validate(undefined).settings;
let settingsProblems = [];
let host = { status: "connecting", error: null, version: null };
let client = null;
let serverMessage = null;
/** tab id -> the state of one compose window. */
const composes = new Map();

function uriOf(tabId) {
  return `untitled:compose-${tabId}`;
}

function composeOf(tabId) {
  let state = composes.get(tabId);
  if (!state) {
    state = { tabId, doc: null, snapshot: null, revision: -1, version: 0, published: 0, opened: false, findings: [], waiters: [], hold: null, sendAnyway: false, attached: false };
    composes.set(tabId, state);
  }
  return state;
}

// --- the language server -------------------------------------------------------

async function connect() {
  if (client && !client.closed) return;
  host = { status: "connecting", error: null, version: null };
  refreshAll();
  let port;
  try {
    port = browser.runtime.connectNative(HOST_NAME);
  } catch (err) {
    hostFailed(String(err.message || err));
    return;
  }
  const connection = new LspClient(port, {
    notification: onServerNotification,
    request: onServerRequest,
    disconnected: (error) => {
      if (client === connection) hostFailed(error);
    },
  });
  client = connection;
  try {
    const result = await connection.request("initialize", {
      processId: null,
      clientInfo: { name: "Thunderbird", version: (await browser.runtime.getBrowserInfo()).version },
      rootUri: null,
      workspaceFolders: null,
      initializationOptions: toServer(settings),
      capabilities: {
        general: { positionEncodings: ["utf-16"] },
        workspace: { configuration: true, applyEdit: false, workspaceEdit: { documentChanges: true } },
        textDocument: {
          publishDiagnostics: { versionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "source"] } } },
          hover: { contentFormat: ["markdown"] },
        },
      },
    });
    connection.notify("initialized", {});
    host = { status: "ok", error: null, version: (result.serverInfo && result.serverInfo.version) || null };
    for (const state of composes.values()) {
      state.opened = false;
      check(state.tabId).catch(logError);
    }
  } catch (err) {
    if (client === connection) hostFailed(host.error || String(err.message || err));
  }
  refreshAll();
}

function hostFailed(error) {
  host = hostAfterDisconnect(error);
  client = null;
  for (const state of composes.values()) {
    state.findings = [];
    for (const waiter of state.waiters.splice(0)) waiter.resolve();
  }
  refreshAll();
}

function onServerRequest(method) {
  switch (method) {
    case "workspace/configuration":
      return [toServer(settings)];
    default:
      // client/registerCapability, window/workDoneProgress/create: nothing to set up.
      return null;
  }
}

function onServerNotification(method, params) {
  if (method === "textDocument/publishDiagnostics") {
    const tabId = Number(/^untitled:compose-(\d+)$/.exec(params.uri)?.[1]);
    const state = composes.get(tabId);
    if (state && params.version === state.version) published(state, params.diagnostics).catch(logError);
  } else if (method === "window/showMessage") {
    serverMessage = params.message;
    refreshAll();
  } else if (method === "window/logMessage") {
    console.log(`tactful: ${params.message}`);
  }
}

// --- checking a compose window ---------------------------------------------------

/** Puts the editor script into a compose tab and checks the draft. */
async function attach(tabId) {
  const state = composeOf(tabId);
  for (let attempt = 0; attempt < 20 && !state.attached; attempt++) {
    try {
      await browser.compose.getComposeDetails(tabId);
      await browser.scripting.insertCSS({ target: { tabId }, css: HIGHLIGHT_CSS });
      await browser.scripting.executeScript({ target: { tabId }, files: ["lib/mapping.js", "compose/editor.js"] });
      const snapshot = await browser.tabs.sendMessage(tabId, { type: "tactful:configure", debounceMs: settings.debounceMs });
      state.attached = true;
      await submit(state, snapshot);
    } catch (err) {
      if (!composes.has(tabId)) return;
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }
}

/** Reads the draft now and checks it; resolves when its findings are in. */
async function check(tabId) {
  const state = composeOf(tabId);
  if (!state.attached) return;
  const snapshot = await browser.tabs.sendMessage(tabId, { type: "tactful:extract" });
  await submit(state, snapshot);
}

/** Sends the draft (body snapshot and current subject) to the server; waits for its findings. */
async function submit(state, snapshot) {
  const details = await browser.compose.getComposeDetails(state.tabId);
  state.snapshot = snapshot;
  state.doc = new ComposeDocument(details.subject || "", snapshot.pieces);
  state.revision = snapshot.revision;
  if (host.status !== "ok" || !client) return;
  state.version += 1;
  const textDocument = { uri: uriOf(state.tabId), version: state.version };
  const done = new Promise((resolve) => state.waiters.push({ version: state.version, resolve }));
  if (state.opened) {
    client.notify("textDocument/didChange", { textDocument, contentChanges: [{ text: state.doc.text }] });
  } else {
    client.notify("textDocument/didOpen", { textDocument: { ...textDocument, languageId: "mail", text: state.doc.text } });
    state.opened = true;
  }
  // A server that does not publish (a setting that turns checking off) must not
  // leave the popup or a send waiting.
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, CHECK_TIMEOUT_MS))]);
}

/** Diagnostics for the current version: mapped to the draft, underlined, counted. */
async function published(state, diagnostics) {
  const doc = state.doc;
  const version = state.version;
  state.published = version;
  state.findings = [];
  diagnostics.forEach((diagnostic, index) => {
    const place = doc.locate(diagnostic.range);
    if (!place) return;
    const data = diagnostic.data || {};
    state.findings.push({
      id: `${version}:${index}`,
      ...place,
      severity: diagnostic.severity,
      rule: diagnostic.code,
      message: diagnostic.message,
      text: data.text ?? "",
      suggestions: data.suggestions || [],
      diagnostic,
      why: null,
    });
  });
  if (state.hold) state.hold = holding(state);
  const marks = state.findings
    .filter((f) => f.field === "body")
    .map((f) => ({ ...doc.domRange(f.start, f.end), severity: severityName(f.severity) }))
    .filter((m) => m.startNode !== undefined);
  await browser.tabs.sendMessage(state.tabId, { type: "tactful:highlight", revision: state.revision, marks }).catch(logError);
  refresh(state);
  for (const waiter of state.waiters.splice(0)) waiter.resolve();
}

function holding(state) {
  const count = heldCount(state.findings, settings);
  return count > 0 ? { count, severity: settings.holdSeverity } : null;
}

// --- edits the writer asks for ---------------------------------------------------

/** Replaces what a finding flags (or any subject/body span) by `text`; throws with a reason. */
async function applyEdits(state, edits) {
  const doc = state.doc;
  const body = [];
  let subject = doc.subject;
  // Back to front, so the offsets of the subject edits stay right.
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    if (edit.field === "subject") {
      subject = replaceInSubject(subject, edit.start, edit.end, edit.text);
    } else {
      const dom = doc.domEdits(edit.start, edit.end, edit.text);
      if (!dom) throw new Error("that text is in a quote or signature");
      body.push(...dom);
    }
  }
  if (body.length > 0) {
    const result = await browser.tabs.sendMessage(state.tabId, { type: "tactful:edit", revision: state.revision, edits: body });
    if (!result.applied) throw new Error(`${result.reason}; checking again`);
  }
  if (subject !== doc.subject) {
    const details = await browser.compose.getComposeDetails(state.tabId);
    if ((details.subject || "") !== doc.subject) throw new Error("the subject changed; checking again");
    await browser.compose.setComposeDetails(state.tabId, { subject });
  }
}

async function rewrite(state, id, index) {
  const finding = state.findings.find((f) => f.id === id);
  const suggestion = finding && finding.suggestions[index];
  if (!suggestion) throw new Error("that finding is gone; checking again");
  await applyEdits(state, [{ field: finding.field, start: finding.start, end: finding.end, text: suggestion.replacement }]);
}

/** The server's "fix all safe rewrites" action for the current version, if it offers one. */
async function fixAllAction(state) {
  if (!client || !state.doc) return null;
  const end = state.doc.bodyRange(state.doc.body.length, state.doc.body.length).end;
  const actions = await client.request("textDocument/codeAction", {
    textDocument: { uri: uriOf(state.tabId) },
    range: { start: { line: 0, character: 0 }, end },
    context: { diagnostics: [], only: ["source.fixAll"] },
  });
  const action = (actions || []).find((a) => a.kind && a.kind.startsWith("source.fixAll") && a.edit);
  if (!action) return null;
  const change = (action.edit.documentChanges || []).find((c) => c.textDocument && c.textDocument.uri === uriOf(state.tabId));
  if (change && change.textDocument.version !== state.version) return null;
  const edits = change ? change.edits : (action.edit.changes || {})[uriOf(state.tabId)] || [];
  const placed = edits.map((e) => ({ ...state.doc.locate(e.range), text: e.newText }));
  return placed.every((p) => p.field) ? placed : null;
}

async function ignore(state, id) {
  const finding = state.findings.find((f) => f.id === id);
  if (!finding) throw new Error("that finding is gone; checking again");
  const data = finding.diagnostic.data || {};
  await client.request("workspace/executeCommand", {
    command: "tactful.ignoreFinding",
    arguments: [{ uri: uriOf(state.tabId), rule: data.rule, text: data.text, occurrence: data.occurrence }],
  });
}

/** Fills in "why" from the server's hover text (once per finding). */
async function explain(state) {
  await Promise.all(
    state.findings
      .filter((f) => f.why === null && client)
      .map(async (f) => {
        const hover = await client.request("textDocument/hover", { textDocument: { uri: uriOf(state.tabId) }, position: f.diagnostic.range.start }).catch(() => null);
        f.why = whyFromHover(hover && hover.contents && hover.contents.value);
      }),
  );
}

// --- popup and badge -------------------------------------------------------------

async function popupState(tabId) {
  const state = composeOf(tabId);
  let fixAll = null;
  if (host.status === "ok") {
    await explain(state);
    const edits = await fixAllAction(state).catch(() => null);
    fixAll = edits ? { count: edits.length } : null;
  }
  const problems = settingsProblems.length > 0 ? `Settings: ${settingsProblems.join("; ")}` : null;
  return popupModel({ host, findings: state.findings, hold: state.hold, fixAll, serverMessage: problems || serverMessage, installCommand: installCommand(settings) });
}

function refresh(state) {
  const shown = badge({ host, findings: state.findings });
  browser.composeAction.setBadgeText({ tabId: state.tabId, text: shown.text }).catch(() => {});
  browser.composeAction.setBadgeBackgroundColor({ tabId: state.tabId, color: shown.color }).catch(() => {});
  browser.runtime.sendMessage({ type: "tactful:refresh", tabId: state.tabId }).catch(() => {});
}

function refreshAll() {
  for (const state of composes.values()) refresh(state);
  // The options page shows the host's state too, with or without a compose window.
  browser.runtime.sendMessage({ type: "tactful:refresh", tabId: null }).catch(() => {});
}

/** What the popup (and the test driver) may ask. */
async function handlePopup(message) {
  const state = composeOf(message.tabId);
  try {
    switch (message.type) {
      case "popup:state":
        return await popupState(message.tabId);
      case "popup:rewrite":
        await rewrite(state, message.id, message.index);
        break;
      case "popup:ignore":
        await ignore(state, message.id);
        break;
      case "popup:fixAll": {
        const edits = await fixAllAction(state);
        if (!edits) throw new Error("nothing to fix; checking again");
        await applyEdits(state, edits);
        break;
      }
      case "popup:sendAnyway":
        state.sendAnyway = true;
        state.hold = null;
        await browser.compose.sendMessage(message.tabId);
        return { ok: true };
      case "popup:retry":
        await connect();
        break;
      default:
        return undefined;
    }
    await check(message.tabId);
    return { ok: true };
  } catch (err) {
    await check(message.tabId).catch(() => {});
    return { ok: false, error: String(err.message || err) };
  }
}

// --- before sending ----------------------------------------------------------------

async function beforeSend(tab) {
  const state = composes.get(tab.id);
  if (!state || !settings.holdBeforeSend || host.status !== "ok") return {};
  if (state.sendAnyway) {
    state.sendAnyway = false;
    return {};
  }
  const version = state.version;
  await check(tab.id).catch(logError);
  if (state.published !== state.version || state.version === version) {
    console.warn("tactful: the draft could not be checked before sending; the message was not held");
    return {};
  }
  state.hold = holding(state);
  refresh(state);
  if (!state.hold) return {};
  openPopup(tab.windowId).then((opened) => opened || console.warn("tactful: the popup did not open"), logError);
  return { cancel: true };
}

/** Opens the popup on a compose window; resolves to whether it opened. */
async function openPopup(windowId) {
  // The popup opens on a focused window only.
  await browser.windows.update(windowId, { focused: true });
  return browser.composeAction.openPopup({ windowId });
}

// --- wiring ------------------------------------------------------------------------

function logError(err) {
  console.error("tactful:", err);
}

async function loadSettings() {
  const stored = await browser.storage.local.get("settings");
  ({ settings, problems: settingsProblems } = validate(stored.settings));
}

browser.storage.onChanged.addListener(async (changes, area) => {
  if (area !== "local" || !changes.settings) return;
  await loadSettings();
  // The popup's install command names the binary path setting.
  refreshAll();
  if (client && host.status === "ok") client.notify("workspace/didChangeConfiguration", { settings: { tactful: toServer(settings) } });
  for (const state of composes.values()) {
    browser.tabs.sendMessage(state.tabId, { type: "tactful:configure", debounceMs: settings.debounceMs }).catch(() => {});
    check(state.tabId).catch(logError);
  }
});

browser.runtime.onMessage.addListener((message, sender) => {
  if (message.type === "tactful:draft" && sender.tab) {
    const state = composes.get(sender.tab.id);
    if (state && state.attached) return submit(state, message).catch(logError);
    return undefined;
  }
  if (message.type === "options:state") {
    return Promise.resolve({ host, settings, problems: settingsProblems, serverMessage, installCommand: installCommand(settings) });
  }
  if (typeof message.type === "string" && message.type.startsWith("popup:")) return handlePopup(message);
  return undefined;
});

/** Messages the popup and options pages answer for the test driver (what they show, a click). */
const PAGE_TEST_MESSAGES = ["popup:describe", "popup:click", "options:describe", "options:fill"];

/** The test driver's view of a compose window: the document, findings and the badge as drawn. */
async function testFindings(tabId) {
  const state = composes.get(tabId);
  if (!state || !state.doc) return { host };
  const badgeText = await browser.composeAction.getBadgeText({ tabId });
  return { text: state.doc.text, findings: state.findings.map(({ diagnostic, ...f }) => f), host, badge: badgeText };
}

browser.runtime.onMessageExternal.addListener((message, sender) => {
  if (sender.id !== TEST_DRIVER_ID) return undefined;
  if (message.type === "test:findings") return testFindings(message.tabId);
  if (message.type === "test:check") return check(message.tabId).then(() => ({ ok: true }));
  if (message.type === "test:highlights") return browser.tabs.sendMessage(message.tabId, { type: "tactful:stats" });
  if (message.type === "test:openPopup") return openPopup(message.windowId);
  // The popup or options page answers, if it is open (else this rejects).
  if (message.type === "test:page" && PAGE_TEST_MESSAGES.includes(message.message.type)) return browser.runtime.sendMessage(message.message);
  if (typeof message.type === "string" && message.type.startsWith("popup:")) return handlePopup(message);
  return undefined;
});

browser.tabs.onCreated.addListener((tab) => {
  if (tab.type === "messageCompose") attach(tab.id).catch(logError);
});

browser.tabs.onRemoved.addListener((tabId) => {
  const state = composes.get(tabId);
  if (!state) return;
  composes.delete(tabId);
  if (state.opened && client) client.notify("textDocument/didClose", { textDocument: { uri: uriOf(tabId) } });
});

browser.compose.onBeforeSend.addListener(beforeSend);

// The Subject has no change event: look at it once a second.
setInterval(() => {
  for (const state of composes.values()) {
    if (!state.attached || !state.doc || host.status !== "ok") continue;
    browser.compose
      .getComposeDetails(state.tabId)
      .then((details) => {
        if ((details.subject || "") !== state.doc.subject && state.snapshot) return submit(state, state.snapshot);
        return undefined;
      })
      .catch(() => {});
  }
}, SUBJECT_POLL_MS);

(async () => {
  await loadSettings();
  await connect();
  for (const tab of await browser.tabs.query({ type: "messageCompose" })) attach(tab.id).catch(logError);
})();
