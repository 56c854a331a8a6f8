"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { validate, toServer, parseRuleLines, ruleLines, atLeast, installCommand, fromForm, DEFAULTS } = require("../src/lib/settings.js");

test("nothing stored: the defaults, holding at warning", () => {
  const { settings, problems } = validate(undefined);
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, { ...DEFAULTS, rules: {} });
  assert.equal(settings.holdBeforeSend, true);
  assert.equal(settings.holdSeverity, "warning");
});

test("bad values are named and replaced by defaults", () => {
  const { settings, problems } = validate({ packs: "default", rules: { "pressure.asap": "loud", "Bad Key": "off", clarity: "off" }, minSeverity: "high", holdBeforeSend: "yes", debounceMs: -1 });
  assert.deepEqual(settings.rules, { clarity: "off" });
  assert.equal(settings.minSeverity, "hint");
  assert.deepEqual(problems, [
    "packs: expected a list of pack names or paths",
    "rules.pressure.asap: expected one of off, on, error, warning, info, hint",
    "rules: `Bad Key` is not a rule id or category",
    "minSeverity: expected one of error, warning, info, hint",
    "holdBeforeSend: expected true or false",
    "debounceMs: expected a whole number of milliseconds from 0 to 10000",
  ]);
});

test("the server's section: packs only when chosen, and no debounce of its own", () => {
  const base = validate({ rules: { hostility: "error" }, minSeverity: "info" }).settings;
  assert.deepEqual(toServer(base), { rules: { hostility: "error" }, minSeverity: "info", debounceMs: 0 });
  assert.deepEqual(toServer({ ...base, packs: ["default", "/p/team.toml"] }).packs, ["default", "/p/team.toml"]);
});

test("rule lines round-trip and bad lines name their line", () => {
  const { rules, problems } = parseRuleLines("pressure.asap = off\n# a comment\n\nclarity.long = \"hint\"\nnonsense\nx.y = loud");
  assert.deepEqual(rules, { "pressure.asap": "off", "clarity.long": "hint" });
  assert.deepEqual(problems, ["line 5: expected `rule.id = off|on|error|warning|info|hint`", "line 6: `loud` is not one of off, on, error, warning, info, hint"]);
  assert.equal(ruleLines({ ...rules, clarity: "off" }), "pressure.asap = off\nclarity.long = hint", "categories have their own toggles");
});

test("severity thresholds", () => {
  assert.ok(atLeast("error", "warning"));
  assert.ok(atLeast("warning", "warning"));
  assert.ok(!atLeast("info", "warning"));
});

test("the binary's path: absolute or empty; the install command names it, quoted for a shell", () => {
  assert.equal(validate({ binaryPath: " /opt/tactful/bin/tactful " }).settings.binaryPath, "/opt/tactful/bin/tactful");
  assert.deepEqual(validate({ binaryPath: "bin/tactful" }).problems, ["binaryPath: expected the absolute path of the tactful binary (Thunderbird runs only an absolute path)"]);
  assert.equal(validate({ binaryPath: "bin/tactful" }).settings.binaryPath, "");
  assert.equal(installCommand(DEFAULTS), "tactful thunderbird install");
  assert.equal(installCommand({ binaryPath: "/home/ann/.cargo/bin/tactful" }), "/home/ann/.cargo/bin/tactful thunderbird install");
  assert.equal(installCommand({ binaryPath: "/home/ann/my tools/ann's tactful" }), "'/home/ann/my tools/ann'\\''s tactful' thunderbird install");
  assert.deepEqual(toServer(validate({ binaryPath: "/x/tactful" }).settings), { rules: {}, minSeverity: "hint", debounceMs: 0 }, "the path is the add-on's, not the server's");
});

const form = (over = {}) => ({
  packs: "default\n  sales \n\n",
  rules: "pressure.asap = off",
  categories: { hostility: "error", clarity: "" },
  minSeverity: "info",
  holdSeverity: "error",
  holdBeforeSend: false,
  binaryPath: "/usr/local/bin/tactful",
  ...over,
});

test("the options form becomes stored settings: packs, rule lines, category toggles, severities, hold, path", () => {
  const { stored, problems } = fromForm(form());
  assert.deepEqual(problems, []);
  assert.deepEqual(stored, {
    packs: ["default", "sales"],
    rules: { "pressure.asap": "off", hostility: "error" },
    minSeverity: "info",
    holdSeverity: "error",
    holdBeforeSend: false,
    binaryPath: "/usr/local/bin/tactful",
  });
  assert.deepEqual(validate(stored).settings, { ...DEFAULTS, ...stored }, "what is stored validates as it is");
  assert.deepEqual(toServer(validate(stored).settings), { rules: { "pressure.asap": "off", hostility: "error" }, minSeverity: "info", debounceMs: 0, packs: ["default", "sales"] });
});

test("an options form with a problem names it and is not stored", () => {
  assert.deepEqual(fromForm(form({ rules: "pressure.asap = loud", binaryPath: "tactful" })).problems, [
    "line 1: `loud` is not one of off, on, error, warning, info, hint",
    "binaryPath: expected the absolute path of the tactful binary (Thunderbird runs only an absolute path)",
  ]);
});
