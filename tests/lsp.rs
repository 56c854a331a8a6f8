//! `tactful lsp` on the built binary, over real Content-Length framing on stdio.
//!
//! What the server should find comes from `tactful check --format json` on the same
//! text, so these tests follow the rule packs as they grow; rule ids named here
//! (`pressure.asap`) are checked to fire before anything depends on them.

#[path = "lsp/client.rs"]
mod client;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use client::{apply_edits, edits_for, file_uri, position, range, Client, Encoding, Framing, Sandbox};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_tactful");

/// A compose buffer whose flagged line has an emoji, CJK and a combining mark before
/// the phrase, so bytes, UTF-16 units and characters all differ.
const DRAFT: &str = "From: Ann <ann@example.com>\n\
To: Bob <bob@example.com>\n\
Subject: Quarterly numbers\n\
\n\
Hi Bob,\n\
\n\
Merci Zoë 👋 (東京 team), e\u{301} please get back to me ASAP.\n\
\n\
Cheers,\n\
Ann\n";

const CLEAN: &str = "Subject: Lunch\n\nHi Bob,\n\nThanks for the notes 👋 東京.\n\nAnn\n";

/// One finding as `tactful check` reports it.
#[derive(Debug, Clone)]
struct Expected {
    rule: String,
    /// Why the rule matters, as `check` reports it (the hover shows it too).
    why: String,
    start: usize,
    end: usize,
    suggestions: Vec<String>,
    /// The first rewrite marked safe (mechanical), which "fix all" applies.
    safe: Option<String>,
}

/// `tactful check --no-config --format json` on `text` (each text and options once
/// per test run: every run of the CLI compiles the rules).
fn cli(text: &str, extra: &[&str]) -> Vec<Expected> {
    type Key = (String, Vec<String>);
    static CACHE: Mutex<BTreeMap<Key, Vec<Expected>>> = Mutex::new(BTreeMap::new());
    let key = (text.to_owned(), extra.iter().map(|s| (*s).to_owned()).collect());
    if let Some(found) = CACHE.lock().unwrap().get(&key) {
        return found.clone();
    }
    let found = run_cli(text, extra);
    CACHE.lock().unwrap().insert(key, found.clone());
    found
}

fn run_cli(text: &str, extra: &[&str]) -> Vec<Expected> {
    let mut child = Command::new(BIN)
        .args(["check", "--no-config", "--format", "json"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report[0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Expected {
            rule: d["rule"].as_str().unwrap().to_owned(),
            why: d["why"].as_str().unwrap().to_owned(),
            start: d["start"].as_u64().unwrap() as usize,
            end: d["end"].as_u64().unwrap() as usize,
            suggestions: d["suggestions"].as_array().unwrap().iter().map(|s| s["replacement"].as_str().unwrap().to_owned()).collect(),
            safe: d["suggestions"].as_array().unwrap().iter().find(|s| s["safe"] == true).map(|s| s["replacement"].as_str().unwrap().to_owned()),
        })
        .collect()
}

/// (rule, range) pairs, sorted, as the client would see the CLI's findings.
fn expected_ranges(text: &str, expected: &[Expected], encoding: Encoding) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = expected.iter().map(|e| (e.rule.clone(), range(text, e.start, e.end, encoding))).collect();
    out.sort_by_key(|(rule, range)| (range.to_string(), rule.clone()));
    out
}

fn seen_ranges(diagnostics: &[Value]) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = diagnostics.iter().map(|d| (d["code"].as_str().unwrap().to_owned(), d["range"].clone())).collect();
    out.sort_by_key(|(rule, range)| (range.to_string(), rule.clone()));
    out
}

