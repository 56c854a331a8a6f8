"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { extract, ComposeDocument, replaceInSubject } = require("../src/lib/mapping.js");
const { el } = require("./fake-dom.js");

/** LSP position of a UTF-16 offset in `text` (independent of the module). */
function position(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

function rangeOf(text, needle, from = 0) {
  const start = text.indexOf(needle, from);
  assert.notEqual(start, -1, `${needle} in ${text}`);
  return { start: position(text, start), end: position(text, start + needle.length) };
}

/** Applies DOM edits to copies of the text nodes' data, as the editor script does. */
function applyToNodes(nodes, edits) {
  const data = nodes.map((n) => n.data);
  for (const e of [...edits].sort((a, b) => a.node - b.node || b.start - a.start)) {
    assert.equal(data[e.node].slice(e.start, e.end), e.expect);
    data[e.node] = data[e.node].slice(0, e.start) + e.text + data[e.node].slice(e.end);
  }
  return data;
}

test("plain-text compose: lines from <br> and newlines, quotes and signature left out", () => {
  const body = el(
    "body",
    {},
    "Hi Bob,",
    el("br"),
    el("br"),
    "Merci Zoë 👋 (東京), e\u0301 reply ASAP.\nThanks",
    el("br"),
    el("div", { class: "moz-cite-prefix" }, "On Monday, Bob wrote:"),
    el("blockquote", { type: "cite" }, "Can you send it?", el("br"), "Bob"),
    el("div", { class: "moz-signature" }, "-- ", el("br"), "Ann ASAP"),
  );
  const { pieces, nodes } = extract(body, true);
  const doc = new ComposeDocument("Numbers", pieces);
  assert.equal(doc.text, "Subject: Numbers\n\nHi Bob,\n\nMerci Zoë 👋 (東京), e\u0301 reply ASAP.\nThanks\nOn Monday, Bob wrote:\n> Can you send it?\n> Bob\n");
  assert.equal(nodes.length, 2, "only the writer's text nodes are mapped");

  const found = doc.locate(rangeOf(doc.text, "ASAP"));
  assert.deepEqual(found, { field: "body", start: doc.body.indexOf("ASAP"), end: doc.body.indexOf("ASAP") + 4 });
  // UTF-16: the emoji counts two units, the combining mark one.
  assert.equal(rangeOf(doc.text, "ASAP").start.character, "Merci Zoë 👋 (東京), e\u0301 reply ".length);
  const inNode = nodes[1].data.indexOf("ASAP");
  assert.equal(inNode, 28);
  assert.deepEqual(doc.domRange(found.start, found.end), { startNode: 1, startOffset: inNode, endNode: 1, endOffset: inNode + 4 });
});

test("a finding in a quote or the reply header is not mapped back", () => {
  const body = el("body", {}, el("p", {}, "Fine."), el("div", { class: "moz-cite-prefix" }, "Bob wrote:"), el("blockquote", { type: "cite" }, el("p", {}, "Reply ASAP")));
  const { pieces } = extract(body, false);
  const doc = new ComposeDocument("", pieces);
  assert.equal(doc.locate(rangeOf(doc.text, "ASAP")), null);
  assert.equal(doc.locate(rangeOf(doc.text, "Bob wrote")), null);
  assert.equal(doc.domEdits(doc.body.indexOf("ASAP"), doc.body.indexOf("ASAP") + 4, "x"), null);
  assert.deepEqual(doc.locate(rangeOf(doc.text, "Fine")), { field: "body", start: 0, end: 4 });
});

test("HTML compose: blocks are lines, source newlines and no-break spaces are spaces one for one", () => {
  const body = el("body", {}, el("p", {}, "Please\nreply\u00a0", el("b", {}, "right"), " now."), el("div", {}, "Next line"), el("pre", {}, "a\nb"));
  const { pieces, nodes } = extract(body, false);
  const doc = new ComposeDocument("S", pieces);
  assert.equal(doc.body, "Please reply right now.\nNext line\na\nb\n");
  assert.equal(nodes[0].data.length, "Please reply ".length, "one for one");
});

test("a rewrite across formatting edits exactly the flagged text and keeps the elements", () => {
  const body = el("body", {}, el("p", {}, "Please ", el("b", {}, "reply right"), " now, thanks."));
  const { pieces, nodes } = extract(body, false);
  const doc = new ComposeDocument("S", pieces);
  const start = doc.body.indexOf("reply right now");
  const edits = doc.domEdits(start, start + "reply right now".length, "answer when you can");
  assert.deepEqual(applyToNodes(nodes, edits), ["Please ", "answer when you can", ", thanks."]);
});

test("plain text: a rewrite changes only the span, byte for byte", () => {
  const original = "Dear team,\n\nWe need this ASAP 🙏 please.\n  Indented  line\twith tab\n";
  const body = el("body", {}, original);
  const { pieces, nodes } = extract(body, true);
  const doc = new ComposeDocument("", pieces);
  const found = doc.locate(rangeOf(doc.text, "ASAP"));
  const [after] = applyToNodes(nodes, doc.domEdits(found.start, found.end, "by Friday"));
  assert.equal(after, original.replace("ASAP", "by Friday"));
});

test("an insertion (empty span) lands in one text node", () => {
  const body = el("body", {}, "ab", el("br"), "cd");
  const { pieces, nodes } = extract(body, true);
  const doc = new ComposeDocument("", pieces);
  assert.deepEqual(applyToNodes(nodes, doc.domEdits(1, 1, "X")), ["aXb", "cd"]);
});

test("subject ranges come back as subject offsets; the blank line and past the end do not", () => {
  const doc = new ComposeDocument("URGENT: numbers 👀 now", []);
  assert.deepEqual(doc.locate(rangeOf(doc.text, "URGENT")), { field: "subject", start: 0, end: 6 });
  assert.deepEqual(doc.locate(rangeOf(doc.text, "now")), { field: "subject", start: 19, end: 22 });
  assert.equal(doc.locate({ start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }), null);
  assert.equal(doc.locate({ start: { line: 2, character: 0 }, end: { line: 2, character: 5 } }), null);
  assert.equal(doc.locate({ start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }), null, "inside 'Subject: '");
  assert.equal(replaceInSubject(doc.subject, 0, 6, "Update"), "Update: numbers 👀 now");
});

test("bodyRange is the inverse of locate", () => {
  const { pieces } = extract(el("body", {}, "one", el("br"), "two 👋 three", el("br"), "four"), true);
  const doc = new ComposeDocument("s", pieces);
  for (const [start, end] of [[0, 3], [4, 7], [8, 10], [doc.body.length, doc.body.length]]) {
    assert.deepEqual(doc.locate(doc.bodyRange(start, end)), { field: "body", start, end });
  }
});

test("a plain-text quote that already has > is not quoted twice", () => {
  const body = el("body", {}, el("div", { class: "moz-cite-prefix" }, "Bob wrote:"), el("blockquote", { type: "cite" }, "> Reply ASAP", el("br"), "> Thanks"), "Sure.");
  const doc = new ComposeDocument("Re: x", extract(body, true).pieces);
  assert.equal(doc.body, "Bob wrote:\n> Reply ASAP\n> Thanks\nSure.");
  assert.deepEqual(doc.locate(rangeOf(doc.text, "Sure")), { field: "body", start: doc.body.indexOf("Sure"), end: doc.body.indexOf("Sure") + 4 });
});
