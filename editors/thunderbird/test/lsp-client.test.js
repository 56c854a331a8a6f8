"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { LspClient } = require("../src/lib/lsp-client.js");

/** A runtime.Port stand-in: records what is posted, lets the test deliver messages. */
function fakePort() {
  const listeners = { message: [], disconnect: [] };
  return {
    posted: [],
    postMessage(message) {
      this.posted.push(message);
    },
    disconnect() {},
    onMessage: { addListener: (f) => listeners.message.push(f) },
    onDisconnect: { addListener: (f) => listeners.disconnect.push(f) },
    deliver: (m) => Promise.all(listeners.message.map((f) => f(m))),
    drop: (error) => listeners.disconnect.forEach((f) => f({ error })),
  };
}

test("requests get their responses, server requests are answered, notifications passed on", async () => {
  const port = fakePort();
  const seen = [];
  const client = new LspClient(port, {
    notification: (method, params) => seen.push([method, params]),
    request: (method) => (method === "workspace/configuration" ? [{ minSeverity: "info" }] : null),
    disconnected: () => {},
  });
  const pending = client.request("initialize", { a: 1 });
  assert.deepEqual(port.posted[0], { jsonrpc: "2.0", id: 1, method: "initialize", params: { a: 1 } });
  await port.deliver({ jsonrpc: "2.0", id: 1, result: { capabilities: {} } });
  assert.deepEqual(await pending, { capabilities: {} });
  await port.deliver({ jsonrpc: "2.0", id: 7, method: "workspace/configuration", params: {} });
  assert.deepEqual(port.posted[1], { jsonrpc: "2.0", id: 7, result: [{ minSeverity: "info" }] });
  await port.deliver({ jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: { uri: "u" } });
  assert.deepEqual(seen, [["textDocument/publishDiagnostics", { uri: "u" }]]);
  const failing = client.request("textDocument/hover", {});
  await port.deliver({ jsonrpc: "2.0", id: 2, error: { code: -32603, message: "boom" } });
  await assert.rejects(failing, /textDocument\/hover: boom/);
});

test("a port that drops fails what is pending and reports the error once", async () => {
  const port = fakePort();
  const errors = [];
  const client = new LspClient(port, { notification() {}, request() {}, disconnected: (e) => errors.push(e) });
  const pending = client.request("initialize", {});
  port.drop({ message: "No such native application tactful" });
  port.drop({ message: "again" });
  await assert.rejects(pending, /No such native application tactful/);
  assert.deepEqual(errors, ["No such native application tactful"]);
  await assert.rejects(client.request("x", {}), /not running/);
});