fn rules(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

/// A started and initialized server in a fresh sandbox.
fn start(name: &str, encodings: &[&str], options: Value) -> (Sandbox, Client) {
    let sandbox = Sandbox::new(name);
    let mut client = Client::start(BIN, &sandbox, &[]);
    client.initialize(&sandbox.workspace, encodings, options);
    (sandbox, client)
}

/// A started server with `text` open as `name` (language "mail", version 1), and the
/// first diagnostics published for it.
fn open(test: &str, options: Value, name: &str, text: &str) -> (Sandbox, Client, String, Vec<Value>) {
    let (sandbox, mut client) = start(test, &["utf-16"], options);
    let uri = sandbox.uri(name);
    client.open(&uri, "mail", 1, text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    (sandbox, client, uri, diagnostics)
}

fn asap(diagnostics: &[Value]) -> &Value {
    diagnostics.iter().find(|d| d["code"] == "pressure.asap").expect("pressure.asap is reported")
}

fn code_actions(client: &mut Client, uri: &str, diagnostic: &Value, only: Option<&[&str]>) -> Vec<Value> {
    let mut context = json!({ "diagnostics": [diagnostic], "triggerKind": 1 });
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let response =
        client.request("textDocument/codeAction", json!({ "textDocument": { "uri": uri }, "range": diagnostic["range"], "context": context }));
    response["result"].as_array().cloned().unwrap_or_default()
}

fn execute(client: &mut Client, action: &Value) -> Value {
    let command = &action["command"];
    client.request("workspace/executeCommand", json!({ "command": command["command"], "arguments": command["arguments"] }))
}

fn hover(client: &mut Client, uri: &str, at: Value) -> Value {
    client.request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": at }))
}

#[test]
fn the_test_draft_fires_pressure_asap() {
    let found = cli(DRAFT, &[]);
    let hit = found.iter().find(|e| e.rule == "pressure.asap").expect("pressure.asap fires on the draft");
    assert_eq!(&DRAFT[hit.start..hit.end], "ASAP");
    assert!(hit.suggestions.len() >= 2, "pressure.asap offers rewrites");
    assert!(cli(CLEAN, &[]).is_empty(), "the clean draft has no findings");
}

#[test]
fn initialize_advertises_what_is_implemented() {
    let sandbox = Sandbox::new("caps");
    let mut client = Client::start(BIN, &sandbox, &[]);
    let result = client.initialize(&sandbox.workspace, &["utf-16"], json!(null));
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["codeActionProvider"]["codeActionKinds"], json!(["quickfix", "source.fixAll.tactful"]));
    assert_eq!(caps["executeCommandProvider"]["commands"], json!(["tactful.ignoreFinding", "tactful.disable"]));
    assert_eq!(caps["diagnosticProvider"]["interFileDependencies"], false);
    for absent in ["completionProvider", "definitionProvider", "codeLensProvider", "documentFormattingProvider", "renameProvider"] {
        assert!(caps.get(absent).is_none(), "{absent} is not implemented and not advertised");
    }
    assert_eq!(result["serverInfo"]["name"], "tactful");
    // The watcher for .tactful.toml and pack files is registered dynamically.
    let registration = client.wait("client/registerCapability", |m| m["method"] == "client/registerCapability");
    let watchers = &registration["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(watchers[0]["globPattern"], "**/.tactful.toml");
}

/// Opens the draft and compares every diagnostic with the CLI, in `encoding`.
fn exact_ranges(name: &str, offered: &[&str], encoding: Encoding) {
    let (sandbox, mut client) = start(name, offered, json!(null));
    assert_eq!(client.encoding, encoding);
    let uri = sandbox.uri("draft.eml");
    client.open(&uri, "mail", 1, DRAFT);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(seen_ranges(&diagnostics), expected_ranges(DRAFT, &cli(DRAFT, &[]), encoding));

    let d = asap(&diagnostics);
    let at = DRAFT.find("ASAP").unwrap();
    let line_start = DRAFT[..at].rfind('\n').unwrap() + 1;
    let column = match encoding {
        Encoding::Utf8 => at - line_start,
        Encoding::Utf16 => DRAFT[line_start..at].encode_utf16().count(),
    };
    assert_eq!(d["range"]["start"], json!({ "line": 6, "character": column }));
    assert_eq!(d["range"]["end"], json!({ "line": 6, "character": column + 4 }));
    assert_eq!(d["severity"], 2, "warning");
    assert_eq!(d["source"], "tactful");
    assert!(!d["message"].as_str().unwrap().is_empty());
    assert_eq!(d["data"]["rule"], "pressure.asap");
    assert_eq!(d["data"]["category"], "pressure");
    assert_eq!(d["data"]["text"], "ASAP");
    assert_eq!(d["data"]["version"], 1);
    assert!(d["data"]["suggestions"].as_array().unwrap().len() >= 2);
}

#[test]
fn diagnostics_have_exact_utf16_ranges_after_emoji_cjk_and_combining_marks() {
    exact_ranges("utf16", &["utf-16"], Encoding::Utf16);
    // 49 UTF-16 units but 57 bytes before "ASAP" on that line.
    assert_eq!(position(DRAFT, DRAFT.find("ASAP").unwrap(), Encoding::Utf16)["character"], 49);
}

#[test]
fn diagnostics_have_exact_utf8_ranges_when_the_client_offers_utf8() {
    exact_ranges("utf8", &["utf-8", "utf-16"], Encoding::Utf8);
    assert_eq!(position(DRAFT, DRAFT.find("ASAP").unwrap(), Encoding::Utf8)["character"], 57);
}

#[test]
fn incremental_edits_introduce_and_remove_a_finding() {
    for (name, offered, encoding) in [("inc16", &["utf-16"][..], Encoding::Utf16), ("inc8", &["utf-8"][..], Encoding::Utf8)] {
        let (sandbox, mut client) = start(name, offered, json!({ "debounceMs": 0 }));
        let uri = sandbox.uri("draft.eml");
        // CRLF line ends, like a draft saved on Windows.
        let mut text = CLEAN.replace('\n', "\r\n");
        client.open(&uri, "mail", 1, &text);
        assert!(client.diagnostics(&uri, Some(1)).is_empty());

        // Type " Reply ASAP" after "東京." on the emoji line.
        let at = text.find("東京.").unwrap() + "東京.".len();
        let insert = " Reply ASAP";
        client.change(&uri, 2, json!([{ "range": range(&text, at, at, encoding), "text": insert }]));
        text.insert_str(at, insert);
        let diagnostics = client.diagnostics(&uri, Some(2));
        let start = text.find("ASAP").unwrap();
        assert_eq!(asap(&diagnostics)["range"], range(&text, start, start + 4, encoding), "{name}");
        assert_eq!(seen_ranges(&diagnostics), expected_ranges(&text, &cli(&text, &[]), encoding), "{name}");

        // Delete it again.
        client.change(&uri, 3, json!([{ "range": range(&text, at, at + insert.len(), encoding), "text": "" }]));
        text.replace_range(at..at + insert.len(), "");
        assert!(client.diagnostics(&uri, Some(3)).is_empty(), "{name}: the finding is gone");

        // A change at the very end of the document, then one past it (clamped).
        let end = text.len();
        client.change(&uri, 4, json!([{ "range": range(&text, end, end, encoding), "text": "PS: ASAP" }]));
        text.push_str("PS: ASAP");
        let diagnostics = client.diagnostics(&uri, Some(4));
        let start = text.rfind("ASAP").unwrap();
        assert_eq!(asap(&diagnostics)["range"], range(&text, start, start + 4, encoding), "{name}");
        client.change(
            &uri,
            5,
            json!([{ "range": { "start": { "line": 99, "character": 0 }, "end": { "line": 120, "character": 7 } }, "text": "!" }]),
        );
        text.push('!');
        let diagnostics = client.diagnostics(&uri, Some(5));
        assert_eq!(seen_ranges(&diagnostics), expected_ranges(&text, &cli(&text, &[]), encoding), "{name}");
    }
}

#[test]
fn full_sync_changes_work_too() {
    let (sandbox, mut client) = start("full", &["utf-16"], json!({ "debounceMs": 0 }));
    let uri = sandbox.uri("notes.txt");
    client.open(&uri, "plaintext", 1, CLEAN);
    assert!(client.diagnostics(&uri, Some(1)).is_empty());
    client.change(&uri, 2, json!([{ "text": DRAFT }]));
    assert_eq!(seen_ranges(&client.diagnostics(&uri, Some(2))), expected_ranges(DRAFT, &cli(DRAFT, &[]), Encoding::Utf16));
}

#[test]
fn a_burst_of_changes_costs_one_check() {
    let (_sandbox, mut client, uri, _) = open("burst", json!({ "debounceMs": 300 }), "draft.eml", CLEAN);
    let mut text = CLEAN.to_owned();
    for (version, word) in (2..=6).zip(["Reply", " AS", "A", "P", "."]) {
        let end = text.find("Ann").unwrap();
        client.change(&uri, version, json!([{ "range": range(&text, end, end, Encoding::Utf16), "text": word }]));
        text.insert_str(end, word);
    }
    let diagnostics = client.diagnostics(&uri, Some(6));
    assert!(rules(&diagnostics).contains(&"pressure.asap"), "the last version was checked: {diagnostics:?}");
    // Give any straggler time to arrive: none of the intermediate versions is published.
    client.wait_timeout("stragglers", Duration::from_millis(500), |_| false);
    let published: Vec<&Value> =
        client.backlog.iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").map(|m| &m["params"]["version"]).collect();
    assert!(published.is_empty(), "intermediate versions were checked: {published:?}");
}

#[test]
fn a_quick_fix_applied_to_the_text_gives_the_rewritten_message() {
    let (sandbox, mut client) = start("fix", &["utf-16"], json!(null));
    let uri = sandbox.uri("draft.eml");
    client.open(&uri, "mail", 7, DRAFT);
    let diagnostics = client.diagnostics(&uri, Some(7));
    let target = asap(&diagnostics).clone();
    let actions = code_actions(&mut client, &uri, &target, None);
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    let suggestions: Vec<&str> = target["data"]["suggestions"].as_array().unwrap().iter().map(|s| s["replacement"].as_str().unwrap()).collect();

    let fixes: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "quickfix" && a.get("edit").is_some()).collect();
    assert_eq!(fixes.len(), suggestions.len(), "one quick fix per suggestion: {titles:?}");
    assert_eq!(actions[0]["isPreferred"], true, "{titles:?}");
    assert_eq!(actions.iter().filter(|a| a["isPreferred"] == true).count(), 1, "{titles:?}");
    for (fix, replacement) in fixes.iter().zip(&suggestions) {
        let (edits, version) = edits_for(&fix["edit"], &uri);
        assert_eq!(version, Some(7), "a versioned edit");
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0]["range"], target["range"], "exactly the flagged span");
        assert_eq!(apply_edits(DRAFT, &edits, Encoding::Utf16), DRAFT.replace("ASAP", replacement));
    }
    assert!(titles.contains(&"Ignore this finding in this message"), "{titles:?}");
    assert!(titles.contains(&"Disable rule pressure.asap in this workspace"), "{titles:?}");
    assert!(titles.contains(&"Disable category pressure in this workspace"), "{titles:?}");

    // The preferred edit, sent back as the editor would: the finding is gone.
    let (edits, _) = edits_for(&fixes[0]["edit"], &uri);
    client.change(&uri, 8, json!(edits.iter().map(|e| json!({ "range": e["range"], "text": e["newText"] })).collect::<Vec<_>>()));
    let fixed = apply_edits(DRAFT, &edits, Encoding::Utf16);
    let after = client.diagnostics(&uri, Some(8));
    assert!(!rules(&after).contains(&"pressure.asap"), "{after:?}");
    assert_eq!(seen_ranges(&after), expected_ranges(&fixed, &cli(&fixed, &[]), Encoding::Utf16));

    // An action asked for with the diagnostic of version 7 is stale now: no edit.
    let stale = code_actions(&mut client, &uri, &target, None);
    assert!(stale.is_empty(), "stale diagnostic got actions: {stale:?}");
}

