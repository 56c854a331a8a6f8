import { strict as assert } from "node:assert";
import * as path from "node:path";
import { test } from "node:test";
import { expandVariables, isPackPath, serverCommand, toServerSettings } from "../src/settings";

const ws = path.resolve("/work/space");
const home = path.resolve("/home/ann");
const ctx = { workspaceFolder: ws, home };

test("defaults as VS Code returns them map to an empty section", () => {
  const m = toServerSettings({ path: "", packs: [], rules: {}, minSeverity: null, debounceMs: null }, ctx);
  assert.deepEqual(m.settings, {});
  assert.deepEqual(m.problems, []);
});

test("a full configuration maps onto the server's camelCase keys and drops path", () => {
  const m = toServerSettings(
    {
      path: "/opt/tactful",
      packs: ["default", "/etc/tactful/legal.toml"],
      rules: { "pressure.asap": "off", hostility: "error" },
      minSeverity: "warning",
      debounceMs: 150,
    },
    ctx,
  );
  assert.deepEqual(m.settings, {
    packs: ["default", "/etc/tactful/legal.toml"],
    rules: { "pressure.asap": "off", hostility: "error" },
    minSeverity: "warning",
    debounceMs: 150,
  });
  assert.deepEqual(Object.keys(m.settings).sort(), ["debounceMs", "minSeverity", "packs", "rules"]);
  assert.deepEqual(m.problems, []);
});

test("pack paths are resolved; built-in names are kept; duplicates dropped", () => {
  const m = toServerSettings(
    { packs: ["default", "packs/team.toml", "./x.toml", "~/p.toml", "${workspaceFolder}/q.toml", "default", " ", 7] },
    ctx,
  );
  assert.deepEqual(m.settings.packs, [
    "default",
    path.join(ws, "packs/team.toml"),
    path.join(ws, "x.toml"),
    path.join(home, "p.toml"),
    path.join(ws, "q.toml"),
  ]);
  assert.equal(m.problems.length, 2);
});

test("relative pack paths stay relative without a workspace folder", () => {
  const m = toServerSettings({ packs: ["team.toml"] }, { home });
  assert.deepEqual(m.settings.packs, ["team.toml"]);
});

test("rule levels are validated and normalised", () => {
  const m = toServerSettings({ rules: { "pressure.asap": "OFF", hostility: " Warning ", bad: "loud", "": "off", n: 3 } }, ctx);
  assert.deepEqual(m.settings.rules, { "pressure.asap": "off", hostility: "warning" });
  assert.equal(m.problems.length, 3);
  assert.match(m.problems.join("\n"), /"bad" has "loud"/);
});

test("rules that are not an object are reported", () => {
  const m = toServerSettings({ rules: ["pressure.asap"] }, ctx);
  assert.equal(m.settings.rules, undefined);
  assert.equal(m.problems.length, 1);
});

test("every valid minSeverity passes, others are dropped", () => {
  for (const s of ["hint", "info", "warning", "error"]) {
    assert.equal(toServerSettings({ minSeverity: s }).settings.minSeverity, s);
  }
  assert.equal(toServerSettings({ minSeverity: "Error" }).settings.minSeverity, "error");
  const bad = toServerSettings({ minSeverity: "critical" });
  assert.equal(bad.settings.minSeverity, undefined);
  assert.equal(bad.problems.length, 1);
});

test("debounceMs is rounded, clamped and validated", () => {
  assert.equal(toServerSettings({ debounceMs: 0 }).settings.debounceMs, 0);
  assert.equal(toServerSettings({ debounceMs: 149.6 }).settings.debounceMs, 150);
  assert.equal(toServerSettings({ debounceMs: "300" }).settings.debounceMs, 300);
  const big = toServerSettings({ debounceMs: 1e9 });
  assert.equal(big.settings.debounceMs, 10000);
  assert.equal(big.problems.length, 1);
  for (const v of [-1, NaN, Infinity, "soon", true]) {
    const m = toServerSettings({ debounceMs: v });
    assert.equal(m.settings.debounceMs, undefined, String(v));
    assert.equal(m.problems.length, 1, String(v));
  }
});

test("the mapped section survives a JSON round trip unchanged", () => {
  const m = toServerSettings({ packs: ["default"], rules: { hostility: "hint" }, minSeverity: "info", debounceMs: 10 }, ctx);
  assert.deepEqual(JSON.parse(JSON.stringify(m.settings)), m.settings);
});

test("serverCommand: empty means tactful on PATH, paths are expanded", () => {
  assert.equal(serverCommand(undefined, ctx), "tactful");
  assert.equal(serverCommand("", ctx), "tactful");
  assert.equal(serverCommand("  ", ctx), "tactful");
  assert.equal(serverCommand(42, ctx), "tactful");
  assert.equal(serverCommand("tactful-dev", ctx), "tactful-dev");
  assert.equal(serverCommand("/usr/local/bin/tactful", ctx), "/usr/local/bin/tactful");
  assert.equal(serverCommand("~/.cargo/bin/tactful", ctx), path.join(home, ".cargo/bin/tactful"));
  assert.equal(serverCommand("${workspaceFolder}/target/debug/tactful", ctx), path.join(ws, "target/debug/tactful"));
  assert.equal(serverCommand("./target/release/tactful", ctx), path.join(ws, "target/release/tactful"));
});

test("expandVariables and isPackPath", () => {
  assert.equal(expandVariables("~", ctx), home);
  assert.equal(expandVariables("${userHome}/a", ctx), `${home}/a`);
  assert.equal(expandVariables("a~b", ctx), "a~b");
  assert.equal(isPackPath("default"), false);
  assert.equal(isPackPath("legal"), false);
  assert.equal(isPackPath("legal.toml"), true);
  assert.equal(isPackPath("a/b"), true);
});
