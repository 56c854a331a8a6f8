// Test only: drives the tactful add-on in a real Thunderbird, step by step, and
// reports what it saw to its native host (driver_host.py), which appends each record
// to results.jsonl. e2e.py checks the records; this file only acts and observes.
"use strict";

const PRODUCT = "tactful@tactful";
const TO = "bob@example.com";

const PLAIN = {
  subject: "Numbers for Q3",
  body: "Hi Bob,\n\nMerci Zoë 👋 (東京 team). Please get back to me ASAP.\n\nPer my last email, the numbers are due.\n\nCheers,\nAnn\n",
};
const HTML = {
  subject: "URGENT!!! Plan",
  body:
    "<p>Hi <b>Bob</b>,</p><p>Merci 👋, please get back to me <i>ASAP</i>.</p><p>We guarantee 100% uptime.</p>" +
    '<div class="moz-cite-prefix">On 1/2/2026 Bob wrote:</div><blockquote type="cite"><p>Reply ASAP please, we guarantee it.</p></blockquote>',
};
const CLEAN = { subject: "Lunch on Friday", body: "Hi Bob,\n\nThanks for the notes, see you on Friday.\n\nAnn\n" };
/** Two warnings from two categories: one is turned off in the options, the other stays. */
const TWO_WARNINGS = { subject: "Numbers", body: "Hi Bob,\n\nPlease reply ASAP.\n\nPer my last email, the numbers are due.\n\nAnn\n" };

const host = (command) => browser.runtime.sendNativeMessage("tactful_e2e", command);
const log = (record) => host({ cmd: "log", record });
const product = (message) => browser.runtime.sendMessage(PRODUCT, message);
/** A message to the product's popup or options page; rejects while that page is not open. */
const page = (message) => product({ type: "test:page", message });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection after `ms` (a message to a page that went away may never settle). */
function within(promise, ms, what) {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`no answer within ${ms} ms: ${what}`)))]);
}

/**
 * Polls `probe` until it returns something (an event of another add-on cannot be
 * awaited here). `probe` may keep what it last saw in `seen.last` for the error.
 */