/// The edits of the "Fix all safe rewrites" action for the document as opened (version 1).
fn fix_all_edits(client: &mut Client, uri: &str, text: &str) -> Vec<Value> {
    let response = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": range(text, 0, 0, Encoding::Utf16), "context": { "diagnostics": [], "only": ["source.fixAll"] } }),
    );
    let actions = response["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.tactful");
    let (edits, version) = edits_for(&actions[0]["edit"], uri);
    assert_eq!(version, Some(1));
    edits
}

#[test]
fn fix_all_applies_the_safe_rewrites() {
    let text = "Subject: hi\n\nWhy??? This is NOT what we AGREED. Please answer ASAP!!!\n";
    let expected = cli(text, &[]);
    let safe: Vec<&Expected> = expected.iter().filter(|e| e.safe.is_some()).collect();
    assert!(!safe.is_empty(), "some finding has a safe rewrite: {expected:?}");
    let (_sandbox, mut client, uri, diagnostics) = open("fixall", json!(null), "draft.eml", text);
    let edits = fix_all_edits(&mut client, &uri, text);
    // What the CLI says: the first safe rewrite of each finding, first of overlapping ones.
    let mut want = text.to_owned();
    let mut end = 0;
    let mut chosen = Vec::new();
    for e in &safe {
        if chosen.is_empty() || e.start >= end {
            end = e.end;
            chosen.push(*e);
        }
    }
    for e in chosen.iter().rev() {
        want.replace_range(e.start..e.end, e.safe.as_deref().unwrap());
    }
    assert_eq!(apply_edits(text, &edits, Encoding::Utf16), want);
    assert!(diagnostics.len() > edits.len(), "rewrites with a choice are left to the writer");
}

