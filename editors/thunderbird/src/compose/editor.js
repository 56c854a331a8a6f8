// Injected into a compose window's editor (after lib/mapping.js) with
// scripting.executeScript. It reads the draft, underlines findings with the CSS
// Custom Highlight API, and makes the edits the writer asks for. It never adds
// anything to the draft: highlights live outside the DOM, and their style comes from
// scripting.insertCSS.
"use strict";

if (!globalThis.tactfulEditor) {
  globalThis.tactfulEditor = (() => {
    const { extract } = globalThis.tactfulMapping;
    const HIGHLIGHTS = ["error", "warning", "info", "hint"].map((s) => `tactful-${s}`);

    /** Bumped by every change to the draft: work for an older revision is dropped. */
    let revision = 0;
    /** The text nodes behind the pieces of the last extraction, and its revision. */
    let extracted = { revision: -1, nodes: [] };
    let debounceMs = 150;
    let timer = null;
    /** For the end-to-end test: the last underlines drawn, and how many drafts the debounce let through. */
    let lastHighlight = { at: null, highlighted: -1, texts: [] };
    let draftsSent = 0;

    const preformatted = () => {
      const style = document.body && getComputedStyle(document.body).whiteSpace;
      return Boolean(style && style.startsWith("pre"));
    };

    function snapshot() {
      if (extracted.revision !== revision) {
        const { pieces, nodes } = extract(document.body || document.documentElement, preformatted());
        extracted = { revision, nodes, pieces };
      }
      return { revision, pieces: extracted.pieces };
    }

    function changed() {
      revision += 1;
      clearTimeout(timer);
      timer = setTimeout(() => {
        draftsSent += 1;
        browser.runtime.sendMessage({ type: "tactful:draft", ...snapshot() }).catch(() => {});
      }, debounceMs);
    }

    new MutationObserver(changed).observe(document.documentElement, { subtree: true, childList: true, characterData: true });

    function range(mark) {
      const r = document.createRange();
      r.setStart(extracted.nodes[mark.startNode], mark.startOffset);
      r.setEnd(extracted.nodes[mark.endNode], mark.endOffset);
      return r;
    }

    function highlight(message) {
      if (message.revision !== revision || extracted.revision !== revision) return { applied: false };
      const underlined = [];
      for (const name of HIGHLIGHTS) {
        // A plain array: iterating a Highlight made here fails across the Xray wrapper.
        const ranges = message.marks.filter((m) => `tactful-${m.severity}` === name).map(range);
        if (ranges.length > 0) CSS.highlights.set(name, new Highlight(...ranges));
        else CSS.highlights.delete(name);
        underlined.push(...ranges);
      }
      lastHighlight = { at: performance.now(), highlighted: revision, texts: underlined.map((r) => r.toString()) };
      return { applied: true, at: lastHighlight.at };
    }

    /** Edits on text nodes; each checked against the text it expects, all or none. */
    function edit(message) {
      if (message.revision !== revision || extracted.revision !== revision) return { applied: false, reason: "the draft changed" };
      const edits = message.edits.map((e) => ({ ...e, target: extracted.nodes[e.node] }));
      const flat = (text) => text.replace(/[\u00a0\r\n\t]/g, " ");
      const stale = edits.find((e) => !e.target || flat(e.target.data.slice(e.start, e.end)) !== flat(e.expect));
      if (stale) return { applied: false, reason: "the text to change is not there any more" };
      // Back to front within a node, so earlier offsets stay right.
      edits.sort((a, b) => a.node - b.node || b.start - a.start);
      for (const e of edits) e.target.replaceData(e.start, e.end - e.start, e.text);
      return { applied: true };
    }

    browser.runtime.onMessage.addListener((message) => {
      switch (message.type) {
        case "tactful:configure":
          debounceMs = message.debounceMs;
          return Promise.resolve(snapshot());
        case "tactful:extract":
          return Promise.resolve(snapshot());
        case "tactful:highlight":
          return Promise.resolve(highlight(message));
        case "tactful:edit":
          return Promise.resolve(edit(message));
        case "tactful:stats":
          return Promise.resolve({ ...lastHighlight, draftsSent, revision });
        default:
          return undefined;
      }
    });
    return { snapshot };
  })();
}