async function until(what, probe, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  const seen = { last: null };
  for (;;) {
    const value = await within(probe(seen), 10000, what).catch((err) => {
      seen.error = String(err);
      return null;
    });
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(seen).slice(0, 2000)}`);
    await sleep(50);
  }
}

/** Marks the start of a step in the records, so a run that stops shows where. */
const step = (name) => log({ phase: "step", name });

/** The popup as drawn once it shows `text`. */
function popupShowing(what, text) {
  return until(what, async (seen) => {
    const shown = await page({ type: "popup:describe" });
    seen.last = shown;
    return shown.text.includes(text) ? shown : null;
  });
}

/** Opens the product's popup on `tab`'s window, as a click on its toolbar button would. */
async function openPopup(tab, what, text) {
  return until(what, async () => {
    await product({ type: "test:openPopup", windowId: tab.windowId });
    return popupShowing(what, text).catch(() => null);
  });
}

/** Clicks a button of the popup as drawn; throws if there is none with that label. */
async function clickInPopup(label) {
  const result = await page({ type: "popup:click", label });
  if (!result.clicked) throw new Error(`no button "${label}" in the popup`);
}

/** Opens the options page from the popup's Options button, and waits until it answers. */
async function openOptions(tab) {
  await openPopup(tab, "the popup", "Options");
  await clickInPopup("Options");
  return until("the options page", () => page({ type: "options:describe" }));
}

/**
 * A new message written as a person would: Thunderbird puts the identity's
 * signature in (it does so only when no body is given), then the body is typed
 * before it, a line at a time (plain text) or pasted (HTML).
 */
async function compose(draft, plain) {
  const tab = await browser.compose.beginNew(undefined, { to: [TO], subject: draft.subject, isPlainText: plain });
  await until("the signature", async () => (await browser.compose.getComposeDetails(tab.id)).body.includes("moz-signature"));
  await browser.scripting.executeScript({
    target: { tabId: tab.id },
    func: (text, plain) => {
      getSelection().collapse(plain ? document.body : document.body.firstElementChild, 0);
      if (!plain) return document.execCommand("insertHTML", false, text);
      // The empty draft already ends its line before the signature.
      text.replace(/\n$/, "").split("\n").forEach((line, index) => {
        if (index > 0) document.execCommand("insertLineBreak");
        if (line) document.execCommand("insertText", false, line);
      });
      return true;
    },
    args: [draft.body, plain],
  });
  await until("the draft to be checked", async () => {
    await product({ type: "test:check", tabId: tab.id });
    const seen = await product({ type: "test:findings", tabId: tab.id });
    return seen.text && seen.text.includes(draft.subject) && seen.host.status === "ok" ? seen : null;
  });
  return tab;
}

async function findings(tabId) {
  await product({ type: "test:check", tabId });
  return product({ type: "test:findings", tabId });
}

/** Findings after a check, with the underlines drawn for them and the draft as Thunderbird has it. */
async function observed(tabId, plain) {
  const seen = await findings(tabId);
  const underlines = await product({ type: "test:highlights", tabId });
  const details = await browser.compose.getComposeDetails(tabId);
  return { ...seen, underlines, draft: plain ? details.plainTextBody : details.body };
}

async function body(tabId, plain) {
  const details = await browser.compose.getComposeDetails(tabId);
  return plain ? details.plainTextBody : details.body;
}

async function received() {
  return (await host({ cmd: "received" })).messages;
}

/** The body, or the subject for `field` "subject". */
async function field(tabId, plain, name) {
  return name === "subject" ? (await browser.compose.getComposeDetails(tabId)).subject : body(tabId, plain);
}

/** Does a popup action on the first finding of `rule` and reports the text before and after. */
async function act(tab, plain, rule, phase, type = "popup:rewrite", where = "body") {
  const seen = await findings(tab.id);
  const target = seen.findings.find((f) => f.rule === rule && f.field === where);
  const before = await field(tab.id, plain, where);
  const result = await product({ type, tabId: tab.id, id: target.id, index: 0 });
  const after = await field(tab.id, plain, where);
  await log({ phase, plain, finding: target, result, before, after, afterFindings: (await findings(tab.id)).findings });
}

/** Imports `raw` into Local Folders. */
async function receive(raw) {
  const accounts = await browser.accounts.list(true);
  const local = accounts.find((a) => a.name === "Local Folders");
  if (!local) throw new Error(`no Local Folders among ${JSON.stringify(accounts.map((a) => [a.name, a.type]))}`);
  const folder = local.rootFolder.subFolders.find((f) => f.specialUse && f.specialUse.includes("inbox")) || local.rootFolder.subFolders[0] || local.rootFolder;
  return browser.messages.import(new File([raw], "quoted.eml"), folder.id);
}

/** Opens a reply to `message`, in plain text or HTML, and waits until it is checked. */
async function replyTo(message, plain) {
  const tab = await browser.compose.beginReply(message.id, "replyToSender", { isPlainText: plain });
  await until("the reply to be checked", async () => {
    await product({ type: "test:check", tabId: tab.id });
    const seen = await product({ type: "test:findings", tabId: tab.id });
    return seen.text && seen.text.includes("> Reply ASAP") ? seen : null;
  });
  return tab;
}

async function trySend(tab, mode) {
  try {
    await browser.compose.sendMessage(tab.id, { mode });
    return { sent: true };
  } catch (err) {
    return { sent: false, error: String(err.message || err) };
  }
}

/**
 * Types `keys` into the compose editor the way the editor takes keystrokes
 * (execCommand insertText, one call per key, in one burst), at the end of the writer's
 * last text node (`after`: or right after that text). Returns when typing started and
 * the editor's HTML after it.
 */
async function type(tabId, keys, after = null) {
  const [{ result }] = await browser.scripting.executeScript({
    target: { tabId },
    func: (keys, after) => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      let target = null;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(".moz-signature, blockquote, .moz-cite-prefix") || !node.data.trim()) continue;
        if (after === null || node.data.includes(after)) target = node;
      }
      const offset = after === null ? target.data.replace(/\s+$/, "").length : target.data.indexOf(after) + after.length;
      getSelection().collapse(target, offset);
      const at = performance.now();
      for (const key of keys) document.execCommand("insertText", false, key);
      return { at, html: document.body.innerHTML };
    },
    args: [[...keys], after],
  });
  return result;
}

async function editorHtml(tabId) {
  const [{ result }] = await browser.scripting.executeScript({ target: { tabId }, func: () => document.body.innerHTML });
  return result;
}

/** The underlines once those of the draft's current revision are drawn and `ready` holds for them. */
function underlined(what, tabId, ready = () => true) {
  return until(what, async (seen) => {
    const now = await product({ type: "test:highlights", tabId });
    seen.last = now;
    return now.revision === now.highlighted && ready(now) ? now : null;
  });
}

/** How many "ASAP"s are underlined on their own (pressure.asap; other rules may span more). */
const asaps = (stats) => stats.texts.filter((t) => t === "ASAP").length;

/** Keystroke to underline: the "P" of "ASAP" typed at the end of a 5 KB draft. */
async function latency() {
  const paragraph = "Thanks for the update on the quarterly plan, it reads well and the numbers line up with ours. ";
  let text = "Hi Bob,\n\n";
  while (text.length < 5000) text += `${paragraph}\n`;
  const tab = await compose({ subject: "Long update", body: text }, true);
  const samples = [];
  for (let i = 0; i < 7; i++) {
    await type(tab.id, " Please reply ASA");
    await underlined("the draft without the last key to be checked", tab.id, (now) => asaps(now) === i);
    const typed = await type(tab.id, "P");
    const shown = await underlined("the underline", tab.id, (now) => asaps(now) === i + 1);
    samples.push({ ms: shown.at - typed.at, marks: shown.texts.length });
    await type(tab.id, ".");
  }
  await log({ phase: "latency", draftBytes: new TextEncoder().encode(text).length, samples });
  await browser.tabs.remove(tab.id);
}

async function main() {
  const { binary } = await host({ cmd: "config" });

  await step("missing host");
  // 1. No host manifest yet: the popup, as drawn, says what to do.
  const first = await browser.compose.beginNew(undefined, { to: [TO], subject: "Hello", plainTextBody: "Reply ASAP.\n", isPlainText: true });
  const missing = await until("the missing host to be reported", async () => {
    const model = await product({ type: "popup:state", tabId: first.id });
    return model.banner && model.banner.command ? model : null;
  });
  const drawnMissing = await openPopup(first, "the popup to show the missing host", missing.banner.title);

  await step("options");
  // 2. Options: the page says what to do; the binary's path goes in, the command follows.
  const optionsBefore = await openOptions(first);
  const optionsAfter = await page({ type: "options:fill", values: { binaryPath: binary } });
  await log({ phase: "missing", model: missing, drawn: drawnMissing, optionsBefore, optionsAfter, binary });

  await step("install");
  // 3. A host that is installed but fails: the popup says it stopped, with the command.
  await host({ cmd: "break" });
  await openPopup(first, "the popup", "Retry");
  await clickInPopup("Retry");
  const failedModel = await until("the failed host to be reported", async () => {
    const model = await product({ type: "popup:state", tabId: first.id });
    // Not the missing host's state from before the click.
    return model.banner && model.retry && !model.banner.detail.includes("No such native application") ? model : null;
  });
  const drawnFailed = await popupShowing("the popup to show the failed host", failedModel.banner.title);
  await log({ phase: "failed", model: failedModel, drawn: drawnFailed });

  // 4. The command the popup now shows, run in a terminal; then Retry in the popup.
  const withPath = await until("the popup's command to name the binary", async () => {
    const model = await product({ type: "popup:state", tabId: first.id });
    return model.banner && model.banner.command.startsWith(binary) ? model : null;
  });
  const drawnCommand = await openPopup(first, "the popup to show the command", withPath.banner.command);
  const install = await host({ cmd: "run", command: withPath.banner.command });
  await clickInPopup("Retry");
  const connected = await popupShowing("the popup to show findings after Retry", "finding");
  const optionsConnected = await until("the options page to say connected", async () => {
    const shown = await page({ type: "options:describe" });
    return shown.status.startsWith("Connected") ? shown : null;
  });
  await log({ phase: "installed", install, command: withPath.banner.command, drawnCommand, drawn: connected, options: optionsConnected });
  await browser.tabs.remove(first.id);

  await step("plain");
  // 4. A plain-text risky draft: findings, underlines, badge; a rewrite.
  const plain = await compose(PLAIN, true);
  // The whole screen for the screenshot (Xvfb has no window manager to maximize).
  await browser.windows.update(plain.windowId, { left: 0, top: 0, width: 1280, height: 900 });
  await log({ phase: "plain-findings", ...(await observed(plain.id, true)) });
  await act(plain, true, "pressure.asap", "plain-rewrite");

  await step("hold");
  // 5. Send is held while a warning remains: the popup opens; nothing reaches the SMTP sink.
  const beforeHold = await browser.compose.getComposeDetails(plain.id);
  const held = await trySend(plain, "sendNow");
  const drawnHold = await popupShowing("the popup to open on the held message", "Sending is held");
  const heldModel = await product({ type: "popup:state", tabId: plain.id });
  const heldDoc = await product({ type: "test:findings", tabId: plain.id });
  const afterHold = await browser.compose.getComposeDetails(plain.id);
  await log({ phase: "held", attempt: held, model: heldModel, drawn: drawnHold, doc: heldDoc, badge: heldDoc.badge, received: (await received()).length, beforeHold, afterHold });
  // The popup answered popup:describe after two animation frames: it is painted.
  await log({ phase: "screenshot", result: await host({ cmd: "screenshot" }) });

  await step("send anyway");
  // 6. "Send anyway", clicked in the popup, delivers exactly the draft.
  const composed = await body(plain.id, true);
  await clickInPopup("Send anyway");
  const afterAnyway = await until("the held message to arrive", async () => ((await received()).length === 1 ? received() : null));
  await log({ phase: "sent-anyway", composed, received: afterAnyway });

  await step("html");
  // 7. An HTML risky draft: findings and underlines; typing is checked (debounced) and
  //    underlined without changing the draft; rewrites keep the formatting.
  const html = await compose(HTML, false);
  await log({ phase: "html-findings", ...(await observed(html.id, false)) });
  await act(html, false, "pressure.asap", "html-rewrite");
  await act(html, false, "shouting.stacked-exclamations", "subject-rewrite", "popup:rewrite", "subject");
  await act(html, false, "overclaim.guarantee", "ignore", "popup:ignore");
  const beforeTyping = await product({ type: "test:highlights", tabId: html.id });
  const typed = await type(html.id, " Reply ASAP.", "100% uptime.");
  const afterTyping = await underlined("the typed ASAP to be underlined", html.id, (now) => asaps(now) === asaps(beforeTyping) + 1);
  await log({ phase: "html-typing", beforeTyping, afterTyping, htmlTyped: typed.html, htmlUnderlined: await editorHtml(html.id) });
  const beforeFix = await findings(html.id);
  const fixBefore = await browser.compose.getComposeDetails(html.id);
  const fixed = await product({ type: "popup:fixAll", tabId: html.id });
  const fixAfter = await browser.compose.getComposeDetails(html.id);
  await log({
    phase: "fix-all",
    before: fixBefore.body,
    after: fixAfter.body,
    subjectBefore: fixBefore.subject,
    subjectAfter: fixAfter.subject,
    result: fixed,
    findingsBefore: beforeFix.findings,
    findingsAfter: (await findings(html.id)).findings,
  });
  await browser.tabs.remove(html.id);

  await step("reply");
  // 8. Replies: Thunderbird's own quote, reply header and signature are never checked.
  const quoted = await receive("Subject: Numbers\nFrom: Bob <bob@example.com>\nTo: Ann <ann@example.com>\nDate: Mon, 1 Jun 2026 10:00:00 +0000\nMessage-ID: <q1@example.com>\n\nReply ASAP please, we guarantee it.\n");
  for (const [plain, phase] of [[true, "reply"], [false, "html-reply"]]) {
    const reply = await replyTo(quoted, plain);
    await log({ phase, ...(await findings(reply.id)), body: await body(reply.id, plain) });
    await browser.tabs.remove(reply.id);
  }

  await step("clean");
  // 9. A clean draft goes straight through.
  const clean = await compose(CLEAN, true);
  const cleanFindings = await findings(clean.id);
  const cleanComposed = await body(clean.id, true);
  const cleanSend = await trySend(clean, "sendNow");
  const all = await until("the clean message to arrive", async () => ((await received()).length === 2 ? received() : null));
  await log({ phase: "clean", findings: cleanFindings, composed: cleanComposed, send: cleanSend, received: all[1] });

  await step("latency");
  await latency();

  await step("settings");
  // 10. Options reach the server and the hold: a category off, holding at error only.
  const risky = await compose(TWO_WARNINGS, true);
  const settingsBefore = await findings(risky.id);
  await openOptions(risky);
  const saved = await page({ type: "options:fill", values: { categories: { pressure: "off" }, holdSeverity: "error" } });
  const settingsAfter = await until("the server to apply the options", async () => {
    const seen = await findings(risky.id);
    return seen.findings.every((f) => !f.rule.startsWith("pressure.")) ? seen : null;
  });
  const riskyComposed = await body(risky.id, true);
  const riskySend = await trySend(risky, "sendNow");
  const three = await until("the message with warnings to arrive", async () => ((await received()).length === 3 ? received() : null));
  await log({ phase: "settings", saved, before: settingsBefore, after: settingsAfter, composed: riskyComposed, send: riskySend, received: three[2] });
}

main()
  .catch((err) => log({ phase: "error", error: String(err && err.stack ? `${err}\n${err.stack}` : err) }))
  .finally(() => log({ phase: "done" }));
