//! `tactful check`, `rules` and `explain` on the built binary: output formats, exit
//! codes, stdin, and errors that name the file, line and problem. The rules come from
//! a small pack written by each test, so rule tuning does not move these tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PACK: &str = r#"
[pack]
name = "cli-test"

[[rule]]
id = "pressure.asap"
severity = "warning"
message = "Demanding ASAP."
why = "It corners the reader."
phrases = ["asap"]
suggestions = [{ title = "Offer time", replacement = "when you have a moment" }]
examples.flag = ["Reply ASAP."]

[[rule]]
id = "pressure.right-away"
message = "Demanding it right away."
phrases = ["reply right away"]
examples.flag = ["Please reply right away."]

[[rule]]
id = "clarity.hint-only"
severity = "hint"
message = "A hint."
phrases = ["perhaps"]
examples.flag = ["perhaps"]
"#;

/// A temp dir with the test pack and a config that loads only it.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let dir = std::env::temp_dir().join(format!("tactful-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pack.toml"), PACK).unwrap();
        std::fs::write(dir.join("config.toml"), "packs = [\"pack.toml\"]\n").unwrap();
        Fixture { dir }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tactful"));
        command.args(args).current_dir(&self.dir).env("NO_COLOR", "1");
        let config = self.dir.join("config.toml");
        if args.first().is_some_and(|a| ["check", "rules", "explain"].contains(a)) && !args.contains(&"--config") {
            command.arg("--config").arg(&config);
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // A run that stops early (a bad option) may close its stdin before this is written.
        let _ = child.stdin.take().unwrap().write_all(stdin.unwrap_or("").as_bytes());
        child.wait_with_output().unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn text_output_points_at_the_span_and_shows_the_first_suggestion() {
    let fx = Fixture::new("text");
    let path = fx.file("draft.txt", "Hi,\n\n👋 Reply ASAP, thanks.\n");
    let out = fx.run(&["check", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let expected = format!(
        "warning[pressure.asap]: Demanding ASAP.\n --> {}:3:9\n  |\n3 | 👋 Reply ASAP, thanks.\n  |          ^^^^\n  = suggestion: “when you have a moment”\n\n1 finding (1 warning) in 1 file\n",
        path.display()
    );
    assert_eq!(stdout(&out), expected);
}

#[test]
fn a_finding_on_a_very_long_line_shows_the_stretch_around_it() {
    // A message without line breaks: printing the whole line for every finding would
    // print the message once per finding.
    let fx = Fixture::new("long-line");
    let line = format!("{}Reply ASAP, thanks. {}", "We shipped it. ".repeat(100), "It works. ".repeat(100));
    let path = fx.file("draft.txt", &format!("{line}\n"));
    let out = fx.run(&["check", path.to_str().unwrap()], None);
    let at = line.find("ASAP").unwrap();
    // 160 bytes either side of the finding, cut with an ellipsis.
    let shown = format!("…{}…", &line[at - 160..at + 4 + 160]);
    let expected = format!(
        "warning[pressure.asap]: Demanding ASAP.\n --> {}:1:{}\n  |\n1 | {shown}\n  | {:161}^^^^\n  = suggestion: “when you have a moment”\n\n1 finding (1 warning) in 1 file\n",
        path.display(),
        at + 1,
        ""
    );
    assert_eq!(stdout(&out), expected);
}

#[test]
fn json_output_has_byte_offsets_and_scalar_columns() {
    let fx = Fixture::new("json");
    let text = "Subject: hi\n\n漢字 e\u{301} reply asap.\n";
    let path = fx.file("draft.eml", text);
    let out = fx.run(&["check", "--format", "json", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let diag = &json[0]["diagnostics"][0];
    let start = text.find("asap").unwrap();
    assert_eq!(json[0]["path"], path.to_str().unwrap());
    assert_eq!(json[0]["decoded"], false);
    assert_eq!(diag["rule"], "pressure.asap");
    assert_eq!(diag["category"], "pressure");
    assert_eq!(diag["severity"], "warning");
    assert_eq!(diag["why"], "It corners the reader.");
    assert_eq!((diag["start"].as_u64(), diag["end"].as_u64()), (Some(start as u64), Some(start as u64 + 4)));
    assert_eq!((diag["line"].as_u64(), diag["column"].as_u64()), (Some(3), Some(13)));
    assert_eq!((diag["end_line"].as_u64(), diag["end_column"].as_u64()), (Some(3), Some(17)));
    assert_eq!(diag["text"], "asap");
    assert_eq!(diag["suggestions"][0]["replacement"], "when you have a moment");
    assert_eq!(diag["suggestions"][0]["title"], "Offer time");
}

#[test]
fn stdin_is_read_with_no_path_or_a_dash() {
    let fx = Fixture::new("stdin");
    for args in [&["check", "--format", "json"][..], &["check", "--format", "json", "-"][..]] {
        let out = fx.run(args, Some("Reply ASAP."));
        assert_eq!(out.status.code(), Some(1));
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(json[0]["path"], "<stdin>");
        assert_eq!(json[0]["diagnostics"][0]["text"], "ASAP");
    }
}

#[test]
fn exit_status_follows_the_threshold() {
    let fx = Fixture::new("exit");
    let clean = fx.run(&["check"], Some("Thanks for the notes."));
    assert_eq!((clean.status.code(), stdout(&clean)), (Some(0), String::new()));
    assert_eq!(fx.run(&["check"], Some("Reply ASAP.")).status.code(), Some(1));
    assert_eq!(fx.run(&["check", "--fail-on", "hint"], Some("perhaps")).status.code(), Some(1));
    assert_eq!(fx.run(&["check", "--fail-on", "hint", "--min-severity", "info"], Some("perhaps")).status.code(), Some(0));
    assert_eq!(fx.run(&["check", "--disable", "pressure"], Some("Reply ASAP.")).status.code(), Some(0));
    let typo = fx.run(&["check", "--disable", "presure"], Some("Reply ASAP."));
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("no rule or category named `presure`"), "{}", stderr(&typo));
}

/// A hint alone is reported but does not fail the check: `--fail-on` (default
/// warning) sets the severity from which findings give exit status 1.
#[test]
fn a_hint_alone_does_not_fail_the_check() {
    let fx = Fixture::new("fail-on");
    let hint = fx.run(&["check"], Some("perhaps"));
    assert_eq!(hint.status.code(), Some(0), "{}", stderr(&hint));
    assert!(stdout(&hint).contains("hint[clarity.hint-only]"), "{}", stdout(&hint));
    let loud = fx.run(&["check", "--fail-on", "error"], Some("Reply ASAP."));
    assert_eq!(loud.status.code(), Some(0));
    assert!(stdout(&loud).ends_with("1 finding (1 warning) in 1 file\n"), "{}", stdout(&loud));
    let bad = fx.run(&["check", "--fail-on", "loud"], Some("x"));
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    let fx = Fixture::new("missing");
    let out = fx.run(&["check", "nope.eml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("error: nope.eml: cannot read"), "{}", stderr(&out));
}

/// One path that cannot be read is reported, and the others are still checked.
#[test]
fn an_unreadable_file_does_not_stop_the_others() {
    let fx = Fixture::new("per-file");
    fx.file("good.txt", "Reply ASAP.\n");
    let out = fx.run(&["check", "good.txt", "missing.eml"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).contains(" --> good.txt:1:7\n"), "{}", stdout(&out));
    assert!(stderr(&out).starts_with("error: missing.eml: cannot read input: "), "{}", stderr(&out));
    let out = fx.run(&["check", "--format", "json", "missing.eml", "good.txt"], None);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["path"], "missing.eml");
    assert!(json[0]["error"].as_str().unwrap().starts_with("cannot read input: "), "{json}");
    assert_eq!(json[1]["path"], "good.txt");
    assert_eq!(json[1]["diagnostics"][0]["text"], "ASAP");
}

/// A binary file (a NUL byte near the start) is skipped with a note, as ripgrep does.
#[test]
fn binary_files_are_skipped_with_a_note() {
    let fx = Fixture::new("binary");
    fx.file("image.png", "\u{89}PNG\r\n\u{1a}\n\0\0\0\rIHDR Reply ASAP!!!");
    let out = fx.run(&["check", "image.png"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "note: image.png: skipped, a binary file (a NUL byte in its first 8 KB), not a message\n");
    let out = fx.run(&["check", "--format", "json", "image.png"], None);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["skipped"], "a binary file (a NUL byte in its first 8 KB), not a message");
    assert_eq!(json[0]["diagnostics"], serde_json::json!([]));
}

/// The JSON report of several inputs is one array, laid out as serde_json lays out a
/// whole array, although each entry is rendered on its own.
#[test]
fn the_json_report_of_several_inputs_is_one_pretty_array() {
    let fx = Fixture::new("json-array");
    fx.file("clean.txt", "Thanks, see you on Monday.\n");
    fx.file("image.png", "\u{89}PNG\0");
    let out = fx.run(&["check", "--format", "json", "clean.txt", "image.png", "missing.eml"], None);
    let expected = r#"[
  {
    "path": "clean.txt",
    "decoded": false,
    "diagnostics": []
  },
  {
    "path": "image.png",
    "skipped": "a binary file (a NUL byte in its first 8 KB), not a message",
    "diagnostics": []
  },
  {
    "path": "missing.eml",
    "error": "cannot read input: No such file or directory (os error 2)"
  }
]
"#;
    assert_eq!(stdout(&out), expected);
    // With findings, nested deeper: every line indented two spaces per open bracket.
    fx.file("loud.txt", "Per my last email, reply ASAP!!!\n");
    let out = fx.run(&["check", "--format", "json", "loud.txt", "clean.txt", "loud.txt"], None);
    let report = stdout(&out);
    assert_eq!(report.matches("\"rule\"").count(), 2, "{report}");
    let mut depth = 0usize;
    for line in report.lines() {
        let content = line.trim_start();
        if content.starts_with(['}', ']']) {
            depth -= 1;
        }
        assert_eq!(line.len() - content.len(), 2 * depth, "{line:?} in\n{report}");
        if content.ends_with(['{', '[']) {
            depth += 1;
        }
    }
    assert_eq!(depth, 0);
}

/// Control characters in the input never reach the terminal raw.
#[test]
fn control_characters_from_the_input_are_escaped_in_text_output() {
    let fx = Fixture::new("control");
    let out = fx.run(&["check"], Some("Reply ASAP \u{1b}[2J\u{7} or else \u{202e}txet.\n"));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n' || c == '\u{202e}'), "{text:?}");
    assert!(text.contains("1 | Reply ASAP \\u{1b}[2J\\u{7} or else \\u{202e}txet.\n  |       ^^^^\n"), "{text}");
}

/// A finding over two lines shows both, joined on the left as rustc draws it.
#[test]
fn a_span_over_several_lines_is_shown_whole() {
    let fx = Fixture::new("multi-line");
    let out = fx.run(&["check"], Some("Hello there. Please reply\nright away, thanks.\n"));
    let expected = "warning[pressure.right-away]: Demanding it right away.\n --> <stdin>:1:21\n  |\n\
                    1 |   Hello there. Please reply\n  |  _____________________^\n2 | | right away, thanks.\n  | |__________^\n\n";
    assert!(stdout(&out).starts_with(expected), "{}", stdout(&out));
    let out = fx.run(&["check"], Some("Reply\nright away.\n"));
    let expected = " --> <stdin>:1:1\n  |\n1 | / Reply\n2 | | right away.\n  | |__________^\n\n";
    assert!(stdout(&out).contains(expected), "{}", stdout(&out));
}

#[test]
fn a_broken_pack_names_file_line_and_problem() {
    let fx = Fixture::new("badpack");
    let bad = fx.file("bad.toml", "[[rule]]\nid = \"pressure.x\"\nmessage = \"m\"\npatterns = [\n  '(unclosed',\n]\n");
    let out = fx.run(&["check", "--pack", bad.to_str().unwrap()], Some("x"));
    assert_eq!(out.status.code(), Some(2));
    let expected = format!("error: {}:5:4: invalid regex: unclosed group", bad.display());
    assert!(stderr(&out).starts_with(&expected), "{}", stderr(&out));
    let config = fx.file("broken.toml", "packs = [\"pack.toml\"]\nmin_severity = \"loud\"\n");
    let out = fx.run(&["check", "--config", config.to_str().unwrap()], Some("x"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("{}:2:16:", config.display())), "{}", stderr(&out));
}

#[test]
fn rules_and_explain_describe_the_loaded_rules() {
    let fx = Fixture::new("rules");
    let out = fx.run(&["rules"], None);
    assert_eq!(out.status.code(), Some(0));
    let listing = stdout(&out);
    assert!(listing.lines().any(|l| l.starts_with("pressure.asap") && l.contains("warning") && l.ends_with("Demanding ASAP.")), "{listing}");
    let out = fx.run(&["explain", "pressure.asap"], None);
    let text = stdout(&out);
    assert!(text.contains("Why: It corners the reader.") && text.contains("Reply ASAP.") && text.contains("when you have a moment"), "{text}");
    assert_eq!(fx.run(&["explain", "pressure.nope"], None).status.code(), Some(2));
}

#[test]
fn the_built_in_pack_checks_the_sample_draft() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sample-draft.eml");
    let out = Command::new(env!("CARGO_BIN_EXE_tactful")).args(["check", "--no-config", "--format", "json"]).arg(&sample).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let text = std::fs::read_to_string(&sample).unwrap();
    let quote_start = text.find("-- \n").unwrap();
    let diagnostics = json[0]["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() >= 4, "{diagnostics:?}");
    assert!(diagnostics.iter().all(|d| (d["start"].as_u64().unwrap() as usize) < quote_start), "a finding in the signature or quote");
}

/// `tactful check big.txt | head -1`: the reader goes away and tactful ends quietly,
/// without a panic about a broken pipe. The report is far larger than a pipe's buffer,
/// so the write after the reader left always fails.
#[test]
fn output_closed_early_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let fixture = Fixture::new("closed-output");
    let draft = fixture.file("big.txt", &"Please reply ASAP.\n\n".repeat(5_000));
    let mut child = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["check", "--no-config"])
        .arg(&draft)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.contains("pressure.asap"), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
}
