// The tactful extension in a real VS Code: code-server on 127.0.0.1 with the packaged
// .vsix, driven by Debian's Chromium through playwright-core. Run by run.sh, which
// provides the environment:
//   TACTFUL_BIN  the tactful binary    CODE_SERVER  code-server's bin script
//   NODE_HOME    Node 24 for it        VSIX         the packaged extension
//   ART          artifacts folder      CHROMIUM     the browser
import { strict as assert } from "node:assert";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this test through run.sh`);
  return v;
};
const TACTFUL_BIN = env("TACTFUL_BIN");
const CODE_SERVER = env("CODE_SERVER");
const NODE_HOME = env("NODE_HOME");
const VSIX = env("VSIX");
const ART = env("ART");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

// A mutt-style temporary file name: the extension's filenamePatterns must make it "mail".
const DRAFT_NAME = "mutt-host-1000-4242-1234567890";
const DRAFT = [
  "From: Ann Example <ann@example.com>",
  "To: Bob Example <bob@example.com>",
  "Subject: Quarterly numbers",
  "",
  "Hi Bob,",
  "",
  "Thanks for the draft report. Please get back to me ASAP.",
  "Why???",
  "",
  "Cheers,",
  "Ann",
  "",
].join("\n");

const csPath = `${NODE_HOME}/bin:${process.env.PATH}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tactful-vscode-e2e-"));
const ws = path.join(tmp, "workspace");
const draftPath = path.join(ws, DRAFT_NAME);
const userData = path.join(tmp, "user-data");
let server;
let serverLog = "";

/**
 * tactful.path is machine-scoped (like other executable paths), so in code-server it
 * lives in the Machine settings, as it does for a user of any remote window. VS Code
 * watches the file and applies changes live.
 */
function writeMachineSettings(settings) {
  fs.mkdirSync(path.join(userData, "Machine"), { recursive: true });
  fs.writeFileSync(path.join(userData, "Machine", "settings.json"), JSON.stringify(settings, null, 2));
}

/** VS Code's user settings. */
function writeUserSettings(overrides) {
  const settings = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "chat.disableAIFeatures": true,
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "editor.lightbulb.enabled": "on",
    "editor.minimap.enabled": false,
    "files.autoSave": "off",
    "window.restoreWindows": "none",
    ...overrides,
  };
  fs.writeFileSync(path.join(userData, "User", "settings.json"), JSON.stringify(settings, null, 2));
}
let browser;
let page;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, fn, timeoutMs = 60_000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

/** tactful's own findings for the draft (the CLI), to compare the editor against. */
function cliFindings(file) {
  let out;
  try {
    out = execFileSync(TACTFUL_BIN, ["check", "--format", "json", file], { encoding: "utf8" });
  } catch (e) {
    // `check` exits non-zero when it finds something; its stdout is still the report.
    if (e.stdout) out = e.stdout;
    else throw e;
  }
  return JSON.parse(out);
}

async function shot(name) {
  const p = path.join(ART, name);
  await page.screenshot({ path: p });
  return p;
}

