// The options page: edits the settings kept in storage.local (lib/settings.js);
// the background page passes them to the server. It also says whether the tactful
// program runs, and the command that makes Thunderbird run the binary named here.
"use strict";

const { SEVERITIES, CATEGORIES, fromForm, ruleLines, installCommand } = globalThis.tactfulSettings;
const { MANIFEST_PATH } = globalThis.tactfulPopupModel;
const $ = (id) => document.getElementById(id);

function select(id, values, current) {
  $(id).replaceChildren(...values.map((v) => new Option(v, v, false, v === current)));
}

/** The program's state and what to do about it; kept current while the page is open. */
async function showStatus() {
  const state = await browser.runtime.sendMessage({ type: "options:state" });
  const host = state.host;
  $("status").className = host.status === "ok" ? "" : "error";
  if (host.status === "ok") $("status").textContent = `Connected: tactful ${host.version || ""}`;
  else if (host.status === "connecting") $("status").textContent = "Starting tactful…";
  else $("status").textContent = `Not connected: ${host.error || host.status}. Run the command below, then press Retry in the popup.`;
  $("manifestPath").textContent = MANIFEST_PATH;
  $("installCommand").textContent = state.installCommand;
  return state;
}

async function load() {
  const state = await showStatus();
  const { settings } = state;
  $("binaryPath").value = settings.binaryPath;
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

function form() {
  const categories = {};
  for (const choice of document.querySelectorAll("select[data-category]")) categories[choice.dataset.category] = choice.value;
  return {
    packs: $("packs").value,
    rules: $("rules").value,
    categories,
    minSeverity: $("minSeverity").value,
    holdSeverity: $("holdSeverity").value,
    holdBeforeSend: $("holdBeforeSend").checked,
    binaryPath: $("binaryPath").value,
  };
}

async function save() {
  const { stored, problems } = fromForm(form());
  $("problems").textContent = problems.join("\n");
  $("saved").textContent = "";
  if (problems.length > 0) return false;
  await browser.storage.local.set({ settings: stored });
  $("installCommand").textContent = installCommand(stored);
  $("saved").textContent = "Saved.";
  return true;
}

/** For the end-to-end test: the page's fields, status and messages as shown once loaded. */
async function describe() {
  await loading;
  return { form: form(), status: $("status").textContent, installCommand: $("installCommand").textContent, problems: $("problems").textContent, saved: $("saved").textContent };
}

/**
 * For the end-to-end test: sets fields as the writer would ({ id: value }, or
 * { category: { name: value } } for the category toggles), then presses Save.
 */
async function fill(values) {
  for (const [id, value] of Object.entries(values)) {
    if (id === "categories") {
      for (const [name, choice] of Object.entries(value)) document.querySelector(`select[data-category="${name}"]`).value = choice;
    } else if (typeof value === "boolean") $(id).checked = value;
    else $(id).value = value;
  }
  $("save").click();
  await saving;
  return describe();
}

let saving = Promise.resolve(true);
$("save").addEventListener("click", () => {
  saving = save();
});

browser.runtime.onMessage.addListener((message) => {
  if (message.type === "tactful:refresh") showStatus();
  if (message.type === "options:describe") return describe();
  if (message.type === "options:fill") return fill(message.values);
  return undefined;
});

const loading = load();
