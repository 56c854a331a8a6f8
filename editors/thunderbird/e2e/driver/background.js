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
    "<html><body><p>Hi <b>Bob</b>,</p><p>Merci 👋, please get back to me <i>ASAP</i>.</p><p>We guarantee 100% uptime.</p>" +
    '<div class="moz-cite-prefix">On 1/2/2026 Bob wrote:</div><blockquote type="cite"><p>Reply ASAP please, we guarantee it.</p></blockquote>' +
    '<div class="moz-signature">-- <br>Ann Writer, reply ASAP</div></body></html>',
};
const CLEAN = { subject: "Lunch on Friday", body: "Hi Bob,\n\nThanks for the notes, see you on Friday.\n\nAnn\n" };

const host = (command) => browser.runtime.sendNativeMessage("tactful_e2e", command);
const log = (record) => host({ cmd: "log", record });
const product = (message) => browser.runtime.sendMessage(PRODUCT, message);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, probe, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function compose(draft, plain) {
  const details = { to: [TO], subject: draft.subject, isPlainText: plain };
  if (plain) details.plainTextBody = draft.body;
  else details.body = draft.body;
  const tab = await browser.compose.beginNew(undefined, details);
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

/** Imports `raw` into Local Folders and opens a reply to it. */
async function replyTo(raw) {
  const accounts = await browser.accounts.list(true);
  const local = accounts.find((a) => a.name === "Local Folders");
  if (!local) throw new Error(`no Local Folders among ${JSON.stringify(accounts.map((a) => [a.name, a.type]))}`);
  const folder = local.rootFolder.subFolders.find((f) => f.specialUse && f.specialUse.includes("inbox")) || local.rootFolder.subFolders[0] || local.rootFolder;
  const message = await browser.messages.import(new File([raw], "quoted.eml"), folder.id);
  const tab = await browser.compose.beginReply(message.id, "replyToSender");
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

/** Keystroke to underline: a sentence typed at the end of a 5 KB draft. */
async function latency() {
  const paragraph = "Thanks for the update on the quarterly plan, it reads well and the numbers line up with ours. ";
  let text = "Hi Bob,\n\n";
  while (text.length < 5000) text += `${paragraph}\n`;
  const tab = await compose({ subject: "Long update", body: text }, true);
  const samples = [];
  for (let i = 0; i < 5; i++) {
    // A text node of its own, so the underline that covers it can be told apart.
    const typed = ` Reply ASAP ${i}.`;
    const [{ result: typedAt }] = await browser.scripting.executeScript({
      target: { tabId: tab.id },
      func: (text) => {
        const node = document.createTextNode(text);
        const at = performance.now();
        document.body.appendChild(node);
        return at;
      },
      args: [typed],
    });
    const shown = await until("the underline", async () => {
      const now = await product({ type: "test:highlights", tabId: tab.id });
      return now.nodes.includes(typed) ? now : null;
    });
    samples.push({ ms: shown.at - typedAt, marks: shown.count });
  }
  await log({ phase: "latency", draftBytes: new TextEncoder().encode(text).length, samples });
  await browser.tabs.remove(tab.id);
}

async function main() {
  // 1. No host manifest yet: the popup says what to do.
  const first = await browser.compose.beginNew(undefined, { to: [TO], subject: "Hello", plainTextBody: "Reply ASAP.\n", isPlainText: true });
  const missing = await until("the missing host to be reported", async () => {
    const model = await product({ type: "popup:state", tabId: first.id });
    return model.banner && model.banner.command ? model : null;
  });
  await log({ phase: "missing", model: missing });

  // 2. The install command, then Retry in the popup.
  const install = await host({ cmd: "install" });
  const retried = await product({ type: "popup:retry", tabId: first.id });
  const connected = await until("the host to connect", async () => {
    const model = await product({ type: "popup:state", tabId: first.id });
    return model.banner === null ? model : null;
  });
  await log({ phase: "installed", install, retried, model: connected });
  await browser.tabs.remove(first.id);

  // 3. A plain-text risky draft.
  const plain = await compose(PLAIN, true);
  await log({ phase: "plain-findings", ...(await findings(plain.id)) });
  await act(plain, true, "pressure.asap", "plain-rewrite");

  // 4. Send is held while a warning remains; nothing reaches the SMTP sink.
  const beforeHold = await browser.compose.getComposeDetails(plain.id);
  const held = await trySend(plain, "sendNow");
  await sleep(500);
  const heldModel = await product({ type: "popup:state", tabId: plain.id });
  const afterHold = await browser.compose.getComposeDetails(plain.id);
  await log({ phase: "held", attempt: held, model: heldModel, received: (await received()).length, beforeHold, afterHold });
  await sleep(700); // the popup paints
  await log({ phase: "screenshot", result: await host({ cmd: "screenshot" }) });

  // 5. "Send anyway" delivers exactly the draft.
  const composed = await body(plain.id, true);
  const anyway = await product({ type: "popup:sendAnyway", tabId: plain.id });
  const afterAnyway = await until("the held message to arrive", async () => ((await received()).length === 1 ? received() : null));
  await log({ phase: "sent-anyway", anyway, composed, received: afterAnyway });

  // 6. An HTML risky draft: findings, and a rewrite that keeps the formatting.
  const html = await compose(HTML, false);
  await log({ phase: "html-findings", ...(await findings(html.id)) });
  await act(html, false, "pressure.asap", "html-rewrite");
  await act(html, false, "shouting.stacked-exclamations", "subject-rewrite", "popup:rewrite", "subject");
  await act(html, false, "overclaim.guarantee", "ignore", "popup:ignore");
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

  // 7. A plain-text reply: Thunderbird's own quote and reply header are never checked.
  const reply = await replyTo("Subject: Numbers\nFrom: Bob <bob@example.com>\nTo: Ann <ann@example.com>\nDate: Mon, 1 Jun 2026 10:00:00 +0000\nMessage-ID: <q1@example.com>\n\nReply ASAP please, we guarantee it.\n");
  await log({ phase: "reply", ...(await findings(reply.id)), body: await body(reply.id, true) });
  await browser.tabs.remove(reply.id);

  // 7. A clean draft goes straight through.
  const clean = await compose(CLEAN, true);
  const cleanFindings = await findings(clean.id);
  const cleanComposed = await body(clean.id, true);
  const cleanSend = await trySend(clean, "sendNow");
  const all = await until("the clean message to arrive", async () => ((await received()).length === 2 ? received() : null));
  await log({ phase: "clean", findings: cleanFindings, composed: cleanComposed, send: cleanSend, received: all[1] });

  await latency();
}

main()
  .catch((err) => log({ phase: "error", error: String(err && err.stack ? `${err}\n${err.stack}` : err) }))
  .finally(() => log({ phase: "done" }));
