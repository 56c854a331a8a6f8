// Renders the popup's model (lib/popup-model.js, built by the background page) and
// sends the writer's choices back to it.
"use strict";

const root = document.getElementById("root");
let tabId = null;
let lastError = null;
/** The render in progress (or the last one): what the page shows once it settles. */
let rendering = Promise.resolve();

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function act(message) {
  lastError = null;
  const result = await browser.runtime.sendMessage({ ...message, tabId });
  if (result && result.ok === false) lastError = result.error;
  await render();
}

function render() {
  rendering = draw();
  return rendering;
}

function banner(model) {
  const b = model.banner;
  const box = element("div", { class: `banner ${b.kind}` }, element("h1", {}, b.title));
  if (b.detail) box.append(element("p", {}, b.detail));
  if (b.command) box.append(element("code", { class: "command" }, b.command));
  if (model.retry) box.append(element("p", {}, element("button", { onclick: () => act({ type: "popup:retry" }) }, "Retry")));
  return box;
}

function item(finding) {
  const actions = element("div", { class: "actions" });
  for (const rewrite of finding.rewrites) {
    actions.append(element("button", { class: "rewrite", title: rewrite.title, onclick: () => act({ type: "popup:rewrite", id: finding.id, index: rewrite.index }) }, rewrite.label ? `“${rewrite.label}”` : `${rewrite.title} (remove it)`));
  }
  actions.append(element("button", { onclick: () => act({ type: "popup:ignore", id: finding.id }) }, "Ignore here"));
  return element(
    "section",
    { class: "item" },
    element("div", { class: "head" }, element("span", { class: `sev ${finding.severity}` }, finding.severity), element("span", {}, finding.message)),
    element("div", { class: "excerpt" }, `${finding.where}: “${finding.excerpt}”`),
    finding.why ? element("p", { class: "why" }, finding.why) : "",
    element("div", { class: "rule" }, finding.rule),
    actions,
  );
}

async function draw() {
  const model = await browser.runtime.sendMessage({ type: "popup:state", tabId });
  const children = [];
  if (model.banner) children.push(banner(model));
  if (model.hold) {
    children.push(element("div", { class: "hold" }, element("p", {}, model.hold.text), element("button", { onclick: () => act({ type: "popup:sendAnyway" }) }, model.hold.action)));
  }
  if (lastError) children.push(element("p", { class: "error-line" }, lastError));
  if (model.serverMessage) children.push(element("p", { class: "error-line" }, model.serverMessage));
  if (model.summary) children.push(element("h1", {}, model.summary));
  children.push(...model.items.map(item));
  // Options stay reachable without the program: the binary's path is set there.
  const footer = element("div", { class: "footer" });
  if (!model.banner) {
    const fixAll = element("button", { onclick: () => act({ type: "popup:fixAll" }) }, model.fixAll.label);
    fixAll.disabled = !model.fixAll.enabled;
    footer.append(fixAll);
  }
  footer.append(element("button", { onclick: () => browser.runtime.openOptionsPage() }, "Options"));
  children.push(footer);
  root.replaceChildren(...children);
}

/** What the page shows once drawn and painted: its text and its buttons (for the end-to-end test). */
async function describe() {
  await rendering;
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const buttons = [...root.querySelectorAll("button")].map((b) => ({ label: b.textContent, disabled: b.disabled }));
  return { tabId, text: root.innerText, buttons };
}

/** Clicks the button labelled `label`, as the writer would (for the end-to-end test). */
function click(label) {
  const button = [...root.querySelectorAll("button")].find((b) => b.textContent === label && !b.disabled);
  if (!button) return { clicked: false };
  button.click();
  return { clicked: true };
}

browser.runtime.onMessage.addListener((message) => {
  if (message.type === "tactful:refresh" && message.tabId === tabId) render();
  if (message.type === "popup:describe") return describe();
  if (message.type === "popup:click") return Promise.resolve(click(message.label));
  return undefined;
});

(async () => {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  tabId = tab.id;
  await render();
})();
