//! Team rule packs through the real binary: the format's errors (checked literally),
//! layering, `override`, vocabulary, `pack check|test|new|sync`, `init`, git packs
//! from a local bare repository, and the safety limits. (Unix: some tests make links.)
#![cfg(unix)]

#[path = "support/bounded.rs"]
mod bounded;

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tactful");

/// A scratch folder with its own HOME, config and cache, so no test sees the user's.
struct Sandbox {
    dir: PathBuf,
}

/// What one run printed and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }

    /// Panics with everything printed unless the run ended with `code`.
    fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit status\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("packs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).unwrap();
        Sandbox { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    fn write(&self, relative: &str, text: &str) -> &Sandbox {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// `tactful ARGS` in the sandbox, with `stdin` as input, under the watchdog (packs
    /// are hostile input: a run that reads a device or compiles for minutes is killed).
    fn run_in(&self, cwd: &str, args: &[&str], stdin: &str) -> Run {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.path(cwd))
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("NO_COLOR", "1");
        let finished = bounded::run_bounded(&mut command, Some(stdin.as_bytes()));
        assert_eq!(finished.killed, None, "tactful {args:?}\n--- stdout\n{}\n--- stderr\n{}", finished.stdout, finished.stderr);
        Run { code: finished.status.code().unwrap_or(-1), stdout: finished.stdout, stderr: finished.stderr }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in(".", args, "")
    }

    /// Rule ids `tactful check` reports for `text` with the workspace config.
    fn flagged(&self, cwd: &str, text: &str) -> Vec<String> {
        let run = self.run_in(cwd, &["check", "--format", "json"], text);
        assert!(run.code == 0 || run.code == 1, "check failed: {}{}", run.stdout, run.stderr);
        let reports: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        reports[0]["diagnostics"].as_array().unwrap().iter().map(|d| d["rule"].as_str().unwrap().to_owned()).collect()
    }
}

/// The built-in pack names as build.rs finds them, for messages that list them.
fn builtin_names() -> String {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut names: Vec<String> = std::fs::read_dir(rules)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap() != "examples")
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.join(", ")
}

/// A valid rule with examples, as a pack author would write it.
fn rule(id: &str, phrase: &str, extra: &str) -> String {
    format!(
        "[[rule]]\nid = \"{id}\"\nmessage = \"Say it another way.\"\nphrases = [\"{phrase}\"]\n{extra}\
         examples.flag = [\"Well, {phrase} then.\"]\nexamples.pass = [\"Nothing to see here.\"]\n\n"
    )
}

// ---- the format's errors, literally ----

#[test]
fn a_bad_regex_points_at_the_offending_character() {
    let sb = Sandbox::new("bad-regex");
    sb.write("bad.toml", "[[rule]]\nid = \"team.bad\"\nmessage = \"m\"\npatterns = ['fine', 'we (can|could']\nexamples.flag = [\"x\"]\n");
    let run = sb.run(&["pack", "check", "bad.toml"]).expect(1);
    assert!(run.stdout.contains("error: bad.toml:4:25: invalid regex: unclosed group\n"), "{}", run.stdout);
    assert_eq!(run.last_line(), "1 pack checked, 1 with problems");
}

