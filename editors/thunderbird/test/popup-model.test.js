"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { popupModel, badge, whyFromHover, heldCount, hostAfterDisconnect, INSTALL_COMMAND, MANIFEST_PATH } = require("../src/lib/popup-model.js");

const finding = (over = {}) => ({
  id: "3:0",
  field: "body",
  severity: 2,
  rule: "pressure.asap",
  message: "Demanding ASAP.",
  why: "It corners the reader.",
  text: "ASAP",
  suggestions: [{ title: "Offer time", replacement: "when you have a moment" }, { title: "Name a date", replacement: "by Friday" }],
  ...over,
});

test("findings become items with rewrites as buttons", () => {
  const model = popupModel({ host: { status: "ok" }, findings: [finding(), finding({ id: "3:1", field: "subject", severity: 1, suggestions: [] })], hold: null, fixAll: { count: 1 } });
  assert.equal(model.banner, null);
  assert.equal(model.summary, "2 findings");
  assert.deepEqual(model.items[0].rewrites, [
    { index: 0, label: "when you have a moment", title: "Offer time" },
    { index: 1, label: "by Friday", title: "Name a date" },
  ]);
  assert.equal(model.items[0].severity, "warning");
  assert.equal(model.items[1].where, "Subject");
  assert.equal(model.items[1].severity, "error");
  assert.deepEqual(model.fixAll, { label: "Fix all safe (1)", enabled: true });
  assert.equal(model.hold, null);
});

test("a held send says so and offers Send anyway", () => {
  const model = popupModel({ host: { status: "ok" }, findings: [finding()], hold: { count: 1, severity: "warning" }, fixAll: null });
  assert.equal(model.hold.text, "Sending is held: 1 finding at warning or above. Your draft is unchanged.");
  assert.equal(model.hold.action, "Send anyway");
  assert.equal(model.fixAll.enabled, false);
});

test("a missing host shows the install command and Retry, not findings", () => {
  const model = popupModel({ host: { status: "missing", error: "No such native application tactful" }, findings: [finding()], hold: null, fixAll: null });
  assert.equal(model.banner.title, "tactful is not set up for Thunderbird");
  assert.match(model.banner.detail, /No such native application tactful/);
  assert.equal(model.banner.command, INSTALL_COMMAND);
  assert.equal(INSTALL_COMMAND, "tactful thunderbird install");
  assert.equal(model.retry, true);
  assert.deepEqual(model.items, []);
  assert.deepEqual(badge({ host: { status: "missing" }, findings: [] }), { text: "!", color: "#b00020" });
});

test("a host that stopped is told apart from a missing one", () => {
  const model = popupModel({ host: { status: "failed", error: "tactful stopped" }, findings: [], hold: null, fixAll: null });
  assert.equal(model.banner.title, "tactful stopped");
  assert.equal(popupModel({ host: { status: "connecting" }, findings: [], hold: null }).retry, false);
});

test("badge: the count, coloured by the worst severity; empty when clean", () => {
  assert.deepEqual(badge({ host: { status: "ok" }, findings: [finding(), finding({ severity: 4 })] }), { text: "2", color: "#b26a00" });
  assert.equal(badge({ host: { status: "ok" }, findings: [] }).text, "");
  assert.equal(popupModel({ host: { status: "ok" }, findings: [], hold: null, fixAll: null }).summary, "No findings in this message.");
});

test("why comes from the server's hover text", () => {
  const hover = "**Demanding \\\"ASAP\\\".**\n\nIt corners the reader\\.\n\nTry instead:\n- Offer time: “when you have a moment”\n\n`pressure.asap` · pressure · warning";
  assert.equal(whyFromHover(hover), "It corners the reader.");
  assert.equal(whyFromHover("**Msg**\n\nTry instead:\n- x\n\n`r` · c · hint"), "");
  assert.equal(whyFromHover("**Msg**\n\n`r` · c · hint"), "");
  assert.equal(whyFromHover(undefined), "");
});

test("a missing host names the manifest Thunderbird reads and the command for the binary in the options", () => {
  const command = "/opt/tactful thunderbird install";
  const model = popupModel({ host: { status: "missing", error: "No such native application tactful" }, findings: [], hold: null, fixAll: null, installCommand: command });
  assert.equal(model.banner.command, command);
  assert.ok(model.banner.detail.includes(MANIFEST_PATH), model.banner.detail);
  assert.equal(MANIFEST_PATH, "~/.mozilla/native-messaging-hosts/tactful.json");
  const failed = popupModel({ host: { status: "failed", error: "tactful exited" }, findings: [], hold: null, fixAll: null, installCommand: command });
  assert.equal(failed.banner.command, command);
  assert.match(failed.banner.detail, /^tactful exited\. /);
});

test("held findings: at or above the chosen severity, none when holding is off", () => {
  const findings = [finding({ severity: 1 }), finding({ severity: 2 }), finding({ severity: 3 }), finding({ severity: 4 }), finding({ severity: undefined })];
  const settings = (holdSeverity, holdBeforeSend = true) => ({ holdSeverity, holdBeforeSend });
  assert.equal(heldCount(findings, settings("error")), 2, "a missing severity counts as an error");
  assert.equal(heldCount(findings, settings("warning")), 3);
  assert.equal(heldCount(findings, settings("info")), 4);
  assert.equal(heldCount(findings, settings("hint")), 5);
  assert.equal(heldCount(findings, settings("error", false)), 0);
  assert.equal(heldCount([], settings("hint")), 0);
});

test("only Thunderbird's 'No such native application' is a missing host; a program that ends is a failure", () => {
  assert.deepEqual(hostAfterDisconnect("No such native application tactful"), { status: "missing", error: "No such native application tactful", version: null });
  assert.deepEqual(hostAfterDisconnect(null), { status: "failed", error: "the tactful program ended", version: null });
  assert.equal(hostAfterDisconnect("An unexpected error occurred").status, "failed");
  assert.equal(popupModel({ host: hostAfterDisconnect(null), findings: [], hold: null, fixAll: null }).banner.title, "tactful stopped");
});