/// "Fix all" on the sample draft changes punctuation and capitals and nothing else:
/// no rewording ("Your team clearly doesn't care" → "I'd like to understand …") gets in.
#[test]
fn fix_all_on_the_sample_draft_changes_only_punctuation_and_capitals() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sample-draft.eml")).unwrap();
    let (_sandbox, mut client, uri, diagnostics) = open("fixall-sample", json!(null), "draft.eml", &text);
    let edits = fix_all_edits(&mut client, &uri, &text);
    let fixed = apply_edits(&text, &edits, Encoding::Utf16);
    assert_ne!(fixed, text);
    let words = |s: &str| s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>();
    assert_eq!(words(&fixed), words(&text), "fix all changed words:\n{fixed}");
    assert!(diagnostics.len() > edits.len(), "rewordings are left to the writer");
}

#[test]
fn ignoring_a_finding_survives_edits_elsewhere() {
    let (_sandbox, mut client, uri, diagnostics) = open("ignore", json!({ "debounceMs": 0 }), "draft.eml", DRAFT);
    let mut text = DRAFT.to_owned();
    let target = asap(&diagnostics).clone();
    let actions = code_actions(&mut client, &uri, &target, Some(&["quickfix"]));
    let ignore = actions.iter().find(|a| a["title"] == "Ignore this finding in this message").unwrap();
    assert!(ignore.get("edit").is_none(), "ignoring never edits the text");
    let response = execute(&mut client, ignore);
    assert!(response.get("error").is_none(), "{response}");
    let after = client.diagnostics(&uri, Some(1));
    assert!(!rules(&after).contains(&"pressure.asap"), "{after:?}");
    assert_eq!(after.len(), diagnostics.len() - 1, "only that finding is hidden");

    // Edit above it: still ignored.
    client.change(&uri, 2, json!([{ "range": range(&text, 0, 0, Encoding::Utf16), "text": "X-Note: draft\n" }]));
    text.insert_str(0, "X-Note: draft\n");
    assert!(!rules(&client.diagnostics(&uri, Some(2))).contains(&"pressure.asap"));

    // Another ASAP further down is a new finding.
    let at = text.find("Cheers").unwrap();
    client.change(&uri, 3, json!([{ "range": range(&text, at, at, Encoding::Utf16), "text": "Call me ASAP.\n" }]));
    text.insert_str(at, "Call me ASAP.\n");
    let third = client.diagnostics(&uri, Some(3));
    let asaps: Vec<&Value> = third.iter().filter(|d| d["code"] == "pressure.asap").collect();
    assert_eq!(asaps.len(), 1, "{third:?}");
    let second = text.rfind("ASAP").unwrap();
    assert_eq!(asaps[0]["range"], range(&text, second, second + 4, Encoding::Utf16));
}

#[test]
fn every_finding_on_a_span_gets_its_own_ignore() {
    let (_sandbox, mut client, uri, diagnostics) = open("overlap", json!(null), "draft.eml", DRAFT);
    let span = asap(&diagnostics)["range"].clone();
    let here: Vec<Value> = diagnostics.iter().filter(|d| d["range"] == span).cloned().collect();
    let response =
        client.request("textDocument/codeAction", json!({ "textDocument": { "uri": uri }, "range": span, "context": { "diagnostics": here } }));
    let actions = response["result"].as_array().unwrap();
    let ignores: Vec<&Value> = actions.iter().filter(|a| a["command"]["command"] == "tactful.ignoreFinding").collect();
    assert_eq!(ignores.len(), here.len(), "{actions:?}");
    let rules_ignored: Vec<&Value> = ignores.iter().map(|a| &a["command"]["arguments"][0]["rule"]).collect();
    let rules_here: Vec<&Value> = here.iter().map(|d| &d["code"]).collect();
    assert_eq!(rules_ignored, rules_here);
    let preferred = actions.iter().filter(|a| a["isPreferred"] == true).count();
    assert_eq!(preferred, here.iter().filter(|d| !d["data"]["suggestions"].as_array().unwrap().is_empty()).count());
}

#[test]
fn disabling_a_rule_edits_tactful_toml_and_keeps_the_rest() {
    let (sandbox, mut client) = start("disable", &["utf-16"], json!(null));
    let config = sandbox.workspace.join(".tactful.toml");
    let original = "# Team settings: keep this comment\nmin_severity = \"hint\"\n\n[rules]\nclarity = \"hint\"  # quiet\n";
    std::fs::write(&config, original).unwrap();
    let uri = sandbox.uri("draft.eml");
    client.open(&uri, "mail", 1, DRAFT);
    let diagnostics = client.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut client, &uri, asap(&diagnostics), None);
    let disable = actions.iter().find(|a| a["title"] == "Disable rule pressure.asap in this workspace").unwrap();
    execute(&mut client, disable);
    let apply = client.server_requests.iter().find(|r| r["method"] == "workspace/applyEdit").expect("the server asked to edit .tactful.toml");
    let (edits, version) = edits_for(&apply["params"]["edit"], &file_uri(&config));
    assert_eq!(version, None);
    assert_eq!(edits.len(), 1, "one small edit");
    assert_eq!(edits[0]["range"]["start"]["line"], 5, "appended to [rules], nothing above touched");
    let written = std::fs::read_to_string(&config).unwrap();
    assert_eq!(written, format!("{original}\"pressure.asap\" = \"off\"\n"));
    let after = client.diagnostics(&uri, Some(1));
    assert!(!rules(&after).contains(&"pressure.asap"), "{after:?}");
    assert_eq!(seen_ranges(&after), expected_ranges(DRAFT, &cli(DRAFT, &["--disable", "pressure.asap"]), Encoding::Utf16));
}

