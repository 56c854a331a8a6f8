// Maps the extension's `tactful.*` settings onto the server's "tactful" configuration
// section. Pure: no `vscode` import, so `npm test` runs it under plain Node.
//
// The server's config is strict (unknown keys are rejected), so only known keys are
// emitted, and a value the user left empty is omitted so the server's own default
// (or the workspace's .tactful.toml) stays in force.

import * as path from "path";

export const SEVERITIES = ["hint", "info", "warning", "error"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const RULE_LEVELS = ["off", "on", ...SEVERITIES] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

/** The server's "tactful" settings section (camelCase JSON). */
export interface ServerSettings {
  packs?: string[];
  rules?: Record<string, RuleLevel>;
  minSeverity?: Severity;
  debounceMs?: number;
}

/** What `workspace.getConfiguration("tactful")` holds; anything may be in there. */
export interface RawSettings {
  path?: unknown;
  packs?: unknown;
  rules?: unknown;
  minSeverity?: unknown;
  debounceMs?: unknown;
}

export interface Context {
  /** File-system path of the workspace folder the settings apply to, if any. */
  workspaceFolder?: string;
  /** The user's home directory, for `~`. */
  home?: string;
}

export interface Mapped {
  settings: ServerSettings;
  /** One line per value that was dropped, for the output channel. */
  problems: string[];
}

export const MAX_DEBOUNCE_MS = 10_000;

/** Replace a leading `~` and `${workspaceFolder}` / `${userHome}`. */
export function expandVariables(value: string, ctx: Context): string {
  let out = value;
  if (ctx.home !== undefined) {
    if (out === "~") {
      out = ctx.home;
    } else if (out.startsWith("~/") || out.startsWith("~\\")) {
      out = path.join(ctx.home, out.slice(2));
    }
    out = out.split("${userHome}").join(ctx.home);
  }
  if (ctx.workspaceFolder !== undefined) {
    out = out.split("${workspaceFolder}").join(ctx.workspaceFolder);
  }
  return out;
}

/** A pack entry that names a file rather than a built-in pack. */
export function isPackPath(entry: string): boolean {
  return (
    entry.includes("/") ||
    entry.includes("\\") ||
    entry.startsWith("~") ||
    entry.startsWith("${") ||
    entry.toLowerCase().endsWith(".toml")
  );
}

function resolvePath(value: string, ctx: Context): string {
  const expanded = expandVariables(value, ctx);
  if (path.isAbsolute(expanded) || ctx.workspaceFolder === undefined) {
    return expanded;
  }
  return path.resolve(ctx.workspaceFolder, expanded);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Map the extension settings onto the server's configuration section. */
export function toServerSettings(raw: RawSettings, ctx: Context = {}): Mapped {
  const settings: ServerSettings = {};
  const problems: string[] = [];

  if (raw.packs !== undefined && raw.packs !== null) {
    if (!Array.isArray(raw.packs)) {
      problems.push(`tactful.packs must be a list of strings; ignored`);
    } else {
      const packs: string[] = [];
      for (const entry of raw.packs) {
        if (typeof entry !== "string" || entry.trim() === "") {
          problems.push(`tactful.packs: ignored entry ${JSON.stringify(entry)}`);
          continue;
        }
        const name = entry.trim();
        const value = isPackPath(name) ? resolvePath(name, ctx) : name;
        if (!packs.includes(value)) {
          packs.push(value);
        }
      }
      if (packs.length > 0) {
        settings.packs = packs;
      }
    }
  }

  if (raw.rules !== undefined && raw.rules !== null) {
    if (!isPlainObject(raw.rules)) {
      problems.push(`tactful.rules must be an object of rule id -> level; ignored`);
    } else {
      const rules: Record<string, RuleLevel> = {};
      for (const [key, value] of Object.entries(raw.rules)) {
        const id = key.trim();
        const level = typeof value === "string" ? value.trim().toLowerCase() : value;
        if (id === "") {
          problems.push(`tactful.rules: ignored an empty rule id`);
        } else if (typeof level === "string" && (RULE_LEVELS as readonly string[]).includes(level)) {
          rules[id] = level as RuleLevel;
        } else {
          problems.push(
            `tactful.rules: ${JSON.stringify(id)} has ${JSON.stringify(value)}, expected one of ${RULE_LEVELS.join(", ")}; ignored`,
          );
        }
      }
      if (Object.keys(rules).length > 0) {
        settings.rules = rules;
      }
    }
  }

  if (raw.minSeverity !== undefined && raw.minSeverity !== null && raw.minSeverity !== "") {
    const s = typeof raw.minSeverity === "string" ? raw.minSeverity.trim().toLowerCase() : raw.minSeverity;
    if (typeof s === "string" && (SEVERITIES as readonly string[]).includes(s)) {
      settings.minSeverity = s as Severity;
    } else {
      problems.push(
        `tactful.minSeverity: ${JSON.stringify(raw.minSeverity)} is not one of ${SEVERITIES.join(", ")}; ignored`,
      );
    }
  }

  if (raw.debounceMs !== undefined && raw.debounceMs !== null && raw.debounceMs !== "") {
    const n = typeof raw.debounceMs === "string" ? Number(raw.debounceMs) : raw.debounceMs;
    if (typeof n === "number" && Number.isFinite(n) && n >= 0) {
      const ms = Math.round(n);
      if (ms > MAX_DEBOUNCE_MS) {
        problems.push(`tactful.debounceMs: ${n} is more than ${MAX_DEBOUNCE_MS}; using ${MAX_DEBOUNCE_MS}`);
      }
      settings.debounceMs = Math.min(ms, MAX_DEBOUNCE_MS);
    } else {
      problems.push(`tactful.debounceMs: ${JSON.stringify(raw.debounceMs)} is not a number of milliseconds; ignored`);
    }
  }

  return { settings, problems };
}

/** The server binary: `tactful.path` (expanded), else `tactful` looked up on PATH. */
export function serverCommand(rawPath: unknown, ctx: Context = {}): string {
  if (typeof rawPath !== "string" || rawPath.trim() === "") {
    return "tactful";
  }
  const p = rawPath.trim();
  // A bare name ("tactful-nightly") is looked up on PATH like the default.
  if (!p.includes("/") && !p.includes("\\") && !p.startsWith("~") && !p.startsWith("${")) {
    return p;
  }
  return resolvePath(p, ctx);
}
