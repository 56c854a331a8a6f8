// The add-on's settings: what the options page edits, what storage.local keeps, and
// the "tactful" section the language server reads (docs/lsp.md).
"use strict";

(function (exports) {
  const SEVERITIES = ["error", "warning", "info", "hint"];
  const RULE_VALUES = ["off", "on", ...SEVERITIES];

  /** The categories of the built-in rules (README.md), for the toggles. */
  const CATEGORIES = [
    "pressure", "ultimatum", "presumption", "surprise", "overclaim", "hostility", "labeling",
    "blame", "apology", "absolute", "shouting", "channel", "clarity", "self-focus", "undermining",
  ];

  const DEFAULTS = Object.freeze({
    packs: [],
    rules: {},
    minSeverity: "hint",
    holdBeforeSend: true,
    holdSeverity: "warning",
    debounceMs: 50,
    binaryPath: "",
  });

  const RULE_KEY = /^[a-z0-9][a-z0-9._-]*$/;

  /**
   * Stored settings, checked: returns { settings, problems }, each problem naming the
   * key; a bad value is replaced by its default rather than passed to the server.
   */
  function validate(stored) {
    const input = stored && typeof stored === "object" ? stored : {};
    const settings = { ...DEFAULTS, rules: {} };
    const problems = [];
    if (input.packs !== undefined) {
      if (Array.isArray(input.packs) && input.packs.every((p) => typeof p === "string")) {
        settings.packs = input.packs.map((p) => p.trim()).filter(Boolean);
      } else problems.push("packs: expected a list of pack names or paths");
    }
    if (input.rules !== undefined) {
      if (input.rules && typeof input.rules === "object" && !Array.isArray(input.rules)) {
        for (const [key, value] of Object.entries(input.rules)) {
          if (!RULE_KEY.test(key)) problems.push(`rules: \`${key}\` is not a rule id or category`);
          else if (!RULE_VALUES.includes(value)) problems.push(`rules.${key}: expected one of ${RULE_VALUES.join(", ")}`);
          else settings.rules[key] = value;
        }
      } else problems.push("rules: expected rule id or category -> setting");
    }
    for (const key of ["minSeverity", "holdSeverity"]) {
      if (input[key] === undefined) continue;
      if (SEVERITIES.includes(input[key])) settings[key] = input[key];
      else problems.push(`${key}: expected one of ${SEVERITIES.join(", ")}`);
    }
    if (input.holdBeforeSend !== undefined) {
      if (typeof input.holdBeforeSend === "boolean") settings.holdBeforeSend = input.holdBeforeSend;
      else problems.push("holdBeforeSend: expected true or false");
    }
    if (input.binaryPath !== undefined) {
      if (typeof input.binaryPath === "string" && (input.binaryPath.trim() === "" || input.binaryPath.trim().startsWith("/"))) settings.binaryPath = input.binaryPath.trim();
      else problems.push("binaryPath: expected the absolute path of the tactful binary (Thunderbird runs only an absolute path)");
    }
    if (input.debounceMs !== undefined) {
      if (Number.isInteger(input.debounceMs) && input.debounceMs >= 0 && input.debounceMs <= 10000) settings.debounceMs = input.debounceMs;
      else problems.push("debounceMs: expected a whole number of milliseconds from 0 to 10000");
    }
    return { settings, problems };
  }

  /**
   * The server's "tactful" section. Unset packs leave the server's own (the user
   * config, else "default"). The debounce is the add-on's own: it waits before it
   * sends the text, so the server checks at once.
   */
  function toServer(settings) {
    const section = { rules: settings.rules, minSeverity: settings.minSeverity, debounceMs: 0 };
    if (settings.packs.length > 0) section.packs = settings.packs;
    return section;
  }

  /**
   * The command that makes Thunderbird run the tactful binary: the binary's own
   * `thunderbird install` writes the host manifest with its absolute path. An add-on
   * cannot start a program itself, so the path setting lives in this command.
   */
  function installCommand(settings) {
    const path = settings && settings.binaryPath;
    if (!path) return "tactful thunderbird install";
    // Single quotes keep spaces and $ as they are in a POSIX shell.
    const quoted = /^[A-Za-z0-9_./+-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
    return `${quoted} thunderbird install`;
  }

  /**
   * The options page's fields -> { stored, problems }: what storage.local keeps, and
   * what is wrong, by field or line. `form`: { packs, rules (text), categories
   * ({ category: "" | value }), minSeverity, holdSeverity, holdBeforeSend, binaryPath }.
   * Nothing is stored while there are problems, so a typo never turns a rule off.
   */
  function fromForm(form) {
    const { rules, problems } = parseRuleLines(form.rules);
    for (const [category, value] of Object.entries(form.categories)) {
      if (value) rules[category] = value;
    }
    const stored = {
      packs: form.packs.split("\n").map((p) => p.trim()).filter(Boolean),
      rules,
      minSeverity: form.minSeverity,
      holdSeverity: form.holdSeverity,
      holdBeforeSend: form.holdBeforeSend,
      binaryPath: form.binaryPath.trim(),
    };
    return { stored, problems: [...problems, ...validate(stored).problems] };
  }

  /** Rules text area ("id = setting" lines) -> rules object, and problems with line numbers. */
  function parseRuleLines(text) {
    const rules = {};
    const problems = [];
    text.split("\n").forEach((raw, index) => {
      const line = raw.replace(/#.*/, "").trim();
      if (!line) return;
      const match = /^([^=\s]+)\s*=\s*"?([a-z]+)"?$/.exec(line);
      if (!match) problems.push(`line ${index + 1}: expected \`rule.id = off|on|error|warning|info|hint\``);
      else if (!RULE_KEY.test(match[1])) problems.push(`line ${index + 1}: \`${match[1]}\` is not a rule id or category`);
      else if (!RULE_VALUES.includes(match[2])) problems.push(`line ${index + 1}: \`${match[2]}\` is not one of ${RULE_VALUES.join(", ")}`);
      else rules[match[1]] = match[2];
    });
    return { rules, problems };
  }

  /** The rules object as text-area lines, without the categories (they have their own toggles). */
  function ruleLines(rules) {
    return Object.entries(rules)
      .filter(([key]) => !CATEGORIES.includes(key))
      .map(([key, value]) => `${key} = ${value}`)
      .join("\n");
  }

  /** Whether a severity is at or above a threshold. */
  function atLeast(severity, threshold) {
    return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
  }

  exports.SEVERITIES = SEVERITIES;
  exports.RULE_VALUES = RULE_VALUES;
  exports.CATEGORIES = CATEGORIES;
  exports.DEFAULTS = DEFAULTS;
  exports.validate = validate;
  exports.toServer = toServer;
  exports.parseRuleLines = parseRuleLines;
  exports.ruleLines = ruleLines;
  exports.atLeast = atLeast;
  exports.installCommand = installCommand;
  exports.fromForm = fromForm;
})(typeof module === "object" ? module.exports : (globalThis.tactfulSettings = {}));