#[test]
fn disabling_a_category_creates_tactful_toml() {
    let (sandbox, mut client) = start("category", &["utf-16"], json!(null));
    let config = sandbox.workspace.join(".tactful.toml");
    assert!(!config.exists());
    let uri = sandbox.uri("drafts/draft.eml");
    client.open(&uri, "mail", 1, DRAFT);
    let diagnostics = client.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut client, &uri, asap(&diagnostics), None);
    let disable = actions.iter().find(|a| a["title"] == "Disable category pressure in this workspace").unwrap();
    execute(&mut client, disable);
    let apply = client.server_requests.iter().find(|r| r["method"] == "workspace/applyEdit").unwrap();
    assert_eq!(apply["params"]["edit"]["documentChanges"][0]["kind"], "create");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "[rules]\npressure = \"off\"\n");
    let after = client.diagnostics(&uri, Some(1));
    assert!(!after.iter().any(|d| d["data"]["category"] == "pressure"), "{after:?}");
}

/// A draft with no workspace folder and no `.tactful.toml` above it (a mail client's
/// draft in /tmp): "disable" writes the user config, says so in its title, and says
/// where it wrote; nothing is written next to the draft.
#[test]
fn disabling_outside_every_workspace_writes_the_user_config() {
    let (sandbox, mut client) = start("disable-user", &["utf-16"], json!(null));
    let drafts = sandbox.dir.join("mutt-tmp");
    std::fs::create_dir_all(&drafts).unwrap();
    assert!(drafts.ancestors().all(|dir| !dir.join(".tactful.toml").exists()), "a .tactful.toml above {}", drafts.display());
    let uri = file_uri(&drafts.join("mutt-draft-1234"));
    client.open(&uri, "mail", 1, DRAFT);
    let diagnostics = client.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut client, &uri, asap(&diagnostics), None);
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(!titles.iter().any(|t| t.contains("in this workspace")), "{titles:?}");
    let disable = actions.iter().find(|a| a["title"] == "Disable rule pressure.asap in your user config").expect("a user-config action");
    execute(&mut client, disable);
    let user = sandbox.config_home.join("tactful/config.toml");
    client.show_message(&user.display().to_string());
    assert_eq!(std::fs::read_to_string(&user).unwrap(), "[rules]\n\"pressure.asap\" = \"off\"\n");
    assert!(!drafts.join(".tactful.toml").exists());
    let after = client.diagnostics(&uri, Some(1));
    assert!(!rules(&after).contains(&"pressure.asap"), "{after:?}");
}

