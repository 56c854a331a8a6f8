"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { zip, files } = require("../scripts/build-xpi.js");

const SRC = path.join(__dirname, "..", "src");

/** The entries of a zip archive, read back through its central directory. */
function unzip(archive) {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    assert.equal(archive.readUInt32LE(at), 0x02014b50);
    const packedSize = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString("utf8", at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const data = zlib.inflateRawSync(archive.subarray(dataAt, dataAt + packedSize));
    assert.equal(zlib.crc32(data), archive.readUInt32LE(at + 16), `${name}: CRC`);
    entries.push({ name, data });
    at += 46 + nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
  }
  return entries;
}

test("the .xpi holds every file of src/ at its path, manifest.json at the top", () => {
  const names = files(SRC);
  const entries = unzip(zip(names.map((name) => ({ name, data: fs.readFileSync(path.join(SRC, name)) }))));
  assert.deepEqual(entries.map((e) => e.name), names);
  assert.ok(names.includes("manifest.json"));
  for (const e of entries) assert.deepEqual(e.data, fs.readFileSync(path.join(SRC, e.name)), e.name);
});

test("every file the manifest and the pages name is packaged", () => {
  const names = new Set(files(SRC));
  const manifest = JSON.parse(fs.readFileSync(path.join(SRC, "manifest.json"), "utf8"));
  const named = [...manifest.background.scripts, manifest.compose_action.default_popup, manifest.compose_action.default_icon, manifest.options_ui.page];
  for (const page of [manifest.compose_action.default_popup, manifest.options_ui.page]) {
    const html = fs.readFileSync(path.join(SRC, page), "utf8");
    for (const [, ref] of html.matchAll(/(?:src|href)="([^"]+)"/g)) named.push(path.posix.join(path.posix.dirname(page), ref));
  }
  for (const name of named) assert.ok(names.has(name), `${name} is in the .xpi`);
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.browser_specific_settings.gecko.strict_min_version, "128.0");
});
