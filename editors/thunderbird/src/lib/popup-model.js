// What the compose-action popup shows, as plain data: the popup page renders it,
// the tests and the end-to-end driver read it.
"use strict";

(function (exports) {
  const INSTALL_COMMAND = "tactful thunderbird install";

  const SEVERITY_NAMES = { 1: "error", 2: "warning", 3: "info", 4: "hint" };

  /** LSP DiagnosticSeverity -> name (missing counts as an error, as the protocol says clients may). */
  function severityName(severity) {
    return SEVERITY_NAMES[severity] || "error";
  }

  /**
   * The host's state once its port closed with `error` (Thunderbird's message, or
   * null). Only "No such native application" means that no manifest names tactful; a
   * program that starts and ends, or cannot run, closes the port with no message:
   * that is a failure, not a missing install.
   */
  function hostAfterDisconnect(error) {
    const missing = typeof error === "string" && /no such native application/i.test(error);
    return { status: missing ? "missing" : "failed", error: error || "the tactful program ended", version: null };
  }

  /** Where Thunderbird looks for the host manifest (one user; `--system`: every user). */
  const MANIFEST_PATH = "~/.mozilla/native-messaging-hosts/tactful.json";

  /**
   * The banner for the host's state, or null when it is connected. `command`: the
   * install command for the binary the options name (settings.installCommand).
   */
  function hostBanner(host, command = INSTALL_COMMAND) {
    switch (host.status) {
      case "ok":
        return null;
      case "connecting":
        return { kind: "info", title: "Starting tactful…", detail: "", command: null };
      case "missing":
        return {
          kind: "error",
          title: "tactful is not set up for Thunderbird",
          detail:
            `Thunderbird could not start the tactful program (${host.error || "no native-messaging host named tactful"}). ` +
            `It starts the program named in ${MANIFEST_PATH}. Install tactful (cargo install --path . in a checkout; ` +
            "set its path in Options if it is not on PATH), run the command below in a terminal, then press Retry.",
          command,
        };
      default:
        return {
          kind: "error",
          title: "tactful stopped",
          detail: `${host.error || "the program ended"}. Its messages are in Thunderbird's error console (Tools → Developer Tools). Press Retry to start it again; if it keeps failing, reinstall and run the command below (it rewrites ${MANIFEST_PATH}).`,
          command,
        };
    }
  }

  /**
   * The popup's view of one compose window.
   * state: { host: { status, error, version }, findings: [{ id, field, severity, rule,
   *   message, why, text, suggestions: [{ title, replacement }] }], hold: null |
   *   { count, severity }, fixAll: null | { count }, serverMessage: string | null,
   *   installCommand?: string }
   */
  function popupModel(state) {
    const banner = hostBanner(state.host, state.installCommand);
    const findings = state.host.status === "ok" ? state.findings : [];
    const items = findings.map((f) => ({
      id: f.id,
      severity: severityName(f.severity),
      where: f.field === "subject" ? "Subject" : "Body",
      rule: f.rule,
      excerpt: f.text,
      message: f.message,
      why: f.why || "",
      rewrites: f.suggestions.map((s, index) => ({ index, label: s.replacement, title: s.title })),
    }));
    const hold = state.hold
      ? {
          text: `Sending is held: ${state.hold.count} ${state.hold.count === 1 ? "finding" : "findings"} at ${state.hold.severity} or above. Your draft is unchanged.`,
          action: "Send anyway",
        }
      : null;
    const fixAllCount = state.fixAll ? state.fixAll.count : 0;
    let summary;
    if (banner) summary = "";
    else if (items.length === 0) summary = "No findings in this message.";
    else summary = `${items.length} ${items.length === 1 ? "finding" : "findings"}`;
    return {
      banner,
      hold,
      summary,
      items,
      fixAll: { label: `Fix all safe (${fixAllCount})`, enabled: fixAllCount > 0 },
      serverMessage: state.serverMessage || null,
      retry: banner !== null && state.host.status !== "connecting",
    };
  }

  /** The badge for a compose window: the count, coloured by the worst severity. */
  function badge(state) {
    if (state.host.status === "missing" || state.host.status === "failed") return { text: "!", color: "#b00020" };
    const findings = state.host.status === "ok" ? state.findings : [];
    if (findings.length === 0) return { text: "", color: "#2e7d32" };
    const worst = Math.min(...findings.map((f) => f.severity || 1));
    const color = { 1: "#b00020", 2: "#b26a00", 3: "#1565c0", 4: "#616161" }[worst];
    return { text: String(findings.length), color };
  }

  const SEVERITY_RANKS = { error: 1, warning: 2, info: 3, hint: 4 };

  /**
   * How many findings hold a send: those at or above settings.holdSeverity, none when
   * holding is off. (A missing severity counts as an error, as for severityName.)
   */
  function heldCount(findings, settings) {
    if (!settings.holdBeforeSend) return 0;
    const threshold = SEVERITY_RANKS[settings.holdSeverity] || SEVERITY_RANKS.warning;
    return findings.filter((f) => (f.severity || 1) <= threshold).length;
  }

  /**
   * "Why it matters" from the server's hover text for a finding: the paragraph after
   * the bold message, unless that is already the rewrites or the rule line.
   */
  function whyFromHover(markdown) {
    if (typeof markdown !== "string") return "";
    const paragraphs = markdown.split(/\n\s*\n/).map((p) => p.trim());
    const why = paragraphs[1] || "";
    if (!paragraphs[0].startsWith("**") || why.startsWith("Try instead:") || why.startsWith("`")) return "";
    return why.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, "$1");
  }

  exports.whyFromHover = whyFromHover;
  exports.INSTALL_COMMAND = INSTALL_COMMAND;
  exports.MANIFEST_PATH = MANIFEST_PATH;
  exports.heldCount = heldCount;
  exports.hostAfterDisconnect = hostAfterDisconnect;
  exports.severityName = severityName;
  exports.popupModel = popupModel;
  exports.badge = badge;
})(typeof module === "object" ? module.exports : (globalThis.tactfulPopupModel = {}));