#[test]
fn hover_explains_a_finding_and_summarises_the_message() {
    let (sandbox, mut client, uri, diagnostics) = open("hover", json!(null), "draft.eml", DRAFT);
    let d = asap(&diagnostics);
    let inside = json!({ "line": 6, "character": d["range"]["start"]["character"].as_u64().unwrap() + 2 });
    let response = hover(&mut client, &uri, inside);
    let contents = &response["result"]["contents"];
    assert_eq!(contents["kind"], "markdown");
    let text = contents["value"].as_str().unwrap();
    let found = cli(DRAFT, &[]);
    let asap_rule = found.iter().find(|e| e.rule == "pressure.asap").unwrap();
    assert!(text.contains("`pressure.asap`") && text.contains("pressure"), "{text}");
    assert!(!asap_rule.why.is_empty() && text.contains(&asap_rule.why), "the rule's why: {text}");
    assert!(text.contains(&asap_rule.suggestions[0]), "the rewrites: {text}");
    assert!(text.contains("Try instead"), "{text}");
    assert_eq!(response["result"]["range"], d["range"]);

    // The Subject line: counts by category and the heat of the draft.
    let summary = hover(&mut client, &uri, json!({ "line": 2, "character": 3 }));
    let text = summary["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains(&format!("{} finding", diagnostics.len())), "{text}");
    assert!(text.contains("Heat:"), "{text}");
    assert!(text.contains("- pressure:"), "{text}");

    // Nothing to say on an ordinary line.
    assert_eq!(hover(&mut client, &uri, json!({ "line": 4, "character": 1 }))["result"], Value::Null);

    // Counts read as words: "2 warnings", not "2 warning".
    let two = sandbox.uri("two.eml");
    client.open(&two, "mail", 1, "Subject: Numbers\n\nSend it ASAP. Then call me ASAP.\n");
    client.diagnostics(&two, Some(1));
    let summary = hover(&mut client, &two, json!({ "line": 0, "character": 3 }));
    let text = summary["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("- pressure: 2 (2 warnings)"), "{text}");
}

#[test]
fn a_settings_change_takes_effect() {
    let (_sandbox, mut client, uri, diagnostics) = open("settings", json!({ "debounceMs": 0 }), "draft.eml", DRAFT);
    assert!(rules(&diagnostics).contains(&"pressure.asap"));

    // Pushed in the notification.
    client.notify("workspace/didChangeConfiguration", json!({ "settings": { "tactful": { "rules": { "pressure": "off" } } } }));
    let expected = expected_ranges(DRAFT, &cli(DRAFT, &["--disable", "pressure"]), Encoding::Utf16);
    client.diagnostics_where(&uri, Some(1), "pressure off", |d| seen_ranges(d) == expected);

    // Pulled with workspace/configuration when the notification carries nothing.
    client.settings = json!({ "minSeverity": "error", "rules": { "pressure.asap": "error" } });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let after = client.diagnostics_where(&uri, Some(1), "errors only", |d| !d.is_empty() && d.iter().all(|d| d["severity"] == 1));
    assert_eq!(rules(&after), vec!["pressure.asap"], "raised to error, the rest below the threshold");

    // A bad value is reported and the previous settings stay.
    client.notify("workspace/didChangeConfiguration", json!({ "settings": { "tactful": { "minSeverity": "loud" } } }));
    let message = client.show_message("minSeverity");
    assert_eq!(message["params"]["type"], 1);
    let probe = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(rules(probe["result"]["items"].as_array().unwrap()), vec!["pressure.asap"]);
}

#[test]
fn a_tactful_toml_edit_takes_effect() {
    let (sandbox, mut client, uri, diagnostics) = open("toml", json!(null), "draft.eml", DRAFT);
    assert!(rules(&diagnostics).contains(&"pressure.asap"));
    let config = sandbox.workspace.join(".tactful.toml");
    std::fs::write(&config, "[rules]\n\"pressure.asap\" = \"off\"\n").unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": file_uri(&config), "type": 1 }] }));
    let after = client.diagnostics(&uri, Some(1));
    assert_eq!(seen_ranges(&after), expected_ranges(DRAFT, &cli(DRAFT, &["--disable", "pressure.asap"]), Encoding::Utf16));
}

#[test]
fn a_broken_pack_is_reported_and_the_server_keeps_serving() {
    let (sandbox, mut client) = start("pack", &["utf-16"], json!(null));
    let pack = sandbox.workspace.join("team.toml");
    std::fs::write(&pack, "[[rule]]\nid = \"team.no-kidding\"\nmessage = \"Drop it.\"\nphrases = [\"no kidding\"\n").unwrap();
    let config = sandbox.workspace.join(".tactful.toml");
    std::fs::write(&config, "packs = [\"default\", \"team.toml\"]\n").unwrap();
    let uri = sandbox.uri("draft.eml");
    let text = format!("{DRAFT}No kidding, we need it.\n");
    client.open(&uri, "mail", 1, &text);

    let message = client.show_message("team.toml");
    let shown = message["params"]["message"].as_str().unwrap();
    assert!(shown.contains(&format!("{}:", pack.display())), "names the file: {shown}");
    assert!(shown.contains(":4:") || shown.contains(":5:"), "names the line: {shown}");
    assert_eq!(message["params"]["type"], 1, "an error");
    // A diagnostic on the pack file itself.
    let on_pack = client.diagnostics(&file_uri(&pack), None);
    assert_eq!(on_pack.len(), 1);
    assert!(on_pack[0]["range"]["start"]["line"].as_u64().unwrap() >= 3, "{on_pack:?}");
    // The broken pack is watched, so that its fix is seen.
    let watches_pack = |m: &Value| m["method"] == "client/registerCapability" && m["params"].to_string().contains("\"team.toml\"");
    if !client.server_requests.iter().any(watches_pack) {
        client.wait("a file watcher for team.toml", watches_pack);
    }
    // Still serving, with the built-in rules.
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert!(rules(&diagnostics).contains(&"pressure.asap"));
    let alive = hover(&mut client, &uri, json!({ "line": 2, "character": 0 }));
    assert!(alive["result"]["contents"]["value"].as_str().unwrap().contains("Heat"));

    // Fixed: the team rule runs and the pack's diagnostic is cleared.
    std::fs::write(&pack, "[[rule]]\nid = \"team.no-kidding\"\nmessage = \"Drop it.\"\nphrases = [\"no kidding\"]\n").unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": file_uri(&pack), "type": 2 }] }));
    assert!(client.diagnostics(&file_uri(&pack), None).is_empty());
    let fixed = client.diagnostics(&uri, Some(1));
    assert!(rules(&fixed).contains(&"team.no-kidding"), "{fixed:?}");
}

#[test]
fn pull_diagnostics_match_the_pushed_ones() {
    let (_sandbox, mut client, uri, pushed) = open("pull", json!(null), "draft.eml", DRAFT);
    let pulled = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(pulled["result"]["kind"], "full");
    assert_eq!(pulled["result"]["items"].as_array().unwrap(), &pushed);
    // Once pulled, pushed diagnostics are cleared so they are not shown twice.
    assert!(client.diagnostics(&uri, Some(1)).is_empty());
    client.change(&uri, 2, json!([{ "text": CLEAN }]));
    let pulled = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
    assert!(pulled["result"]["items"].as_array().unwrap().is_empty());
}

#[test]
fn only_mail_like_documents_are_checked() {
    let (sandbox, mut client) = start("languages", &["utf-16"], json!(null));
    let pull = |client: &mut Client, uri: &str| {
        client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }))["result"]["items"].as_array().unwrap().len()
    };
    let rust = sandbox.uri("main.rs");
    client.open(&rust, "rust", 1, DRAFT);
    assert_eq!(pull(&mut client, &rust), 0, "a Rust file is not checked");
    let eml = sandbox.uri("message.eml");
    client.open(&eml, "unknown-language", 1, DRAFT);
    assert!(pull(&mut client, &eml) > 0, "*.eml is checked whatever its language id");
    let commit = sandbox.uri("COMMIT_EDITMSG");
    client.open(&commit, "gitcommit", 1, DRAFT);
    assert!(pull(&mut client, &commit) > 0);

    client.notify("workspace/didChangeConfiguration", json!({ "settings": { "tactful": { "languages": ["rust"] } } }));
    assert!(pull(&mut client, &rust) > 0, "configurable");
    assert_eq!(pull(&mut client, &eml), 0);
}