#[test]
fn an_unknown_key_names_its_table_and_the_closest_key() {
    let sb = Sandbox::new("unknown-key");
    sb.write("typo.toml", "[[rule]]\nid = \"team.typo\"\nmessage = \"m\"\nphrase = [\"act now\"]\n");
    sb.write("examples.toml", "[[rule]]\nid = \"team.ex\"\nmessage = \"m\"\nphrases = [\"x\"]\nexamples.flg = [\"x\"]\n");
    sb.write("far.toml", "[pack]\nname = \"far\"\ncolour = \"red\"\n");
    let run = sb.run(&["pack", "check", "typo.toml", "examples.toml", "far.toml"]).expect(1);
    assert!(run.stdout.contains("error: typo.toml:4:1: unknown key `phrase` in [[rule]] (did you mean `phrases`?)\n"), "{}", run.stdout);
    assert!(run.stdout.contains("error: examples.toml:5:10: unknown key `flg` in [rule.examples] (did you mean `flag`?)\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("error: far.toml:3:1: unknown key `colour` in [pack]; known keys: name, description, extends, rules\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_extends_target_is_named_with_what_exists() {
    let sb = Sandbox::new("missing-extends");
    sb.write("team/pack.toml", "[pack]\nname = \"team\"\nextends = [\"default\", \"./common\"]\n");
    sb.write("typo/pack.toml", "[pack]\nname = \"typo\"\nextends = [\"defualt\"]\n");
    let run = sb.run(&["pack", "check", "team", "typo"]).expect(1);
    let builtins = builtin_names();
    let expected = format!(
        "error: team/pack.toml:3:23: extends `./common`: no such pack: not a built-in pack ({builtins}) nor a file or folder inside this pack's folder\n"
    );
    assert!(run.stdout.contains(&expected), "{}", run.stdout);
    let expected = format!(
        "error: typo/pack.toml:3:12: extends `defualt`: no such pack: not a built-in pack ({builtins}) nor a file or folder inside this pack's folder (did you mean `default`?)\n"
    );
    assert!(run.stdout.contains(&expected), "{}", run.stdout);
}

#[test]
fn a_duplicate_id_names_both_files() {
    let sb = Sandbox::new("duplicate");
    sb.write("team/a.toml", &rule("team.same", "circle back", ""));
    sb.write("team/b.toml", &rule("team.same", "touch base", ""));
    let run = sb.run(&["pack", "check", "team"]).expect(1);
    assert!(run.stdout.contains("error: team/b.toml:2:6: duplicate rule id `team.same` (first defined in team/a.toml)\n"), "{}", run.stdout);
}

#[test]
fn a_rule_without_examples_fails_check_and_one_without_pass_examples_warns() {
    let sb = Sandbox::new("no-example");
    sb.write("bare.toml", "[[rule]]\nid = \"team.bare\"\nmessage = \"m\"\nphrases = [\"x\"]\n\n[[rule]]\nid = \"team.half\"\nmessage = \"m\"\nphrases = [\"y\"]\nexamples.flag = [\"y\"]\n");
    let run = sb.run(&["pack", "check", "bare.toml"]).expect(1);
    assert!(
        run.stdout.contains("error: bare.toml:2:6: rule `team.bare` has no example: add `examples.flag = [\"...\"]` with a sentence it must flag\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "warning: bare.toml:7:6: rule `team.half` has no `examples.pass`: a sentence it must leave alone guards against false alarms\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_wrong_value_and_a_params_typo_get_suggestions() {
    let sb = Sandbox::new("values");
    sb.write("sev.toml", "[[rule]]\nid = \"team.x\"\nmessage = \"m\"\nseverity = \"warn\"\nphrases = [\"x\"]\n");
    sb.write("params.toml", "[[rule]]\nid = \"clarity.long\"\nmessage = \"m\"\nkind = \"long-sentence\"\nparams.max_word = 30\n");
    let run = sb.run(&["pack", "check", "sev.toml", "params.toml"]).expect(1);
    assert!(
        run.stdout.contains("error: sev.toml:4:12: unknown value `warn`; expected one of: hint, info, warning, error (did you mean `warning`?)\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("error: params.toml:5:1: in `params`: unknown key `max_word` (did you mean `max_words`?)\n"), "{}", run.stdout);
}

// ---- safety ----

#[test]
fn extends_cannot_leave_the_pack_folder() {
    let sb = Sandbox::new("outside");
    sb.write("secret/pack.toml", &rule("secret.x", "x", ""));
    sb.write("team/up.toml", "[pack]\nname = \"up\"\nextends = [\"../secret\"]\n");
    let absolute = sb.path("secret").display().to_string();
    sb.write("abs/pack.toml", &format!("[pack]\nname = \"abs\"\nextends = [\"{absolute}\"]\n"));
    sb.write("linked/pack.toml", "[pack]\nname = \"linked\"\nextends = [\"inside\"]\n");
    std::os::unix::fs::symlink(sb.path("secret"), sb.path("linked/inside")).unwrap();
    let run = sb.run(&["pack", "check", "team/up.toml", "abs", "linked"]).expect(1);
    let refused = "a pack can only extend built-in packs and packs inside its own folder";
    assert!(run.stdout.contains(&format!("error: team/up.toml:3:12: extends `../secret`: {refused}\n")), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("error: abs/pack.toml:3:12: extends `{absolute}`: {refused}\n")), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("error: linked/pack.toml:3:12: extends `inside`: it leads outside this pack's folder (through a link); {refused}\n")),
        "{}",
        run.stdout
    );
}

#[test]
fn a_pack_file_linked_from_outside_the_folder_is_refused() {
    let sb = Sandbox::new("linked-file");
    sb.write("elsewhere/rules.toml", &rule("team.x", "x", ""));
    std::fs::create_dir_all(sb.path("team")).unwrap();
    std::os::unix::fs::symlink(sb.path("elsewhere/rules.toml"), sb.path("team/rules.toml")).unwrap();
    let run = sb.run(&["pack", "check", "team"]).expect(1);
    assert!(run.stdout.contains("error: team/rules.toml:1:1: pack file is a link to a place outside the pack's folder\n"), "{}", run.stdout);
}

#[test]
fn oversized_regexes_and_too_many_patterns_are_clear_errors() {
    let sb = Sandbox::new("limits");
    sb.write("big.toml", "[[rule]]\nid = \"team.big\"\nmessage = \"m\"\npatterns = ['\\w{1000}\\w{1000}']\nexamples.flag = [\"x\"]\n");
    let phrases: Vec<String> = (0..201).map(|i| format!("\"phrase number {i}\"")).collect();
    sb.write("many.toml", &format!("[[rule]]\nid = \"team.many\"\nmessage = \"m\"\nphrases = [{}]\n", phrases.join(", ")));
    let run = sb.run(&["pack", "check", "big.toml", "many.toml"]).expect(1);
    assert!(
        run.stdout.contains("error: big.toml:4:13: pattern is too large once compiled (over 1048576 bytes); split it or simplify it\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("error: many.toml:2:6: rule `team.many` has 201 patterns; at most 200 are allowed\n"), "{}", run.stdout);
}

#[test]
fn a_token_regex_too_large_to_compile_is_an_error_at_its_place() {
    // Token regexes compile lazily in the built-in packs; a pack from outside compiles
    // them when it loads, so this one cannot pass as a regex that matches nothing.
    let sb = Sandbox::new("token-regex");
    sb.write("big.toml", "[[rule]]\nid = \"team.big\"\nmessage = \"m\"\nmatch = ['ok /\\w{1000}\\w{1000}/']\n");
    let run = sb.run(&["pack", "check", "big.toml"]).expect(1);
    assert!(run.stdout.contains("error: big.toml:4:15: regex is too large once compiled"), "{}", run.stdout);
}

#[test]
fn packs_that_extend_each_other_in_a_circle_are_an_error() {
    let sb = Sandbox::new("cycle");
    sb.write("loop/pack.toml", "[pack]\nname = \"loop\"\nextends = [\"pack.toml\"]\n");
    let run = sb.run(&["pack", "check", "loop/pack.toml"]).expect(1);
    assert!(run.stdout.contains("error: loop/pack.toml:3:12: extends `pack.toml`: packs extend each other in a circle: "), "{}", run.stdout);
}

// ---- layering, override, settings, vocabulary ----

#[test]
fn reusing_an_inherited_id_needs_override() {
    let sb = Sandbox::new("override");
    let asap = "examples.flag = [\"Send it pronto.\"]\nexamples.pass = [\"Send it Tuesday.\"]\n";
    let body = "message = \"Name a date.\"\nphrases = [\"pronto\"]\n";
    sb.write("silent/pack.toml", &format!("[pack]\nname = \"silent\"\nextends = [\"default\"]\n\n[[rule]]\nid = \"pressure.asap\"\n{body}{asap}"));
    sb.write(
        "loud/pack.toml",
        &format!("[pack]\nname = \"loud\"\nextends = [\"default\"]\n\n[[rule]]\nid = \"pressure.asap\"\noverride = true\n{body}{asap}"),
    );
    sb.write(
        "typo/pack.toml",
        &format!("[pack]\nname = \"typo\"\nextends = [\"default\"]\n\n[[rule]]\nid = \"pressure.asapp\"\noverride = true\n{body}{asap}"),
    );
    let run = sb.run(&["pack", "check", "silent", "loud", "typo"]).expect(1);
    let location = default_rule_location("pressure.asap");
    assert!(
        run.stdout.contains(&format!(
            "error: silent/pack.toml:6:6: rule `pressure.asap` is already defined by pack `default` ({location}); add `override = true` to this rule to replace it, or give it another id\n"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("ok: loud (pack `loud`, "), "{}", run.stdout);
    assert!(
        run.stdout.contains("error: typo/pack.toml:6:6: rule `pressure.asapp` has `override = true`, but no pack it extends (default) has a rule `pressure.asapp` (did you mean `pressure.asap`?)\n"),
        "{}",
        run.stdout
    );

    // Used: the override replaces the default rule; ASAP is no longer flagged by it.
    sb.write(".tactful.toml", "packs = [\"./loud\"]\n");
    assert_eq!(sb.flagged(".", "Send it pronto."), ["pressure.asap"]);
    assert!(!sb.flagged(".", "Please reply ASAP.").contains(&"pressure.asap".to_owned()));
}

/// Where the built-in default pack writes rule `id`, as errors name it.
fn default_rule_location(id: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/default");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (index, line) in text.lines().enumerate() {
            if line.trim() == format!("id = \"{id}\"") {
                let column = line.find('"').unwrap() + 1;
                return format!("builtin:default/{}:{}:{column}", file.file_name().unwrap().to_string_lossy(), index + 1);
            }
        }
    }
    panic!("no rule {id} in the default pack")
}

#[test]
fn config_layering_refuses_a_silent_replacement_and_counts_a_pack_once() {
    let sb = Sandbox::new("config-layers");
    sb.write("team/pack.toml", &format!("[pack]\nname = \"team\"\n\n{}", rule("pressure.asap", "pronto", "")));
    sb.write("ext/pack.toml", &format!("[pack]\nname = \"ext\"\nextends = [\"default\"]\n\n{}", rule("team.extra", "circle back", "")));
    sb.write("a/.tactful.toml", "packs = [\"default\", \"../team\"]\n");
    let run = sb.run_in("a", &["check"], "Hello.\n").expect(2);
    assert!(run.stderr.contains("team/pack.toml:5:6: rule `pressure.asap` is already defined by pack `default` ("), "{}", run.stderr);
    // The default pack listed and also extended: counted once, no error.
    sb.write("b/.tactful.toml", "packs = [\"default\", \"../ext\", \"default\"]\n");
    let found = sb.flagged("b", "Well, circle back then. Reply ASAP.");
    assert!(found.contains(&"team.extra".to_owned()) && found.contains(&"pressure.asap".to_owned()), "{found:?}");
}

#[test]
fn a_missing_pack_in_the_config_is_reported_at_its_line() {
    let sb = Sandbox::new("config-missing");
    sb.write("ws/.tactful.toml", "# team settings\npacks = [\n  \"default\",\n  \"./tema\",\n]\n");
    let run = sb.run_in("ws", &["check"], "Hello.\n").expect(2);
    let builtins = builtin_names();
    let expected = format!("ws/.tactful.toml:4:3: no such pack `./tema`: not a built-in pack ({builtins}) nor an existing file or directory\n");
    assert!(run.stderr.ends_with(&expected), "{}", run.stderr);
}

#[test]
fn pack_settings_switch_inherited_rules() {
    let sb = Sandbox::new("settings");
    sb.write(
        "team/pack.toml",
        "[pack]\nname = \"team\"\nextends = [\"default\"]\n\n[pack.rules]\n\"shouting\" = \"off\"\n\"pressure.asap\" = \"error\"\n",
    );
    sb.write("bad/pack.toml", "[pack]\nname = \"bad\"\nextends = [\"default\"]\n\n[pack.rules]\n\"pressure.asapp\" = \"off\"\n");
    sb.write(".tactful.toml", "packs = [\"./team\"]\n");
    let listed = sb.run(&["rules"]).expect(0).stdout;
    let severity = |id: &str| listed.lines().find(|l| l.starts_with(&format!("{id} "))).map(|l| l.split_whitespace().nth(2).unwrap().to_owned());
    assert_eq!(severity("pressure.asap").as_deref(), Some("error"));
    assert_eq!(severity("shouting.capitals").as_deref(), Some("off"));
    let run = sb.run(&["pack", "check", "bad"]).expect(1);
    assert!(
        run.stdout.contains("error: bad/pack.toml:6:20: pack.rules: no rule or category `pressure.asapp` in this pack or the packs it extends (did you mean `pressure.asap`?)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn vocabulary_allows_phrases_across_packs_and_flags_its_own() {
    let sb = Sandbox::new("vocabulary");
    sb.write(
        "team/pack.toml",
        "[pack]\nname = \"team\"\n\n[vocabulary]\nallow = [\"ASAP\", \"NOW Platform\"]\ncategory = \"house\"\n\n\
         [[vocabulary.flag]]\nphrases = [\"unlimited support\"]\nmessage = \"Our SLA sets the hours.\"\nreplacement = \"support within our SLA\"\n",
    );
    sb.write(".tactful.toml", "packs = [\"default\", \"./team\"]\n");
    // Without the team pack, both are flagged by the default pack.
    let plain = sb.run_in(".", &["check", "--no-config", "--format", "json"], "Please reply ASAP. The NOW Platform is NOT ready.").stdout;
    assert!(plain.contains("pressure.asap") && plain.contains("\"text\": \"NOW\""), "{plain}");
    // With it: ASAP and the product name pass, shouting elsewhere is still caught.
    assert_eq!(sb.flagged(".", "Please reply ASAP. The NOW Platform is NOT ready."), ["shouting.capitals-soft"]);
    let run = sb.run_in(".", &["check", "--format", "json"], "We offer unlimited support.");
    assert!(run.stdout.contains("\"rule\": \"house.unlimited-support\""), "{}", run.stdout);
    assert!(run.stdout.contains("\"message\": \"Our SLA sets the hours.\""), "{}", run.stdout);
    assert!(run.stdout.contains("\"replacement\": \"support within our SLA\""), "{}", run.stdout);
}

// ---- pack test, pack new, init ----

#[test]
fn pack_test_reports_like_a_test_runner_with_exit_codes() {
    let sb = Sandbox::new("pack-test");
    sb.write("good/pack.toml", &rule("team.good", "circle back", "examples.rewrite = [{ from = \"Well, circle back then.\", to = \"Well, come back then.\" }]\nsuggestions = [{ title = \"t\", replacement = \"come back\" }]\n"));
    let run = sb.run(&["pack", "test", "good"]).expect(0);
    assert!(run.stdout.contains("running 1 rule of pack `good` (good)\n"), "{}", run.stdout);
    assert!(run.stdout.contains("test team.good ... ok (3 examples)\n"), "{}", run.stdout);
    assert_eq!(run.last_line(), "3 passed, 0 failed");

    sb.write(
        "bad/pack.toml",
        "[[rule]]\nid = \"team.bad\"\nmessage = \"m\"\nphrases = [\"circle back\"]\nsuggestions = [{ title = \"t\", replacement = \"revisit\" }]\n\
         examples.flag = [\"Let me touch base.\"]\nexamples.pass = [\"I will circle back.\"]\n\
         examples.rewrite = [{ from = \"Let's circle back.\", to = \"Let's come back.\" }]\n",
    );
    let run = sb.run(&["pack", "test", "good", "bad"]).expect(1);
    assert!(run.stdout.contains("test team.bad ... FAILED (3 of 3 examples)\n"), "{}", run.stdout);
    assert!(run.stdout.contains("team.bad (bad/pack.toml:2:6):\n"), "{}", run.stdout);
    assert!(run.stdout.contains("    should flag: \"Let me touch base.\", but nothing was flagged\n"), "{}", run.stdout);
    assert!(run.stdout.contains("    should pass: \"I will circle back.\", but it flagged \"circle back\"\n"), "{}", run.stdout);
    assert!(run.stdout.contains("    rewrite of \"Let's circle back.\": expected \"Let's come back.\", got \"Let's revisit.\"\n"), "{}", run.stdout);
    assert_eq!(run.last_line(), "3 passed, 3 failed");

    sb.write("broken/pack.toml", "[[rule]]\nid = \"team.x\"\n");
    let run = sb.run(&["pack", "test", "good", "broken"]).expect(2);
    assert!(run.stdout.contains("broken: cannot load: broken/pack.toml:1:1: missing field `message`"), "{}", run.stdout);
    assert!(run.stdout.contains("\n1 pack did not load\n"), "{}", run.stdout);
    assert_eq!(run.last_line(), "3 passed, 0 failed");

    let run = sb.run(&["pack", "test", "nowhere"]).expect(2);
    assert!(run.stderr.contains("error: nowhere: no such file, folder or built-in pack"), "{}", run.stderr);
}

#[test]
fn pack_new_scaffolds_a_pack_whose_tests_pass() {
    let sb = Sandbox::new("pack-new");
    let run = sb.run(&["pack", "new", "acme-legal"]).expect(0);
    assert!(run.stdout.contains("acme-legal/pack.toml"), "{}", run.stdout);
    let run = sb.run(&["pack", "test", "acme-legal"]).expect(0);
    assert!(run.stdout.contains("test acme-legal.no-guarantees ... ok (3 examples)\n"), "{}", run.stdout);
    assert_eq!(run.last_line(), "3 passed, 0 failed");
    sb.run(&["pack", "check", "acme-legal"]).expect(0);
    // Used from a config, its rule runs beside the default ones.
    sb.write(".tactful.toml", "packs = [\"./acme-legal\"]\n");
    assert!(sb.flagged(".", "We guarantee delivery by Friday.").contains(&"acme-legal.no-guarantees".to_owned()));
    // Never over an existing folder, never with a name that is not one.
    let run = sb.run(&["pack", "new", "acme-legal"]).expect(2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    sb.run(&["pack", "new", "../escape"]).expect(2);
}

#[test]
fn init_writes_a_config_that_loads_and_keeps_an_existing_one() {
    let sb = Sandbox::new("init");
    std::fs::create_dir_all(sb.path("ws")).unwrap();
    sb.run_in("ws", &["init"], "").expect(0);
    let written = std::fs::read_to_string(sb.path("ws/.tactful.toml")).unwrap();
    assert!(written.starts_with("# tactful settings"), "{written}");
    assert!(written.contains("packs = [\n  \"default\","), "{written}");
    assert!(sb.flagged("ws", "Please reply ASAP.").contains(&"pressure.asap".to_owned()));
    let run = sb.run_in("ws", &["init"], "").expect(2);
    assert!(run.stderr.contains(".tactful.toml already exists (use --force to replace it)"), "{}", run.stderr);
    sb.run_in("ws", &["init", "--force"], "").expect(0);
}

/// Each commented setting of the `tactful init` template is a working setting once
/// uncommented (one at a time): the file loads and checks. The git entry loads too and
/// then asks for `tactful pack sync`, as the comment under it says.
#[test]
fn every_commented_line_of_the_init_template_works_when_uncommented() {
    let sb = Sandbox::new("init-lines");
    std::fs::create_dir_all(sb.path("ws")).unwrap();
    sb.run_in("ws", &["init"], "").expect(0);
    sb.run_in("ws", &["pack", "new", "team-rules"], "").expect(0);
    let template = std::fs::read_to_string(sb.path("ws/.tactful.toml")).unwrap();
    let is_setting = |rest: &str| {
        rest.starts_with(['"', '{']) || rest.split_once(" = ").is_some_and(|(key, _)| key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    };
    let mut tried = 0;
    for (index, line) in template.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let Some(rest) = line.trim_start().strip_prefix("# ").filter(|rest| is_setting(rest)) else { continue };
        tried += 1;
        let mut lines: Vec<String> = template.lines().map(str::to_owned).collect();
        lines[index] = format!("{}{rest}", &line[..indent]);
        sb.write("ws/.tactful.toml", &(lines.join("\n") + "\n"));
        let run = sb.run_in("ws", &["check"], "Thanks for the notes.\n");
        if rest.starts_with("{ git") {
            assert_eq!(run.code, 2);
            assert!(
                run.stderr.contains(&format!(".tactful.toml:{}:", index + 1)) && run.stderr.contains("run `tactful pack sync`"),
                "{}",
                run.stderr
            );
        } else {
            assert_eq!((run.code, run.stderr.as_str()), (0, ""), "uncommented line {}: {rest}", index + 1);
        }
    }
    assert_eq!(tried, 10, "the settings commented in the template:\n{template}");
}

/// A setting written below `[rules]` (as it is easy to do) is an error at its line that
/// says where it belongs.
#[test]
fn a_setting_below_rules_is_reported_at_its_line() {
    let sb = Sandbox::new("below-rules");
    sb.write("ws/.tactful.toml", "[rules]\n\"clarity\" = \"off\"\nmin_severity = \"info\"\n");
    let run = sb.run_in("ws", &["check"], "Hello.\n").expect(2);
    let expected = ".tactful.toml:3:1: no rule or category named `min_severity` in the loaded packs; `min_severity` is a setting of its own: write it above `[rules]`\n";
    assert!(run.stderr.ends_with(expected), "{}", run.stderr);
    sb.write("ws/.tactful.toml", "[rules]\ndebounce_ms = 150\n");
    let run = sb.run_in("ws", &["check"], "Hello.\n").expect(2);
    let expected = ".tactful.toml:2:15: `rules.debounce_ms` takes \"off\", \"on\", \"error\", \"warning\", \"info\" or \"hint\", e.g. `\"debounce_ms\" = \"off\"`; found `150` (`debounce_ms` is a setting of its own: write it above `[rules]`)\n";
    assert!(run.stderr.ends_with(expected), "{}", run.stderr);
    sb.write("ws/.tactful.toml", "[rules]\nundermining = \"on\"\n");
    let run = sb.run_in("ws", &["check"], "Hello.\n").expect(2);
    let expected = ".tactful.toml:2:1: no rule or category named `undermining` in the loaded packs; it is in the built-in pack `undermining`: add \"undermining\" to `packs`\n";
    assert!(run.stderr.ends_with(expected), "{}", run.stderr);
}

/// A value of the wrong type is named with what its key takes and an example; the value
/// is shown as written (a regex escaped once, as in the file).
#[test]
fn a_wrong_type_says_what_the_key_takes() {
    let sb = Sandbox::new("wrong-types");
    let cases = [
        ("severity = 1", "4:12: `severity` takes \"error\", \"warning\", \"info\" or \"hint\", e.g. `severity = \"info\"`; found `1`"),
        ("phrases = \"touch base\"", "4:11: `phrases` takes a list of phrases, e.g. `phrases = [\"touch base\", \"circle back\"]`; found `\"touch base\"`"),
        (
            "suggestions = [\"Offer a date\"]",
            "4:16: `suggestions` takes a list of tables with `title` and `replacement`, e.g. `suggestions = [{ title = \"Leave the timing to them\", replacement = \"when you have a moment\" }]`; found `\"Offer a date\"`",
        ),
        (r"patterns = '\bfoo'", r"4:12: `patterns` takes a list of regular expressions, e.g. `patterns = ['''\bper my last email\b''']`; found `'\bfoo'`"),
    ];
    for (line, expected) in cases {
        let run = check_rule_with(&sb, line);
        assert!(run.stdout.contains(&format!("error: p.toml:{expected}\n")), "{}", run.stdout);
    }
}

/// `pack check` of `p.toml`: one rule, with `line` among its keys (on line 4), that fails.
fn check_rule_with(sb: &Sandbox, line: &str) -> Run {
    sb.write("p.toml", &format!("[[rule]]\nid = \"team.x\"\nmessage = \"m\"\n{line}\nexamples.flag = [\"x\"]\n"));
    sb.run(&["pack", "check", "p.toml"]).expect(1)
}

/// The column of a regex error is the offending character's in the file, whether the
/// pattern is written with TOML escapes or without.
#[test]
fn a_regex_error_column_counts_through_toml_escapes() {
    let sb = Sandbox::new("regex-columns");
    for (written, column) in [(r"'''\bfoo (bar'''", 22), (r#""\\bfoo (bar""#, 21), (r#""\u0041\\w (bar""#, 24), (r"'\bfoo\p{Nope}'", 19)] {
        let run = check_rule_with(&sb, &format!("patterns = [{written}]"));
        assert!(run.stdout.contains(&format!("error: p.toml:4:{column}: invalid regex: ")), "{written}: {}", run.stdout);
    }
}

/// `--enable` of a category that lives in an optional built-in pack loads that pack;
/// `explain` of a mistyped id names the closest one.
#[test]
fn enable_loads_the_optional_pack_and_explain_suggests_the_closest_rule() {
    let sb = Sandbox::new("enable-optional");
    let run = sb.run_in(".", &["check", "--no-config", "--enable", "undermining", "--format", "json"], "Sorry to bother you, but can we meet?\n");
    assert!(run.stderr.contains("note: loading the built-in pack `undermining` for `--enable undermining`"), "{}", run.stderr);
    assert!(run.stdout.contains("\"rule\": \"undermining."), "{}", run.stdout);
    let run = sb.run(&["explain", "--no-config", "pressure.asp"]).expect(2);
    assert_eq!(run.stderr, "error: no rule `pressure.asp` in the loaded packs (did you mean `pressure.asap`?)\n");
    let run = sb.run(&["check", "--no-config", "--disable", "presure"]).expect(2);
    assert_eq!(run.stderr, "error: --disable presure: no rule or category named `presure` in the loaded packs (did you mean `pressure`?)\n");
}

/// A pack named `./team` in a config is shown as `…/ws/team/pack.toml`, not `…/ws/./team/…`.
#[test]
fn paths_in_messages_have_no_dot_parts() {
    let sb = Sandbox::new("dot-paths");
    sb.write("ws/.tactful.toml", "packs = [\"default\", \"./team\"]\n");
    sb.write("ws/team/pack.toml", "[[rule]]\nid = \"team.x\"\nmessage = \"m\"\nphrase = [\"x\"]\n");
    let run = sb.run_in("ws", &["check"], "Hello.\n").expect(2);
    assert!(run.stderr.contains("/ws/team/pack.toml:4:1: unknown key `phrase`") && !run.stderr.contains("/./"), "{}", run.stderr);
}

// ---- the shipped packs ----

#[test]
fn the_sales_support_and_example_packs_pass_their_own_tests() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let sb = Sandbox::new("shipped");
    for pack in ["sales", "support", "examples"] {
        let path = rules.join(pack).display().to_string();
        let run = sb.run(&["pack", "test", &path]);
        assert_eq!(run.code, 0, "{pack}:\n{}", run.stdout);
        assert!(run.last_line().ends_with(" passed, 0 failed"), "{}", run.stdout);
        sb.run(&["pack", "check", &path]).expect(0);
    }
}

/// Built into the binary, a pack skips the checks that only serve error places (its
/// lists' circles, its regexes' sizes); read from disk it gets them all, and passes.
#[test]
fn every_built_in_pack_passes_every_load_check_read_from_disk() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let sb = Sandbox::new("built-in-from-disk");
    for pack in builtin_names().split(", ") {
        let path = rules.join(pack).display().to_string();
        let run = sb.run(&["pack", "check", &path]);
        assert_eq!(run.code, 0, "{pack}:\n{}", run.stdout);
    }
}

/// Two rules with one message would read as one rule reported twice.
#[test]
fn every_built_in_rule_has_its_own_message() {
    let sb = Sandbox::new("messages");
    let mut args = vec!["rules", "--no-config"];
    let names = builtin_names();
    for name in names.split(", ").filter(|name| *name != "default") {
        args.extend(["--pack", name]);
    }
    let run = sb.run(&args).expect(0);
    let mut by_message = std::collections::HashMap::new();
    for line in run.stdout.lines() {
        // id, category, severity, then the message
        let words: Vec<&str> = line.split_whitespace().collect();
        let (id, message) = (words[0], words[3..].join(" "));
        if let Some(other) = by_message.insert(message.clone(), id.to_owned()) {
            panic!("{id} and {other} share the message {message:?}");
        }
    }
    assert!(by_message.len() > 100, "{}", run.stdout);
}

#[test]
fn every_built_in_pack_loads_beside_the_others() {
    let sb = Sandbox::new("all-builtins");
    let names = builtin_names();
    let quoted: Vec<String> = names.split(", ").map(|n| format!("\"{n}\"")).collect();
    sb.write(".tactful.toml", &format!("packs = [{}]\n", quoted.join(", ")));
    let run = sb.run(&["rules"]).expect(0);
    assert!(run.stdout.contains("pressure.sales-bump") && run.stdout.contains("blame.support-per-policy"), "{}", run.stdout);
}

// ---- git packs ----

/// Runs git in `dir` with a fixed identity, isolated from the user's config.
fn git_in(sb: &Sandbox, dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("HOME", sb.path("home"))
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A git repository in `upstream`, one commit per call of `versions` (tagged v1, v2,
/// ...), cloned bare to `packs.git`; returns the bare repository's file:// URL.
fn repository(sb: &Sandbox, versions: &[&dyn Fn(&Path)]) -> String {
    let work = sb.path("upstream");
    std::fs::create_dir_all(&work).unwrap();
    git_in(sb, &work, &["init", "-q"]);
    for (n, version) in versions.iter().enumerate() {
        version(&work);
        git_in(sb, &work, &["add", "-A"]);
        git_in(sb, &work, &["commit", "-q", "-m", &format!("v{}", n + 1)]);
        git_in(sb, &work, &["tag", &format!("v{}", n + 1)]);
    }
    let bare = sb.path("packs.git");
    let out = Command::new("git").args(["clone", "-q", "--bare"]).arg(&work).arg(&bare).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    format!("file://{}", bare.display())
}

/// A git repository with a pack in `packs/team` at tags v1 and v2 and branch `main`,
/// cloned bare; returns the bare repository's file:// URL.
fn pack_repository(sb: &Sandbox) -> String {
    let version = |phrase: &'static str| {
        move |_: &Path| {
            sb.write("upstream/packs/team/pack.toml", &format!("[pack]\nname = \"shared\"\n\n{}", rule("team.shared", phrase, "")));
        }
    };
    repository(sb, &[&version("circle back"), &version("touch base")])
}

#[test]
fn git_packs_sync_into_the_cache_and_are_used_offline() {
    let sb = Sandbox::new("git");
    let url = pack_repository(&sb);
    let config = |rev: &str| format!("packs = [{{ git = \"{url}\", rev = \"{rev}\", path = \"packs/team\" }}]\n");
    sb.write("ws/.tactful.toml", &config("v1"));

    // Not synced yet: a clear error, and no network.
    let run = sb.run_in("ws", &["check"], "Hello.\n").expect(2);
    assert!(run.stderr.contains(&format!("ws/.tactful.toml:1:19: git pack {url} at `v1` is not synced yet")), "{}", run.stderr);
    assert!(run.stderr.contains("run `tactful pack sync`"), "{}", run.stderr);

    let run = sb.run_in("ws", &["pack", "sync"], "").expect(0);
    assert!(run.stdout.contains(&format!("{url} at v1 (packs/team): fetched ")), "{}", run.stdout);
    assert!(run.stdout.contains("pack `shared`, 1 rule\n"), "{}", run.stdout);
    assert_eq!(sb.flagged("ws", "Well, circle back then."), ["team.shared"]);
    let checkout = std::fs::read_dir(sb.path("cache/tactful/packs")).unwrap().next().unwrap().unwrap().path().join("v1");
    assert!(checkout.join("packs/team/pack.toml").is_file(), "{}", checkout.display());
    let run = sb.run_in("ws", &["pack", "sync"], "").expect(0);
    assert!(run.stdout.contains("up to date"), "{}", run.stdout);

    // An update to a new ref: unsynced until `pack sync`, then the new rules.
    sb.write("ws/.tactful.toml", &config("v2"));
    let run = sb.run_in("ws", &["check"], "Hello.\n").expect(2);
    assert!(run.stderr.contains("at `v2` is not synced yet"), "{}", run.stderr);
    sb.run_in("ws", &["pack", "sync"], "").expect(0);
    assert_eq!(sb.flagged("ws", "Well, circle back then. Well, touch base then."), ["team.shared"]);
    assert!(sb.flagged("ws", "Well, circle back then.").is_empty());

    // A ref that does not exist: git's words, exit 2, and the synced copies stay.
    sb.write("ws/.tactful.toml", &config("v9"));
    let run = sb.run_in("ws", &["pack", "sync"], "").expect(2);
    assert!(run.stderr.contains(&format!("error: git could not fetch `v9` from {url}: couldn't find remote ref v9")), "{}", run.stderr);
    sb.write("ws/.tactful.toml", &config("v2"));
    assert_eq!(sb.flagged("ws", "Well, touch base then."), ["team.shared"]);
}

#[test]
fn a_git_pack_on_a_branch_is_updated_by_sync() {
    let sb = Sandbox::new("git-branch");
    let url = pack_repository(&sb);
    sb.write("ws/.tactful.toml", &format!("packs = [\"git+{url}#main:packs/team\"]\n"));
    let run = sb.run_in("ws", &["pack", "sync"], "").expect(0);
    assert!(run.stdout.contains("fetched"), "{}", run.stdout);
    // Upstream moves the branch; the next sync takes the new commit.
    sb.write("upstream/packs/team/pack.toml", &format!("[pack]\nname = \"shared\"\n\n{}", rule("team.shared", "loop in", "")));
    for args in [
        &["add", "-A"][..],
        &["-c", "user.name=T", "-c", "user.email=t@e.x", "commit", "-q", "-m", "v3"],
        &["push", "-q", sb.path("packs.git").to_str().unwrap(), "HEAD:main"],
    ] {
        let out = Command::new("git").args(args).current_dir(sb.path("upstream")).env("HOME", sb.path("home")).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let run = sb.run_in("ws", &["pack", "sync"], "").expect(0);
    assert!(run.stdout.contains(": updated "), "{}", run.stdout);
    assert_eq!(sb.flagged("ws", "Well, loop in then."), ["team.shared"]);
}

#[test]
fn git_entries_are_checked_like_the_rest_of_the_config() {
    let sb = Sandbox::new("git-config");
    sb.write("ws/.tactful.toml", "packs = [{ git = \"https://example.com/packs.git\", ref = \"v1\" }]\n");
    let run = sb.run_in("ws", &["check"], "Hello.\n").expect(2);
    assert!(run.stderr.contains(".tactful.toml:1:51: unknown key `ref` in a git pack entry (did you mean `rev`?)"), "{}", run.stderr);
    sb.write("ws/.tactful.toml", "packs = [{ git = \"https://example.com/packs.git\", rev = \"--upload-pack=touch\" }]\n");
    let run = sb.run_in("ws", &["pack", "sync"], "").expect(2);
    assert!(run.stderr.contains("is not a tag, branch or commit name"), "{}", run.stderr);
}

// ---- a shared pack cannot write or read outside its checkout (issue 11) ----

#[test]
fn a_linked_sync_marker_in_a_pack_repository_is_never_written_through() {
    let sb = Sandbox::new("git-marker");
    sb.write("home/.bashrc", "# the user's own\n");
    // From the checkout (cache/tactful/packs/HASH/REV) up to the sandbox, then HOME.
    let url = repository(
        &sb,
        &[&|work: &Path| {
            sb.write("upstream/pack.toml", &format!("[pack]\nname = \"team\"\n\n{}", rule("team.x", "circle back", "")));
            std::os::unix::fs::symlink("../../../../../home/.bashrc", work.join(".tactful-sync")).unwrap();
        }],
    );
    sb.write("ws/.tactful.toml", &format!("packs = [{{ git = \"{url}\", rev = \"v1\" }}]\n"));
    let run = sb.run_in("ws", &["pack", "sync"], "").expect(0);
    assert!(run.stdout.contains("fetched"), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(sb.path("home/.bashrc")).unwrap(), "# the user's own\n");
    // The marker is tactful's own file now, and the pack is used.
    assert_eq!(sb.flagged("ws", "Well, circle back then."), ["team.x"]);
}

#[test]
fn a_git_pack_path_that_links_out_of_its_checkout_is_refused() {
    let sb = Sandbox::new("git-path-link");
    sb.write("outside/pack.toml", &rule("outside.x", "circle back", ""));
    let outside = sb.path("outside");
    let url = repository(
        &sb,
        &[&|work: &Path| {
            std::os::unix::fs::symlink(&outside, work.join("team")).unwrap();
            std::os::unix::fs::symlink("/dev/zero", work.join("z.toml")).unwrap();
            std::fs::create_dir_all(work.join("inner")).unwrap();
            std::os::unix::fs::symlink("/dev/zero", work.join("inner/rules.toml")).unwrap();
            std::os::unix::fs::symlink(outside.join("pack.toml"), work.join("inner/more.toml")).unwrap();
        }],
    );
    for (path, problem) in [
        ("team", "team:1:1: the pack is a link to a place outside its git checkout"),
        ("z.toml", "z.toml:1:1: the pack is a link to a place outside its git checkout"),
        ("inner", "inner/more.toml:1:1: pack file is a link to a place outside the pack's folder"),
    ] {
        sb.write("ws/.tactful.toml", &format!("packs = [{{ git = \"{url}\", rev = \"v1\", path = \"{path}\" }}]\n"));
        let run = sb.run_in("ws", &["pack", "sync"], "").expect(2);
        assert!(run.stderr.contains(problem), "{path}: {}", run.stderr);
        let run = sb.run_in("ws", &["check"], "Well, circle back then.\n").expect(2);
        assert!(run.stderr.contains(problem), "{path}: {}", run.stderr);
    }
}

#[test]
fn pack_check_and_test_keep_inside_the_folder_they_search() {
    let sb = Sandbox::new("search-links");
    sb.write("outside/team/pack.toml", &rule("outside.x", "circle back", ""));
    sb.write("packs/ours/pack.toml", &rule("ours.x", "touch base", ""));
    std::os::unix::fs::symlink(sb.path("outside"), sb.path("packs/linked")).unwrap();
    let refused = "packs/linked:1:1: the pack is a link to a place outside the folder searched for packs";
    let run = sb.run(&["pack", "check", "packs"]).expect(1);
    assert!(run.stdout.contains(&format!("error: {refused}\n")), "{}", run.stdout);
    assert!(run.stdout.contains("ok: packs/ours (pack `ours`"), "{}", run.stdout);
    assert!(!run.stdout.contains("outside.x"), "{}", run.stdout);
    let run = sb.run(&["pack", "test", "packs"]).expect(2);
    assert!(run.stdout.contains(refused), "{}", run.stdout);
    assert!(!run.stdout.contains("test outside.x"), "{}", run.stdout);
}

#[test]
fn git_packs_only_use_https_ssh_git_and_file_and_plain_refs() {
    let sb = Sandbox::new("git-transports");
    for (entry, problem) in [
        ("git = \"fd::7\", rev = \"v1\"", "git pack `fd::7`: the `fd` transport is not allowed; use one of https, ssh, git, file"),
        ("git = \"ext::sh -c touch%20x\", rev = \"v1\"", "is not a repository URL"),
        ("git = \"ext::sh\", rev = \"v1\"", "git pack `ext::sh`: the `ext` transport is not allowed"),
        ("git = \"http://example.com/packs.git\", rev = \"v1\"", "the `http` transport is not allowed"),
        ("git = \"https://example.com/packs.git\", rev = \"v1\\nx\"", "`v1\\nx` is not a tag, branch or commit name"),
        ("git = \"https://example.com/packs.git\", rev = \"v1\\u0007\"", "`v1\\u{7}` is not a tag, branch or commit name"),
    ] {
        sb.write("ws/.tactful.toml", &format!("packs = [{{ {entry} }}]\n"));
        let run = sb.run_in("ws", &["pack", "sync"], "").expect(2);
        assert!(run.stderr.contains(problem), "{entry}: {}", run.stderr);
    }
}

#[test]
fn the_users_git_config_cannot_widen_the_transports() {
    let sb = Sandbox::new("git-insteadof");
    let pwned = sb.path("pwned");
    // A git config that allows every transport and turns an https URL into a command.
    sb.write(
        "home/.gitconfig",
        &format!("[protocol]\n\tallow = always\n[url \"ext::sh -c touch% {}\"]\n\tinsteadOf = https://packs.invalid/\n", pwned.display()),
    );
    sb.write("ws/.tactful.toml", "packs = [{ git = \"https://packs.invalid/team.git\", rev = \"v1\" }]\n");
    let run = sb.run_in("ws", &["pack", "sync"], "").expect(2);
    assert!(run.stderr.contains("transport 'ext' not allowed"), "{}", run.stderr);
    // The command would have touched `pwned` followed by the rest of the URL.
    let ran = std::fs::read_dir(&sb.dir).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with("pwned"));
    assert!(!ran, "the ext:: command ran");
    assert_eq!(leftovers(&sb), Vec::<PathBuf>::new());
}

/// Folders a sync left next to the checkouts.
fn leftovers(sb: &Sandbox) -> Vec<PathBuf> {
    let Ok(urls) = std::fs::read_dir(sb.path("cache/tactful/packs")) else { return Vec::new() };
    urls.flat_map(|url| std::fs::read_dir(url.unwrap().path()).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

#[test]
fn a_sync_stopped_by_a_signal_stops_git_and_leaves_nothing_behind() {
    let sb = Sandbox::new("git-signal");
    // An ssh that never answers: it says it started, then waits.
    sb.write("fake-ssh", &format!("#!/bin/sh\necho $$ > '{0}/ssh.pid'\ntouch '{0}/started'\nexec sleep 60\n", sb.dir.display()));
    std::fs::set_permissions(sb.path("fake-ssh"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sb.write("ws/.tactful.toml", "packs = [{ git = \"ssh://packs.invalid/team.git\", rev = \"v1\" }]\n");
    let child = Command::new(BIN)
        .args(["pack", "sync"])
        .current_dir(sb.path("ws"))
        .env("HOME", sb.path("home"))
        .env("XDG_CONFIG_HOME", sb.path("config"))
        .env("XDG_CACHE_HOME", sb.path("cache"))
        .env("GIT_SSH_COMMAND", sb.path("fake-ssh"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !sb.path("started").exists() {
        assert!(std::time::Instant::now() < deadline, "git never ran the fake ssh");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!leftovers(&sb).is_empty(), "a sync in progress has its folder");
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(128 + 15), "{stderr}");
    assert!(stderr.contains("stopped by SIGTERM"), "{stderr}");
    assert_eq!(leftovers(&sb), Vec::<PathBuf>::new());
    // The ssh git started is gone too (or a zombie waiting for init to reap it).
    let pid = std::fs::read_to_string(sb.path("ssh.pid")).unwrap().trim().to_owned();
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
    };
    while running() {
        assert!(std::time::Instant::now() < deadline, "the fake ssh ({pid}) still runs");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A message quotes what was found, and a capture it names must exist.
#[test]
fn messages_quote_the_words_found_and_name_real_captures() {
    let sb = Sandbox::new("message-captures");
    let rule = |message: &str| {
        format!(
            "[[rule]]\nid = \"team.verdict\"\nseverity = \"warning\"\nmessage = \"{message}\"\nmatch = [\"that is who=(you | your team) verdict=(~ridiculous | ~absurd)\"]\nexamples.flag = [\"Honestly that is you ridiculous.\"]\nexamples.pass = [\"That is fine.\"]\n"
        )
    };
    sb.write("team/.tactful.toml", "packs = [\"pack.toml\"]\n");
    sb.write("team/pack.toml", &rule("Calling ${who} “${verdict}” ($0) is a verdict."));
    let run = sb.run_in("team", &["check", "--format", "json"], "Well, that is your team absurd.\n");
    assert!(run.stdout.contains(r#""message": "Calling your team “absurd” (that is your team absurd) is a verdict.""#), "{}", run.stdout);
    sb.write("bad.toml", &rule("About ${whom}."));
    let run = sb.run(&["pack", "check", "bad.toml"]).expect(1);
    let expected = "error: bad.toml:2:6: message uses `${whom}`, but no `match` expression or `regex` of the rule captures `whom`";
    assert!(run.stdout.contains(expected), "{}", run.stdout);
}

// ---- the shipped packs as code a team lead reads ----

/// The longest expression a shipped pack may hold: longer reads as a wall, and a list
/// says it better.
const MAX_EXPRESSION_CHARS: usize = 300;

/// Every array of three or more strings in the shipped packs' rules and lists (not
/// their examples), with where it is, walking nested arrays (`all_of` groups).
fn string_arrays(value: &toml::Value, path: &str, out: &mut Vec<(String, Vec<String>)>) {
    match value {
        toml::Value::Table(table) => {
            for (key, value) in table.iter().filter(|(key, _)| *key != "examples") {
                string_arrays(value, &format!("{path}.{key}"), out);
            }
        }
        toml::Value::Array(items) => {
            let strings: Vec<String> = items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect();
            if strings.len() == items.len() && strings.len() >= 3 {
                out.push((path.to_owned(), strings));
            }
            for (index, item) in items.iter().enumerate() {
                string_arrays(item, &format!("{path}[{index}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn shipped_packs_write_each_list_once_and_no_expression_past_a_few_lines() {
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files = Vec::new();
    let mut pending = vec![rules.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "the shipped packs are found");
    let mut arrays = Vec::new();
    for file in &files {
        let value: toml::Value = toml::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        string_arrays(&value, &file.strip_prefix(&rules).unwrap().display().to_string(), &mut arrays);
    }
    let too_long: Vec<String> = arrays
        .iter()
        .flat_map(|(path, strings)| strings.iter().filter(|s| s.chars().count() > MAX_EXPRESSION_CHARS).map(move |s| format!("{path}: {s}")))
        .collect();
    assert!(too_long.is_empty(), "expressions over {MAX_EXPRESSION_CHARS} characters:\n{}", too_long.join("\n"));
    let mut seen: std::collections::HashMap<Vec<String>, &str> = std::collections::HashMap::new();
    let mut twice = Vec::new();
    for (path, strings) in &arrays {
        let mut key = strings.clone();
        key.sort();
        if let Some(first) = seen.insert(key, path) {
            twice.push(format!("{path} repeats {first}"));
        }
    }
    assert!(twice.is_empty(), "lists written out twice (name them once in [lists] and use `@name`):\n{}", twice.join("\n"));
}