before(async () => {
  fs.mkdirSync(ART, { recursive: true });
  fs.mkdirSync(ws, { recursive: true });
  fs.writeFileSync(path.join(ws, ".tactful.toml"), "");
  fs.writeFileSync(draftPath, DRAFT);

  const extDir = path.join(tmp, "extensions");
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  writeUserSettings({});
  writeMachineSettings({ "tactful.path": TACTFUL_BIN });
  const config = path.join(tmp, "code-server.yaml");
  fs.writeFileSync(config, "auth: none\ncert: false\n");
  const common = ["--config", config, "--user-data-dir", userData, "--extensions-dir", extDir];

  const installed = execFileSync(CODE_SERVER, [...common, "--install-extension", VSIX], {
    encoding: "utf8",
    env: { ...process.env, PATH: csPath },
  });
  fs.writeFileSync(path.join(ART, "install-extension.log"), installed);
  assert.match(installed, /tactful/, "code-server installed the .vsix");

  const port = await freePort();
  server = spawn(
    CODE_SERVER,
    [
      ...common,
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
      ws,
    ],
    { env: { ...process.env, PATH: csPath }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  await waitFor("code-server to answer /healthz", async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.waitForSelector(".monaco-workbench .part.statusbar", { timeout: 90_000 });
});

after(async () => {
  try {
    if (page) await shot("vscode-final.png");
  } catch {}
  if (browser) await browser.close();
  if (server) {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {}
  }
  fs.writeFileSync(path.join(ART, "code-server.log"), serverLog);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("tactful squiggles, status bar count and quick fix in VS Code", async (t) => {
  const report = cliFindings(draftPath);
  const findings = findingsOf(report);
  assert.ok(findings.length > 0, "the CLI finds something in the draft");
  const target = findings.find((f) => String(f.rule).startsWith("pressure.") && f.suggestions?.length > 0);
  assert.ok(target, `a pressure finding with a suggestion in ${JSON.stringify(report)}`);
  const { line, col } = lineCol(DRAFT, target.start);
  const bytes = Buffer.from(DRAFT, "utf8");
  const flagged = bytes.subarray(target.start, target.end).toString("utf8");
  const rewrite = target.suggestions[0];
  const expected = Buffer.concat([
    bytes.subarray(0, target.start),
    Buffer.from(rewrite, "utf8"),
    bytes.subarray(target.end),
  ]).toString("utf8");
  t.diagnostic(`CLI: ${target.rule} at ${line + 1}:${col + 1} "${flagged}" -> "${rewrite}"`);

  // Open the draft with Quick Open.
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
  await page.keyboard.press("Control+P");
  const quickInput = page.locator(".quick-input-widget input");
  await quickInput.waitFor({ state: "visible" });
  await quickInput.fill(DRAFT_NAME);
  await page.locator(".quick-input-list .monaco-list-row").first().waitFor();
  await page.keyboard.press("Enter");
  const editor = page.locator(".editor-instance .monaco-editor").first();
  await editor.waitFor({ state: "visible" });

  // The language picked by the extension's filenamePatterns.
  await waitFor("the status bar to show the Mail language", async () =>
    (await page.locator(".statusbar-item[id='status.editor.mode']").innerText()).includes("Mail"),
  );

  // Squiggles from tactful, and the status bar count.
  await editor.locator("[class*='squiggly-']").first().waitFor({ timeout: 60_000 });
  const statusItem = page.locator(".statusbar-item", { hasText: "tactful:" });
  const count = await waitFor("the tactful status bar count", async () => {
    const m = /tactful:\s*(\d+)/.exec(await statusItem.first().innerText());
    return m && Number(m[1]) > 0 ? Number(m[1]) : undefined;
  });
  assert.equal(count, findings.length, "status bar count equals the CLI's number of findings");
  await shot("vscode-squiggles.png");

  // Put the cursor inside the flagged span and open the quick fixes (the lightbulb's menu).
  // (Quick Open with a ":" prefix is Go to Line/Column; Ctrl+G belongs to the browser.)
  await page.keyboard.press("Control+P");
  await quickInput.waitFor({ state: "visible" });
  await quickInput.fill(`:${line + 1}:${col + 2}`);
  await page.keyboard.press("Enter");
  // A key pressed while the editor is still taking focus back from Quick Open is lost,
  // so Ctrl+. is pressed again until the menu shows (or the wait runs out).
  const menu = page.locator(".action-widget:not(.action-list-submenu-panel)").first();
  await waitFor(
    "the quick fix menu",
    async () => {
      if (await menu.isVisible()) return true;
      await page.keyboard.press("Control+.");
      return menu.waitFor({ state: "visible", timeout: 3_000 }).then(() => true);
    },
    30_000,
  );
  const items = menu.locator(".monaco-list-row.action");
  await items.first().waitFor();
  const titles = await items.allInnerTexts();
  t.diagnostic(`quick fixes offered: ${JSON.stringify(titles)}`);
  assert.ok(titles.length >= 2, "a rewrite and the ignore/disable actions are offered");
  assert.ok(
    titles[0].includes(rewrite) || titles[0].includes(target.titles[0]),
    `the first quick fix ("${titles[0]}") is the preferred rewrite "${target.titles[0]}" / "${rewrite}"`,
  );
  await shot("vscode.png");
  await items.first().click();

  // The rewrite lands in the editor; save and check the file on disk.
  // (Monaco renders spaces as U+00A0.)
  await waitFor("the rewrite in the editor", async () =>
    (await editor.locator(".view-lines").innerText()).replace(/\u00a0/g, " ").includes(rewrite), 20_000);
  await page.keyboard.press("Control+S");
  const onDisk = await waitFor("the file on disk to change", async () => {
    const s = fs.readFileSync(draftPath, "utf8");
    return s !== DRAFT ? s : undefined;
  });
  assert.equal(onDisk, expected, "the saved file has exactly the rewrite and nothing else changed");

  // The fixed finding is gone and the count follows.
  await waitFor("the status bar count to drop", async () => {
    const m = /tactful:\s*(\d+)/.exec(await statusItem.first().innerText());
    return m && Number(m[1]) < count;
  }, 20_000);
  await shot("vscode-after.png");

  // Changing tactful.path restarts the server: a wrong path stops it (and says so),
  // the right one brings it back with the count for the saved file.
  const remaining = findingsOf(cliFindings(draftPath)).length;
  assert.ok(remaining > 0, "a finding is left for the restarted server to report");
  writeMachineSettings({ "tactful.path": path.join(tmp, "no-such-tactful") });
  await waitFor("the status bar to say the server is not running", async () =>
    /not running/.test(await statusItem.first().innerText()), 30_000);
  await shot("vscode-bad-path.png");
  writeMachineSettings({ "tactful.path": TACTFUL_BIN });
  await waitFor(`the restarted server's count (${remaining})`, async () => {
    const m = /tactful:\s*(\d+)/.exec(await statusItem.first().innerText());
    return m && Number(m[1]) === remaining;
  }, 30_000);
});

/** Findings from `tactful check --format json` (one file) as { rule, start, end, suggestions, titles }. */
function findingsOf(report) {
  assert.equal(report.length, 1, "one file in the report");
  assert.equal(report[0].decoded, false, "offsets are into the file as written");
  return report[0].diagnostics.map((d) => ({
    rule: d.rule,
    start: d.start,
    end: d.end,
    suggestions: d.suggestions.map((x) => x.replacement),
    titles: d.suggestions.map((x) => x.title),
  }));
}

/** 0-based line and UTF-16 column of a UTF-8 byte offset in `text`. */
function lineCol(text, byteOffset) {
  const before = Buffer.from(text, "utf8").subarray(0, byteOffset).toString("utf8");
  const lines = before.split("\n");
  return { line: lines.length - 1, col: lines[lines.length - 1].length };
}