#[test]
fn shutdown_then_exit_ends_the_process_with_status_0() {
    let (_sandbox, mut client) = start("exit", &["utf-16"], json!(null));
    let response = client.request("shutdown", json!(null));
    assert_eq!(response["result"], Value::Null);
    assert!(response.get("error").is_none());
    client.notify("exit", json!(null));
    assert_eq!(client.wait_exit().code(), Some(0));
}

#[test]
fn exit_without_shutdown_ends_the_process_with_status_1() {
    let (_sandbox, mut client) = start("exit1", &["utf-16"], json!(null));
    client.notify("exit", json!(null));
    assert_eq!(client.wait_exit().code(), Some(1));
}

#[test]
fn closing_stdin_ends_the_process() {
    let (_sandbox, mut client, _, _) = open("eof", json!(null), "draft.eml", DRAFT);
    assert!(client.close_stdin_and_wait().success());
    assert!(!client.stderr().contains("panicked"), "{}", client.stderr());
}

#[test]
fn malformed_input_never_kills_the_connection() {
    let (sandbox, mut client, uri, _) = open("malformed", json!({ "debounceMs": 0 }), "draft.eml", CLEAN);

    // Bytes that are no message, a header without a length, a body that is not JSON.
    client.send_raw(b"hello there\r\n\r\n");
    let error = client.wait("a parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(error["id"], Value::Null);
    client.send_raw(b"Content-Type: text/plain\r\n\r\n");
    client.wait("a parse error", |m| m["error"]["code"] == -32700);
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    client.wait("a parse error", |m| m["error"]["code"] == -32700);
    // JSON that is not JSON-RPC: answered with its id.
    client.send(&json!({ "id": 41, "hello": "world" }));
    let error = client.wait("an invalid request", |m| m["id"] == 41);
    assert_eq!(error["error"]["code"], -32600);
    // Wrong parameters, an unknown method.
    let bad = client.request("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(bad["error"]["code"], -32602);
    let unknown = client.request("tactful/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    // Unknown documents.
    client.change("file:///nowhere/ghost.eml", 3, json!([{ "text": "ASAP" }]));
    let none = hover(&mut client, "file:///nowhere/ghost.eml", json!({ "line": 0, "character": 0 }));
    assert_eq!(none["result"], Value::Null);
    let none = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": "file:///nowhere/ghost.eml" }, "range": range("", 0, 0, Encoding::Utf16), "context": { "diagnostics": [] } }),
    );
    assert!(none.get("error").is_none());
    // A range far past the end and reversed, and a version going backwards.
    client.change(
        &uri,
        0,
        json!([{ "range": { "start": { "line": 500, "character": 9 }, "end": { "line": 400, "character": 1 } }, "text": "Reply ASAP" }]),
    );
    let text = format!("{CLEAN}Reply ASAP");
    let diagnostics = client.diagnostics(&uri, Some(0));
    let at = text.find("ASAP").unwrap();
    assert_eq!(asap(&diagnostics)["range"], range(&text, at, at + 4, Encoding::Utf16));
    // Invalid UTF-8 on the wire: the bad bytes become U+FFFD and the document stays in step.
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":5}},"contentChanges":[{{"text":"Subject: x\n\nBAD @ BYTES then ASAP\n"}}]}}}}"#
    );
    let mut bytes = body.into_bytes();
    let bad = bytes.iter().position(|b| *b == b'@').unwrap();
    bytes[bad] = 0xFF;
    client.send_raw(format!("Content-Length: {}\r\n\r\n", bytes.len()).as_bytes());
    client.send_raw(&bytes);
    let diagnostics = client.diagnostics(&uri, Some(5));
    let with_replacement = "Subject: x\n\nBAD \u{FFFD} BYTES then ASAP\n";
    let at = with_replacement.find("ASAP").unwrap();
    assert_eq!(asap(&diagnostics)["range"], range(with_replacement, at, at + 4, Encoding::Utf16));
    // A huge document (over the size that is checked).
    let huge = "Please reply ASAP. ".repeat(9 << 20 >> 4);
    let big = sandbox.uri("huge.txt");
    client.open(&big, "plaintext", 1, &huge);
    let pulled = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": big } }));
    assert!(pulled["result"]["items"].as_array().unwrap().is_empty());

    // Still answering, still correct.
    let at = with_replacement.find("ASAP").unwrap() + 1;
    let response = hover(&mut client, &uri, position(with_replacement, at, Encoding::Utf16));
    assert!(response["result"]["contents"]["value"].as_str().unwrap().contains("pressure.asap"));
    assert!(client.is_running());
    assert_eq!(client.request("shutdown", json!(null))["result"], Value::Null);
}

#[test]
fn a_panic_in_a_request_is_contained() {
    let sandbox = Sandbox::new("panic");
    let mut client = Client::start(BIN, &sandbox, &[("TACTFUL_LSP_TEST_PANICS", "1")]);
    client.initialize(&sandbox.workspace, &["utf-16"], json!(null));
    let response = client.request("tactful/debugPanic", json!(null));
    assert_eq!(response["error"]["code"], -32603, "{response}");
    let log = client.wait("the panic in the log", |m| m["method"] == "window/logMessage");
    assert!(log["params"]["message"].as_str().unwrap().contains("internal error in tactful/debugPanic"), "{log}");
    let uri = sandbox.uri("draft.eml");
    client.open(&uri, "mail", 1, DRAFT);
    assert!(rules(&client.diagnostics(&uri, Some(1))).contains(&"pressure.asap"));
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let (_sandbox, mut client, uri, diagnostics) = open("close", json!(null), "draft.eml", DRAFT);
    assert!(!diagnostics.is_empty());
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    let cleared = client.wait("cleared diagnostics", |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str());
    assert!(cleared["params"]["diagnostics"].as_array().unwrap().is_empty());
    client.notify("textDocument/didSave", json!({ "textDocument": { "uri": uri } }));
    assert!(client.request("shutdown", json!(null)).get("error").is_none());
}

#[test]
fn initialization_options_wrapped_in_the_section_name_are_read() {
    // Helix sends its `config` as { "tactful": { ... } }.
    let options = json!({ "tactful": { "debounceMs": 0, "rules": { "pressure": "off" } } });
    let (_sandbox, _client, _uri, diagnostics) = open("wrapped", options, "draft.eml", DRAFT);
    let expected = expected_ranges(DRAFT, &cli(DRAFT, &["--disable", "pressure"]), Encoding::Utf16);
    assert_eq!(seen_ranges(&diagnostics), expected);
    assert!(!rules(&diagnostics).contains(&"pressure.asap"));
}

/// Thunderbird starts its native-messaging host as `PATH MANIFEST.json ADDON_ID`; the
/// same server answers over native-messaging framing (a 4-byte length, then the JSON).
#[test]
fn native_messaging_serves_the_thunderbird_add_on() {
    let sandbox = Sandbox::new("native");
    let manifest = sandbox.dir.join(".mozilla/native-messaging-hosts/tactful.json");
    let mut client = Client::launch(BIN, &[manifest.to_str().unwrap(), "tactful@tactful"], Framing::Native, &sandbox, &[]);
    let result = client.initialize(&sandbox.workspace, &["utf-16"], json!({ "debounceMs": 0 }));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16", "JavaScript strings count UTF-16 units");

    // A compose window is no file.
    let uri = "untitled:compose-1";
    client.open(uri, "mail", 1, DRAFT);
    let diagnostics = client.diagnostics(uri, Some(1));
    assert_eq!(seen_ranges(&diagnostics), expected_ranges(DRAFT, &cli(DRAFT, &[]), Encoding::Utf16));
    assert_eq!(asap(&diagnostics)["range"]["start"], json!({ "line": 6, "character": 49 }));

    let target = asap(&diagnostics).clone();
    let actions = code_actions(&mut client, uri, &target, None);
    let fix = actions.iter().find(|a| a["kind"] == "quickfix" && a.get("edit").is_some()).expect("a quick fix");
    let (edits, version) = edits_for(&fix["edit"], uri);
    assert_eq!(version, Some(1));
    let replacement = target["data"]["suggestions"][0]["replacement"].as_str().unwrap();
    assert_eq!(apply_edits(DRAFT, &edits, Encoding::Utf16), DRAFT.replace("ASAP", replacement));

    assert_eq!(client.request("shutdown", json!(null))["result"], Value::Null);
    client.notify("exit", json!(null));
    assert_eq!(client.wait_exit().code(), Some(0), "{}", client.stderr());
}

#[test]
fn native_messaging_is_also_an_option_of_tactful_lsp() {
    let sandbox = Sandbox::new("native-flag");
    let mut client = Client::launch(BIN, &["lsp", "--native-messaging"], Framing::Native, &sandbox, &[]);
    client.initialize(&sandbox.workspace, &["utf-16"], json!(null));
    let uri = sandbox.uri("draft.eml");
    client.open(&uri, "mail", 1, DRAFT);
    assert_eq!(seen_ranges(&client.diagnostics(&uri, Some(1))), expected_ranges(DRAFT, &cli(DRAFT, &[]), Encoding::Utf16));
    assert!(client.close_stdin_and_wait().success(), "Thunderbird closes the pipe when the add-on disconnects");
}

/// A pasted wall of "asap" with no full stop: the editor gets the first 1,000 findings
/// and an information on the first word not checked, which hovers with what happened
/// and offers no "disable" (it is no rule); a fix on a finding before it still works.
#[test]
fn past_the_findings_limit_the_editor_is_told_where_checking_stopped() {
    let text = format!("Subject: Notes\n\n{}\n", "asap ".repeat(1_050));
    let (sandbox, mut client) = start("limit", &["utf-16"], json!(null));
    std::fs::write(sandbox.workspace.join(".tactful.toml"), "").unwrap();
    let uri = sandbox.uri("wall.eml");
    client.open(&uri, "mail", 1, &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(diagnostics.len(), 1_001);
    let note = diagnostics.iter().find(|d| d["code"] == "tactful.limit").expect("the note is published");
    assert_eq!(note["severity"], 3, "information");
    // On the first "asap" not reported (a measure, the long sentence, takes one of the
    // 1,000).
    let reported = diagnostics.iter().filter(|d| d["code"] == "pressure.asap").count() as u64;
    assert!(reported >= 990, "{reported}");
    let at = reported * 5;
    assert_eq!(note["range"], json!({ "start": { "line": 2, "character": at }, "end": { "line": 2, "character": at + 4 } }));
    assert!(note["message"].as_str().unwrap().contains("not checked"), "{note}");
    let actions = code_actions(&mut client, &uri, note, None);
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(!titles.iter().any(|t| t.starts_with("Disable")), "{titles:?}");
    let said = hover(&mut client, &uri, json!({ "line": 2, "character": at + 1 }));
    assert!(said["result"]["contents"]["value"].as_str().unwrap().contains("not checked"), "{said}");
    let first = asap(&diagnostics);
    let fixes = code_actions(&mut client, &uri, first, None);
    assert!(fixes.iter().any(|a| a["edit"].is_object()), "a finding before the note still has its fix: {fixes:?}");
}
