// Between the compose window and the language server's text.
//
// The server checks one document: "Subject: <subject>", a blank line, then the body
// as plain text (a compose buffer, the format `tactful check` reads). The body text
// is built from the editor's DOM as a list of pieces:
//   - "text": the data of one text node, characters replaced one for one (no-break
//     space, CR, and in HTML the newlines that only wrap source, become spaces), so a
//     UTF-16 offset in the piece is an offset in the node;
//   - "break": a line break that is structure (<br>, the edge of a block), not text;
//   - "context": text the writer did not write here (a quote, the reply header),
//     sent so the server can compare with the thread, never mapped back, so a
//     finding that touches it is not shown.
// The signature and forwarded messages are left out altogether.
//
// Positions: LSP ranges in UTF-16 code units (JavaScript's own string unit) on
// lines ending at "\n"; the text has no other line ends.
//
// A classic script (no modules): loaded by the background page, injected into the
// compose editor with scripting.executeScript, and required by the node tests.
"use strict";

(function (exports) {
  const SUBJECT_PREFIX = "Subject: ";

  /** Elements whose edges are line breaks. */
  const BLOCKS = new Set([
    "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "CENTER", "DD", "DIV", "DL", "DT", "FIELDSET",
    "FIGURE", "FOOTER", "FORM", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI", "MAIN",
    "NAV", "OL", "P", "PRE", "SECTION", "TABLE", "TR", "UL",
  ]);

  /** Elements with nothing to read. */
  const SKIPPED = new Set(["HEAD", "SCRIPT", "STYLE", "TEMPLATE", "TITLE"]);

  function hasClass(element, name) {
    return Boolean(element.classList && element.classList.contains(name));
  }

  /** What part of a message an element is: "quote", "cite", "drop" or null (the writer's). */
  function roleOf(element) {
    if (element.nodeName === "BLOCKQUOTE" && element.getAttribute("type") === "cite") return "quote";
    if (element.getAttribute("_moz_quote") === "true") return "quote";
    if (hasClass(element, "moz-cite-prefix")) return "cite";
    if (hasClass(element, "moz-signature") || hasClass(element, "moz-forward-container")) return "drop";
    return null;
  }

  /** A text node's data with the one-for-one replacements the module docs describe. */
  function normalize(data, preformatted) {
    const text = data.replace(/[\u00a0\r]/g, " ");
    return preformatted ? text : text.replace(/[\n\t]/g, " ");
  }

  /**
   * The pieces of the body under `root` (an element, or anything shaped like one:
   * nodeType, nodeName, childNodes, getAttribute, classList, data), and the text
   * nodes the "text" pieces stand for (`pieces[i].node` indexes `nodes`).
   * `preformatted`: newlines in text nodes are line breaks (plain-text compose).
   */
  function extract(root, preformatted) {
    const pieces = [];
    const nodes = [];
    let endsWithBreak = true;
    const push = (piece) => {
      if (piece.text === "") return;
      pieces.push(piece);
      endsWithBreak = piece.text.endsWith("\n");
    };
    const lineBreak = () => {
      if (!endsWithBreak) push({ kind: "break", text: "\n" });
    };
    const walk = (node, pre) => {
      if (node.nodeType === 3) {
        nodes.push(node);
        push({ kind: "text", text: normalize(node.data, pre), node: nodes.length - 1 });
        return;
      }
      if (node.nodeType !== 1 || SKIPPED.has(node.nodeName)) return;
      if (node.nodeName === "BR") {
        push({ kind: "break", text: "\n" });
        return;
      }
      const role = roleOf(node);
      const block = BLOCKS.has(node.nodeName) || role !== null;
      if (block) lineBreak();
      if (role === "quote" || role === "cite") {
        const lines = plainText(node, pre).replace(/\n+$/, "").split("\n");
        const prefix = role === "quote" ? "> " : "";
        // Plain-text compose quotes with literal "> " already.
        const quoted = lines.map((line) => (line.startsWith(">") ? line : prefix + line));
        push({ kind: "context", text: quoted.join("\n") + "\n" });
      } else if (role === null) {
        const inner = pre || node.nodeName === "PRE";
        for (const child of node.childNodes) walk(child, inner);
      }
      if (block) lineBreak();
    };
    for (const child of root.childNodes) walk(child, preformatted);
    return { pieces, nodes };
  }

  /** The text under an element as lines, for context pieces. */
  function plainText(element, preformatted) {
    const { pieces } = extract(element, preformatted);
    return pieces.map((p) => p.text).join("");
  }

  /** Start offsets of the lines of `text`. */
  function lineStarts(text) {
    const starts = [0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return starts;
  }

  /**
   * The document the server checks, and the way back from its ranges.
   * `locate(range)` gives { field: "subject" | "body", start, end } in UTF-16 units
   * of the subject or the body text, or null for a range in neither (the blank line,
   * across both) or one that touches a context piece or ends outside the body.
   */
  class ComposeDocument {
    constructor(subject, pieces) {
      this.subject = subject.replace(/[\r\n]+/g, " ");
      this.pieces = [];
      let offset = 0;
      for (const piece of pieces) {
        this.pieces.push({ ...piece, start: offset });
        offset += piece.text.length;
      }
      this.body = pieces.map((p) => p.text).join("");
      this.header = `${SUBJECT_PREFIX}${this.subject}\n\n`;
      this.text = this.header + this.body;
      this.bodyLines = lineStarts(this.body);
    }

    locate(range) {
      const { start, end } = range;
      if (start.line === 0 && end.line === 0) {
        const from = start.character - SUBJECT_PREFIX.length;
        const to = end.character - SUBJECT_PREFIX.length;
        if (from < 0 || to > this.subject.length || from > to) return null;
        return { field: "subject", start: from, end: to };
      }
      if (start.line < 2) return null;
      const from = this.bodyOffset(start);
      const to = this.bodyOffset(end);
      if (from === null || to === null || from > to) return null;
      if (this.pieces.some((p) => p.kind === "context" && p.start < Math.max(to, from + 1) && from < p.start + p.text.length)) return null;
      return { field: "body", start: from, end: to };
    }

    /** Body offset of a document position; null past the end. */
    bodyOffset(position) {
      const line = this.bodyLines[position.line - 2];
      if (line === undefined) return null;
      const lineEnd = position.line - 1 < this.bodyLines.length ? this.bodyLines[position.line - 1] - 1 : this.body.length;
      const offset = line + position.character;
      return offset <= lineEnd ? offset : null;
    }

    /** The document range of body offsets (for edits computed on the body). */
    bodyRange(start, end) {
      const position = (offset) => {
        let line = 0;
        while (line + 1 < this.bodyLines.length && this.bodyLines[line + 1] <= offset) line += 1;
        return { line: line + 2, character: offset - this.bodyLines[line] };
      };
      return { start: position(start), end: position(end) };
    }

    /** The body text of [start, end). */
    bodySlice(start, end) {
      return this.body.slice(start, end);
    }

    /**
     * How to replace body [start, end) with `text` in the DOM: a list of
     * { node, start, end, expect, text } on text pieces (node offsets; `expect` is the
     * text there now), the new text in the
     * first text piece the span touches, the rest of the span cut from the others.
     * Breaks inside the span stay (formatting is never rewritten). Null when the span
     * touches a context piece or no text piece.
     */
    domEdits(start, end, text) {
      const edits = [];
      for (const piece of this.pieces) {
        const pieceEnd = piece.start + piece.text.length;
        const touches = piece.start < end && start < pieceEnd;
        const holdsInsertion = start === end && piece.start <= start && start <= pieceEnd;
        if (!touches && !holdsInsertion) continue;
        if (piece.kind === "context") return null;
        if (piece.kind !== "text") continue;
        if (edits.length > 0 && start === end) break;
        const from = Math.max(start, piece.start) - piece.start;
        const to = Math.min(end, pieceEnd) - piece.start;
        edits.push({ node: piece.node, start: from, end: to, expect: piece.text.slice(from, to), text: edits.length === 0 ? text : "" });
      }
      return edits.length > 0 ? edits : null;
    }

    /** Node ranges to underline body [start, end): { startNode, startOffset, endNode, endOffset }. */
    domRange(start, end) {
      const edits = this.domEdits(start, end, "");
      if (!edits) return null;
      const first = edits[0];
      const last = edits[edits.length - 1];
      return { startNode: first.node, startOffset: first.start, endNode: last.node, endOffset: last.end };
    }
  }

  /** `subject` with [start, end) replaced by `text`. */
  function replaceInSubject(subject, start, end, text) {
    return subject.slice(0, start) + text + subject.slice(end);
  }

  exports.SUBJECT_PREFIX = SUBJECT_PREFIX;
  exports.extract = extract;
  exports.ComposeDocument = ComposeDocument;
  exports.replaceInSubject = replaceInSubject;
})(typeof module === "object" ? module.exports : (globalThis.tactfulMapping = {}));
