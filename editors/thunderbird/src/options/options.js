// The options page: edits the settings kept in storage.local (lib/settings.js);
// the background page passes them to the server.
"use strict";

const { SEVERITIES, CATEGORIES, validate, parseRuleLines, ruleLines } = globalThis.tactfulSettings;
const $ = (id) => document.getElementById(id);

function select(id, values, current) {
  $(id).replaceChildren(...values.map((v) => new Option(v, v, false, v === current)));
}

async function load() {
  const state = await browser.runtime.sendMessage({ type: "options:state" });
  const { settings } = state;
  const host = state.host;
  $("status").className = host.status === "ok" ? "" : "error";
  $("status").textContent =
    host.status === "ok" ? `Connected: tactful ${host.version || ""}` : `Not connected: ${host.error || host.status}. Run \`tactful thunderbird install\`.`;
  $("packs").value = settings.packs.join("\n");
  $("rules").value = ruleLines(settings.rules);
  select("minSeverity", SEVERITIES, settings.minSeverity);
  select("holdSeverity", SEVERITIES, settings.holdSeverity);
  $("holdBeforeSend").checked = settings.holdBeforeSend;
  $("categories").replaceChildren(
    ...CATEGORIES.flatMap((category) => {
      const choice = document.createElement("select");
      choice.dataset.category = category;
      choice.append(new Option("as configured", ""), ...["off", "on", ...SEVERITIES].map((v) => new Option(v, v, false, settings.rules[category] === v)));
      return [Object.assign(document.createElement("span"), { textContent: category }), choice];
    }),
  );
  $("problems").textContent = state.problems.join("\n");
}

async function save() {
  const { rules, problems } = parseRuleLines($("rules").value);
  for (const choice of document.querySelectorAll("select[data-category]")) {
    if (choice.value) rules[choice.dataset.category] = choice.value;
  }
  const stored = {
    packs: $("packs").value.split("\n").map((p) => p.trim()).filter(Boolean),
    rules,
    minSeverity: $("minSeverity").value,
    holdSeverity: $("holdSeverity").value,
    holdBeforeSend: $("holdBeforeSend").checked,
  };
  const checked = validate(stored);
  const all = [...problems, ...checked.problems];
  $("problems").textContent = all.join("\n");
  if (all.length > 0) return;
  await browser.storage.local.set({ settings: stored });
  $("saved").textContent = "Saved.";
}

$("save").addEventListener("click", save);
load();
